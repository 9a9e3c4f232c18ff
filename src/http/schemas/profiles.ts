/** Integration API: customer profiles and custom events, as in Talon.One 25.17 (docs/profiles-and-events.md). */
import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, Int64, ref, StringEnum } from './common.js';

const PROFILE_RESPONSE_CONTENT = ['customerProfile', 'triggeredCampaigns', 'loyalty', 'event', 'awardedGiveaways', 'ruleFailureReasons'] as const;
const responseContent = Type.Array(StringEnum(PROFILE_RESPONSE_CONTENT));

const ProfileAudiencesChanges = Type.Object({ adds: Type.Array(Int64()), deletes: Type.Array(Int64()) }, { $id: 'ProfileAudiencesChanges' });

export const CustomerProfileIntegrationRequestV2 = Type.Object({
  attributes: Type.Optional(AnyObject()),
  evaluableCampaignIds: Type.Optional(Type.Array(Int64())),
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
  profileId: Type.Optional(Type.String({ description: 'Required in practice (400 when missing or empty), as in Talon.One.' })),
  storeIntegrationId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  evaluableCampaignIds: Type.Optional(Type.Array(Int64())),
  type: Type.String({ minLength: 1 }),
  attributes: Type.Optional(AnyObject()),
  responseContent: Type.Optional(responseContent),
  loyaltyCards: Type.Optional(Type.Array(Type.String(), { maxItems: 1 })),
}, { $id: 'IntegrationEventV2Request' });
export type IntegrationEventV2Request = Static<typeof IntegrationEventV2Request>;

const IntegrationEventV2Response = Type.Object(stateProps, { $id: 'IntegrationEventV2Response' });

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
  IntegrationEventV2Request, IntegrationEventV2Response];
