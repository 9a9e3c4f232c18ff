/** Integration API: customer profiles and custom events, as in Talon.One 25.17, and the v1 trackEvent of talon_one 4.3.0 (docs/profiles-and-events.md). */
import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, Attributes, DateTime, Int64, MAX, ref, StringEnum } from './common.js';

const PROFILE_RESPONSE_CONTENT = ['customerProfile', 'triggeredCampaigns', 'loyalty', 'event', 'awardedGiveaways', 'ruleFailureReasons'] as const;
const responseContent = Type.Array(StringEnum(PROFILE_RESPONSE_CONTENT), { maxItems: MAX.responseContent });
const campaignIds = Type.Array(Int64(), { maxItems: MAX.ids });

const ProfileAudiencesChanges = Type.Object({ adds: Type.Array(Int64(), { maxItems: MAX.ids }), deletes: Type.Array(Int64(), { maxItems: MAX.ids }) }, { $id: 'ProfileAudiencesChanges' });

export const CustomerProfileIntegrationRequestV2 = Type.Object({
  attributes: Type.Optional(Attributes()),
  evaluableCampaignIds: Type.Optional(campaignIds),
  responseContent: Type.Optional(responseContent),
  audiencesChanges: Type.Optional(ref(ProfileAudiencesChanges)),
}, { $id: 'CustomerProfileIntegrationRequestV2' });
export type CustomerProfileIntegrationRequestV2 = Static<typeof CustomerProfileIntegrationRequestV2>;

const stateProps = {
  customerProfile: Type.Optional(Type.Ref('CustomerProfile')),
  event: Type.Optional(Type.Ref('Event')),
  loyalty: Type.Optional(AnyObject()),
  triggeredCampaigns: Type.Optional(Type.Array(AnyObject())),
  ruleFailureReasons: Type.Optional(Type.Array(AnyObject())),
  awardedGiveaways: Type.Optional(Type.Array(AnyObject())),
  effects: Type.Array(Type.Ref('Effect')),
  createdCoupons: Type.Array(AnyObject()),
  createdReferrals: Type.Array(AnyObject()),
};

const CustomerProfileIntegrationResponseV2 = Type.Object(stateProps, { $id: 'CustomerProfileIntegrationResponseV2' });

export const IntegrationEventV2Request = Type.Object({
  profileId: Type.Optional(Type.String({ maxLength: MAX.name, description: 'Required in practice (400 when missing or empty), as in Talon.One.' })),
  storeIntegrationId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  evaluableCampaignIds: Type.Optional(campaignIds),
  type: Type.String({ minLength: 1, maxLength: MAX.name }),
  attributes: Type.Optional(Attributes()),
  responseContent: Type.Optional(responseContent),
  loyaltyCards: Type.Optional(Type.Array(Type.String({ maxLength: MAX.name }), { maxItems: 1 })),
}, { $id: 'IntegrationEventV2Request' });
export type IntegrationEventV2Request = Static<typeof IntegrationEventV2Request>;

const IntegrationEventV2Response = Type.Object(stateProps, { $id: 'IntegrationEventV2Response' });

/** The v1 trackEvent's body (25.17 still defines it): an event always names a session. */
export const NewEvent = Type.Object({
  profileId: Type.Optional(Type.String({ maxLength: MAX.name, description: 'Required in practice (400 when missing or empty), as for trackEventV2.' })),
  storeIntegrationId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  type: Type.String({ minLength: 1, maxLength: MAX.name }),
  attributes: Attributes(),
  sessionId: Type.String({ minLength: 1, maxLength: MAX.name, description: 'Recorded on the event; the session is not created (docs/profiles-and-events.md).' }),
}, { $id: 'NewEvent' });
export type NewEvent = Static<typeof NewEvent>;

/** The v1 session view (`CustomerSession`): one coupon string, discounts by name. */
const CustomerSession = Type.Object({
  integrationId: Type.String({ maxLength: 1000 }), created: DateTime(), applicationId: Int64(), profileId: Type.String(),
  coupon: Type.String(), referral: Type.String(), state: StringEnum(['open', 'closed', 'partially_returned', 'cancelled']),
  cartItems: Type.Array(Type.Ref('CartItem')), identifiers: Type.Optional(Type.Array(Type.String())), total: Type.Number(),
  attributes: AnyObject(), firstSession: Type.Boolean(), updateCount: Int64(), discounts: Type.Record(Type.String(), Type.Number()), updated: DateTime(),
}, { $id: 'CustomerSession' });

/** The v1 trackEvent's answer. `session` only when the named session exists (docs/profiles-and-events.md). */
const IntegrationState = Type.Object({
  session: Type.Optional(ref(CustomerSession)), profile: Type.Ref('CustomerProfile'), event: Type.Ref('Event'),
  loyalty: Type.Optional(AnyObject()), coupon: Type.Optional(Type.Ref('Coupon')),
}, { $id: 'IntegrationState' });

export const TrackEventV1Query = Type.Object({ dry: Type.Optional(Type.Boolean()) });

export const ProfileIdParams = Type.Object({ integrationId: Type.String({ minLength: 1, maxLength: 1000 }) });
export const UpdateProfileQuery = Type.Object({
  runRuleEngine: Type.Optional(Type.Boolean({ default: false })), dry: Type.Optional(Type.Boolean()),
});
export const TrackEventQuery = Type.Object({
  silent: Type.Optional(StringEnum(['yes', 'no'], { default: 'yes' })),
  dry: Type.Optional(Type.Boolean()),
  forceCompleteEvaluation: Type.Optional(Type.Boolean({ default: false })),
});

export const profileSchemas = [ProfileAudiencesChanges, CustomerProfileIntegrationRequestV2, CustomerProfileIntegrationResponseV2,
  IntegrationEventV2Request, IntegrationEventV2Response, NewEvent, CustomerSession, IntegrationState];
