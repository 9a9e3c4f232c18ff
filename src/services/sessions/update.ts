/**
 * updateCustomerSessionV2: create or update a session, move it through the state machine, run the rules
 * and commit what they consumed (docs/sessions.md). The steps — load, merge, evaluate, commit, shape —
 * are one function each. A dry run takes every step, writes included, in a unit of work that is rolled
 * back (docs/sessions.md, "Dry runs").
 */
import { ACCOUNT_ID, type Application } from '../../domain/application.js';
import type { Effect } from '../../domain/effect.js';
import { invalidField, invalidParameter, Title } from '../../domain/errors.js';
import { dec, ZERO } from '../../domain/money.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { SessionEvent } from '../../domain/records.js';
import {
  checkCartQuantity, checkTotals, closes, computeTotals, dryTransition, EMPTY_CONTENT, mergeContent, nextState, runsRules, sessionContent, unitsValue,
  updateTransition, type CustomerSession, type SessionContent, type SessionPatch, type Transition,
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
import { emptyEvaluation, evaluateSession, withoutCreated, type Evaluation } from './evaluate.js';
import { newEvent } from './event.js';
import { sessionLockKey } from './lock.js';
import type { SessionResult } from './result.js';
import { revokeWithPoints } from './rollback.js';
import { couponsByValues, profileRedemptions } from '../../store/repos/coupons.js';
import { referralByCode, refereesOf } from '../../store/repos/referrals.js';
import { normaliseCode } from '../../domain/coupon.js';
import { commitAppliedNow, commitClose, releaseAll, type Consumed } from './usage.js';
import { applyReservations, persistCreated } from './created.js';
import { commitSessionLoyalty } from '../loyalty/session.js';
import { sessionLoyaltyView } from '../loyalty/sessionView.js';

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
    if (!req.dry) throw invalidParameter('now', Title.invalidValue, 'now can only be used together with dry=true');
    if (req.now.getTime() <= serverNow.getTime()) throw invalidParameter('now', Title.invalidValue, 'now must be in the future');
  }
  if (req.patch.cartItems) checkCartQuantity(req.patch.cartItems, '/customerSession/cartItems');

  // a dry run keeps nothing, so it takes no lock: it must not turn a concurrent request for the session away
  if (req.dry) return ctx.db.rehearse((sql) => run(ctx, sql, req, serverNow));
  return exclusive(ctx, sessionLockKey(req.applicationId, req.integrationId), (sql) => run(ctx, sql, req, serverNow));
}

async function run(ctx: ServiceContext, sql: Sql, req: UpdateSessionRequest, serverNow: Date): Promise<SessionResult> {
  const loaded = await load(ctx, sql, req);
  const draft = await merge(sql, req, loaded, serverNow.toISOString());
  const outcome = await evaluate(ctx, sql, req, loaded, draft, serverNow);
  if (req.dry) {
    // the store as a dry run leaves it is the store as it found it: its answer is shaped before its
    // writes, which are rolled back
    const answer = await shape(sql, req, loaded, draft, preview(loaded, draft, outcome, serverNow.toISOString()), serverNow);
    await commit(sql, req, loaded, draft, outcome, serverNow);
    return answer;
  }
  return shape(sql, req, loaded, draft, await commit(sql, req, loaded, draft, outcome, serverNow), serverNow);
}

// ---------------------------------------------------------------------------------------------
// load

/** What the request starts from: its Application, the stored session and the transition asked for. */
interface Loaded { app: Application; stored: StoredSession | undefined; transition: Transition }

async function load(ctx: ServiceContext, sql: Sql, req: UpdateSessionRequest): Promise<Loaded> {
  await prefetchConfigVersions(sql, [ACCOUNT_SCOPE, appScope(req.applicationId)]);
  const app = await loadApplication(ctx, sql, req.applicationId);
  validatePatch(await loadDefinitions(ctx, sql), req.patch);
  const stored = await getSession(sql, req.applicationId, req.integrationId);
  const from = stored?.session.state ?? null;
  const transition = req.dry ? dryTransition(from, req.patch.state) : updateTransition(from, req.patch.state);
  return { app, stored, transition };
}

function validatePatch(defs: Definitions, patch: SessionPatch): void {
  checkAttributes(defs, 'CustomerSession', patch.attributes, '/customerSession/attributes');
  checkCosts(defs, patch.additionalCosts, '/customerSession/additionalCosts', 'session');
  patch.cartItems?.forEach((item, i) => {
    const at = `/customerSession/cartItems/${i}`;
    // without cart item catalogs there is nowhere else to take a price from
    if (item.price === undefined || item.price === null) throw invalidField(`${at}/price`, 'required', 'price is required when the SKU is not in a cart item catalog');
    checkAttributes(defs, 'CartItem', item.attributes, `${at}/attributes`);
    checkCosts(defs, item.additionalCosts, `${at}/additionalCosts`, 'item');
  });
}

