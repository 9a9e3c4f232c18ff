import type { Coupon, Referral } from '../../domain/coupon.js';
import type { Effect } from '../../domain/effect.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { Return, SessionEvent } from '../../domain/records.js';
import type { CustomerSession } from '../../domain/session.js';
import type { Evaluation } from './evaluate.js';
import type { LoyaltyView } from '../loyalty/sessionView.js';

/** Everything a session use case hands back; http/ shapes it per `responseContent`. */
export interface SessionResult {
  session: CustomerSession;
  effects: Effect[];
  /** `effects` as the JSON text the event stored, which the response reuses; absent for a dry run, whose text is rolled back */
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
  /** a dry run's `evaluableCampaignIds`, echoed in its customerSession only (docs/sessions.md, "Dry runs") */
  evaluableCampaignIds?: number[];
  /** responseContent `loyalty` */
  loyalty?: LoyaltyView;
}
