/**
 * The data model visible to rules (docs/rules-language.md, "Data model"): the only place that knows the
 * Talang names.
 *
 * Maps are null-prototype objects so that attribute names such as `__proto__` are plain data.
 * Numbers are Decimal; absent optional fields are absent keys (reading them is an evaluation error).
 */
import { dec, Decimal, isDec, sub } from '../domain/money.js';
import type { Roots, Value, ValueMap } from '../rules/contract.js';
import type {
  AttributeMap, EngineApplication, EngineCampaign, EngineCartItem, EngineCoupon, EngineInput, EngineProfile,
  EngineReferral, EngineSession, EngineStore,
} from './types.js';

export function newMap(): ValueMap {
  return Object.create(null) as ValueMap;
}

/**
 * Start of a map whose keys the engine chooses (never user data): an ordinary object, given its null
 * prototype by `sealProto` once filled. V8 keeps such objects in fast mode (`Object.create(null)`
 * objects are dictionaries), so the rules' reads of Session / Item / Profile fields hit inline caches.
 * Maps keyed by user-chosen names (attributes, additional costs) keep using `newMap`: assigning
 * `__proto__` to an ordinary object would set its prototype.
 */
function fixedMap(): ValueMap {
  return {};
}

function sealProto(m: ValueMap): ValueMap {
  return Object.setPrototypeOf(m, null) as ValueMap;
}

/** Converts a JSON-ish value (numbers, Dates, nested objects) into a rule-language Value. */
function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (isDec(v)) return v;
  switch (typeof v) {
    case 'number': return new Decimal(v);
    case 'string': case 'boolean': return v;
    case 'bigint': return new Decimal(v.toString());
    default: break;
  }
  if (v instanceof Date) return v;
  if (Array.isArray(v)) return v.map(toValue);
  const out = newMap();
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = toValue(x);
  }
  return out;
}

function attributesMap(attrs: AttributeMap | undefined): ValueMap {
  return attrs ? (toValue(attrs) as ValueMap) : newMap();
}

function put(m: ValueMap, key: string, v: Value | undefined): void {
  if (v !== undefined && v !== null) m[key] = v;
}

function costsMap(costs: Record<string, { price: Decimal }> | undefined, prices?: Map<string, Decimal>): ValueMap {
  const m = newMap();
  if (!costs) return m;
  for (const name of Object.keys(costs)) {
    const c = fixedMap();
    c.Price = prices?.get(name) ?? dec(costs[name].price);
    m[name] = sealProto(c);
  }
  return m;
}

/** One flattened unit of a cart line (docs/rules-language.md, "Data model"). */
export interface FlatItem {
  line: EngineCartItem;
  position: number;
  subPosition: number;
  price: Decimal;
  /** Item-level additional costs of this unit. */
  costs: Map<string, Decimal>;
}

export function flatten(items: readonly EngineCartItem[]): FlatItem[] {
  const out: FlatItem[] = [];
  for (const line of items) {
    const costs = new Map<string, Decimal>();
    if (line.additionalCosts) for (const k of Object.keys(line.additionalCosts)) costs.set(k, dec(line.additionalCosts[k].price));
    for (let sub = 0; sub < line.quantity; sub++) {
      out.push({ line, position: line.position, subPosition: sub, price: dec(line.price), costs });
    }
  }
  return out;
}

/** Rule values are never mutated once built: items without attributes / item costs share one empty map. */
const EMPTY_MAP: ValueMap = Object.freeze(newMap());

/** Decimals are immutable: positions and quantities of cart items come from a small shared table. */
const SMALL_INTS: readonly Decimal[] = Array.from({ length: 64 }, (_, i) => new Decimal(i));
function smallDecimal(n: number): Decimal {
  return Number.isInteger(n) && n >= 0 && n < SMALL_INTS.length ? SMALL_INTS[n] : new Decimal(n);
}

