/**
 * The data model visible to rules (docs/rules-language.md, "Data model"): static shapes of the roots, used by the checker
 * to validate paths at save time.
 */
import type { AttributeDef, CompileEnv, Kind } from './contract.js';

/** Static type of an expression: a kind, plus structure when known. */
export interface Shape {
  kind: Kind;
  title?: string;
  /** Known keys of a map (closed: any other key is an error). */
  fields?: Readonly<Record<string, Shape>>;
  /** Every key maps to this shape (e.g. `AdditionalCosts.<name>`). */
  open?: Shape;
  /** Keys of the open map must be defined additional costs. */
  openIsAdditionalCost?: boolean;
  /** This map holds the custom attributes of this NewAttribute.entity. */
  attributesOf?: string;
  /** Element shape of a list. */
  elem?: Shape;
  /** The field is another name for `aliasOf` (the engine fills only the canonical key). */
  aliasOf?: string;
}

export const ANY: Shape = { kind: 'any' };
const NUMBER: Shape = { kind: 'number' };
export const STRING: Shape = { kind: 'string' };
const BOOLEAN: Shape = { kind: 'boolean' };
const TIME: Shape = { kind: 'time' };
export const NULL: Shape = { kind: 'null' };
const LIST: Shape = { kind: 'list', elem: ANY };
const MAP: Shape = { kind: 'map' };

export function shapeOf(kind: Kind): Shape {
  switch (kind) {
    case 'number': return NUMBER;
    case 'string': return STRING;
    case 'boolean': return BOOLEAN;
    case 'time': return TIME;
    case 'null': return NULL;
    case 'list': return LIST;
    case 'map': return MAP;
    default: return ANY;
  }
}

export function listOf(elem: Shape): Shape {
  return { kind: 'list', elem };
}

export function elemOf(s: Shape): Shape {
  return s.kind === 'list' && s.elem !== undefined ? s.elem : ANY;
}

const n = (title: string): Shape => ({ kind: 'number', title });
const s = (title: string): Shape => ({ kind: 'string', title });
const b = (title: string): Shape => ({ kind: 'boolean', title });
const t = (title: string): Shape => ({ kind: 'time', title });
const attrs = (entity: string): Shape => ({ kind: 'map', attributesOf: entity, title: 'Custom attributes' });

const cost = (title: string): Shape => ({ kind: 'map', title, openIsAdditionalCost: true, open: { kind: 'map', fields: { Price: n('Price of the additional cost') } } });

const CART_ITEM: Shape = {
  kind: 'map', title: 'Cart item (flattened: Quantity is 1)',
  fields: {
    Name: s('Item name'), Sku: s('SKU'), Quantity: n('Quantity (1 after flattening)'), Price: n('Unit price'),
    Category: s('Category'), Product: { kind: 'map', title: 'Product', fields: { Name: s('Product name') } },
    Weight: n('Weight (g)'), Height: n('Height (mm)'), Width: n('Width (mm)'), Length: n('Length (mm)'),
    Position: n('Position of the original cart line'), SubPosition: n('Index within the flattened line'),
    Attributes: attrs('CartItem'), AdditionalCosts: cost('Item additional costs'),
    CatalogItemID: n('Catalog item id'), ReturnedQuantity: n('Returned quantity'), RemainingQuantity: n('Remaining quantity'),
    SelectedPriceType: s('Selected price type'),
  },
};

const SESSION: Shape = {
  kind: 'map', title: 'Customer session',
  fields: {
    Total: n('Session total (items + additional costs, before discounts)'),
    CartItemTotal: n('Sum of cart item prices'), AdditionalCostTotal: n('Sum of additional costs'),
    CartItems: { kind: 'list', elem: CART_ITEM, title: 'Cart items (flattened)' },
    AdditionalCosts: cost('Session additional costs'), Attributes: attrs('CustomerSession'),
    IntegrationId: s('Session integration id'), ProfileId: s('Profile integration id'),
    CouponCodes: { kind: 'list', elem: STRING, title: 'Coupon codes' }, ReferralCode: s('Referral code'),
    State: s('Session state'), FirstSession: b('First session of the profile'), UpdateCount: n('Update count'),
    Created: t('Created'), Updated: t('Updated'), StoreIntegrationId: s('Store integration id'),
    Identifiers: { kind: 'list', elem: STRING, title: 'Identifiers' },
    LoyaltyCards: { kind: 'list', elem: STRING, title: 'Loyalty card identifiers' }, Currency: s('Currency'),
  },
};

