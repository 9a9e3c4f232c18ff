/**
 * updateCoupon and updateCouponBatch (docs/coupons.md). PUT semantics of Talon.One: `startDate`,
 * `expiryDate` (and for one coupon `recipientIntegrationId`) are replaced — omitted means null —
 * while the other fields keep their value when omitted. The code itself never changes.
 */
import type { LimitConfig } from '../../domain/campaign.js';
import type { Coupon } from '../../domain/coupon.js';
import { notFound } from '../../domain/errors.js';
import { dec } from '../../domain/money.js';
import { getCouponById, saveCoupon, updateCouponsOfCampaign, type CouponBatchUpdate } from '../../store/repos/coupons.js';
import { checkAttributes } from '../definitions/validate.js';
import { loadDefinitions } from '../definitions/load.js';
import type { ServiceContext } from '../context.js';
import { checkCouponLimits, checkDates, loadCampaignOf, utc } from './common.js';

export interface UpdateCouponInput {
  usageLimit?: number; discountLimit?: number; reservationLimit?: number; startDate?: string | null; expiryDate?: string | null;
  limits?: LimitConfig[]; recipientIntegrationId?: string | null; attributes?: Record<string, unknown>;
  isReservationMandatory?: boolean; implicitlyReserved?: boolean;
}

/** Path ids are strings on the wire (`couponId`); anything but a positive integer names no coupon. */
export function couponIdOf(raw: string): number {
  const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw notFound('Coupon');
  return id;
}

export function updateCoupon(ctx: ServiceContext, applicationId: number, campaignId: number, couponId: string, u: UpdateCouponInput): Promise<Coupon> {
  const id = couponIdOf(couponId);
  checkDates(u.startDate, u.expiryDate);
  checkCouponLimits(u.limits);
  return ctx.db.transaction(async (sql) => {
    await loadCampaignOf(ctx, sql, applicationId, campaignId);
    const current = await getCouponById(sql, applicationId, id);
    if (!current || current.campaignId !== campaignId) throw notFound('Coupon');
    checkAttributes(await loadDefinitions(ctx, sql), 'Coupon', u.attributes, '/attributes');
    const next: Coupon = { ...current };
    if (u.usageLimit !== undefined) next.usageLimit = u.usageLimit;
    if (u.discountLimit !== undefined) next.discountLimit = dec(u.discountLimit);
    if (u.reservationLimit !== undefined) next.reservationLimit = u.reservationLimit;
    if (u.limits !== undefined) next.limits = u.limits;
    if (u.attributes !== undefined) next.attributes = u.attributes;
    if (u.isReservationMandatory !== undefined) next.isReservationMandatory = u.isReservationMandatory;
    if (u.implicitlyReserved !== undefined) next.implicitlyReserved = u.implicitlyReserved;
    // null on omit
    delete next.startDate; delete next.expiryDate; delete next.recipientIntegrationId;
    if (u.startDate) next.startDate = utc(u.startDate);
    if (u.expiryDate) next.expiryDate = utc(u.expiryDate);
    if (u.recipientIntegrationId) next.recipientIntegrationId = u.recipientIntegrationId;
    return saveCoupon(sql, next);
  });
}

export interface UpdateCouponBatchInput {
  usageLimit?: number; discountLimit?: number; reservationLimit?: number; startDate?: string | null; expiryDate?: string | null;
  attributes?: Record<string, unknown>; batchID?: string;
}

/** Every coupon of the campaign, or of one batch when `batchID` is given. Returns how many changed. */
export function updateCouponBatch(ctx: ServiceContext, applicationId: number, campaignId: number, u: UpdateCouponBatchInput): Promise<number> {
  checkDates(u.startDate, u.expiryDate);
  return ctx.db.transaction(async (sql) => {
    await loadCampaignOf(ctx, sql, applicationId, campaignId);
    checkAttributes(await loadDefinitions(ctx, sql), 'Coupon', u.attributes, '/attributes');
    const change: CouponBatchUpdate = { startDate: u.startDate ? utc(u.startDate) : null, expiryDate: u.expiryDate ? utc(u.expiryDate) : null };
    if (u.usageLimit !== undefined) change.usageLimit = u.usageLimit;
    if (u.discountLimit !== undefined) change.discountLimit = dec(u.discountLimit).toString();
    if (u.reservationLimit !== undefined) change.reservationLimit = u.reservationLimit;
    if (u.attributes !== undefined) change.attributes = u.attributes;
    return updateCouponsOfCampaign(sql, applicationId, campaignId, u.batchID, change);
  });
}
