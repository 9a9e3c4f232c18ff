/** Reading sessions: the Integration view (net effects) and the Management list and detail. */
import type { Effect } from '../../domain/effect.js';
import { notFound } from '../../domain/errors.js';
import type { CustomerSession } from '../../domain/session.js';
import { getSession, getSessionById, listSessions, type SessionFilter, type StoredSession } from '../../store/repos/sessions.js';
import type { ServiceContext } from '../context.js';

export async function getCustomerSession(ctx: ServiceContext, applicationId: number, integrationId: string): Promise<{ session: CustomerSession; effects: Effect[] }> {
  const stored = await ctx.db.transaction((sql) => getSession(sql, applicationId, integrationId));
  if (!stored) throw notFound('Customer session');
  return { session: stored.session, effects: stored.effects };
}

export async function getApplicationSession(ctx: ServiceContext, applicationId: number, sessionId: number): Promise<StoredSession> {
  const stored = await ctx.db.transaction((sql) => getSessionById(sql, applicationId, sessionId));
  if (!stored) throw notFound('Customer session');
  return stored;
}

export function listApplicationSessions(ctx: ServiceContext, applicationId: number, filter: SessionFilter) {
  return ctx.db.transaction((sql) => listSessions(sql, applicationId, filter));
}
