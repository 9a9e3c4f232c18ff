/** deleteCoupon and deleteCoupons. Reservations go with the coupon (ON DELETE CASCADE). */
import { notFound } from '../../domain/errors.js';
import { deleteCouponById, deleteMatchingCoupons } from '../../store/repos/coupons.js';
import type { ServiceContext } from '../context.js';
import { couponQuery, loadCampaignOf, type CouponFilterInput } from './common.js';
import { couponIdOf } from './update.js';

export async function deleteCoupon(ctx: ServiceContext, applicationId: number, campaignId: number, couponId: string): Promise<void> {
  const id = couponIdOf(couponId);
  await ctx.db.transaction(async (sql) => {
    await loadCampaignOf(ctx, sql, applicationId, campaignId);
    if (!(await deleteCouponById(sql, applicationId, campaignId, id))) throw notFound('Coupon');
  });
}

/** Every coupon of the campaign matching the filters, in one transaction. Returns how many. */
export function deleteCoupons(ctx: ServiceContext, applicationId: number, campaignId: number, f: CouponFilterInput): Promise<number> {
  return ctx.db.transaction(async (sql) => {
    await loadCampaignOf(ctx, sql, applicationId, campaignId);
    return deleteMatchingCoupons(sql, await couponQuery(ctx, sql, applicationId, f, campaignId));
  });
}
