/** Domain values → Talon.One wire shapes (decimals become JSON numbers, optional fields omitted). */
import type { Application } from '../domain/application.js';
import type { Coupon, Referral } from '../domain/coupon.js';
import { frontendState, type Campaign } from '../domain/campaign.js';
import { toNumber } from '../domain/money.js';
import type { CustomerProfile } from '../domain/profile.js';
import type { CustomerSession } from '../domain/session.js';
import type { SessionResult } from '../services/sessions/result.js';
import type { LedgerBalances } from '../services/loyalty/session.js';
import type { LoyaltyView } from '../services/loyalty/sessionView.js';
import { wireTierInfo } from './schemas/loyalty.js';
import { wireCard } from './schemas/loyaltyCards.js';

export function wireSession(s: CustomerSession, evaluableCampaignIds?: number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.id, created: s.created, integrationId: s.integrationId, applicationId: s.applicationId, profileId: s.profileId,
  };
  if (s.storeIntegrationId !== undefined) out.storeIntegrationId = s.storeIntegrationId;
  if (evaluableCampaignIds !== undefined) out.evaluableCampaignIds = evaluableCampaignIds;
  out.couponCodes = s.couponCodes;
  out.referralCode = s.referralCode;
  out.loyaltyCards = s.loyaltyCards;
  out.state = s.state;
  out.cartItems = s.cartItems;
  if (s.experimentVariantAllocations !== undefined) out.experimentVariantAllocations = s.experimentVariantAllocations;
  out.additionalCosts = s.additionalCosts;
  out.identifiers = s.identifiers;
  out.attributes = s.attributes;
  out.firstSession = s.firstSession;
  out.updateCount = s.updateCount;
  out.total = toNumber(s.total);
  out.cartItemTotal = toNumber(s.cartItemTotal);
  out.additionalCostTotal = toNumber(s.additionalCostTotal);
  out.updated = s.updated;
  return out;
}

export function wireProfile(p: CustomerProfile): Record<string, unknown> {
  return {
    id: p.id, created: p.created, integrationId: p.integrationId, attributes: p.attributes, accountId: p.accountId,
    closedSessions: p.closedSessions, totalSales: toNumber(p.totalSales), loyaltyMemberships: [], audienceMemberships: [],
    lastActivity: p.lastActivity, sandbox: false,
  };
}

export function wireApplication(a: Application): Record<string, unknown> {
  return { ...a, loyaltyPrograms: [] };
}

/** IntegrationStateV2: the three required lists and customerSession always (docs/sessions.md), the rest as `responseContent` asks. */
export function integrationState(r: SessionResult, responseContent: readonly string[]): Record<string, unknown> {
  const want = new Set(responseContent);
  const out: Record<string, unknown> = {
    effects: r.effects, createdCoupons: r.evaluation.createdCoupons.map(wireCoupon), createdReferrals: r.evaluation.createdReferrals.map(wireReferral),
  };
  out.customerSession = wireSession(r.session, r.evaluableCampaignIds);
  if (want.has('customerProfile') && r.profile) out.customerProfile = wireProfile(r.profile);
  if (want.has('event')) out.event = r.event;
  if (want.has('triggeredCampaigns')) out.triggeredCampaigns = r.evaluation.triggeredCampaigns.map((c) => wireCampaign(c, new Date()));
  if (want.has('ruleFailureReasons')) out.ruleFailureReasons = r.evaluation.ruleFailureReasons;
  if (want.has('coupons')) out.coupons = (r.coupons ?? []).map((c) => ({ ...wireCoupon(c.coupon), profileRedemptionCount: c.profileRedemptionCount }));
  if (want.has('referral') && r.referral) out.referral = wireInventoryReferral(r.referral.referral, r.referral.referredCustomers);
  if (want.has('awardedGiveaways')) out.awardedGiveaways = [];
  if (want.has('loyalty')) out.loyalty = wireLoyalty(r.loyalty ?? { programs: [], cards: [] });
  if (want.has('previousReturns')) out.previousReturns = r.previousReturns ?? [];
  if (r.return) out.return = r.return;
  return out;
}

const NO_EFFECTS = '{"effects":[]';

/**
 * IntegrationStateV2 as response text when the session stored its effects' JSON: the route's own
 * serializer writes everything else, and the effects list, which may hold hundreds of effects, goes in
 * as the stored text instead of being serialised a second time. The text is the one the
 * serializer would write (toWire keeps the schema's key order; tested against dry runs, which take
 * the serializer's path). `effects` is the schema's first property, so the serializer's text for an
 * empty list starts with NO_EFFECTS.
 */
export function integrationStateText(serialize: (state: Record<string, unknown>) => string, state: Record<string, unknown>, effectsJson: string): string {
  state.effects = [];
  const text = serialize(state);
  if (!text.startsWith(NO_EFFECTS)) throw new Error('IntegrationStateV2 must list effects first');
  return '{"effects":' + effectsJson + text.slice(NO_EFFECTS.length);
}

