import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, Attributes, DateTime, Int64, MAX, Page, ref, StringEnum } from './common.js';

const caseSensitivity = StringEnum(['sensitive', 'insensitive-uppercase', 'insensitive-lowercase']);
const applicationSettings = {
  name: Type.String({ minLength: 1, maxLength: MAX.name }),
  description: Type.Optional(Type.String({ maxLength: MAX.text })),
  timezone: Type.String({ minLength: 1, maxLength: MAX.name }),
  currency: Type.String({ minLength: 1, maxLength: MAX.name }),
  caseSensitivity: Type.Optional(caseSensitivity),
  attributes: Type.Optional(Attributes()),
  limits: Type.Optional(Type.Array(AnyObject({ maxProperties: MAX.small }), { maxItems: MAX.small })),
  defaultDiscountScope: Type.Optional(StringEnum(['sessionTotal', 'cartItems', 'additionalCosts'])),
  enableCascadingDiscounts: Type.Optional(Type.Boolean()),
  enableFlattenedCartItems: Type.Optional(Type.Boolean()),
  attributesSettings: Type.Optional(AnyObject({ maxProperties: MAX.small })),
  sandbox: Type.Optional(Type.Boolean()),
  enablePartialDiscounts: Type.Optional(Type.Boolean()),
  defaultDiscountAdditionalCostPerItemScope: Type.Optional(StringEnum(['price', 'itemTotal', 'additionalCosts'])),
  enableCampaignStateManagement: Type.Optional(Type.Boolean()),
};

export const NewApplication = Type.Object({ ...applicationSettings, key: Type.Optional(Type.String({ pattern: '^[a-fA-F0-9]{16}$' })) }, { $id: 'NewApplication' });
export type NewApplication = Static<typeof NewApplication>;
export const UpdateApplication = Type.Object({
  ...applicationSettings, defaultEvaluationGroupId: Type.Optional(Int64()), defaultCartItemFilterId: Type.Optional(Int64()),
}, { $id: 'UpdateApplication' });
export type UpdateApplication = Static<typeof UpdateApplication>;

const Application = Type.Object({
  id: Int64(), created: DateTime(), modified: DateTime(), accountId: Int64(), ...applicationSettings, attributes: Type.Optional(AnyObject()),
  defaultEvaluationGroupId: Type.Optional(Int64()), defaultCartItemFilterId: Type.Optional(Int64()),
  loyaltyPrograms: Type.Array(AnyObject()),
}, { $id: 'Application' });

const platform = StringEnum(['none', 'segment', 'braze', 'mparticle', 'shopify', 'iterable', 'customer_engagement', 'customer_data', 'salesforce', 'emarsys']);
const keyProps = {
  title: Type.String({ minLength: 1, maxLength: MAX.name }), expires: DateTime(), platform: Type.Optional(platform),
  type: Type.Optional(StringEnum(['staging'])), timeOffset: Type.Optional(Int64()),
};
export const CreateApplicationAPIKey = Type.Object(keyProps, { $id: 'CreateApplicationAPIKey' });
export type CreateApplicationAPIKey = Static<typeof CreateApplicationAPIKey>;
const keyRecord = { ...keyProps, id: Int64(), createdBy: Int64(), accountID: Int64(), applicationID: Int64(), created: DateTime() };
const ApplicationAPIKey = Type.Object(keyRecord, { $id: 'ApplicationAPIKey' });
const NewApplicationAPIKey = Type.Object({ ...keyRecord, key: Type.String() }, { $id: 'NewApplicationAPIKey' });

export const LoginParams = Type.Object({ email: Type.String({ format: 'email', maxLength: MAX.name }), password: Type.String({ maxLength: MAX.name }) }, { $id: 'LoginParams' });
export type LoginParams = Static<typeof LoginParams>;
const Session = Type.Object({ userId: Int64(), token: Type.String(), created: DateTime() }, { $id: 'Session' });

const ApplicationPage = Page(ref(Application), 'ApplicationPage');
const ApplicationAPIKeyPage = Page(ref(ApplicationAPIKey), 'ApplicationAPIKeyPage');

export const ApplicationIdParams = Type.Object({ applicationId: Int64({ minimum: 1 }) });

export const managementSchemas = [NewApplication, UpdateApplication, Application, CreateApplicationAPIKey, ApplicationAPIKey,
  NewApplicationAPIKey, LoginParams, Session, ApplicationPage, ApplicationAPIKeyPage];
