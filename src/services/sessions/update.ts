/** updateCustomerSessionV2 (sessions.md §2): create or update, transition, evaluate, commit. */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { Effect } from '../../domain/effect.js';
import { invalidField, invalidParameter } from '../../domain/errors.js';
import { dec, ZERO } from '../../domain/money.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { SessionEvent } from '../../domain/records.js';
import {
  checkCartQuantity, checkTotals, computeTotals, EMPTY_CONTENT, mergeContent, sessionContent, unitsValue, updateTransition,
  type CustomerSession, type SessionContent, type SessionPatch, type SessionState, type Transition,
} from '../../domain/session.js';
import type { Sql } from '../../store/db.js';
import { insertEvent, listReturns } from '../../store/repos/events.js';
import { toJson } from '../../store/repos/json.js';
import { addToProfileCounters, ensureProfile, getProfile, saveProfileAttributes, touchOrCreateProfile } from '../../store/repos/profiles.js';
import { getConsumed, getSession, insertSession, profileHasOtherSession, setConsumed, updateSession, type StoredSession } from '../../store/repos/sessions.js';
import { appScope, loadApplication } from '../applications/load.js';
import { prefetchConfigVersions } from '../../store/repos/configVersions.js';
import type { ServiceContext } from '../context.js';
import { checkAttributes, checkCosts } from '../definitions/validate.js';
import { ACCOUNT_SCOPE, loadDefinitions, type Definitions } from '../definitions/load.js';
import { exclusive } from '../exclusive.js';
import { attributeWrites } from './attributeEffects.js';
import { emptyEvaluation, evaluateSession, type Evaluation } from './evaluate.js';
import { sessionLockKey } from './lock.js';
import type { SessionResult } from './result.js';
import { rollbackForRevoke } from './rollback.js';
import { couponsByValues, profileRedemptions } from '../../store/repos/coupons.js';
import { referralByCode, refereesOf } from '../../store/repos/referrals.js';
import { normaliseCode, type CaseSensitivity } from '../../domain/coupon.js';
import { commitAppliedNow, commitClose, releaseAll, type Consumed } from './usage.js';
import { applyReservations, persistCreated } from './created.js';

export interface UpdateSessionRequest {
  applicationId: number;
  integrationId: string;
  patch: SessionPatch;
  responseContent: readonly string[];
  dry: boolean;
  /** evaluation clock for dry runs (must be in the future) */
  now?: Date;
}

export async function updateCustomerSession(ctx: ServiceContext, req: UpdateSessionRequest): Promise<SessionResult> {
  const serverNow = ctx.now();
  if (req.now !== undefined) {
    if (!req.dry) throw invalidParameter('now', 'Invalid parameter', 'now can only be used together with dry=true');
    if (req.now.getTime() <= serverNow.getTime()) throw invalidParameter('now', 'Invalid parameter', 'now must be in the future');
  }
  if (req.patch.cartItems) checkCartQuantity(req.patch.cartItems, '/customerSession/cartItems');

  if (req.dry) return ctx.db.transaction((sql) => run(ctx, sql, req, serverNow));
  return exclusive(ctx, sessionLockKey(req.applicationId, req.integrationId), (sql) => run(ctx, sql, req, serverNow));
}

function validatePatch(defs: Definitions, patch: SessionPatch): void {
  checkAttributes(defs, 'CustomerSession', patch.attributes, '/customerSession/attributes');
  checkCosts(defs, patch.additionalCosts, '/customerSession/additionalCosts', 'session');
  patch.cartItems?.forEach((item, i) => {
    const at = `/customerSession/cartItems/${i}`;
    // V15: no cart item catalogs yet, so the request must carry the price
    if (item.price === undefined || item.price === null) throw invalidField(`${at}/price`, 'required', 'price is required when the SKU is not in a cart item catalog');
    checkAttributes(defs, 'CartItem', item.attributes, `${at}/attributes`);
    checkCosts(defs, item.additionalCosts, `${at}/additionalCosts`, 'item');
  });
}

/** For a dry run: the transition the payload implies, without enforcing the state machine (OQ-5). */
function dryTransition(stored: StoredSession | undefined, requested: SessionState | null | undefined): Transition {
  const to = requested ?? 'open';
  if (!stored) return { kind: 'create', to: to === 'closed' ? 'closed' : 'open', event: 'talon_session_created' };
  if (to === 'closed') return { kind: 'close', event: 'talon_session_closed' };
  if (to === 'cancelled') return stored.session.state === 'open' ? { kind: 'cancelOpen', event: 'talon_session_cancelled' } : { kind: 'revoke', event: 'talon_session_revoked' };
  return { kind: 'update', event: 'talon_session_updated' };
}

