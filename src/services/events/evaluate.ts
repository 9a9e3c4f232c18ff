/**
 * The seam between the sessionless use cases — trackEventV2 and updateCustomerProfileV2 with
 * runRuleEngine — and the rule engine (docs/profiles-and-events.md "Rules on events"): `Event`,
 * `Profile`, `Application` and `Store` are bound, `Session` is not, and there are no codes. An event
 * is final, so an evaluation reads every limit counter under lock and `commitEvent` books all it
 * consumed in the same transaction.
 */
import type { Application } from '../../domain/application.js';
import type { CustomerProfile } from '../../domain/profile.js';
import { ZERO } from '../../domain/money.js';
import { evaluate, type EngineInput, type EngineSession } from '../../engine/index.js';
import type { Sql } from '../../store/db.js';
import { loadSnapshot } from '../campaigns/snapshot.js';
import type { ServiceContext } from '../context.js';
import { attributeWrites } from '../sessions/attributeEffects.js';
import { ruleCodes, persistCreated } from '../sessions/created.js';
import { candidateCampaigns, emptyEvaluation, engineApplication, engineProfile, engineStore, toEvaluation, type Evaluation } from '../sessions/evaluate.js';
import { loadLimitBuckets } from '../sessions/limits.js';
import { withTimes } from '../definitions/times.js';
import { commitFinal } from '../sessions/usage.js';
import { commitSessionLoyalty, datePoints, engineLoyalty, loadSessionLoyalty } from '../loyalty/session.js';

export interface EventEvaluationInput {
  app: Application;
  /** custom type, or talon_profile_created / talon_profile_updated */
  type: string;
  attributes: Record<string, unknown>;
  /** the profile as this request leaves it (attributes merged) */
  profile: CustomerProfile;
  storeIntegrationId?: string | undefined;
  now: Date;
  /** a dry run: `evaluableCampaignIds` counts */
  dry: boolean;
  /** dry runs only: exactly these campaigns, even disabled ones */
  evaluableCampaignIds?: number[] | undefined;
  failureReasons: boolean;
}

/** The engine needs a session value; this one has nothing to read (it is unbound) nor to discount. */
function placeholderSession(profileId: string, storeIntegrationId: string | undefined, now: Date): EngineSession {
  return {
    integrationId: '', profileId, state: 'closed', // final, like a closed session (awardGiveaway is not deferred)
    cartItems: [], additionalCosts: {}, attributes: {}, couponCodes: [], referralCode: null, identifiers: [],
    storeIntegrationId: storeIntegrationId ?? null, loyaltyCards: [], totals: { cartItemTotal: ZERO, additionalCostTotal: ZERO, total: ZERO },
    firstSession: false, updateCount: 0, created: now, updated: now,
  };
}

export async function evaluateEvent(ctx: ServiceContext, sql: Sql, input: EventEvaluationInput): Promise<Evaluation> {
  const { app, profile } = input;
  const snapshot = await loadSnapshot(ctx, sql, app.id);
  const evaluable = input.dry ? input.evaluableCampaignIds : undefined;
  const candidates = candidateCampaigns(snapshot, evaluable);
  if (candidates.length === 0) return emptyEvaluation();
  const keys = { integrationId: '', profileId: profile.integrationId, storeIntegrationId: input.storeIntegrationId, identifiers: [] };
  const buckets = await loadLimitBuckets(sql, candidates, { session: keys, coupons: [], referral: null }, input.now, app.timezone, () => true);
  const generated = ruleCodes(snapshot.byId, app.caseSensitivity);
  // an event is final, like a close: the profile's ledgers are read under lock and written by commitEvent
  const loyalty = await loadSessionLoyalty(sql, snapshot.loyaltyPrograms, profile.integrationId, [], true, input.now);
  const engineInput: EngineInput = {
    sessionless: true,
    session: placeholderSession(profile.integrationId, input.storeIntegrationId, input.now),
    profile: engineProfile(profile, snapshot.defs),
    application: engineApplication(app, snapshot.defs),
    store: engineStore(snapshot, input.storeIntegrationId),
    additionalCostDefs: snapshot.additionalCosts,
    campaigns: snapshot.campaigns,
    evaluationGroups: snapshot.groups,
    coupons: [],
    referral: null,
    budgets: buckets.map((b) => b.budget),
    customEffects: snapshot.customEffects,
    ...engineLoyalty(loyalty),
    event: { type: input.type, attributes: withTimes(snapshot.defs, `Event:${input.type}`, input.attributes), created: input.now },
    now: input.now,
    ids: generated.ids,
    options: { dry: input.dry, ...(evaluable ? { evaluableCampaignIds: evaluable } : {}), includeFailureReasons: input.failureReasons },
  };
  const evaluation = toEvaluation(evaluate(engineInput), snapshot, { buckets, coupons: [], referral: null }, generated);
  datePoints(evaluation.effects, loyalty, input.now);
  evaluation.loyalty = loyalty;
  return evaluation;
}

/** `set` effects on Profile.Attributes (Session writes have no target here and are ignored). */
export function profileWrites(evaluation: Evaluation): Record<string, unknown> {
  return attributeWrites(evaluation.effects).profile;
}

/**
 * Commits an event evaluation inside the caller's transaction: persists rule-created coupons and
 * referral codes (filling createdCoupons / createdReferrals), books every limit counter it consumed and writes its points.
 */
export async function commitEvent(sql: Sql, applicationId: number, evaluation: Evaluation, now: Date): Promise<void> {
  if (evaluation.created && (evaluation.created.coupons.length > 0 || evaluation.created.referrals.length > 0)) {
    await persistCreated(sql, applicationId, evaluation, now);
  }
  if (evaluation.consumption) await commitFinal(sql, evaluation.consumption.usage, evaluation.consumption.buckets);
  await commitSessionLoyalty(sql, evaluation.loyalty ?? null, { applicationId, integrationId: '' }, evaluation.effects, now);
}