/** Campaign with the derived fields Talon.One returns (frontendState at `now`). */
export function wireCampaign(c: Campaign, now: Date): Record<string, unknown> {
  return { description: '', ...c, frontendState: frontendState(c, now), storesImported: false };
}

/** Domain coupon → `Coupon` (decimals as numbers; `reservation` false for a personal code, docs/coupons.md). */
export function wireCoupon(c: Coupon): Record<string, unknown> {
  const out: Record<string, unknown> = { id: c.id, created: c.created, campaignId: c.campaignId, value: c.value, usageLimit: c.usageLimit };
  if (c.discountLimit !== undefined) out.discountLimit = toNumber(c.discountLimit);
  if (c.reservationLimit !== undefined) out.reservationLimit = c.reservationLimit;
  if (c.startDate) out.startDate = c.startDate;
  if (c.expiryDate) out.expiryDate = c.expiryDate;
  out.limits = c.limits;
  out.usageCounter = c.usageCounter;
  out.discountCounter = toNumber(c.discountCounter);
  if (c.discountLimit !== undefined) out.discountRemainder = toNumber(c.discountLimit.minus(c.discountCounter));
  out.reservationCounter = c.reservationCounter;
  out.attributes = c.attributes;
  if (c.referralId !== undefined) out.referralId = c.referralId;
  if (c.recipientIntegrationId !== undefined) out.recipientIntegrationId = c.recipientIntegrationId;
  if (c.importId !== undefined) out.importId = c.importId;
  out.reservation = c.recipientIntegrationId === undefined;
  if (c.batchId !== undefined) out.batchId = c.batchId;
  out.isReservationMandatory = c.isReservationMandatory;
  out.implicitlyReserved = c.implicitlyReserved;
  return out;
}

/** Referral on the wire: Talon.One's field order, optional fields omitted, no applicationId. */
export function wireReferral(r: Referral): Record<string, unknown> {
  const out: Record<string, unknown> = { id: r.id, created: r.created };
  if (r.startDate !== undefined) out.startDate = r.startDate;
  if (r.expiryDate !== undefined) out.expiryDate = r.expiryDate;
  out.usageLimit = r.usageLimit;
  out.campaignId = r.campaignId;
  out.advocateProfileIntegrationId = r.advocateProfileIntegrationId;
  if (r.friendProfileIntegrationId !== undefined) out.friendProfileIntegrationId = r.friendProfileIntegrationId;
  out.attributes = r.attributes;
  if (r.importId !== undefined) out.importId = r.importId;
  out.code = r.code;
  out.usageCounter = r.usageCounter;
  if (r.batchId !== undefined) out.batchId = r.batchId;
  return out;
}

/** InventoryReferral = Referral + the friends who redeemed it. */
export function wireInventoryReferral(r: Referral, referredCustomers: string[]): Record<string, unknown> {
  return { ...wireReferral(r), referredCustomers };
}

/** LedgerInfo: 25.17 shows the deprecated expiredBalance and spentBalance as 0. */
function wireLedgerInfo(b: LedgerBalances): Record<string, unknown> {
  return {
    currentBalance: toNumber(b.counters.active), pendingBalance: toNumber(b.counters.pending), negativeBalance: toNumber(b.counters.negative),
    expiredBalance: 0, spentBalance: 0, tentativeCurrentBalance: toNumber(b.tentative.active), tentativePendingBalance: toNumber(b.tentative.pending),
    tentativeNegativeBalance: toNumber(b.tentative.negative), ...wireTierInfo(b.tier),
  };
}

const wireLedgers = (m: Map<string, LedgerBalances>) => Object.fromEntries([...m].map(([k, v]) => [k, wireLedgerInfo(v)]));

/** Loyalty: `programs` keyed by the program id as a decimal string (docs/loyalty-sessions.md); `cards` only when the session names one. */
export function wireLoyalty(v: LoyaltyView): Record<string, unknown> {
  const programs: Record<string, unknown> = {};
  for (const p of v.programs) {
    programs[String(p.program.id)] = {
      id: p.program.id, title: p.program.title, name: p.program.name, ...(p.joinDate !== undefined ? { joinDate: p.joinDate } : {}),
      ledger: wireLedgerInfo(p.ledger), subLedgers: wireLedgers(p.subLedgers),
    };
  }
  const out: Record<string, unknown> = { programs };
  if (v.cards.length > 0) {
    out.cards = v.cards.map((c) => ({
      ...wireCard({ card: c.card, program: c.program, balances: new Map(), tiers: new Map() }), ledger: wireLedgerInfo(c.ledger), subledgers: wireLedgers(c.subLedgers),
    }));
  }
  return out;
}
