/**
 * reopenCustomerSession (docs/sessions.md, "States and transitions"): closed → open, rolling back and
 * releasing what the close committed.
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { Effect } from '../../domain/effect.js';
import { notFound } from '../../domain/errors.js';
import { ZERO } from '../../domain/money.js';
import { assertReopenable } from '../../domain/session.js';
import { insertEvent } from '../../store/repos/events.js';
import { addToProfileCounters, getProfile } from '../../store/repos/profiles.js';
import { getConsumed, getSession, setConsumed, updateSession } from '../../store/repos/sessions.js';
import type { ServiceContext } from '../context.js';
import { exclusive } from '../exclusive.js';
import { newEvent } from './event.js';
import { sessionLockKey } from './lock.js';
import { revokeWithPoints } from './rollback.js';
import { releaseAll, type Consumed } from './usage.js';

export async function reopenCustomerSession(ctx: ServiceContext, applicationId: number, integrationId: string): Promise<{ effects: Effect[] }> {
  return exclusive(ctx, sessionLockKey(applicationId, integrationId), async (sql) => {
    const now = ctx.now().toISOString();
    const stored = await getSession(sql, applicationId, integrationId);
    if (!stored) throw notFound('Customer session');
    assertReopenable(stored.session.state);
    const rb = await revokeWithPoints(sql, stored.effects, { applicationId, sessionIntegrationId: integrationId, profileId: stored.session.profileId }, ctx.now());
    const session = { ...stored.session, state: 'open' as const, updated: now };
    await updateSession(sql, session, rb.remaining);
    await releaseAll(sql, applicationId, stored.session.id, integrationId, await getConsumed<Consumed>(sql, stored.session.id));
    await setConsumed(sql, stored.session.id, {});
    await insertEvent(sql, newEvent('talon_session_reopened', session, rb.rollbacks, now));
    if (session.profileId) {
      const profile = await getProfile(sql, ACCOUNT_ID, session.profileId);
      if (profile) await addToProfileCounters(sql, profile.id, -1, ZERO.minus(session.total));
    }
    return { effects: rb.rollbacks };
  });
}
