/** Coupons: request and response shapes of 25.17 (docs/coupons.md; the wire form of a coupon: http/shape.ts). */
import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, Attributes, DateTime, Int64, MAX, Nullable, ref } from './common.js';

const PATTERN = '^[A-Za-z0-9._%+@#-]+$';
const UsageLimit = () => Int64({ minimum: 0, maximum: 999999 });
const DiscountLimit = () => Type.Number({ minimum: 0, maximum: 1e15 });
const constraints = {
  usageLimit: UsageLimit(),
  discountLimit: Type.Optional(DiscountLimit()),
  reservationLimit: Type.Optional(Int64({ minimum: 0, maximum: 999999 })),
  startDate: Type.Optional(DateTime()),
  expiryDate: Type.Optional(DateTime()),
};
const generator = {
  validCharacters: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 10 }), { minItems: 1, maxItems: MAX.characters })),
  couponPattern: Type.Optional(Type.String({ minLength: 3, maxLength: 100, pattern: PATTERN })),
};

export const NewCoupons = Type.Object({
  ...constraints, ...generator,
  limits: Type.Optional(Type.Array(Type.Ref('LimitConfig'), { maxItems: MAX.small })),
  numberOfCoupons: Int64({ minimum: 1, maximum: 200_000, description: 'At most 20,000 without uniquePrefix (docs/limits.md)' }),
  uniquePrefix: Type.Optional(Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9._%+@-]*$', description: 'Deprecated: a literal prefix of every generated code' })),
  attributes: Type.Optional(Attributes()),
  recipientIntegrationId: Type.Optional(Type.String({ maxLength: 1000 })),
  isReservationMandatory: Type.Optional(Type.Boolean({ default: false })),
  implicitlyReserved: Type.Optional(Type.Boolean()),
}, { $id: 'NewCoupons' });
export type NewCoupons = Static<typeof NewCoupons>;

export const NewCouponsForMultipleRecipients = Type.Object({
  ...constraints, ...generator,
  attributes: Type.Optional(Attributes()),
  recipientsIntegrationIds: Type.Array(Type.String({ maxLength: 1000 }), { minItems: 1, maxItems: 1000 }),
}, { $id: 'NewCouponsForMultipleRecipients' });
export type NewCouponsForMultipleRecipients = Static<typeof NewCouponsForMultipleRecipients>;

export const UpdateCoupon = Type.Object({
  usageLimit: Type.Optional(UsageLimit()),
  discountLimit: Type.Optional(DiscountLimit()),
  reservationLimit: Type.Optional(Int64({ minimum: 0, maximum: 999999 })),
  startDate: Type.Optional(Nullable(DateTime())),
  expiryDate: Type.Optional(Nullable(DateTime())),
  limits: Type.Optional(Type.Array(Type.Ref('LimitConfig'), { maxItems: MAX.small })),
  recipientIntegrationId: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  attributes: Type.Optional(Attributes()),
  isReservationMandatory: Type.Optional(Type.Boolean()),
  implicitlyReserved: Type.Optional(Type.Boolean()),
}, { $id: 'UpdateCoupon', description: 'PUT: startDate, expiryDate and recipientIntegrationId are set to null when omitted' });
export type UpdateCoupon = Static<typeof UpdateCoupon>;

export const UpdateCouponBatch = Type.Object({
  usageLimit: Type.Optional(UsageLimit()),
  discountLimit: Type.Optional(DiscountLimit()),
  reservationLimit: Type.Optional(Int64({ minimum: 0, maximum: 999999 })),
  startDate: Type.Optional(Nullable(DateTime())),
  expiryDate: Type.Optional(Nullable(DateTime())),
  attributes: Type.Optional(Attributes()),
  batchID: Type.Optional(Type.String({ maxLength: MAX.name })),
}, { $id: 'UpdateCouponBatch', description: 'PUT: startDate and expiryDate are set to null when omitted; without batchID every coupon of the campaign' });
export type UpdateCouponBatch = Static<typeof UpdateCouponBatch>;

export const CouponReservations = Type.Object({
  integrationIDs: Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 1000 }),
}, { $id: 'CouponReservations' });
export type CouponReservations = Static<typeof CouponReservations>;

const couponProps = {
  id: Int64(), created: DateTime(), campaignId: Int64(), value: Type.String(),
  usageLimit: Int64(), discountLimit: Type.Optional(Type.Number()), reservationLimit: Type.Optional(Int64()),
  startDate: Type.Optional(DateTime()), expiryDate: Type.Optional(DateTime()), limits: Type.Array(Type.Ref('LimitConfig')),
  usageCounter: Int64(), discountCounter: Type.Number(), discountRemainder: Type.Optional(Type.Number()), reservationCounter: Type.Number(),
  attributes: AnyObject(), referralId: Type.Optional(Int64()), recipientIntegrationId: Type.Optional(Type.String()), importId: Type.Optional(Int64()),
  reservation: Type.Boolean(), batchId: Type.Optional(Type.String()), isReservationMandatory: Type.Boolean(), implicitlyReserved: Type.Boolean(),
};
const Coupon = Type.Object(couponProps, { $id: 'Coupon' });
const InventoryCoupon = Type.Object({ ...couponProps, profileRedemptionCount: Int64(), state: Type.String({ enum: ['active', 'used', 'expired', 'pending', 'disabled'] }) },
  { $id: 'InventoryCoupon' });

const InventoryReferral = Type.Object({
  id: Int64(), created: DateTime(), startDate: Type.Optional(DateTime()), expiryDate: Type.Optional(DateTime()), usageLimit: Int64(), campaignId: Int64(),
  advocateProfileIntegrationId: Type.String(), friendProfileIntegrationId: Type.Optional(Type.String()), attributes: AnyObject(),
  importId: Type.Optional(Int64()), code: Type.String(), usageCounter: Int64(), batchId: Type.Optional(Type.String()), referredCustomers: Type.Array(Type.String()),
}, { $id: 'InventoryReferral' });

const CustomerInventory = Type.Object({
  profile: Type.Optional(Type.Ref('CustomerProfile')),
  loyalty: Type.Optional(AnyObject()),
  referrals: Type.Optional(Type.Array(ref(InventoryReferral))),
  coupons: Type.Optional(Type.Array(ref(InventoryCoupon))),
  giveaways: Type.Optional(Type.Array(AnyObject())),
  achievements: Type.Optional(Type.Array(AnyObject())),
}, { $id: 'CustomerInventory' });

const Import = Type.Object({
  id: Int64(), created: DateTime(), accountId: Int64(), userId: Int64(), entity: Type.String(), amount: Int64({ minimum: 0 }),
}, { $id: 'Import' });

/** `inline_response_200_11`: createCoupons with silent=no. */
const CouponList = Type.Object({ totalResultSize: Int64(), data: Type.Array(ref(Coupon)) }, { $id: 'CouponList' });
/** `inline_response_200_12`: the …WithoutTotalCount listings. */
const CouponPageNoTotal = Type.Object({ hasMore: Type.Boolean(), data: Type.Array(ref(Coupon)) }, { $id: 'CouponPageNoTotal' });
/** `inline_response_200_1`: getReservedCustomers. */
const ReservedCustomers = Type.Object({ totalResultSize: Int64(), data: Type.Array(Type.Ref('CustomerProfile')) }, { $id: 'ReservedCustomers' });

export const couponSchemas = [NewCoupons, NewCouponsForMultipleRecipients, UpdateCoupon, UpdateCouponBatch, CouponReservations, Coupon, InventoryCoupon,
  InventoryReferral, CustomerInventory, Import, CouponList, CouponPageNoTotal, ReservedCustomers];
