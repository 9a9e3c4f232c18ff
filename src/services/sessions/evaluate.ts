/**
 * The seam between the session use cases and the rule engine: loads what an evaluation needs (the
 * Application's snapshot of running campaigns, the session's coupons and referral, the limit counters)
 * and runs the pure engine, then turns its output into wire effects. The mapping helpers are shared
 * with the sessionless evaluations of events and profile updates (services/events/evaluate.ts).
 */
import type { Application } from '../../domain/application.js';
import type { Campaign, Store } from '../../domain/campaign.js';
import type { Effect } from '../../domain/effect.js';
import { dec } from '../../domain/money.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { CustomerSession, SessionEventType } from '../../domain/session.js';
import {
  evaluate, failureToWire, toWire, type EngineApplication, type EngineCartItem, type EngineCoupon, type EngineInput, type EngineProfile, type EngineReferral,
  type EngineResult, type EngineStore, type EngineUsage, type RuleFailureReason, type CreatedCoupon, type CreatedReferral,
} from '../../engine/index.js';
import { ruleCodes, type RuleCodes } from './created.js';
import { normaliseCode, type Coupon, type Referral } from '../../domain/coupon.js';
import { ACCOUNT_ID } from '../../domain/application.js';
import { couponsByValues, reservationsFor } from '../../store/repos/coupons.js';
import { getProfile } from '../../store/repos/profiles.js';
import { referralByCode, wasReferred } from '../../store/repos/referrals.js';
import { loadLimitBuckets, type LimitBucket } from './limits.js';
import { APPLIED_WHEN_EMITTED } from './usage.js';
import type { Sql } from '../../store/db.js';
import { loadSnapshot, type Snapshot } from '../campaigns/snapshot.js';
import type { Definitions } from '../definitions/load.js';
import { withTimes } from '../definitions/times.js';
import type { ServiceContext } from '../context.js';
import { datePoints, engineLoyalty, loadSessionLoyalty, type SessionLoyalty } from '../loyalty/session.js';

export interface EvaluationInput {
  app: Application;
  /** a closing evaluation: coupon, referral and counter rows are read under lock, as the close writes them */
  closing: boolean;
  session: CustomerSession;
  profile: CustomerProfile | null;
  event: SessionEventType;
  now: Date;
  /** a dry run: `evaluableCampaignIds` counts (docs/sessions.md, "Dry runs") */
  dry: boolean;
  evaluableCampaignIds?: number[];
  /** only these campaigns run (a return's re-evaluation); the others are as if not configured */
  onlyCampaignIds?: ReadonlySet<number>;
  failureReasons: boolean;
}

/** What the close commits: the engine's usage and the rows it was decided on. */
export interface Consumption {
  usage: EngineUsage;
  buckets: LimitBucket[];
  coupons: Coupon[];
  referral: Referral | null;
}

export interface Evaluation {
  effects: Effect[];
  consumption?: Consumption;
  /** coupons and referral codes the rules created, persisted by the request's commit (services/sessions/created.ts) */
  created?: { coupons: CreatedCoupon[]; referrals: CreatedReferral[]; codes: RuleCodes };
  ruleFailureReasons: RuleFailureReason[];
  /** campaigns that produced at least one effect, as configured */
  triggeredCampaigns: Campaign[];
  createdCoupons: Coupon[];
  createdReferrals: Referral[];
  /** the loyalty ledgers the rules saw (locked on a close, which writes them); absent when no rule ran */
  loyalty?: SessionLoyalty | null;
}

export const emptyEvaluation = (): Evaluation => ({ effects: [], ruleFailureReasons: [], triggeredCampaigns: [], createdCoupons: [], createdReferrals: [] });

/**
 * A dry run's evaluation as it answers it: the coupons and referral codes its rules created are rolled
 * back with it, so none is announced (their couponCreated / referralCreated effects still preview them).
 */
export const withoutCreated = (e: Evaluation): Evaluation => ({ ...e, createdCoupons: [], createdReferrals: [] });

const optDec = (v: number | undefined) => (v === undefined ? undefined : dec(v));

