/**
 * Customer sessions (docs/sessions.md): the value, the merge of an update into it, totals and the
 * state machine. Pure: no I/O, no clock (callers pass `now`).
 */
import { AppError, badRequest, invalidField } from './errors.js';
import { add, dec, Decimal, fromNumber, mul, toNumber, ZERO } from './money.js';

export type SessionState = 'open' | 'closed' | 'partially_returned' | 'cancelled';

type Attributes = Record<string, unknown>;
interface AdditionalCost { price: number }
type AdditionalCosts = Record<string, AdditionalCost>;

export interface CartItem {
  name?: string;
  sku: string;
  quantity: number;
  returnedQuantity: number;
  remainingQuantity: number;
  price?: number;
  category?: string;
  product?: { name: string };
  weight?: number;
  height?: number;
  width?: number;
  length?: number;
  position: number;
  attributes?: Attributes;
  additionalCosts?: AdditionalCosts;
}

interface ExperimentVariantAllocation { experimentID: number; variantID: number }

/** The stored content of a session: what clients send and the server merges. */
export interface SessionContent {
  profileId: string;
  storeIntegrationId?: string;
  couponCodes: string[];
  referralCode: string;
  loyaltyCards: string[];
  cartItems: CartItem[];
  additionalCosts: AdditionalCosts;
  identifiers: string[];
  attributes: Attributes;
  experimentVariantAllocations?: ExperimentVariantAllocation[];
}

export interface Totals { cartItemTotal: Decimal; additionalCostTotal: Decimal; total: Decimal }

export interface CustomerSession extends SessionContent, Totals {
  id: number;
  integrationId: string;
  applicationId: number;
  state: SessionState;
  firstSession: boolean;
  updateCount: number;
  created: string;
  updated: string;
}

/** The body's `customerSession` (NewCustomerSessionV2): every property optional; null = absent. */
export interface SessionPatch {
  profileId?: string | null;
  storeIntegrationId?: string | null;
  evaluableCampaignIds?: number[] | null;
  couponCodes?: string[] | null;
  referralCode?: string | null;
  loyaltyCards?: string[] | null;
  state?: SessionState | null;
  cartItems?: CartItemInput[] | null;
  experimentVariantAllocations?: ExperimentVariantAllocation[] | null;
  additionalCosts?: AdditionalCosts | null;
  identifiers?: string[] | null;
  attributes?: Attributes | null;
}

export interface CartItemInput {
  name?: string; sku: string; quantity: number; price?: number; category?: string; product?: { name: string };
  weight?: number; height?: number; width?: number; length?: number;
  attributes?: Attributes; additionalCosts?: AdditionalCosts;
}

export const EMPTY_CONTENT: SessionContent = Object.freeze({
  profileId: '', couponCodes: [], referralCode: '', loyaltyCards: [], cartItems: [], additionalCosts: {},
  identifiers: [], attributes: {},
});

/** What the request schema cannot bound (docs/sessions.md, "States and transitions", cart size). */
const MAX_CART_QUANTITY = 10_000;

// ---------------------------------------------------------------------------------------------
// State machine (docs/sessions.md, "States and transitions")

export type SessionEventType =
  | 'talon_session_created' | 'talon_session_updated' | 'talon_session_closed'
  | 'talon_session_cancelled' | 'talon_session_revoked' | 'talon_session_partially_returned'
  | 'talon_session_reopened';

export type Transition =
  | { kind: 'create'; to: 'open' | 'closed'; event: 'talon_session_created' }
  | { kind: 'update'; event: 'talon_session_updated' }
  | { kind: 'close'; event: 'talon_session_closed' }
  | { kind: 'cancelOpen'; event: 'talon_session_cancelled' }
  | { kind: 'revoke'; event: 'talon_session_revoked' };

const STATE_POINTER = '/customerSession/state';

function invalidTransition(from: SessionState | null, to: SessionState): AppError {
  const detail = from === null
    ? `A new session cannot be created in state ${to}`
    : `Cannot change a session from ${from} to ${to} with updateCustomerSessionV2`;
  return invalidField(STATE_POINTER, 'Invalid transition', detail);
}

