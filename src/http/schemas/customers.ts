/** Customer data (Management API): Application sessions and customers, as in Talon.One 25.17. */
import { Type } from '@sinclair/typebox';
import { AnyObject, DateTime, Int64, ref, StringEnum } from './common.js';

const ApplicationSession = Type.Object({
  id: Int64(), created: DateTime(), integrationId: Type.String({ maxLength: 1000 }),
  storeIntegrationId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  applicationId: Int64(),
  profileId: Type.Optional(Int64({ description: 'Internal id of the customer profile; absent for anonymous sessions.' })),
  profileintegrationid: Type.Optional(Type.String({ maxLength: 1000 })),
  coupon: Type.String({ description: 'The session\'s coupon codes, comma-separated.' }),
  referral: Type.String(),
  state: StringEnum(['open', 'closed', 'partially_returned', 'cancelled']),
  cartItems: Type.Array(Type.Ref('CartItem')),
  discounts: Type.Record(Type.String(), Type.Number()),
  totalDiscounts: Type.Number(),
  total: Type.Number(),
  attributes: Type.Optional(AnyObject()),
}, { $id: 'ApplicationSession' });

/** 25.17 inline_response_200_31 */
const ApplicationSessionPage = Type.Object({
  hasMore: Type.Optional(Type.Boolean()), data: Type.Array(ref(ApplicationSession)),
}, { $id: 'ApplicationSessionPage' });

const ApplicationCustomer = Type.Object({
  id: Int64(), created: DateTime(), integrationId: Type.String({ maxLength: 1000 }), attributes: AnyObject(), accountId: Int64(),
  closedSessions: Int64(), totalSales: Type.Number(), loyaltyMemberships: Type.Optional(Type.Array(AnyObject())),
  audienceMemberships: Type.Optional(Type.Array(AnyObject())), lastActivity: DateTime(), sandbox: Type.Optional(Type.Boolean()),
  advocateIntegrationId: Type.Optional(Type.String({ maxLength: 1000 })),
}, { $id: 'ApplicationCustomer' });

const SESSION_SORTS = ['created', '-created', 'id', '-id'] as const;

export const ApplicationSessionsQuery = Type.Object({
  pageSize: Type.Optional(Int64({ minimum: 1, maximum: 1000, default: 1000 })),
  skip: Type.Optional(Int64({ minimum: 0, default: 0 })),
  sort: Type.Optional(StringEnum(SESSION_SORTS)),
  partialMatch: Type.Optional(Type.Boolean({ default: false })),
  profile: Type.Optional(Type.String()),
  state: Type.Optional(StringEnum(['open', 'closed', 'partially_returned', 'cancelled'])),
  createdBefore: Type.Optional(DateTime()),
  createdAfter: Type.Optional(DateTime()),
  coupon: Type.Optional(Type.String()),
  referral: Type.Optional(Type.String()),
  integrationId: Type.Optional(Type.String()),
  storeIntegrationId: Type.Optional(Type.String()),
});

export const ApplicationSessionParams = Type.Object({ applicationId: Int64({ minimum: 1 }), sessionId: Int64({ minimum: 1 }) });
export const ApplicationCustomerParams = Type.Object({ applicationId: Int64({ minimum: 1 }), customerId: Int64({ minimum: 1 }) });
export const CustomerParams = Type.Object({ customerId: Int64({ minimum: 1 }) });

export const customerSchemas = [ApplicationSession, ApplicationSessionPage, ApplicationCustomer];