function engineItems(session: CustomerSession, defs: Definitions): EngineCartItem[] {
  return session.cartItems.map((it) => {
    const item: EngineCartItem = {
      sku: it.sku, price: dec(it.price ?? 0), quantity: it.quantity, position: it.position,
      returnedQuantity: it.returnedQuantity, remainingQuantity: it.remainingQuantity, attributes: withTimes(defs, 'CartItem', it.attributes ?? {}),
    };
    if (it.name !== undefined) item.name = it.name;
    if (it.category !== undefined) item.category = it.category;
    if (it.product !== undefined) item.product = it.product;
    for (const k of ['weight', 'height', 'width', 'length'] as const) {
      const v = optDec(it[k]);
      if (v !== undefined) item[k] = v;
    }
    if (it.additionalCosts) item.additionalCosts = Object.fromEntries(Object.entries(it.additionalCosts).map(([k, c]) => [k, { price: dec(c.price) }]));
    return item;
  });
}

const date = (s?: string) => (s ? new Date(s) : null);

function engineCoupon(c: Coupon, reserved: Set<number>, defs: Definitions): EngineCoupon {
  return {
    id: c.id, value: c.value, campaignId: c.campaignId, usageLimit: c.usageLimit, usageCounter: c.usageCounter,
    discountLimit: c.discountLimit ?? null, discountCounter: c.discountCounter, startDate: date(c.startDate), expiryDate: date(c.expiryDate),
    recipientIntegrationId: c.recipientIntegrationId ?? null, batchId: c.batchId ?? null, isReservationMandatory: c.isReservationMandatory,
    reservedByProfile: reserved.has(c.id), attributes: withTimes(defs, 'Coupon', c.attributes),
  };
}

/** The coupons, referral and limit buckets of this session (under lock when it closes). */
async function loadCodes(sql: Sql, input: EvaluationInput, campaigns: readonly Campaign[], defs: Definitions) {
  const { session, app } = input;
  const cs = app.caseSensitivity;
  const values = [...new Set(session.couponCodes.map((c) => normaliseCode(c, cs)))];
  const coupons = await couponsByValues(sql, app.id, values, input.closing);
  const reserved = await reservationsFor(sql, coupons.map((c) => c.id), session.profileId);
  const referral = session.referralCode ? (await referralByCode(sql, app.id, normaliseCode(session.referralCode, cs), input.closing)) ?? null : null;
  let engineReferral: EngineReferral | null = null;
  if (referral) {
    const advocate = await getProfile(sql, ACCOUNT_ID, referral.advocateProfileIntegrationId);
    engineReferral = {
      id: referral.id, code: referral.code, campaignId: referral.campaignId, advocateProfileIntegrationId: referral.advocateProfileIntegrationId,
      friendProfileIntegrationId: referral.friendProfileIntegrationId ?? null, usageLimit: referral.usageLimit, usageCounter: referral.usageCounter,
      startDate: date(referral.startDate), expiryDate: date(referral.expiryDate), attributes: withTimes(defs, 'Referral', referral.attributes),
      advocateProfile: advocate ? engineProfile(advocate, defs) : null,
      friendAlreadyReferred: session.profileId ? await wasReferred(sql, app.id, session.profileId) : false,
    };
  }
  // a close commits every counter; any evaluation commits the counters of effects applied at once
  const lock = (action: string) => input.closing || APPLIED_WHEN_EMITTED.has(action);
  const buckets = await loadLimitBuckets(sql, campaigns, { session, coupons, referral }, input.now, app.timezone, lock);
  return { coupons, reserved, referral, engineReferral, buckets };
}

export function engineApplication(app: Application, defs: Definitions): EngineApplication {
  return {
    id: app.id, name: app.name, currency: app.currency, timezone: app.timezone, attributes: withTimes(defs, 'Application', app.attributes ?? {}),
    enableCascadingDiscounts: app.enableCascadingDiscounts ?? false, enablePartialDiscounts: app.enablePartialDiscounts ?? false,
    defaultDiscountScope: app.defaultDiscountScope ?? 'sessionTotal',
    defaultDiscountAdditionalCostPerItemScope: app.defaultDiscountAdditionalCostPerItemScope ?? 'price',
    caseSensitivity: app.caseSensitivity ?? 'sensitive',
  };
}

export function engineProfile(p: CustomerProfile, defs: Definitions): EngineProfile {
  return {
    integrationId: p.integrationId, attributes: withTimes(defs, 'CustomerProfile', p.attributes), closedSessions: p.closedSessions,
    totalSales: p.totalSales, created: new Date(p.created), lastActivity: new Date(p.lastActivity), audienceIds: [],
  };
}

/** The Application's store of that integration id, if there is one. */
export function engineStore(snapshot: Snapshot, integrationId: string | undefined): EngineStore | null {
  const store: Store | undefined = integrationId ? snapshot.stores.get(integrationId) : undefined;
  return store ? { id: store.id, integrationId: store.integrationId, name: store.name, attributes: withTimes(snapshot.defs, 'Store', store.attributes ?? {}) } : null;
}