const PROFILE: Shape = {
  kind: 'map', title: 'Customer profile',
  fields: {
    IntegrationId: s('Profile integration id'), Attributes: attrs('CustomerProfile'),
    ClosedSessions: n('Closed sessions'), TotalSales: n('Total sales'), Created: t('Created'), LastActivity: t('Last activity'),
    AudienceIds: { kind: 'list', elem: NUMBER, title: 'Audience ids' },
  },
};

const COUPON: Shape = {
  kind: 'map', title: 'Coupon',
  fields: {
    Value: s('Coupon code'), Code: { ...s('Coupon code'), aliasOf: 'Value' }, Id: n('Coupon id'), CampaignId: n('Campaign id'),
    Attributes: attrs('Coupon'), UsageLimit: n('Usage limit'), UsageCounter: n('Usage counter'),
    DiscountLimit: n('Discount limit'), DiscountCounter: n('Discount counter'), DiscountRemainder: n('Discount remainder'),
    StartDate: t('Start date'), ExpiryDate: t('Expiry date'), RecipientIntegrationId: s('Recipient'), BatchId: s('Batch id'),
  },
};

const REFERRAL: Shape = {
  kind: 'map', title: 'Referral',
  fields: {
    Code: s('Referral code'), AdvocateProfileIntegrationId: s('Advocate'), FriendProfileIntegrationId: s('Friend'),
    Attributes: attrs('Referral'), UsageLimit: n('Usage limit'), UsageCounter: n('Usage counter'),
    StartDate: t('Start date'), ExpiryDate: t('Expiry date'),
  },
};

const entityShape = (title: string, entity: string, fields: Record<string, Shape>): Shape =>
  ({ kind: 'map', title, fields: { ...fields, Attributes: attrs(entity) } });

/** Root names (docs/rules-language.md, "Data model"). `Item` is only bound by lambdas and in strikethrough rules. */
export const ROOTS: Readonly<Record<string, Shape>> = {
  Session: SESSION,
  Profile: PROFILE,
  AdvocateProfile: { ...PROFILE, title: 'Advocate profile' },
  Item: CART_ITEM,
  Coupon: COUPON,
  Referral: REFERRAL,
  Application: entityShape('Application', 'Application', { Id: n('Application id'), Name: s('Name'), Currency: s('Currency'), Timezone: s('Time zone') }),
  Campaign: entityShape('Campaign', 'Campaign', { Id: n('Campaign id'), Name: s('Name'), Tags: { kind: 'list', elem: STRING, title: 'Tags' }, StartTime: t('Start'), EndTime: t('End') }),
  Event: entityShape('Event', 'Event', { Type: s('Event type'), Created: t('Created') }),
  Store: entityShape('Store', 'Store', { IntegrationId: s('Store integration id'), Name: s('Name') }),
  LoyaltyCard: entityShape('Loyalty card', 'LoyaltyCard', { Identifier: s('Card identifier'), Status: s('Status') }),
};

/** Long forms accepted as aliases of the short root names. */
export const ROOT_ALIASES: Readonly<Record<string, string>> = {
  CustomerSession: 'Session', CustomerProfile: 'Profile', CartItem: 'Item',
};

/** Paths that `updateAttribute` may write: `<root>.Attributes.<defined attribute>`. */
export const WRITABLE_ROOTS: Readonly<Record<string, string>> = { Profile: 'CustomerProfile', Session: 'CustomerSession' };

/**
 * Built-in customer profile attributes Talon.One defines for every account; they are visible as
 * `Profile.Attributes.<name>` even when the Application's attribute list omits them.
 */
export const BUILTIN_ATTRIBUTES: readonly AttributeDef[] = [
  ['Name', 'string'], ['Email', 'string'], ['BirthDate', 'time'], ['Gender', 'string'], ['PhoneNumber', 'string'],
  ['City', 'string'], ['Country', 'string'], ['PostCode', 'string'], ['Address1', 'string'], ['SignupDate', 'time'],
].map(([name, type]) => ({ entity: 'CustomerProfile', name: name, type: type as AttributeDef['type'] }));

export function attributeShape(type: AttributeDef['type']): Shape {
  switch (type) {
    case 'string': return STRING;
    case 'number': return NUMBER;
    case 'boolean': return BOOLEAN;
    case 'time': return TIME;
    case '(list string)': return listOf(STRING);
    case '(list number)': return listOf(NUMBER);
    default: return ANY;
  }
}

/** Look up a custom attribute; `Event` attributes of any event type are visible. */
export function findAttribute(env: CompileEnv, entity: string, name: string): AttributeDef | undefined {
  return env.attributes.find((a) => a.entity === entity && a.name === name)
    ?? BUILTIN_ATTRIBUTES.find((a) => a.entity === entity && a.name === name);
}
