import { Type, type Static } from '@sinclair/typebox';
import type { RefereeRecord } from '../../services/referrals/friends.js';
import { AnyObject, Attributes, DateTime, Int64, MAX, Nullable, PageQuery, ref, StringEnum } from './common.js';

const usageLimit = Int64({ minimum: 0, maximum: 999_999 });
const advocateId = Type.String({ minLength: 1, maxLength: 1000 });

export const NewReferral = Type.Object({
  startDate: Type.Optional(DateTime()),
  expiryDate: Type.Optional(DateTime()),
  usageLimit: Type.Optional(usageLimit),
  campaignId: Int64({ minimum: 1 }),
  advocateProfileIntegrationId: advocateId,
  friendProfileIntegrationId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  attributes: Type.Optional(Attributes()),
}, { $id: 'NewReferral' });
export type NewReferral = Static<typeof NewReferral>;

export const NewReferralsForMultipleAdvocates = Type.Object({
  startDate: Type.Optional(DateTime()),
  expiryDate: Type.Optional(DateTime()),
  usageLimit,
  campaignId: Int64({ minimum: 1 }),
  advocateProfileIntegrationIds: Type.Array(advocateId, { minItems: 1, maxItems: 1000 }),
  attributes: Type.Optional(Attributes()),
  validCharacters: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1, pattern: '^[^#\\s]$' }), { minItems: 1, maxItems: MAX.characters })),
  referralPattern: Type.Optional(Type.String({ minLength: 3, maxLength: 100, pattern: '^[A-Za-z0-9._%+@#-]+$' })),
}, { $id: 'NewReferralsForMultipleAdvocates' });
export type NewReferralsForMultipleAdvocates = Static<typeof NewReferralsForMultipleAdvocates>;

export const UpdateReferral = Type.Object({
  friendProfileIntegrationId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 1000 }))),
  startDate: Type.Optional(Nullable(DateTime())),
  expiryDate: Type.Optional(Nullable(DateTime())),
  usageLimit: Type.Optional(usageLimit),
  attributes: Type.Optional(Attributes()),
}, { $id: 'UpdateReferral', description: 'Omitted fields keep their value; null clears startDate, expiryDate or friendProfileIntegrationId.' });
export type UpdateReferral = Static<typeof UpdateReferral>;

const Referral = Type.Object({
  id: Int64(), created: DateTime(), startDate: Type.Optional(DateTime()), expiryDate: Type.Optional(DateTime()), usageLimit,
  campaignId: Int64(), advocateProfileIntegrationId: Type.String(), friendProfileIntegrationId: Type.Optional(Type.String()),
  attributes: Type.Optional(AnyObject()), importId: Type.Optional(Int64()), code: Type.String(), usageCounter: Int64(), batchId: Type.Optional(Type.String()),
}, { $id: 'Referral' });

const ReferralPage = Type.Object({ hasMore: Type.Boolean(), data: Type.Array(ref(Referral)) }, { $id: 'ReferralPage' });
const ReferralBatch = Type.Object({ totalResultSize: Int64(), data: Type.Array(ref(Referral)) }, { $id: 'ReferralBatch' });

const ApplicationReferee = Type.Object({
  applicationId: Int64(), sessionId: Type.String(), advocateIntegrationId: Type.String(), friendIntegrationId: Type.String(), code: Type.String(), created: DateTime(),
}, { $id: 'ApplicationReferee' });
const ApplicationRefereePage = Type.Object({
  hasMore: Type.Optional(Type.Boolean()), totalResultSize: Type.Optional(Int64()), data: Type.Array(ref(ApplicationReferee)),
}, { $id: 'ApplicationRefereePage' });

const ReferralImport = Type.Object({
  id: Int64(), created: DateTime(), accountId: Int64(), userId: Int64(), entity: Type.String(), amount: Int64({ minimum: 0 }),
}, { $id: 'ReferralImport', title: 'Import' });

const valid = Type.Optional(StringEnum(['expired', 'validNow', 'validFuture']));
const usable = Type.Optional(StringEnum(['true', 'false']));

export const ReferralListQuery = Type.Object({
  ...PageQuery,
  code: Type.Optional(Type.String()),
  createdBefore: Type.Optional(DateTime()),
  createdAfter: Type.Optional(DateTime()),
  valid, usable,
  advocate: Type.Optional(Type.String()),
});

export const ReferralExportQuery = Type.Object({
  campaignId: Type.Optional(Int64({ minimum: 1 })),
  createdBefore: Type.Optional(DateTime()),
  createdAfter: Type.Optional(DateTime()),
  valid, usable,
  batchId: Type.Optional(Type.String()),
  dateFormat: Type.Optional(StringEnum(['excel', 'ISO8601'])),
});

export const FriendsQuery = Type.Object({ ...PageQuery, withTotalResultSize: Type.Optional(Type.Boolean()) });

export function wireReferee(r: RefereeRecord): Record<string, unknown> {
  return { applicationId: r.applicationId, sessionId: r.sessionIntegrationId, advocateIntegrationId: r.advocate, friendIntegrationId: r.friend, code: r.code, created: r.created };
}

export const referralSchemas = [NewReferral, NewReferralsForMultipleAdvocates, UpdateReferral, Referral, ReferralPage, ReferralBatch, ApplicationReferee, ApplicationRefereePage, ReferralImport];