// ---------------------------------------------------------------------------------------------
// merge

/** The session this request makes, and its profile: as written (`profile`) and as the rules see it (`seen`). */
interface Draft { session: CustomerSession; profile: CustomerProfile | null; seen: CustomerProfile | null }

async function merge(sql: Sql, req: UpdateSessionRequest, { stored, transition }: Loaded, now: string): Promise<Draft> {
  // Leaving closed or partially_returned ignores the payload: the session stays as it was closed. A dry
  // run evaluates its payload alone (docs/sessions.md, "States and transitions", "Dry runs").
  let content: SessionContent;
  if (transition.kind === 'revoke' && stored) content = stored.session;
  else if (req.dry) content = mergeContent(EMPTY_CONTENT, req.patch, true);
  else content = mergeContent(stored?.session ?? EMPTY_CONTENT, req.patch, !stored || stored.session.state === 'open');
  if (content.profileId === undefined) content.profileId = '';

  const { profile, seen } = await resolveProfile(sql, content.profileId, req.dry, now, runsRules(transition));
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
  session.state = nextState(transition);
  session.firstSession = firstSession;
  // a dry run is not an update: the rules see the stored count and time (0 and now for a new session)
  session.updateCount = (stored?.session.updateCount ?? 0) + (req.dry ? 0 : 1);
  session.created = stored?.session.created ?? now;
  session.updated = req.dry ? (stored?.session.updated ?? now) : now;
  if (transition.kind === 'revoke') session.cartItems = stored!.session.cartItems;
  return { session, profile, seen };
}

/**
 * The session's profile, created on first sight; requests that run rules touch its lastActivity
 * (docs/sessions.md, "Profile counters follow the committed state"). A dry run's rules see it as it is
 * stored — an unknown one empty and without an id — since neither the creation nor the touch is kept.
 */
async function resolveProfile(sql: Sql, profileId: string, dry: boolean, now: string, touch: boolean): Promise<Pick<Draft, 'profile' | 'seen'>> {
  if (profileId === '') return { profile: null, seen: null };
  const before = dry ? await getProfile(sql, ACCOUNT_ID, profileId) : undefined;
  const profile = touch ? await touchOrCreateProfile(sql, ACCOUNT_ID, profileId, now) : await ensureProfile(sql, ACCOUNT_ID, profileId, now);
  return { profile, seen: dry ? before ?? { ...profile, id: 0 } : profile };
}

/** Anonymous → true; otherwise true iff the profile has no other session in this Application (docs/sessions.md, "States and transitions"). */
async function isFirstSession(sql: Sql, req: UpdateSessionRequest, stored: StoredSession | undefined, profileId: string): Promise<boolean> {
  if (profileId === '') return true;
  if (stored && stored.session.profileId === profileId) return stored.session.firstSession;
  return !(await profileHasOtherSession(sql, req.applicationId, profileId, req.integrationId));
}

// ---------------------------------------------------------------------------------------------
// evaluate

/** The request's effects, and the session's net effects afterwards (the same list unless rollbacks were answered). */
interface Outcome { evaluation: Evaluation; effects: Effect[]; kept: Effect[] }

/** The rules on the session. A cancellation runs none: an open session has nothing to undo, a revoke rolls back what the close committed. */
async function evaluate(ctx: ServiceContext, sql: Sql, req: UpdateSessionRequest, { app, stored, transition }: Loaded, draft: Draft, serverNow: Date): Promise<Outcome> {
  if (transition.kind === 'cancelOpen') {
    const effects: Effect[] = [];
    return { evaluation: emptyEvaluation(), effects, kept: effects };
  }
  if (transition.kind === 'revoke') {
    const rb = await revokeWithPoints(sql, stored!.effects, { applicationId: app.id, sessionIntegrationId: req.integrationId, profileId: stored!.session.profileId }, serverNow);
    return { evaluation: emptyEvaluation(), effects: rb.rollbacks, kept: rb.remaining };
  }
  const evaluation = await evaluateSession(ctx, sql, {
    app, session: draft.session, profile: draft.seen, event: transition.event, now: req.now ?? serverNow, dry: req.dry, closing: closes(transition),
    evaluableCampaignIds: req.dry ? req.patch.evaluableCampaignIds ?? undefined : undefined,
    failureReasons: req.responseContent.includes('ruleFailureReasons'),
  });
  return { evaluation, effects: evaluation.effects, kept: evaluation.effects };
}

// ---------------------------------------------------------------------------------------------
// commit

/** What the response is made of: the session, its effects and its event as recorded (or, for a dry run, as they would be). */
interface Done {
  session: CustomerSession;
  effects: Effect[];
  evaluation: Evaluation;
  event: SessionEvent;
  /** the effects' JSON text as the event stored it, which the response reuses */
  effectsJson?: string;
}