/** The transition an updateCustomerSessionV2 request asks for; an omitted state means `open`, so an update never closes by omission. */
export function updateTransition(from: SessionState | null, requested: SessionState | null | undefined): Transition {
  const to = requested ?? 'open';
  if (from === null) {
    if (to === 'open' || to === 'closed') return { kind: 'create', to, event: 'talon_session_created' };
    throw invalidTransition(from, to);
  }
  if (from === 'open') {
    if (to === 'open') return { kind: 'update', event: 'talon_session_updated' };
    if (to === 'closed') return { kind: 'close', event: 'talon_session_closed' };
    if (to === 'cancelled') return { kind: 'cancelOpen', event: 'talon_session_cancelled' };
  }
  if ((from === 'closed' || from === 'partially_returned') && to === 'cancelled') {
    return { kind: 'revoke', event: 'talon_session_revoked' };
  }
  throw invalidTransition(from, to);
}

/**
 * The transition a dry run's payload implies, the state machine not enforced: the requested state only
 * selects what is evaluated (docs/sessions.md, "Dry runs").
 */
export function dryTransition(from: SessionState | null, requested: SessionState | null | undefined): Transition {
  const to = requested ?? 'open';
  if (from === null) return { kind: 'create', to: to === 'closed' ? 'closed' : 'open', event: 'talon_session_created' };
  if (to === 'closed') return { kind: 'close', event: 'talon_session_closed' };
  if (to === 'cancelled') return from === 'open' ? { kind: 'cancelOpen', event: 'talon_session_cancelled' } : { kind: 'revoke', event: 'talon_session_revoked' };
  return { kind: 'update', event: 'talon_session_updated' };
}

/** The state a transition leaves the session in. */
export function nextState(t: Transition): SessionState {
  switch (t.kind) {
    case 'create': return t.to;
    case 'update': return 'open';
    case 'close': return 'closed';
    case 'cancelOpen': case 'revoke': return 'cancelled';
  }
}

/** Whether the transition closes the session — also a session created as closed — and so commits what it consumed. */
export const closes = (t: Transition): boolean => t.kind === 'close' || (t.kind === 'create' && t.to === 'closed');

/** Whether the rules run: a cancellation runs none (an open session has nothing to undo, a closed one is rolled back). */
export const runsRules = (t: Transition): boolean => t.kind !== 'cancelOpen' && t.kind !== 'revoke';

export function assertReturnable(state: SessionState): void {
  if (state !== 'closed' && state !== 'partially_returned') {
    throw badRequest(`Only closed or partially returned sessions accept returns; this session is ${state}`,
      [{ title: 'Invalid transition', details: `Session state is ${state}`, source: { resource: 'customerSession' } }]);
  }
}

export function assertReopenable(state: SessionState): void {
  if (state !== 'closed') {
    throw badRequest(`Only closed sessions can be reopened; this session is ${state}`,
      [{ title: 'Invalid transition', details: `Session state is ${state}`, source: { resource: 'customerSession' } }]);
  }
}

// ---------------------------------------------------------------------------------------------
// Merge (docs/sessions.md, "`null` means absent")

const present = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/** Replaces the cart: positions are the indexes, returned quantities start at zero. */
export function normaliseCart(items: readonly CartItemInput[]): CartItem[] {
  const out = new Array<CartItem>(items.length);
  for (let position = 0; position < items.length; position++) {
    const it = items[position];
    // Object.assign then plain sets: V8 copies `{ ...it }` on a slow path. A parsed `__proto__` key is
    // data, so such an item is copied by spread: Object.assign would set the prototype.
    const item = (Object.hasOwn(it, '__proto__') ? { ...it } : Object.assign({}, it)) as CartItem;
    // read-only fields a client may have echoed back are recomputed, never trusted
    item.returnedQuantity = 0;
    item.remainingQuantity = it.quantity;
    item.position = position;
    out[position] = item;
  }
  return out;
}

/**
 * The session content after an update: absent keeps, present replaces, attributes merge by key.
 * `base` is the stored content, or EMPTY_CONTENT for a new session and for a dry run, which evaluates
 * its payload alone.
 */