function itemMap(u: FlatItem, price: Decimal = u.price, costs?: Map<string, Decimal>): ValueMap {
  const l = u.line;
  const m = fixedMap();
  put(m, 'Name', l.name);
  m.Sku = l.sku;
  m.Quantity = SMALL_INTS[1]!;
  m.Price = price;
  put(m, 'Category', l.category);
  if (l.product) { const p = fixedMap(); p.Name = l.product.name; m.Product = sealProto(p); }
  put(m, 'Weight', l.weight && dec(l.weight));
  put(m, 'Height', l.height && dec(l.height));
  put(m, 'Width', l.width && dec(l.width));
  put(m, 'Length', l.length && dec(l.length));
  m.Position = smallDecimal(u.position);
  m.SubPosition = smallDecimal(u.subPosition);
  m.Attributes = l.attributes ? attributesMap(l.attributes) : EMPTY_MAP;
  m.AdditionalCosts = l.additionalCosts ? costsMap(l.additionalCosts, costs) : EMPTY_MAP;
  if (l.catalogItemID !== undefined) m.CatalogItemID = new Decimal(l.catalogItemID);
  if (l.returnedQuantity !== undefined) m.ReturnedQuantity = new Decimal(l.returnedQuantity);
  if (l.remainingQuantity !== undefined) m.RemainingQuantity = new Decimal(l.remainingQuantity);
  put(m, 'SelectedPriceType', l.selectedPriceType);
  return sealProto(m);
}

/** Net amounts a cascading evaluation shows to later campaigns (Ledger.netView builds it). */
export interface NetView {
  total: Decimal;
  cartItemTotal: Decimal;
  additionalCostTotal: Decimal;
  itemPrices: Decimal[];
  itemCosts: Map<string, Decimal>[];
  sessionCosts: Map<string, Decimal>;
}

function sessionMap(s: EngineSession, currency: string, units: FlatItem[], net?: NetView): ValueMap {
  const m = fixedMap();
  m.Total = net ? net.total : dec(s.totals.total);
  m.CartItemTotal = net ? net.cartItemTotal : dec(s.totals.cartItemTotal);
  m.AdditionalCostTotal = net ? net.additionalCostTotal : dec(s.totals.additionalCostTotal);
  m.CartItems = units.map((u, i) => (net ? itemMap(u, net.itemPrices[i], net.itemCosts[i]) : itemMap(u)));
  m.AdditionalCosts = costsMap(s.additionalCosts, net?.sessionCosts);
  m.Attributes = attributesMap(s.attributes);
  m.IntegrationId = s.integrationId;
  put(m, 'ProfileId', s.profileId || undefined);
  m.CouponCodes = [...s.couponCodes];
  put(m, 'ReferralCode', s.referralCode || undefined);
  m.State = s.state;
  m.FirstSession = s.firstSession;
  m.UpdateCount = new Decimal(s.updateCount);
  m.Created = s.created;
  m.Updated = s.updated;
  put(m, 'StoreIntegrationId', s.storeIntegrationId || undefined);
  m.Identifiers = [...s.identifiers];
  m.LoyaltyCards = [...s.loyaltyCards];
  m.Currency = currency;
  return sealProto(m);
}

export function profileMap(p: EngineProfile): ValueMap {
  const m = fixedMap();
  m.IntegrationId = p.integrationId;
  m.Attributes = attributesMap(p.attributes);
  m.ClosedSessions = new Decimal(p.closedSessions);
  m.TotalSales = dec(p.totalSales);
  m.Created = p.created;
  m.LastActivity = p.lastActivity;
  m.AudienceIds = p.audienceIds.map((id) => new Decimal(id));
  return sealProto(m);
}

export function couponMap(c: EngineCoupon): ValueMap {
  const m = fixedMap();
  m.Value = c.value;
  m.Code = c.value;
  m.Id = new Decimal(c.id);
  m.CampaignId = new Decimal(c.campaignId);
  m.Attributes = attributesMap(c.attributes);
  m.UsageLimit = new Decimal(c.usageLimit);
  m.UsageCounter = new Decimal(c.usageCounter);
  if (c.discountLimit != null) {
    const counter = dec(c.discountCounter);
    m.DiscountLimit = dec(c.discountLimit);
    m.DiscountCounter = counter;
    m.DiscountRemainder = sub(dec(c.discountLimit), counter);
  }
  put(m, 'StartDate', c.startDate ?? undefined);
  put(m, 'ExpiryDate', c.expiryDate ?? undefined);
  put(m, 'RecipientIntegrationId', c.recipientIntegrationId ?? undefined);
  put(m, 'BatchId', c.batchId ?? undefined);
  return sealProto(m);
}

