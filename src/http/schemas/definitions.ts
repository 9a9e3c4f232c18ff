/** Custom attributes and additional costs (Management API), as in Talon.One 25.17. */
import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Int64, MAX, Page, ref, StringEnum } from './common.js';

const NAME = '^[A-Za-z]\\w*$';
const TITLE = "^[A-Za-z][A-Za-z0-9_.!~*'() -]*$";

const ATTRIBUTE_ENTITIES = ['Application', 'Campaign', 'CustomerProfile', 'CustomerSession', 'CartItem', 'Coupon', 'Event', 'Giveaway',
  'LoyaltyCard', 'Referral', 'Store'] as const;
const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'time', '(list string)', '(list number)', '(list time)', 'location', '(list location)'] as const;

const attributeProps = {
  entity: StringEnum(ATTRIBUTE_ENTITIES),
  eventType: Type.Optional(Type.String({ maxLength: MAX.name })),
  name: Type.String({ maxLength: MAX.name, pattern: NAME }),
  title: Type.String({ maxLength: MAX.name, pattern: TITLE }),
  type: StringEnum(ATTRIBUTE_TYPES),
  description: Type.String({ maxLength: MAX.text }),
  suggestions: Type.Array(Type.String({ minLength: 1, maxLength: MAX.name }), { maxItems: 50 }),
  hasAllowedList: Type.Optional(Type.Boolean({ default: false })),
  restrictedBySuggestions: Type.Optional(Type.Boolean({ default: false })),
  editable: Type.Boolean(),
  subscribedApplicationsIds: Type.Optional(Type.Array(Int64(), { maxItems: MAX.ids })),
  subscribedCatalogsIds: Type.Optional(Type.Array(Int64(), { maxItems: MAX.ids })),
  allowedSubscriptions: Type.Optional(Type.Array(StringEnum(['application', 'catalog']), { maxItems: 2 })),
};

export const NewAttribute = Type.Object(attributeProps, { $id: 'NewAttribute' });
export type NewAttribute = Static<typeof NewAttribute>;

const Attribute = Type.Object({
  id: Int64(), created: DateTime(), accountId: Int64(), ...attributeProps, eventTypeId: Type.Optional(Int64()),
}, { $id: 'Attribute' });

const costProps = {
  name: Type.String({ maxLength: MAX.name, pattern: NAME }),
  title: Type.String({ maxLength: MAX.name, pattern: TITLE }),
  description: Type.String({ maxLength: MAX.text }),
  subscribedApplicationsIds: Type.Optional(Type.Array(Int64(), { maxItems: MAX.ids })),
  type: Type.Optional(StringEnum(['session', 'item', 'both'], { default: 'session' })),
};

export const NewAdditionalCost = Type.Object(costProps, { $id: 'NewAdditionalCost' });
export type NewAdditionalCost = Static<typeof NewAdditionalCost>;

const AccountAdditionalCost = Type.Object({ id: Int64(), created: DateTime(), accountId: Int64(), ...costProps }, { $id: 'AccountAdditionalCost' });

/** 25.17 inline_response_200_38 */
const AttributePage = Page(ref(Attribute), 'AttributePage');
/** 25.17 inline_response_200_40 */
const AccountAdditionalCostPage = Page(ref(AccountAdditionalCost), 'AccountAdditionalCostPage');

export const AttributeIdParams = Type.Object({ attributeId: Int64({ minimum: 1 }) });
export const AdditionalCostIdParams = Type.Object({ additionalCostId: Int64({ minimum: 1 }) });

export const definitionSchemas = [NewAttribute, Attribute, NewAdditionalCost, AccountAdditionalCost, AttributePage, AccountAdditionalCostPage];
