/** createCoupons and createCouponsForMultipleRecipients: generated codes, one transaction (docs/coupons.md). */
import type { LimitConfig } from '../../domain/campaign.js';
import type { Coupon, NewCouponRecord } from '../../domain/coupon.js';
import { invalidField, Title } from '../../domain/errors.js';
import { dec } from '../../domain/money.js';
import { checkAttributes } from '../definitions/validate.js';
import { loadDefinitions } from '../definitions/load.js';
import type { ServiceContext } from '../context.js';
import { couponCodeSpec, insertGeneratedCoupons } from './codes.js';
import { checkCouponLimits, checkDates, loadCampaignOf, newBatchId, requireCouponFeature, utc } from './common.js';

/** Sync creation is capped: 20 000 codes, 200 000 with the deprecated `uniquePrefix` (docs/coupons.md). */
const MAX_SYNC = 20_000;
const MAX_SYNC_WITH_PREFIX = 200_000;

interface CouponConstraints {
  usageLimit: number; discountLimit?: number; reservationLimit?: number; startDate?: string; expiryDate?: string;
  attributes?: Record<string, unknown>; couponPattern?: string; validCharacters?: string[];
}
export interface NewCouponsInput extends CouponConstraints {
  numberOfCoupons: number; uniquePrefix?: string; recipientIntegrationId?: string; limits?: LimitConfig[];
  isReservationMandatory?: boolean; implicitlyReserved?: boolean;
}
export interface NewCouponsForRecipientsInput extends CouponConstraints { recipientsIntegrationIds: string[] }

/** One shared record per call: what every generated coupon of the call carries. */
function baseRecord(applicationId: number, campaignId: number, c: CouponConstraints, now: string, batchId: string): Omit<NewCouponRecord, 'value'> {
  const r: Omit<NewCouponRecord, 'value'> = {
    applicationId, campaignId, created: now, usageLimit: c.usageLimit, attributes: c.attributes ?? {}, limits: [], batchId,
    isReservationMandatory: false, implicitlyReserved: false,
  };
  if (c.discountLimit !== undefined) r.discountLimit = dec(c.discountLimit);
  if (c.reservationLimit !== undefined) r.reservationLimit = c.reservationLimit;
  if (c.startDate !== undefined) r.startDate = utc(c.startDate);
  if (c.expiryDate !== undefined) r.expiryDate = utc(c.expiryDate);
  return r;
}

export interface Created { count: number; coupons: Coupon[] }

export function createCoupons(ctx: ServiceContext, applicationId: number, campaignId: number, input: NewCouponsInput, returnCoupons: boolean): Promise<Created> {
  const max = input.uniquePrefix ? MAX_SYNC_WITH_PREFIX : MAX_SYNC;
  if (input.numberOfCoupons > max) {
    throw invalidField('/numberOfCoupons', Title.invalidValue, `At most ${max} coupons can be created per call; use an import for more`);
  }
  if (input.limits?.length && (input.numberOfCoupons !== 1 || input.recipientIntegrationId !== undefined)) {
    throw invalidField('/limits', Title.invalidValue, 'limits can only be set when creating a single coupon without recipientIntegrationId');
  }
  checkCouponLimits(input.limits);
  checkDates(input.startDate, input.expiryDate);
  return ctx.db.transaction(async (sql) => {
    const { app, campaign } = await loadCampaignOf(ctx, sql, applicationId, campaignId);
    requireCouponFeature(campaign);
    checkAttributes(await loadDefinitions(ctx, sql), 'Coupon', input.attributes, '/attributes');
    const spec = couponCodeSpec(app, campaign, input);
    const base = baseRecord(applicationId, campaignId, input, ctx.now().toISOString(), newBatchId());
    base.limits = input.limits ?? [];
    base.isReservationMandatory = input.isReservationMandatory ?? false;
    base.implicitlyReserved = input.implicitlyReserved ?? false;
    if (input.recipientIntegrationId !== undefined) base.recipientIntegrationId = input.recipientIntegrationId;
    const records = new Array<typeof base>(input.numberOfCoupons).fill(base);
    return insertGeneratedCoupons(sql, spec, records, returnCoupons ? 'rows' : 'count');
  });
}

export function createCouponsForRecipients(ctx: ServiceContext, applicationId: number, campaignId: number, input: NewCouponsForRecipientsInput, returnCoupons: boolean): Promise<Created> {
  checkDates(input.startDate, input.expiryDate);
  input.recipientsIntegrationIds.forEach((id, i) => {
    if (id === '') throw invalidField(`/recipientsIntegrationIds/${i}`, Title.invalidValue, 'A recipient integration ID must not be empty');
  });
  return ctx.db.transaction(async (sql) => {
    const { app, campaign } = await loadCampaignOf(ctx, sql, applicationId, campaignId);
    requireCouponFeature(campaign);
    checkAttributes(await loadDefinitions(ctx, sql), 'Coupon', input.attributes, '/attributes');
    const spec = couponCodeSpec(app, campaign, input);
    const base = baseRecord(applicationId, campaignId, input, ctx.now().toISOString(), newBatchId());
    // one code per distinct recipient, in the order given
    const records = [...new Set(input.recipientsIntegrationIds)].map((recipientIntegrationId) => ({ ...base, recipientIntegrationId }));
    return insertGeneratedCoupons(sql, spec, records, returnCoupons ? 'rows' : 'count');
  });
}
