/**
 * returnCartItems?runRuleEngine=true (docs/sessions.md, "Returns re-evaluate campaigns with
 * `reevaluateOnReturn`"): the campaigns with `reevaluateOnReturn` that produced an effect while the
 * session was closed are evaluated again on the units that remain. Their committed discounts, coupon
 * and referral redemptions are rolled back — counters, redemptions and discount counters released —
 * and the new evaluation's are committed in their place, in the return's transaction.
 */
import type { Effect } from '../../domain/effect.js';
import type { CustomerProfile } from '../../domain/profile.js';
import { computeTotals, type CustomerSession } from '../../domain/session.js';
import { DISCOUNT_EFFECTS, inSchedule, isEnabled, isRollback } from '../../engine/index.js';
import type { Sql } from '../../store/db.js';
import { loadApplication } from '../applications/load.js';
import { loadSnapshot } from '../campaigns/snapshot.js';
import type { ServiceContext } from '../context.js';
import { evaluateSession, type Evaluation } from './evaluate.js';
import { rollbackForCampaigns } from './rollback.js';
import { commitClose, mergeConsumed, REEVALUATED_ACTIONS, releaseCampaigns, type Consumed } from './usage.js';

export interface ReevaluationInput {
  /** the session after the return: its lines' returned and remaining quantities updated */
  session: CustomerSession;
  profile: CustomerProfile | null;
  /** the session's net effects before the return (which campaigns produced an effect) */
  before: readonly Effect[];
  /** its net effects after the return's own rollbacks */
  after: readonly Effect[];
  /** what it holds committed after the return's own releases */
  consumed: Consumed;
  now: Date;
}

export interface Reevaluation {
  /** rollbacks of the re-evaluated campaigns' committed effects */
  rollbacks: Effect[];
  /** the new evaluation's effects, committed */
  effects: Effect[];
  /** the session's net effects afterwards */
  remaining: Effect[];
  consumed: Consumed;
  evaluation: Evaluation;
}

const REJECTIONS = new Set(['rejectCoupon', 'rejectReferral']);
/**
 * What a re-evaluation replaces: the effects whose commitment it can undo (discounts, code acceptances),
 * and the rejections of codes. The others (notifications, free items, created codes, attribute updates,
 * custom effects…) were applied at close, are never rolled back (docs/sessions.md, "What a session
 * commits, and when"), and are not applied a second time.
 */
const replaced = (effectType: string) => DISCOUNT_EFFECTS.has(effectType) || effectType === 'acceptCoupon' || effectType === 'acceptReferral' || REJECTIONS.has(effectType);

/**
 * The session as the re-evaluation sees it: as it was closed, with the units that remain. A line's
 * returned units are its lowest sub-positions (docs/sessions.md, "Returns"), so the engine's sub-position k
 * of a line is the unit returnedQuantity + k of the stored cart (`toStoredUnits`).
 */
function remainingCart(s: CustomerSession): CustomerSession {
  const cartItems = s.cartItems.map((it) => ({ ...it, quantity: it.remainingQuantity }));
  const totals = computeTotals({ cartItems, additionalCosts: s.additionalCosts });
  return { ...s, cartItems, state: 'closed', ...totals };
}

function toStoredUnits(e: Effect, s: CustomerSession): Effect {
  const p = e.props;
  if (typeof p.position !== 'number' || typeof p.subPosition !== 'number') return e;
  const line = s.cartItems[p.position];
  return line ? { ...e, props: { ...p, subPosition: p.subPosition + line.returnedQuantity } } : e;
}

/** null when no campaign of the session is to be re-evaluated (the return is then as without runRuleEngine). */
export async function reevaluateOnReturn(ctx: ServiceContext, sql: Sql, x: ReevaluationInput): Promise<Reevaluation | null> {
  const s = x.session;
  const snapshot = await loadSnapshot(ctx, sql, s.applicationId);
  const produced = new Set(x.before.filter((e) => !isRollback(e.effectType)).map((e) => e.campaignId));
  // a campaign that no longer runs (disabled, archived, ended) keeps what it granted: there is nothing to
  // evaluate it with, and rolling its effects back without a replacement would take them from the customer
  const running = new Set(snapshot.campaigns.filter((c) => isEnabled(c) && inSchedule(c, x.now)).map((c) => c.id));
  const ids = new Set([...snapshot.byId.values()].filter((c) => c.reevaluateOnReturn === true && produced.has(c.id) && running.has(c.id)).map((c) => c.id));
  if (ids.size === 0) return null;

  const held = x.after.filter((e) => ids.has(e.campaignId));
  const rb = rollbackForCampaigns(x.after, ids);
  const couponIds = new Set(held.flatMap((e) => (e.effectType === 'acceptCoupon' && e.triggeredByCoupon !== undefined ? [e.triggeredByCoupon] : [])));
  const kept = await releaseCampaigns(sql, { applicationId: s.applicationId, sessionId: s.id, sessionIntegrationId: s.integrationId }, x.consumed,
    ids, couponIds, held.some((e) => e.effectType === 'acceptReferral'));

  // after the release, so that the codes' and counters' room includes what this session gave back
  const app = await loadApplication(ctx, sql, s.applicationId);
  const evaluation = await evaluateSession(ctx, sql, {
    app, session: remainingCart(s), profile: x.profile, event: 'talon_session_partially_returned', now: x.now, dry: false, closing: true,
    onlyCampaignIds: ids, failureReasons: false,
  });
  const effects = evaluation.effects.filter((e) => ids.has(e.campaignId) && replaced(e.effectType)).map((e) => toStoredUnits(e, s));
  let consumed = kept;
  if (evaluation.consumption) {
    const c = evaluation.consumption;
    const now = x.now.toISOString();
    consumed = mergeConsumed(kept, await commitClose(sql, {
      sessionId: s.id, sessionIntegrationId: s.integrationId, applicationId: s.applicationId, profileId: s.profileId,
      usage: c.usage, buckets: c.buckets, coupons: c.coupons, referral: c.referral, now,
    }, (a) => REEVALUATED_ACTIONS.has(a)));
  }
  // the campaigns' earlier rejections of codes are replaced too (the new evaluation says its own)
  const remaining = [...rb.remaining.filter((e) => !(ids.has(e.campaignId) && REJECTIONS.has(e.effectType))), ...effects];
  return {
    rollbacks: rb.rollbacks, effects, remaining, consumed,
    evaluation: { ...evaluation, effects, created: undefined, createdCoupons: [], createdReferrals: [], consumption: undefined },
  };
}