/** Campaigns that may run in this evaluation, whose limits matter: never archived; disabled only when listed for a dry run. */
export function candidateCampaigns(snapshot: Snapshot, evaluableCampaignIds: readonly number[] | undefined): Campaign[] {
  return [...snapshot.byId.values()].filter((c) => c.state === 'enabled' || (c.state === 'disabled' && evaluableCampaignIds?.includes(c.id)));
}

/** The engine's result as the services use it: wire effects, configured campaigns, what a commit needs. */
export function toEvaluation(result: EngineResult, snapshot: Snapshot, consumption: Omit<Consumption, 'usage'>, codes: RuleCodes): Evaluation {
  return {
    effects: result.effects.map(toWire),
    ruleFailureReasons: result.ruleFailureReasons.map(failureToWire),
    triggeredCampaigns: result.triggeredCampaignIds.map((id) => snapshot.byId.get(id)).filter((c): c is Campaign => c !== undefined),
    createdCoupons: [],
    createdReferrals: [],
    consumption: { usage: result.usage, ...consumption },
    created: { coupons: result.createdCoupons, referrals: result.createdReferrals, codes },
  };
}

export async function evaluateSession(ctx: ServiceContext, sql: Sql, input: EvaluationInput): Promise<Evaluation> {
  const snapshot = await loadSnapshot(ctx, sql, input.app.id);
  const { session, profile, app } = input;
  const only = input.onlyCampaignIds;
  const all = candidateCampaigns(snapshot, input.evaluableCampaignIds);
  const candidates = only === undefined ? all : all.filter((c) => only.has(c.id));
  // nothing could run and no code needs an answer: the engine would return nothing
  if (candidates.length === 0 && session.couponCodes.length === 0 && !session.referralCode) return emptyEvaluation();
  const codes = await loadCodes(sql, input, candidates, snapshot.defs);
  const loyalty = await loadSessionLoyalty(sql, snapshot.loyaltyPrograms, session.profileId ?? '', session.loyaltyCards, input.closing, input.now);
  const generated = ruleCodes(snapshot.byId, app.caseSensitivity);
  const engineInput: EngineInput = {
    session: {
      integrationId: session.integrationId, profileId: session.profileId || null, state: session.state,
      cartItems: engineItems(session, snapshot.defs),
      additionalCosts: Object.fromEntries(Object.entries(session.additionalCosts).map(([k, c]) => [k, { price: dec(c.price) }])),
      attributes: withTimes(snapshot.defs, 'CustomerSession', session.attributes), couponCodes: session.couponCodes, referralCode: session.referralCode || null,
      identifiers: session.identifiers, storeIntegrationId: session.storeIntegrationId ?? null, loyaltyCards: session.loyaltyCards,
      totals: { cartItemTotal: session.cartItemTotal, additionalCostTotal: session.additionalCostTotal, total: session.total },
      firstSession: session.firstSession, updateCount: session.updateCount, created: new Date(session.created), updated: new Date(session.updated),
    },
    profile: profile && engineProfile(profile, snapshot.defs),
    application: engineApplication(app, snapshot.defs),
    store: engineStore(snapshot, session.storeIntegrationId),
    additionalCostDefs: snapshot.additionalCosts,
    campaigns: only === undefined ? snapshot.campaigns : snapshot.campaigns.filter((c) => only.has(c.id)),
    evaluationGroups: snapshot.groups,
    coupons: codes.coupons.map((c) => engineCoupon(c, codes.reserved, snapshot.defs)),
    referral: codes.engineReferral,
    budgets: codes.buckets.map((b) => b.budget),
    customEffects: snapshot.customEffects,
    ...engineLoyalty(loyalty),
    event: { type: input.event, created: input.now },
    now: input.now,
    ids: generated.ids,
    options: {
      dry: input.dry,
      ...(input.evaluableCampaignIds ? { evaluableCampaignIds: input.evaluableCampaignIds } : {}),
      includeFailureReasons: input.failureReasons,
    },
  };
  const evaluation = toEvaluation(evaluate(engineInput), snapshot, { buckets: codes.buckets, coupons: codes.coupons, referral: codes.referral }, generated);
  datePoints(evaluation.effects, loyalty, input.now);
  evaluation.loyalty = loyalty;
  return evaluation;
}