export function mergeContent(base: SessionContent, patch: SessionPatch, canChangeProfile: boolean): SessionContent {
  const next: SessionContent = { ...base };
  if (present(patch.profileId) && canChangeProfile) next.profileId = patch.profileId;
  if (present(patch.storeIntegrationId)) next.storeIntegrationId = patch.storeIntegrationId;
  if (present(patch.couponCodes)) next.couponCodes = [...patch.couponCodes];
  if (present(patch.referralCode)) next.referralCode = patch.referralCode;
  if (present(patch.loyaltyCards)) next.loyaltyCards = [...patch.loyaltyCards];
  if (present(patch.cartItems)) next.cartItems = normaliseCart(patch.cartItems);
  if (present(patch.additionalCosts)) next.additionalCosts = { ...patch.additionalCosts };
  if (present(patch.identifiers)) next.identifiers = [...patch.identifiers];
  if (present(patch.attributes)) next.attributes = { ...base.attributes, ...patch.attributes };
  if (present(patch.experimentVariantAllocations)) next.experimentVariantAllocations = [...patch.experimentVariantAllocations];
  return next;
}

/** Just the stored content of a session (what is merged and persisted), without server fields. */
export function sessionContent(c: SessionContent): SessionContent {
  const out: SessionContent = {
    profileId: c.profileId, couponCodes: c.couponCodes, referralCode: c.referralCode, loyaltyCards: c.loyaltyCards,
    cartItems: c.cartItems, additionalCosts: c.additionalCosts, identifiers: c.identifiers, attributes: c.attributes,
  };
  if (c.storeIntegrationId !== undefined) out.storeIntegrationId = c.storeIntegrationId;
  if (c.experimentVariantAllocations !== undefined) out.experimentVariantAllocations = c.experimentVariantAllocations;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Totals (docs/sessions.md, "Money is exact decimal")

export function computeTotals(content: Pick<SessionContent, 'cartItems' | 'additionalCosts'>): Totals {
  let cartItemTotal = ZERO;
  let itemCosts = ZERO;
  for (const item of content.cartItems) {
    const q = fromNumber(item.quantity);
    if (item.price !== undefined) cartItemTotal = add(cartItemTotal, mul(dec(item.price), q));
    if (item.additionalCosts) {
      for (const cost of Object.values(item.additionalCosts)) itemCosts = add(itemCosts, mul(dec(cost.price), q));
    }
  }
  let sessionCosts = ZERO;
  for (const cost of Object.values(content.additionalCosts)) sessionCosts = add(sessionCosts, dec(cost.price));
  const additionalCostTotal = add(sessionCosts, itemCosts);
  return { cartItemTotal, additionalCostTotal, total: add(cartItemTotal, additionalCostTotal) };
}

/**
 * Totals must survive as JSON numbers: a sum beyond the double range would be emitted as null.
 * Such a cart is rejected (400) rather than stored.
 */
export function checkTotals(t: Totals): void {
  if (!Number.isFinite(toNumber(t.cartItemTotal))) {
    throw invalidField('/customerSession/cartItems', 'maximum', 'The cart item total is too large to be represented as a number');
  }
  if (!Number.isFinite(toNumber(t.additionalCostTotal)) || !Number.isFinite(toNumber(t.total))) {
    throw invalidField('/customerSession/additionalCosts', 'maximum', 'The session total is too large to be represented as a number');
  }
}

/** Value of returned units (for the profile's totalSales): price and per-item costs × quantity. */
export function unitsValue(item: CartItem, quantity: number): Decimal {
  let unit = dec(item.price ?? 0);
  for (const cost of Object.values(item.additionalCosts ?? {})) unit = add(unit, dec(cost.price));
  return mul(unit, new Decimal(quantity));
}

/** Σ quantity ≤ MAX_CART_QUANTITY — the per-item and count limits are in the JSON schema. */
export function checkCartQuantity(items: readonly { quantity: number }[], pointer: string): void {
  let sum = 0;
  for (const it of items) sum += it.quantity;
  if (sum > MAX_CART_QUANTITY) {
    throw invalidField(pointer, 'maximum', `The sum of cart item quantities is ${sum}; at most ${MAX_CART_QUANTITY} are allowed`);
  }
}
