/**
 * Customer data (Management API): an Application's sessions as `ApplicationSession`, i.e. with the
 * internal id of the owning profile and the discounts their stored effects granted. (Talon.One
 * files getApplicationSessions under "Customer data", hence this room.)
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { Effect } from '../../domain/effect.js';
import { notFound } from '../../domain/errors.js';
import { dec, ZERO, type Decimal } from '../../domain/money.js';
import { DISCOUNT_EFFECTS } from '../../engine/index.js';
import type { CustomerSession } from '../../domain/session.js';
import type { Sql } from '../../store/db.js';
import { getApplication } from '../../store/repos/applications.js';
import { profileIdsByIntegrationId } from '../../store/repos/profiles.js';
import { getSessionById, searchSessions, type SessionSearch } from '../../store/repos/sessions.js';
import type { ServiceContext } from '../context.js';

export interface SessionView {
  session: CustomerSession;
  /** internal id of the profile, absent for anonymous sessions */
  profileId?: number;
  /** discount effect name → granted value */
  discounts: Map<string, Decimal>;
  totalDiscounts: Decimal;
}

/** Discounts by effect name (values of a repeated name add up) and their exact total; rollbacks are not stored with the session. */
export function discountsOf(effects: readonly Effect[]): { discounts: Map<string, Decimal>; totalDiscounts: Decimal } {
  const discounts = new Map<string, Decimal>();
  let totalDiscounts = ZERO;
  for (const e of effects) {
    if (!DISCOUNT_EFFECTS.has(e.effectType)) continue;
    const name = typeof e.props.name === 'string' ? e.props.name : e.effectType;
    const value = dec(e.props.value as number | string | undefined);
    discounts.set(name, (discounts.get(name) ?? ZERO).plus(value));
    totalDiscounts = totalDiscounts.plus(value);
  }
  return { discounts, totalDiscounts };
}

async function assertApplication(sql: Sql, applicationId: number): Promise<void> {
  if (!(await getApplication(sql, applicationId))) throw notFound('Application');
}

async function views(sql: Sql, stored: { session: CustomerSession; effects: Effect[] }[]): Promise<SessionView[]> {
  const ids = await profileIdsByIntegrationId(sql, ACCOUNT_ID, stored.map((s) => s.session.profileId));
  return stored.map(({ session, effects }) => {
    const profileId = ids.get(session.profileId);
    return { session, ...(profileId !== undefined ? { profileId } : {}), ...discountsOf(effects) };
  });
}

export async function listSessionViews(ctx: ServiceContext, applicationId: number, search: SessionSearch): Promise<{ hasMore: boolean; data: SessionView[] }> {
  return ctx.db.transaction(async (sql) => {
    await assertApplication(sql, applicationId);
    const page = await searchSessions(sql, applicationId, search);
    return { hasMore: page.hasMore, data: await views(sql, page.data) };
  });
}

export async function getSessionView(ctx: ServiceContext, applicationId: number, sessionId: number): Promise<SessionView> {
  return ctx.db.transaction(async (sql) => {
    await assertApplication(sql, applicationId);
    const stored = await getSessionById(sql, applicationId, sessionId);
    if (!stored) throw notFound('Customer session');
    return (await views(sql, [stored]))[0];
  });
}
