/**
 * Coupon and referral validity (docs/engine.md, "Code validity") and the rejection effects emitted
 * after all campaigns ran (docs/engine.md, "Rejections after all campaigns").
 */
import { Decimal } from '../domain/money.js';
import type { Ledger } from './ledger.js';
import type { Exclusion } from './select.js';
import type { BudgetRemaining, CaseSensitivity, EngineCoupon, EngineInput, EngineReferral, Effect } from './types.js';

export function normalizeCode(code: string, cs: CaseSensitivity): string {
  if (cs === 'insensitive-uppercase') return code.toUpperCase();
  if (cs === 'insensitive-lowercase') return code.toLowerCase();
  return code;
}

const ONE = new Decimal(1);

function anonymous(input: EngineInput): boolean {
  return !input.session.profileId;
}

/** Classifies an exhausted redemption bucket: Coupon-keyed → code limit, Profile-keyed → profile limit. */
function limitReason(b: BudgetRemaining, code: 'Coupon' | 'Referral'): 'code' | 'profile' | 'campaign' {
  if (b.entities.includes(code) && !b.entities.includes('Profile')) return 'code';
  if (b.entities.includes('Profile')) return 'profile';
  return 'campaign';
}

function exhausted(ledger: Ledger, buckets: readonly BudgetRemaining[], code: 'Coupon' | 'Referral'): Set<string> {
  const out = new Set<string>();
  for (const b of buckets) if (ledger.roomOf(b).lessThan(ONE)) out.add(limitReason(b, code));
  return out;
}

/** First failing validity check of a coupon whose campaign runs, or null when `couponValid` holds. */
export function couponInvalidReason(c: EngineCoupon, input: EngineInput, ledger: Ledger): string | null {
  const now = input.now.getTime();
  if (c.startDate && c.startDate.getTime() > now) return 'CouponStartDateInFuture';
  if (c.expiryDate && c.expiryDate.getTime() < now) return 'CouponExpired';
  if (c.recipientIntegrationId && c.recipientIntegrationId !== input.session.profileId) return 'CouponRecipientDoesNotMatch';
  const buckets = ledger.buckets({ campaignId: c.campaignId, action: 'redeemCoupon', couponId: c.id });
  if (anonymous(input) && (c.isReservationMandatory || buckets.some((b) => b.entities.includes('Profile')))) return 'ProfileRequired';
  if (c.isReservationMandatory && !c.reservedByProfile) return 'CouponReservationRequired';
  if (c.usageLimit > 0 && c.usageCounter >= c.usageLimit) return 'CouponLimitReached';
  const ex = exhausted(ledger, buckets, 'Coupon');
  if (ex.has('code')) return 'CouponLimitReached';
  if (ex.has('profile')) return 'ProfileLimitReached';
  if (ex.has('campaign')) return 'CampaignLimitReached';
  return null;
}

export function referralInvalidReason(r: EngineReferral, input: EngineInput, ledger: Ledger): string | null {
  const now = input.now.getTime();
  const profile = input.session.profileId;
  if (r.startDate && r.startDate.getTime() > now) return 'ReferralStartDateInFuture';
  if (r.expiryDate && r.expiryDate.getTime() < now) return 'ReferralExpired';
  if (profile && profile === r.advocateProfileIntegrationId) return 'ReferralRecipientIdSameAsAdvocate';
  if (r.friendProfileIntegrationId && r.friendProfileIntegrationId !== profile) return 'ReferralRecipientDoesNotMatch';
  if (r.friendAlreadyReferred) return 'ReferralCustomerAlreadyReferred';
  if (r.advocateProfile === null) return 'AdvocateNotFound';
  if (r.usageLimit > 0 && r.usageCounter >= r.usageLimit) return 'ReferralLimitReached';
  const ex = exhausted(ledger, ledger.buckets({ campaignId: r.campaignId, action: 'redeemReferral', referralId: r.id }), 'Referral');
  if (ex.has('code')) return 'ReferralLimitReached';
  if (ex.has('profile')) return 'ProfileLimitReached';
  if (ex.has('campaign')) return 'CampaignLimitReached';
  return null;
}

/** Why a code that was evaluated in its campaign's pass was not accepted. */
export interface PassRejection { reason: string; conditionIndex?: number; effectIndex?: number; details?: string }

/** Precedence among pass outcomes of one code: conditions before effect limits (docs/engine.md, "Rejections after all campaigns"). */
export function pickPassRejection(rs: PassRejection[], prefix: 'Coupon' | 'Referral'): PassRejection {
  const byCond = rs.find((r) => r.reason === `${prefix}RejectedByCondition`);
  return byCond ?? rs[0] ?? { reason: `${prefix}RejectedByCondition` };
}

export function rejectionForExclusion(ex: Exclusion, prefix: 'Coupon' | 'Referral'): PassRejection & { campaignExclusionReason?: string } {
  if (ex.kind === 'notRunning') return { reason: `${prefix}PartOfNotRunningCampaign` };
  return { reason: `${prefix}PartOfNotTriggeredCampaign`, campaignExclusionReason: ex.reason };
}

export function rejectEffect(
  type: 'rejectCoupon' | 'rejectReferral', value: string, campaignId: number, rulesetId: number,
  r: PassRejection & { campaignExclusionReason?: string },
): Effect {
  const props: Record<string, unknown> = { value, rejectionReason: r.reason };
  if (r.conditionIndex !== undefined) props.conditionIndex = r.conditionIndex;
  if (r.effectIndex !== undefined) props.effectIndex = r.effectIndex;
  if (r.details !== undefined) props.details = r.details;
  if (r.campaignExclusionReason !== undefined) props.campaignExclusionReason = r.campaignExclusionReason;
  return { campaignId, rulesetId, ruleIndex: 0, ruleName: '', effectType: type, props };
}
