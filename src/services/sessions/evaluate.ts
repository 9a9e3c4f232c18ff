/**
 * The seam between the session use cases and the rule engine: loads what an evaluation needs
 * (the Application's snapshot of running campaigns; coupons, referrals and budget counters with
 * issue #4) and runs the pure engine, then turns its output into wire effects.
 */
import type { Application } from '../../domain/application.js';
import type { Campaign } from '../../domain/campaign.js';
import type { Effect } from '../../domain/effect.js';
import { dec } from '../../domain/money.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { CustomerSession, SessionEventType } from '../../domain/session.js';
import { evaluate, failureToWire, toWire, type EngineCartItem, type EngineInput, type RuleFailureReason } from '../../engine/index.js';
import type { Sql } from '../../store/db.js';
import { loadSnapshot } from '../campaigns/snapshot.js';
import type { ServiceContext } from '../context.js';

export interface EvaluationInput {
  app: Application;
  session: CustomerSession;
  profile: CustomerProfile | null;
  event: SessionEventType;
  now: Date;
  dry: boolean;
  evaluableCampaignIds?: number[];
  failureReasons: boolean;
}

export interface Evaluation {
  effects: Effect[];
  ruleFailureReasons: RuleFailureReason[];
  /** campaigns that produced at least one effect, as configured */
  triggeredCampaigns: Campaign[];
  createdCoupons: unknown[];
  createdReferrals: unknown[];
}

export const emptyEvaluation = (): Evaluation => ({ effects: [], ruleFailureReasons: [], triggeredCampaigns: [], createdCoupons: [], createdReferrals: [] });

const optDec = (v: number | undefined) => (v === undefined ? undefined : dec(v));

function engineItems(session: CustomerSession): EngineCartItem[] {
  return session.cartItems.map((it) => {
    const item: EngineCartItem = {
      sku: it.sku, price: dec(it.price ?? 0), quantity: it.quantity, position: it.position,
      returnedQuantity: it.returnedQuantity, remainingQuantity: it.remainingQuantity, attributes: it.attributes ?? {},
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

export async function evaluateSession(ctx: ServiceContext, sql: Sql, input: EvaluationInput): Promise<Evaluation> {
  const snapshot = await loadSnapshot(ctx, sql, input.app.id);
  const { session, profile, app } = input;
  const store = session.storeIntegrationId ? snapshot.stores.get(session.storeIntegrationId) : undefined;
  const engineInput: EngineInput = {
    session: {
      integrationId: session.integrationId, profileId: session.profileId || null, state: session.state,
      cartItems: engineItems(session),
      additionalCosts: Object.fromEntries(Object.entries(session.additionalCosts).map(([k, c]) => [k, { price: dec(c.price) }])),
      attributes: session.attributes, couponCodes: session.couponCodes, referralCode: session.referralCode || null,
      identifiers: session.identifiers, storeIntegrationId: session.storeIntegrationId ?? null, loyaltyCards: session.loyaltyCards,
      totals: { cartItemTotal: session.cartItemTotal, additionalCostTotal: session.additionalCostTotal, total: session.total },
      firstSession: session.firstSession, updateCount: session.updateCount, created: new Date(session.created), updated: new Date(session.updated),
    },
    profile: profile && {
      integrationId: profile.integrationId, attributes: profile.attributes, closedSessions: profile.closedSessions,
      totalSales: profile.totalSales, created: new Date(profile.created), lastActivity: new Date(profile.lastActivity), audienceIds: [],
    },
    application: {
      id: app.id, name: app.name, currency: app.currency, timezone: app.timezone, attributes: app.attributes ?? {},
      enableCascadingDiscounts: app.enableCascadingDiscounts ?? false, enablePartialDiscounts: app.enablePartialDiscounts ?? false,
      defaultDiscountScope: app.defaultDiscountScope ?? 'sessionTotal',
      defaultDiscountAdditionalCostPerItemScope: app.defaultDiscountAdditionalCostPerItemScope ?? 'price',
      caseSensitivity: app.caseSensitivity ?? 'sensitive',
    },
    store: store ? { id: store.id, integrationId: store.integrationId, name: store.name, attributes: store.attributes ?? {} } : null,
    additionalCostDefs: snapshot.additionalCosts,
    campaigns: snapshot.campaigns,
    evaluationGroups: snapshot.groups,
    coupons: [],
    referral: null,
    customEffects: snapshot.customEffects,
    event: { type: input.event, created: input.now },
    now: input.now,
    options: {
      dry: input.dry,
      ...(input.evaluableCampaignIds ? { evaluableCampaignIds: input.evaluableCampaignIds } : {}),
      includeFailureReasons: input.failureReasons,
    },
  };
  const result = evaluate(engineInput);
  return {
    effects: result.effects.map(toWire),
    ruleFailureReasons: result.ruleFailureReasons.map(failureToWire),
    triggeredCampaigns: result.triggeredCampaignIds.map((id) => snapshot.byId.get(id)).filter((c): c is Campaign => c !== undefined),
    createdCoupons: [],
    createdReferrals: [],
  };
}