/**
 * Every write of the request, in this order: a revoke's releases, the rules' attribute writes and
 * created codes, the event, the session row, reservations and counters, a close's redemptions, the
 * profile's counters.
 */
async function commit(sql: Sql, req: UpdateSessionRequest, { stored, transition }: Loaded, draft: Draft, outcome: Outcome, serverNow: Date): Promise<Done> {
  const now = serverNow.toISOString();
  const { session, profile } = draft;
  const { evaluation, effects } = outcome;
  if (transition.kind === 'revoke') {
    await releaseAll(sql, req.applicationId, stored!.session.id, req.integrationId, await getConsumed<Consumed>(sql, stored!.session.id));
    await setConsumed(sql, stored!.session.id, {});
  }
  const writes = attributeWrites(effects);
  if (Object.keys(writes.session).length > 0) session.attributes = { ...session.attributes, ...writes.session };
  if (profile && Object.keys(writes.profile).length > 0) {
    profile.attributes = { ...profile.attributes, ...writes.profile };
    await saveProfileAttributes(sql, profile.id, profile.attributes, now);
  }
  // before the effects are serialised: a created code drawn again changes its effect
  await persistCreated(sql, req.applicationId, evaluation, serverNow);
  // serialised once (up to hundreds of effects): the event stores the list, the session row points at the
  // event when its effects are the same list, the response sends the same text
  const effectsJson = toJson(effects);
  const event = await insertEvent(sql, newEvent(transition.event, session, effects, now), effectsJson);
  const sessionEffects = outcome.kept === effects ? { eventId: event.id } : outcome.kept;
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
  if (closes(transition)) await commitSessionLoyalty(sql, evaluation.loyalty ?? null, { applicationId: req.applicationId, integrationId: session.integrationId }, effects, serverNow);
  if (profile) await commitProfile(sql, profile, transition, session, stored);
  return { session, effects, evaluation, event, effectsJson };
}

/** Profile counters follow the session's committed state (docs/sessions.md, "Profile counters follow the committed state"). */
async function commitProfile(sql: Sql, profile: CustomerProfile, t: Transition, session: CustomerSession, stored: StoredSession | undefined): Promise<void> {
  if (closes(t)) await addToProfileCounters(sql, profile.id, 1, session.total);
  if (t.kind === 'revoke' && stored) {
    // the value of units already returned was taken off totalSales by the returns
    let returned = ZERO;
    for (const item of stored.session.cartItems) if (item.returnedQuantity > 0) returned = returned.plus(unitsValue(item, item.returnedQuantity));
    await addToProfileCounters(sql, profile.id, -1, dec(0).minus(session.total.minus(returned)));
  }
}

/**
 * What a dry run answers, taken before its writes: the session as evaluated (a new one without an id,
 * without the rules' attribute writes), its event unrecorded (id 0), and no created coupon or referral
 * announced — the rows that would hold them are rolled back.
 */
function preview({ transition }: Loaded, draft: Draft, outcome: Outcome, now: string): Done {
  return {
    session: { ...draft.session },
    effects: outcome.effects,
    evaluation: withoutCreated(outcome.evaluation),
    event: newEvent(transition.event, draft.session, outcome.effects, now),
  };
}

// ---------------------------------------------------------------------------------------------
// shape

/** The result http/ answers from, with what `responseContent` asks for. */
async function shape(sql: Sql, req: UpdateSessionRequest, { app, stored }: Loaded, draft: Draft, done: Done, serverNow: Date): Promise<SessionResult> {
  const want = req.responseContent;
  const result: SessionResult = { session: done.session, effects: done.effects, evaluation: done.evaluation, profile: null, event: done.event };
  if (done.effectsJson !== undefined) result.effectsJson = done.effectsJson;
  if (draft.profile && want.includes('customerProfile')) {
    // a dry run shows the profile its rules saw; a request the profile as it committed it
    result.profile = req.dry ? draft.seen : (await getProfile(sql, ACCOUNT_ID, draft.profile.integrationId)) ?? draft.profile;
  }
  if (want.includes('coupons') || want.includes('referral')) await addCodes(sql, result, app, want);
  if (want.includes('loyalty')) {
    result.loyalty = await sessionLoyaltyView(sql, req.applicationId, done.session, done.session.state === 'open' || req.dry ? done.effects : [], req.now ?? serverNow, done.evaluation.loyalty);
  }
  if (want.includes('previousReturns')) result.previousReturns = stored ? await listReturns(sql, stored.session.id) : [];
  if (req.dry && req.patch.evaluableCampaignIds) result.evaluableCampaignIds = req.patch.evaluableCampaignIds;
  return result;
}

/** responseContent `coupons` and `referral`: the codes as they stand after this request. */
async function addCodes(sql: Sql, result: SessionResult, app: Application, want: readonly string[]): Promise<void> {
  const s = result.session;
  const cs = app.caseSensitivity;
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