function nextState(t: Transition, current: SessionState | undefined): SessionState {
  switch (t.kind) {
    case 'create': return t.to;
    case 'update': return 'open';
    case 'close': return 'closed';
    case 'cancelOpen': case 'revoke': return 'cancelled';
  }
  return current ?? 'open';
}

async function run(ctx: ServiceContext, sql: Sql, req: UpdateSessionRequest, serverNow: Date): Promise<SessionResult> {
  const now = serverNow.toISOString();
  await prefetchConfigVersions(sql, [ACCOUNT_SCOPE, appScope(req.applicationId)]);
  const app = await loadApplication(ctx, sql, req.applicationId);
  const defs = await loadDefinitions(ctx, sql);
  validatePatch(defs, req.patch);

  const stored = await getSession(sql, req.applicationId, req.integrationId);
  const transition = req.dry ? dryTransition(stored, req.patch.state) : updateTransition(stored?.session.state ?? null, req.patch.state);

  // Leaving closed/partially_returned ignores the payload: the session stays as it was closed (OQ-7).
  let content: SessionContent;
  if (transition.kind === 'revoke' && stored) content = stored.session;
  else if (req.dry) content = mergeContent(EMPTY_CONTENT, req.patch, true);
  else content = mergeContent(stored?.session ?? EMPTY_CONTENT, req.patch, !stored || stored.session.state === 'open');
  if (content.profileId === undefined) content.profileId = '';

  // requests that run rules bump the profile's lastActivity (sessions.md §2.7); cancellations run none
  const runsRules = transition.kind !== 'cancelOpen' && transition.kind !== 'revoke';
  const profile = await resolveProfile(sql, content.profileId, req.dry, now, runsRules);
  const firstSession = await isFirstSession(sql, req, stored, content.profileId);

  const totals = computeTotals(content);
  checkTotals(totals);
  // a fresh object filled by plain sets (spreading into a literal takes V8's slow copy path)
  const session = sessionContent(content) as CustomerSession;
  session.cartItemTotal = totals.cartItemTotal;
  session.additionalCostTotal = totals.additionalCostTotal;
  session.total = totals.total;
  session.id = stored?.session.id ?? 0;
  session.integrationId = req.integrationId;
  session.applicationId = req.applicationId;
  session.state = nextState(transition, stored?.session.state);
  session.firstSession = firstSession;
  session.updateCount = stored ? stored.session.updateCount + (req.dry ? 0 : 1) : (req.dry ? 0 : 1);
  session.created = stored?.session.created ?? now;
  session.updated = req.dry ? (stored?.session.updated ?? now) : now;
  if (transition.kind === 'revoke') session.cartItems = stored!.session.cartItems;

  // Cancellations run no rules (sessions.md §3.3): an open one has nothing to undo, a closed one rolls back.
  let evaluation: Evaluation;
  let effects: Effect[];
  let storedEffects: Effect[];
  if (transition.kind === 'cancelOpen') {
    evaluation = emptyEvaluation();
    effects = [];
    storedEffects = effects; // the same (empty) list: the session row points at its event
  } else if (transition.kind === 'revoke') {
    evaluation = emptyEvaluation();
    const rb = rollbackForRevoke(stored!.effects);
    effects = rb.rollbacks;
    storedEffects = rb.remaining;
    if (!req.dry) {
      await releaseAll(sql, req.applicationId, stored!.session.id, req.integrationId, await getConsumed<Consumed>(sql, stored!.session.id));
      await setConsumed(sql, stored!.session.id, {});
    }
  } else {
    evaluation = await evaluateSession(ctx, sql, {
      app, session, profile, event: transition.event, now: req.now ?? serverNow, dry: req.dry, closing: !req.dry && closes(transition),
      evaluableCampaignIds: req.dry ? req.patch.evaluableCampaignIds ?? undefined : undefined,
      failureReasons: req.responseContent.includes('ruleFailureReasons'),
    });
    effects = evaluation.effects;
    storedEffects = effects;
  }

  let eventRecord: SessionEvent = {
    id: 0, applicationId: req.applicationId, type: transition.event, profileId: session.profileId, sessionId: req.integrationId,
    attributes: {}, effects, created: now,
  };
  if (session.storeIntegrationId !== undefined) eventRecord.storeIntegrationId = session.storeIntegrationId;

  let responseJson: string | undefined;
  if (!req.dry) {
    const writes = attributeWrites(effects);
    if (Object.keys(writes.session).length > 0) session.attributes = { ...session.attributes, ...writes.session };
    if (profile && Object.keys(writes.profile).length > 0) {
      profile.attributes = { ...profile.attributes, ...writes.profile };
      await saveProfileAttributes(sql, profile.id, profile.attributes, now);
    }
    // before the effects are serialised: a created code drawn again changes its effect
    await persistCreated(sql, req.applicationId, evaluation, serverNow);
    // serialised once (up to hundreds of effects): the event stores the list, the session row points at
    // the event when its effects are the same list (a revoke keeps the net list instead), the response
    // sends the same text
    responseJson = toJson(effects);
    eventRecord = await insertEvent(sql, eventRecord, responseJson);
    const sessionEffects = storedEffects === effects ? { eventId: eventRecord.id } : storedEffects;
    if (stored) await updateSession(sql, session, sessionEffects);
    else session.id = await insertSession(sql, session, sessionEffects);
    const consumption = evaluation.consumption;
    if (consumption) {
      await applyReservations(sql, effects, consumption.coupons, now);
      await commitAppliedNow(sql, consumption.usage, consumption.buckets);
      if (closes(transition)) {
        await setConsumed(sql, session.id, await commitClose(sql, {
          sessionId: session.id, sessionIntegrationId: session.integrationId, applicationId: req.applicationId, profileId: session.profileId,
          usage: consumption.usage, buckets: consumption.buckets, coupons: consumption.coupons, referral: consumption.referral, now,
        }));
      }
    }
    if (profile) await commitProfile(sql, profile, transition, session, stored);
  }

  const result: SessionResult = { session, effects, evaluation, profile: null, event: eventRecord };
  if (responseJson !== undefined) result.effectsJson = responseJson;
  if (profile && req.responseContent.includes('customerProfile')) {
    result.profile = req.dry ? profile : (await getProfile(sql, ACCOUNT_ID, profile.integrationId)) ?? profile;
  }
  if (req.responseContent.includes('coupons') || req.responseContent.includes('referral')) await addCodes(sql, result, app.caseSensitivity, req.responseContent);
  if (req.responseContent.includes('previousReturns')) result.previousReturns = stored ? await listReturns(sql, stored.session.id) : [];
  if (req.dry && req.patch.evaluableCampaignIds) result.evaluableCampaignIds = req.patch.evaluableCampaignIds;
  return result;
}

