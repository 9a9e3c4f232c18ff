/** Reading a session: the Integration view (net effects). Management views: services/profiles/applicationSessions.ts. */
import type { Effect } from '../../domain/effect.js';
import { notFound } from '../../domain/errors.js';
import type { CustomerSession } from '../../domain/session.js';
import { getSession } from '../../store/repos/sessions.js';
import type { ServiceContext } from '../context.js';

export async function getCustomerSession(ctx: ServiceContext, applicationId: number, integrationId: string): Promise<{ session: CustomerSession; effects: Effect[] }> {
  const stored = await ctx.db.transaction((sql) => getSession(sql, applicationId, integrationId));
  if (!stored) throw notFound('Customer session');
  return { session: stored.session, effects: stored.effects };
}
