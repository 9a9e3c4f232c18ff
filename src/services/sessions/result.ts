import type { Coupon, Referral } from '../../domain/coupon.js';
import type { Effect } from '../../domain/effect.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { Return, SessionEvent } from '../../domain/records.js';
import type { CustomerSession } from '../../domain/session.js';
import type { Evaluation } from './evaluate.js';

/** Everything a session use case hands back; http/ shapes it per `responseContent`. */
export interface SessionResult {
  session: CustomerSession;
  effects: Effect[];
  /** `effects` as the JSON text the session stored, when it did (not on dry runs): the response reuses it */
  effectsJson?: string;
  evaluation: Evaluation;
  profile: CustomerProfile | null;
  event: SessionEvent;
  previousReturns?: Return[];
  return?: Return;
  /** responseContent `coupons`: the session's known codes, with this profile's redemption count */
  coupons?: { coupon: Coupon; profileRedemptionCount: number }[];
  /** responseContent `referral` */
  referral?: { referral: Referral; referredCustomers: string[] };
  /** dry: echoed in the dry response's customerSession only (OQ-5) */
  evaluableCampaignIds?: number[];
}
