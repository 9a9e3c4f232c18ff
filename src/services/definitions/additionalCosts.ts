/**
 * Additional costs (Management API: createAdditionalCost, getAdditionalCosts, getAdditionalCost,
 * updateAdditionalCost). Account-wide; every change bumps the account config version in the same
 * transaction, so session validation sees it at once.
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField, notFound, Title } from '../../domain/errors.js';
import type { AdditionalCostDef } from '../../domain/records.js';
import type { Sql } from '../../store/db.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { getAdditionalCostById, insertAdditionalCostIfNew, listAdditionalCosts, updateAdditionalCost as saveAdditionalCost } from '../../store/repos/definitions.js';
import type { ServiceContext } from '../context.js';
import { ACCOUNT_SCOPE } from './load.js';
import { sortAndPage, type PageRequest } from './page.js';

/** The body of createAdditionalCost and updateAdditionalCost (`NewAdditionalCost`). */
export interface NewAdditionalCostInput {
  name: string;
  title: string;
  description: string;
  subscribedApplicationsIds?: number[];
  type?: AdditionalCostDef['type'];
}

const SORTABLE = ['id', 'created', 'name', 'title', 'type'] as const;

async function assertTitleFree(sql: Sql, title: string, exceptId: number): Promise<void> {
  const clash = (await listAdditionalCosts(sql, ACCOUNT_ID)).find((c) => c.id !== exceptId && c.title === title);
  if (clash) throw invalidField('/title', Title.duplicate, `An additional cost titled ${JSON.stringify(title)} already exists (id ${clash.id})`);
}

export async function createAdditionalCost(ctx: ServiceContext, input: NewAdditionalCostInput): Promise<AdditionalCostDef> {
  const def: Omit<AdditionalCostDef, 'id'> = {
    created: ctx.now().toISOString(), accountId: ACCOUNT_ID, name: input.name, title: input.title, description: input.description,
    ...(input.subscribedApplicationsIds !== undefined ? { subscribedApplicationsIds: input.subscribedApplicationsIds } : {}),
    type: input.type ?? 'session',
  };
  return ctx.db.transaction(async (sql) => {
    await assertTitleFree(sql, def.title, 0);
    const created = await insertAdditionalCostIfNew(sql, def);
    if (!created) throw invalidField('/name', Title.duplicate, `An additional cost named ${JSON.stringify(def.name)} already exists`);
    await bumpConfigVersion(sql, ACCOUNT_SCOPE);
    return created;
  });
}

export async function getAdditionalCost(ctx: ServiceContext, id: number): Promise<AdditionalCostDef> {
  const def = await ctx.db.transaction((sql) => getAdditionalCostById(sql, ACCOUNT_ID, id));
  if (!def) throw notFound('Additional cost');
  return def;
}

export async function listAdditionalCostPage(ctx: ServiceContext, page: PageRequest): Promise<{ total: number; data: AdditionalCostDef[] }> {
  const all = await ctx.db.transaction((sql) => listAdditionalCosts(sql, ACCOUNT_ID));
  return sortAndPage(all, page, SORTABLE);
}

/** Everything but `name` may change (400 naming /name otherwise); omitted optional properties keep their value. */
export async function updateAdditionalCost(ctx: ServiceContext, id: number, input: NewAdditionalCostInput): Promise<AdditionalCostDef> {
  return ctx.db.transaction(async (sql) => {
    const current = await getAdditionalCostById(sql, ACCOUNT_ID, id);
    if (!current) throw notFound('Additional cost');
    if (input.name !== current.name) {
      throw invalidField('/name', Title.immutable, `The name of an additional cost cannot change after creation (stored: ${JSON.stringify(current.name)})`);
    }
    const next: AdditionalCostDef = {
      ...current, title: input.title, description: input.description,
      ...(input.subscribedApplicationsIds !== undefined ? { subscribedApplicationsIds: input.subscribedApplicationsIds } : {}),
      ...(input.type !== undefined ? { type: input.type } : {}),
    };
    if (next.title !== current.title) await assertTitleFree(sql, next.title, id);
    await saveAdditionalCost(sql, next);
    await bumpConfigVersion(sql, ACCOUNT_SCOPE);
    return next;
  });
}
