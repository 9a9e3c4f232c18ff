/** Applications: create, read, update (Management API). */
import { ACCOUNT_ID, withDefaults, type Application, type ApplicationSettings } from '../../domain/application.js';
import { currencyProblem, timezoneProblem } from '../../domain/codes.js';
import { invalidField, notFound, Title } from '../../domain/errors.js';
import { getApplication, insertApplication, listApplications, updateApplication } from '../../store/repos/applications.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import type { Sql } from '../../store/db.js';
import type { ServiceContext } from '../context.js';
import { loadDefinitions } from '../definitions/load.js';
import { checkAttributes } from '../definitions/validate.js';
import { appScope } from './load.js';

// like every entity's attributes: defined, and of the declared type (rules read them by that type)
async function checkApplicationAttributes(ctx: ServiceContext, sql: Sql, settings: ApplicationSettings): Promise<void> {
  checkAttributes(await loadDefinitions(ctx, sql), 'Application', settings.attributes, '/attributes');
}

/**
 * Currency and time zone, for every caller (HTTP and the CLI): an ISO 4217 code and an IANA name
 * (domain/codes.ts), else a 400 naming the field.
 */
function checkCodes(settings: ApplicationSettings): void {
  const currency = currencyProblem(settings.currency);
  if (currency) throw invalidField('/currency', Title.invalidValue, currency);
  const timezone = timezoneProblem(settings.timezone);
  if (timezone) throw invalidField('/timezone', Title.invalidValue, timezone);
}

export async function createApplication(ctx: ServiceContext, settings: ApplicationSettings): Promise<Application> {
  checkCodes(settings);
  return ctx.db.transaction(async (sql) => {
    await checkApplicationAttributes(ctx, sql, settings);
    return insertApplication(sql, ACCOUNT_ID, withDefaults(settings), ctx.now().toISOString());
  });
}

export async function getApplicationById(ctx: ServiceContext, id: number): Promise<Application> {
  const app = await ctx.db.transaction((sql) => getApplication(sql, id));
  if (!app) throw notFound('Application');
  return app;
}

export function listAllApplications(ctx: ServiceContext, page: { skip: number; limit: number }) {
  return ctx.db.transaction((sql) => listApplications(sql, ACCOUNT_ID, page));
}

/** PUT replaces the settings (UpdateApplication requires name, timezone, currency); omitted optional ones keep their value. */
export async function replaceApplication(ctx: ServiceContext, id: number, settings: ApplicationSettings): Promise<Application> {
  checkCodes(settings);
  return ctx.db.transaction(async (sql) => {
    const current = await getApplication(sql, id);
    if (!current) throw notFound('Application');
    await checkApplicationAttributes(ctx, sql, settings);
    const { id: _i, accountId: _a, created: _c, modified: _m, ...old } = current;
    const updated = await updateApplication(sql, id, { ...old, ...settings }, ctx.now().toISOString());
    await bumpConfigVersion(sql, appScope(id));
    return updated!;
  });
}
