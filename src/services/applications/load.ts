import type { Application } from '../../domain/application.js';
import { notFound } from '../../domain/errors.js';
import type { Sql } from '../../store/db.js';
import { getApplication } from '../../store/repos/applications.js';
import { cached } from '../cache.js';
import type { ServiceContext } from '../context.js';

export const appScope = (applicationId: number) => `app:${applicationId}`;

/** The Application's settings, cached per process and refreshed when its config version moves. */
export async function loadApplication(ctx: ServiceContext, sql: Sql, applicationId: number): Promise<Application> {
  const app = await cached(ctx, sql, appScope(applicationId), 'application', () => getApplication(sql, applicationId));
  if (!app) throw notFound('Application');
  return app;
}