/** responseContent `coupons` and `referral`: the codes as they stand after this request. */
async function addCodes(sql: Sql, result: SessionResult, cs: CaseSensitivity | undefined, want: readonly string[]): Promise<void> {
  const s = result.session;
  if (want.includes('coupons')) {
    const coupons = await couponsByValues(sql, s.applicationId, [...new Set(s.couponCodes.map((c) => normaliseCode(c, cs)))]);
    const counts = await profileRedemptions(sql, coupons.map((c) => c.id), s.profileId);
    result.coupons = coupons.map((coupon) => ({ coupon, profileRedemptionCount: counts.get(coupon.id) ?? 0 }));
  }
  if (want.includes('referral') && s.referralCode) {
    const referral = await referralByCode(sql, s.applicationId, normaliseCode(s.referralCode, cs));
    if (referral) result.referral = { referral, referredCustomers: await refereesOf(sql, referral.id) };
  }
}

/** Closing commits what the evaluation consumed (sessions.md §3.3, OQ-6: also a session created as closed). */
const closes = (t: Transition) => t.kind === 'close' || (t.kind === 'create' && t.to === 'closed');

/** Profiles are created on first sight, except by dry runs (sessions.md §2.7). */
async function resolveProfile(sql: Sql, profileId: string, dry: boolean, now: string, touch: boolean): Promise<CustomerProfile | null> {
  if (profileId === '') return null;
  if (dry) {
    return (await getProfile(sql, ACCOUNT_ID, profileId)) ?? {
      id: 0, accountId: ACCOUNT_ID, integrationId: profileId, attributes: {}, closedSessions: 0, totalSales: ZERO, created: now, lastActivity: now,
    };
  }
  return touch ? touchOrCreateProfile(sql, ACCOUNT_ID, profileId, now) : ensureProfile(sql, ACCOUNT_ID, profileId, now);
}

/** OQ-4: anonymous → true; otherwise true iff the profile has no other session in this Application. */
async function isFirstSession(sql: Sql, req: UpdateSessionRequest, stored: StoredSession | undefined, profileId: string): Promise<boolean> {
  if (profileId === '') return true;
  if (stored && stored.session.profileId === profileId) return stored.session.firstSession;
  return !(await profileHasOtherSession(sql, req.applicationId, profileId, req.integrationId));
}

/** Profile counters follow the session's committed state (sessions.md §3.3). */
async function commitProfile(sql: Sql, profile: CustomerProfile, t: Transition, session: CustomerSession, stored: StoredSession | undefined): Promise<void> {
  if (closes(t)) await addToProfileCounters(sql, profile.id, 1, session.total);
  if (t.kind === 'revoke' && stored) {
    // the value of units already returned was taken off totalSales by the returns
    let returned = ZERO;
    for (const item of stored.session.cartItems) if (item.returnedQuantity > 0) returned = returned.plus(unitsValue(item, item.returnedQuantity));
    await addToProfileCounters(sql, profile.id, -1, dec(0).minus(session.total.minus(returned)));
  }
}
