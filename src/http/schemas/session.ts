import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, Attributes, DateTime, Effect, Int64, MAX, Nullable, ref, StringEnum } from './common.js';

const SESSION_STATES = ['open', 'closed', 'partially_returned', 'cancelled'] as const;
const StateEnum = StringEnum(SESSION_STATES, { default: 'open' });
/** `state` in a request: `nullable` alone does not admit null past `enum`, so null is listed too (null = absent: docs/sessions.md, "`null` means absent"). */
const NullableStateEnum = Type.Unsafe<(typeof SESSION_STATES)[number] | null>({ type: 'string', enum: [...SESSION_STATES, null], nullable: true, default: 'open' });

const AdditionalCost = Type.Object({ price: Type.Number() }, { $id: 'AdditionalCost' });
const AdditionalCosts = Type.Record(Type.String(), ref(AdditionalCost), { maxProperties: MAX.small });
const Product = Type.Object({ name: Type.String({ maxLength: MAX.name }) }, { $id: 'Product' });
const ExperimentVariantAllocation = Type.Object({ experimentID: Int64(), variantID: Int64() }, { $id: 'ExperimentVariantAllocation' });

const cartItemInputProps = {
  name: Type.Optional(Type.String({ maxLength: MAX.name })),
  sku: Type.String({ minLength: 1, maxLength: MAX.name }),
  quantity: Int64({ minimum: 1 }),
  price: Type.Optional(Type.Number()),
  category: Type.Optional(Type.String({ maxLength: MAX.name })),
  product: Type.Optional(ref(Product)),
  weight: Type.Optional(Type.Number()),
  height: Type.Optional(Type.Number()),
  width: Type.Optional(Type.Number()),
  length: Type.Optional(Type.Number()),
  attributes: Type.Optional(Attributes()),
  additionalCosts: Type.Optional(AdditionalCosts),
};

const CartItem = Type.Object({
  ...cartItemInputProps,
  attributes: Type.Optional(AnyObject()),
  returnedQuantity: Type.Optional(Int64({ readOnly: true })),
  remainingQuantity: Type.Optional(Int64({ readOnly: true })),
  position: Type.Optional(Type.Number({ readOnly: true })),
}, { $id: 'CartItem' });

/** Every property may also be null, which the service treats as absent (docs/sessions.md, "`null` means absent"). */
const NewCustomerSessionV2 = Type.Object({
  profileId: Type.Optional(Nullable(Type.String({ maxLength: MAX.name }))),
  storeIntegrationId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 1000 }))),
  evaluableCampaignIds: Type.Optional(Nullable(Type.Array(Int64(), { maxItems: MAX.ids }))),
  couponCodes: Type.Optional(Nullable(Type.Array(Type.String({ maxLength: 100 }), { maxItems: MAX.couponCodes }))),
  referralCode: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  loyaltyCards: Type.Optional(Nullable(Type.Array(Type.String({ maxLength: MAX.name }), { maxItems: 1 }))),
  state: Type.Optional(NullableStateEnum),
  cartItems: Type.Optional(Nullable(Type.Array(Type.Object(cartItemInputProps), { maxItems: 1000 }))),
  experimentVariantAllocations: Type.Optional(Nullable(Type.Array(ref(ExperimentVariantAllocation), { maxItems: MAX.small }))),
  additionalCosts: Type.Optional(Nullable(AdditionalCosts)),
  identifiers: Type.Optional(Nullable(Type.Array(Type.String({ maxLength: MAX.name }), { maxItems: 5 }))),
  attributes: Type.Optional(Nullable(Attributes())),
}, { $id: 'NewCustomerSessionV2' });

const RESPONSE_CONTENT = ['customerSession', 'customerProfile', 'coupons', 'triggeredCampaigns', 'referral', 'loyalty', 'event',
  'awardedGiveaways', 'ruleFailureReasons', 'previousReturns'] as const;
const RETURN_RESPONSE_CONTENT = ['customerSession', 'customerProfile', 'coupons', 'triggeredCampaigns', 'referral', 'loyalty', 'event', 'previousReturns'] as const;
const responseContentOf = (values: readonly string[]) => Type.Array(StringEnum(values), { maxItems: MAX.responseContent });

export const IntegrationRequest = Type.Object({
  customerSession: NewCustomerSessionV2,
  responseContent: Type.Optional(responseContentOf(RESPONSE_CONTENT)),
}, { $id: 'IntegrationRequest' });
export type IntegrationRequest = Static<typeof IntegrationRequest>;