export function referralMap(r: EngineReferral): ValueMap {
  const m = fixedMap();
  m.Code = r.code;
  m.Id = new Decimal(r.id);
  m.CampaignId = new Decimal(r.campaignId);
  m.AdvocateProfileIntegrationId = r.advocateProfileIntegrationId;
  put(m, 'FriendProfileIntegrationId', r.friendProfileIntegrationId ?? undefined);
  m.Attributes = attributesMap(r.attributes);
  m.UsageLimit = new Decimal(r.usageLimit);
  m.UsageCounter = new Decimal(r.usageCounter);
  put(m, 'StartDate', r.startDate ?? undefined);
  put(m, 'ExpiryDate', r.expiryDate ?? undefined);
  return sealProto(m);
}

const appCache = new WeakMap<EngineApplication, ValueMap>();
function applicationMap(a: EngineApplication): ValueMap {
  let m = appCache.get(a);
  if (!m) {
    m = fixedMap();
    m.Id = new Decimal(a.id);
    m.Name = a.name;
    m.Currency = a.currency;
    m.Timezone = a.timezone;
    m.Attributes = attributesMap(a.attributes);
    appCache.set(a, sealProto(m));
  }
  return m;
}

/** The `Campaign` root (built once per campaign object: engine/campaign.ts keeps it). */
export function campaignMap(c: EngineCampaign): ValueMap {
  const m = fixedMap();
  m.Id = new Decimal(c.id);
  m.Name = c.name;
  m.Tags = [...c.tags];
  put(m, 'StartTime', c.startTime ?? undefined);
  put(m, 'EndTime', c.endTime ?? undefined);
  m.Attributes = attributesMap(c.attributes);
  return sealProto(m);
}

function storeMap(s: EngineStore): ValueMap {
  const m = fixedMap();
  m.IntegrationId = s.integrationId;
  m.Name = s.name;
  m.Attributes = attributesMap(s.attributes);
  return sealProto(m);
}

function eventMap(e: EngineInput['event'], now: Date): ValueMap {
  const m = fixedMap();
  m.Type = e.type;
  m.Attributes = attributesMap(e.attributes);
  m.Created = e.created ?? now;
  return sealProto(m);
}

/**
 * The roots of one pass: `base` plus the per-campaign / per-pass maps, always as an object of the same
 * shape (unbound roots are `undefined` values, which the rule language reads as absent). A fixed
 * shape keeps root reads in compiled rules monomorphic, and is much cheaper than an object spread.
 */
export function passRoots(b: Roots, campaign?: ValueMap, referral?: ValueMap, advocate?: ValueMap, coupon?: ValueMap): Roots {
  return {
    Session: b.Session, Item: b.Item, Profile: b.Profile, AdvocateProfile: advocate ?? b.AdvocateProfile,
    Coupon: coupon ?? b.Coupon, Referral: referral ?? b.Referral, Application: b.Application,
    Campaign: campaign ?? b.Campaign, Event: b.Event, Store: b.Store, LoyaltyCard: b.LoyaltyCard,
  };
}

/**
 * Roots shared by every pass of one evaluation (docs/engine.md, "Roots"). `Campaign`, `Coupon`, `Referral` and
 * `AdvocateProfile` are added per campaign / pass by the evaluator. A sessionless evaluation binds
 * neither `Session` nor `LoyaltyCard`.
 */
export function buildRoots(input: EngineInput, units: FlatItem[] = flatten(input.session.cartItems), net?: NetView): Roots {
  const roots: Roots = {};
  if (!input.sessionless) roots.Session = sessionMap(input.session, input.application.currency, units, net);
  roots.Application = applicationMap(input.application);
  roots.Event = eventMap(input.event, input.now);
  // a session binds the profile only when it names one; a sessionless evaluation whenever one is given
  if (input.profile && (input.sessionless || input.session.profileId)) roots.Profile = profileMap(input.profile);
  if (input.store) roots.Store = storeMap(input.store);
  if (!input.sessionless && input.session.loyaltyCards.length > 0) {
    const card = fixedMap();
    card.Identifier = input.session.loyaltyCards[0];
    const status = input.loyaltyPrograms?.find((p) => p.cardIdentifier === card.Identifier)?.cardStatus;
    if (status !== undefined) card.Status = status;
    roots.LoyaltyCard = sealProto(card);
  }
  return roots;
}
