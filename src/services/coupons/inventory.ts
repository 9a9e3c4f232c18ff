/**
 * getCustomerInventory (docs/coupons.md): what a profile holds in the key's Application — its reserved
 * coupons (redeemed ones included, since a redemption reserves), its personal coupons and every
 * implicitly reserved coupon, each with the profile's redemption count and a `state`; its referral
 * codes with the friends they referred; the profile itself when asked.
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import { frontendState, type Campaign } from '../../domain/campaign.js';
import type { Coupon, Referral } from '../../domain/coupon.js';
import { notFound } from '../../domain/errors.js';
import type { CustomerProfile } from '../../domain/profile.js';
import { listCampaigns } from '../../store/repos/campaigns.js';
import { inventoryCoupons, profileRedemptions, referralsOfAdvocate } from '../../store/repos/coupons.js';
import { getProfile } from '../../store/repos/profiles.js';
import { refereesOf } from '../../store/repos/referrals.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { profileLoyaltyView, type LoyaltyView } from '../loyalty/sessionView.js';

type InventoryState = 'active' | 'used' | 'expired' | 'pending' | 'disabled';
interface InventoryCoupon { coupon: Coupon; profileRedemptionCount: number; state: InventoryState }
interface InventoryReferral { referral: Referral; referredCustomers: string[] }
export interface Inventory { profile: CustomerProfile; coupons?: InventoryCoupon[]; referrals?: InventoryReferral[]; loyalty?: LoyaltyView }

/**
 * A coupon's state, checked in this order: `disabled` (campaign not running: disabled, archived or ended),
 * `used` (usage limit reached, or redeemed by this profile), `expired` (past expiryDate),
 * `pending` (startDate ahead), else `active` (also for a scheduled campaign).
 */
function couponState(c: Coupon, campaign: Campaign, redeemedByProfile: number, now: Date): InventoryState {
  const fs = frontendState(campaign, now);
  if (fs === 'disabled' || fs === 'archived' || fs === 'expired') return 'disabled';
  if (redeemedByProfile > 0 || (c.usageLimit > 0 && c.usageCounter >= c.usageLimit)) return 'used';
  if (c.expiryDate && Date.parse(c.expiryDate) < now.getTime()) return 'expired';
  if (c.startDate && Date.parse(c.startDate) > now.getTime()) return 'pending';
  return 'active';
}

export function customerInventory(ctx: ServiceContext, applicationId: number, integrationId: string, want: { coupons: boolean; referrals: boolean; loyalty?: boolean }): Promise<Inventory> {
  return ctx.db.transaction(async (sql) => {
    await loadApplication(ctx, sql, applicationId);
    const profile = await getProfile(sql, ACCOUNT_ID, integrationId);
    if (!profile) throw notFound('Customer profile');
    const out: Inventory = { profile };
    const now = ctx.now();
    if (want.loyalty) out.loyalty = await profileLoyaltyView(sql, applicationId, profile, now);
    if (want.coupons) {
      const campaigns = new Map((await listCampaigns(sql, applicationId)).map((c) => [c.id, c] as const));
      // coupons of deleted campaigns are gone from the wallet
      const coupons = (await inventoryCoupons(sql, applicationId, integrationId)).filter((c) => campaigns.has(c.campaignId));
      const counts = await profileRedemptions(sql, coupons.map((c) => c.id), integrationId);
      out.coupons = coupons.map((coupon) => {
        const n = counts.get(coupon.id) ?? 0;
        return { coupon, profileRedemptionCount: n, state: couponState(coupon, campaigns.get(coupon.campaignId)!, n, now) };
      });
    }
    if (want.referrals) {
      out.referrals = [];
      for (const referral of await referralsOfAdvocate(sql, applicationId, integrationId)) {
        out.referrals.push({ referral, referredCustomers: await refereesOf(sql, referral.id) });
      }
    }
    return out;
  });
}