const CustomerSessionV2 = Type.Object({
  id: Int64(), created: DateTime(), integrationId: Type.String({ maxLength: 1000 }), applicationId: Int64(), profileId: Type.String(),
  storeIntegrationId: Type.Optional(Type.String()), evaluableCampaignIds: Type.Optional(Type.Array(Int64())),
  couponCodes: Type.Array(Type.String()), referralCode: Type.String(), loyaltyCards: Type.Array(Type.String()),
  state: StateEnum, cartItems: Type.Array(ref(CartItem)),
  experimentVariantAllocations: Type.Optional(Type.Array(ref(ExperimentVariantAllocation))),
  additionalCosts: AdditionalCosts, identifiers: Type.Array(Type.String()), attributes: AnyObject(),
  firstSession: Type.Boolean(), updateCount: Int64(), total: Type.Number(), cartItemTotal: Type.Number(), additionalCostTotal: Type.Number(),
  updated: DateTime(),
}, { $id: 'CustomerSessionV2' });

const CustomerProfile = Type.Object({
  id: Int64(), created: DateTime(), integrationId: Type.String(), attributes: AnyObject(), accountId: Int64(),
  closedSessions: Int64(), totalSales: Type.Number(), loyaltyMemberships: Type.Optional(Type.Array(AnyObject())),
  audienceMemberships: Type.Optional(Type.Array(AnyObject())), lastActivity: DateTime(), sandbox: Type.Optional(Type.Boolean()),
}, { $id: 'CustomerProfile' });

const Event = Type.Object({
  id: Int64(), created: DateTime(), applicationId: Int64(), profileId: Type.Optional(Type.String()),
  storeIntegrationId: Type.Optional(Type.String()), type: Type.String(), attributes: AnyObject(), sessionId: Type.Optional(Type.String()),
  effects: Type.Array(AnyObject()), ledgerEntries: Type.Optional(Type.Array(AnyObject())), meta: Type.Optional(AnyObject()),
}, { $id: 'Event' });

const ReturnedCartItem = Type.Object({
  position: Type.Optional(Int64({ minimum: 0 })), quantity: Type.Optional(Int64({ minimum: 1 })), sku: Type.Optional(Type.String({ minLength: 1, maxLength: MAX.name })),
}, { $id: 'ReturnedCartItem' });

const Return = Type.Object({
  id: Int64(), created: DateTime(), applicationId: Int64(), accountId: Int64(), returnedCartItems: Type.Array(ref(ReturnedCartItem)),
  eventId: Int64(), sessionId: Int64(), sessionIntegrationId: Type.String(), profileId: Type.Optional(Int64()),
  profileIntegrationId: Type.Optional(Type.String()), createdBy: Type.Optional(Int64()),
}, { $id: 'Return' });

export const ReturnIntegrationRequest = Type.Object({
  return: Type.Object({ returnedCartItems: Type.Array(ref(ReturnedCartItem), { maxItems: 1000 }) }),
  responseContent: Type.Optional(responseContentOf(RETURN_RESPONSE_CONTENT)),
}, { $id: 'ReturnIntegrationRequest' });
export type ReturnIntegrationRequest = Static<typeof ReturnIntegrationRequest>;

const IntegrationStateV2 = Type.Object({
  effects: Type.Array(ref(Effect)),
  createdCoupons: Type.Array(AnyObject()),
  createdReferrals: Type.Array(AnyObject()),
  customerSession: Type.Optional(ref(CustomerSessionV2)),
  customerProfile: Type.Optional(ref(CustomerProfile)),
  event: Type.Optional(ref(Event)),
  triggeredCampaigns: Type.Optional(Type.Array(AnyObject())),
  ruleFailureReasons: Type.Optional(Type.Array(AnyObject())),
  coupons: Type.Optional(Type.Array(AnyObject())),
  referral: Type.Optional(AnyObject()),
  loyalty: Type.Optional(AnyObject()),
  awardedGiveaways: Type.Optional(Type.Array(AnyObject())),
  return: Type.Optional(ref(Return)),
  previousReturns: Type.Optional(Type.Array(ref(Return))),
}, { $id: 'IntegrationStateV2' });

const IntegrationCustomerSessionResponse = Type.Object({
  customerSession: ref(CustomerSessionV2), effects: Type.Array(ref(Effect)),
}, { $id: 'IntegrationCustomerSessionResponse' });

const ReopenSessionResponse = Type.Object({ effects: Type.Array(ref(Effect)) }, { $id: 'ReopenSessionResponse' });

export const SessionIdParams = Type.Object({ customerSessionId: Type.String({ minLength: 1, maxLength: 1000 }) });
export const UpdateSessionQuery = Type.Object({ dry: Type.Optional(Type.Boolean()), now: Type.Optional(Type.String({ format: 'date-time' })) });
export const ReturnQuery = Type.Object({ dry: Type.Optional(Type.Boolean()), runRuleEngine: Type.Optional(Type.Boolean()) });

export const sessionSchemas = [AdditionalCost, Product, ExperimentVariantAllocation, CartItem, NewCustomerSessionV2, IntegrationRequest,
  CustomerSessionV2, CustomerProfile, Event, ReturnedCartItem, Return, ReturnIntegrationRequest, IntegrationStateV2,
  IntegrationCustomerSessionResponse, ReopenSessionResponse];
