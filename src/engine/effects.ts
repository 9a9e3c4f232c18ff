/**
 * EffectCall → effect records (docs/engine.md, "Effect shapes"), with caps and budgets (docs/engine.md,
 * "Caps, partial, budgets").
 *
 * `applyCalls` processes one rule's calls in order against the ledger. A discount budget shortfall or an
 * insufficient loyalty balance fails the whole rule (`RuleFailure`); other exhausted budgets drop only
 * their effect (`dropped`). Invalid arguments throw `EffectError` (→ `error` effect in the evaluator).
 */
import { add, dec, Decimal, isDec, mul, sub, ZERO } from '../domain/money.js';
import { lt, minOf, ONE, sign, smallInt } from './num.js';
import type { EffectCall, Value, ValueMap } from '../rules/contract.js';
import type { BudgetKey, Ledger } from './ledger.js';
import type { FlatItem } from './roots.js';
import type {
  EngineLoyaltyProgram,
  CreatedCoupon, CreatedReferral, CustomEffectDef, DiscountScope, EffectType, EngineCampaign, EngineCoupon,
  EngineIds, EngineInput, EngineReferral, ItemDiscountScope, LimitAction, Props,
} from './types.js';

/**
 * An effect call of a rule that cannot be applied (invalid argument, unknown effect function or custom
 * effect): the evaluator emits an `error` effect and discards the rule.
 */
export class EffectError extends Error {
  override name = 'EffectError';
  /** `effectIndex`: the failing call's EffectCall.index. */
  constructor(message: string, readonly effectIndex: number) { super(message); }
}

/** Thrown by the argument readers, which do not know the call's index: applyCalls turns it into an EffectError. */
class InvalidCall extends Error {
  override name = 'InvalidCall';
}

export interface Pending {
  effectType: EffectType;
  props: Props;
  created?: { coupon?: CreatedCoupon; referral?: CreatedReferral };
  /** Money granted by a discount effect (for lowest/highestDiscount groups). */
  discount?: Decimal;
}

interface Dropped { effectIndex: number; details: string }

/** What one rule's calls produce: its effects, and the effects dropped for an exhausted budget. */
class AppliedCalls {
  readonly ok = true as const;
  readonly effects: Pending[] = [];
  /** Rarely any: the shared empty list until the first. */
  dropped: Dropped[] = NONE_DROPPED;
  /** Index of the call being applied. */
  index = 0;
  push(p: Pending): void { this.effects.push(p); }
  drop(details: string): void {
    if (this.dropped === NONE_DROPPED) this.dropped = [];
    this.dropped.push({ effectIndex: this.index, details });
  }
}
/** Shared, never pushed to (AppliedCalls.drop replaces it first); not frozen: for…of over a frozen array is not inlined by TurboFan. */
const NONE_DROPPED: Dropped[] = [];

export type CallsResult =
  | { ok: true; effects: Pending[]; dropped: Dropped[] }
  | { ok: false; effectIndex: number; details: string };

/** Per-evaluation lookups shared by all rules (built once). */
export interface EffectEnv {
  input: EngineInput;
  units: FlatItem[];
  lineStart: Map<number, number>;
  costIds: Map<string, number>;
  customEffects: Map<string, CustomEffectDef>;
  ids: EngineIds;
}

/** Per-rule context. */
export interface RuleContext {
  env: EffectEnv;
  ledger: Ledger;
  campaign: EngineCampaign;
  ruleName: string;
  coupon: EngineCoupon | null;
  referral: EngineReferral | null;
}

/** The whole rule fails (a discount budget shortfall, an insufficient loyalty balance): nothing of it is kept. */
class RuleFailure extends Error {
  override name = 'RuleFailure';
  constructor(readonly details: string) { super(details); }
}

// ---- argument readers --------------------------------------------------------------------------

function str(v: Value | undefined, what: string): string {
  if (typeof v !== 'string') throw new InvalidCall(`${what} must be a string`);
  return v;
}
function num(v: Value | undefined, what: string): Decimal {
  if (!isDec(v)) throw new InvalidCall(`${what} must be a number`);
  return v;
}
function optBool(v: Value | undefined): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new InvalidCall('partial must be a boolean');
  return v;
}
function optStr(v: Value | undefined): string | undefined {
  return v === undefined || v === null ? undefined : str(v, 'argument');
}
/** rules/values.ts isMap, for the engine, which sees the rule language only through rules/contract.ts types. */
function isMap(v: Value | undefined): v is ValueMap {
  return typeof v === 'object' && v !== null && (!(v instanceof Object) || (!Array.isArray(v) && !isDec(v) && !(v instanceof Date)));
}

/** Flattened unit index of a cart item map (its Position / SubPosition). */
function unitOf(env: EffectEnv, v: Value | undefined): number {
  if (!isMap(v) || !isDec(v.Position) || !isDec(v.SubPosition)) {
    throw new InvalidCall('item must be a cart item');
  }
  const position = smallInt(v.Position);
  const subPosition = smallInt(v.SubPosition);
  const start = env.lineStart.get(position);
  const i = start === undefined ? -1 : start + subPosition;
  const u = env.units[i];
  if (!u || u.position !== position || u.subPosition !== subPosition) {
    throw new InvalidCall('item is not in the cart');
  }
  return i;
}

function id(v: Decimal): number { return v.toNumber(); }

// ---- budgets -----------------------------------------------------------------------------------

function key(ctx: RuleContext, action: LimitAction): BudgetKey {
  const k: BudgetKey = { campaignId: ctx.campaign.id, action };
  if (ctx.coupon) k.couponId = ctx.coupon.id;
  if (ctx.referral) k.referralId = ctx.referral.id;
  return k;
}

/** True when every bucket of `k` has room for one more occurrence. */
function roomForOne(ctx: RuleContext, k: BudgetKey): boolean {
  const r = ctx.ledger.room(k);
  return !(r && lt(r.room, ONE));
}

/** Counts one occurrence of `action`; false when a bucket is exhausted (the effect is dropped). */
function takeCount(ctx: RuleContext, action: LimitAction): boolean {
  const k = key(ctx, action);
  if (!roomForOne(ctx, k)) return false;
  ctx.ledger.consume(k, ONE);
  return true;
}

function partialDefault(ctx: RuleContext, p: boolean | undefined): boolean {
  return p ?? ctx.env.input.application.enablePartialDiscounts;
}

/**
 * Grants a discount: caps by what remains of the target (`cap`), by the coupon's discount remainder and
 * by the discount budgets, and books it. Returns the granted value — which the caller then takes off
 * its target in the ledger — null when dropped silently (≤ 0), or throws RuleFailure.
 */
function grant(ctx: RuleContext, desired: Decimal, cap: Decimal, partial: boolean): Decimal | null {
  if (sign(desired) <= 0) return null;
  let value = minOf(desired, cap);
  const c = ctx.coupon;
  if (c && c.discountLimit != null) {
    const left = sub(sub(dec(c.discountLimit), dec(c.discountCounter)), ctx.ledger.couponUsed(c.id));
    value = minOf(value, sign(left) > 0 ? left : ZERO);
  }
  if (sign(value) <= 0) return null;
  const ledger = ctx.ledger;
  if (ledger.limited(ctx.campaign.id)) {
    const effKey = key(ctx, 'setDiscountEffect');
    const moneyKey = key(ctx, 'setDiscount');
    if (!roomForOne(ctx, effKey)) throw new RuleFailure('budget exhausted: setDiscountEffect');
    const money = ledger.room(moneyKey);
    if (money && lt(money.room, value)) {
      if (!partial || sign(money.room) <= 0) throw new RuleFailure('budget exhausted: setDiscount');
      value = money.room;
    }
    ledger.consume(moneyKey, value);
    ledger.consume(effKey, ONE);
  } else {
    // no limit applies: only the session's usage is recorded (the common case, without key objects)
    const couponId = c?.id;
    const referralId = ctx.referral?.id;
    ledger.record(ctx.campaign.id, 'setDiscount', couponId, referralId, value);
    ledger.record(ctx.campaign.id, 'setDiscountEffect', couponId, referralId, ONE);
  }
  if (c && c.discountLimit != null) ledger.useCoupon(c.id, value);
  return value;
}

function withDesired(props: Props, value: Decimal, desired: Decimal, partial: boolean): Props {
  if (partial && lt(value, desired)) props.desiredValue = desired;
  return props;
}

const SESSION_SCOPES = new Set(['sessionTotal', 'cartItems', 'additionalCosts']);
const ITEM_SCOPES = new Set(['price', 'itemTotal', 'additionalCosts']);

// ---- discount effects --------------------------------------------------------------------------

function setDiscount(ctx: RuleContext, a: Value[], out: AppliedCalls): void {
  const name = str(a[0], 'name');
  const desired = num(a[1], 'value');
  const scope = (optStr(a[2]) ?? ctx.env.input.application.defaultDiscountScope) as DiscountScope;
  if (!SESSION_SCOPES.has(scope)) throw new InvalidCall(`invalid discount scope ${scope}`);
  const partial = partialDefault(ctx, optBool(a[3]));
  const value = grant(ctx, desired, ctx.ledger.sessionCap(scope), partial);
  if (!value) return;
  ctx.ledger.applySession(scope, value);
  const props: Props = { name, value };
  if (ctx.env.input.application.enableCascadingDiscounts) props.scope = scope;
  out.push({ effectType: 'setDiscount', props: withDesired(props, value, desired, partial), discount: value });
}

function perItem(ctx: RuleContext, name: string, desired: Decimal, unit: number, scope: ItemDiscountScope, partial: boolean, extra: Props | null, out: AppliedCalls): void {
  if (!ITEM_SCOPES.has(scope)) throw new InvalidCall(`invalid item discount scope ${scope}`);
  const u = ctx.env.units[unit];
  const value = grant(ctx, desired, ctx.ledger.unitCap(unit, scope), partial);
  if (!value) return;
  ctx.ledger.applyUnit(unit, scope, value);
  const props: Props = { name: `${name}#${u.position}`, value, position: u.position, subPosition: u.subPosition };
  withDesired(props, value, desired, partial);
  props.scope = scope;
  if (extra !== null) Object.assign(props, extra);
  out.push({ effectType: 'setDiscountPerItem', props, discount: value });
}

function setDiscountPerItem(ctx: RuleContext, a: Value[], out: AppliedCalls): void {
  const scope = (optStr(a[3]) ?? ctx.env.input.application.defaultDiscountAdditionalCostPerItemScope) as ItemDiscountScope;
  perItem(ctx, str(a[0], 'name'), num(a[1], 'value'), unitOf(ctx.env, a[2]), scope, partialDefault(ctx, optBool(a[4])), null, out);
}

/** Spreads `total` over the items by price; the last item absorbs the remainder so the parts sum exactly. */
function setDiscountPerItemProRata(ctx: RuleContext, a: Value[], out: AppliedCalls): void {
  const name = str(a[0], 'name');
  const total = num(a[1], 'total');
  const items = a[2];
  if (!Array.isArray(items)) throw new InvalidCall('items must be a list');
  const scope = (optStr(a[3]) ?? ctx.env.input.application.defaultDiscountAdditionalCostPerItemScope) as ItemDiscountScope;
  const units = items.map((it) => unitOf(ctx.env, it));
  const prices = items.map((it) => num((it as ValueMap).Price, 'item price'));
  const sum = prices.reduce((x, y) => add(x, y), ZERO);
  if (total.lessThanOrEqualTo(0) || sum.lessThanOrEqualTo(0)) return;
  let given = ZERO;
  units.forEach((u, i) => {
    const part = i === units.length - 1 ? sub(total, given) : mul(total, prices[i]).dividedBy(sum);
    given = add(given, part);
    perItem(ctx, name, part, u, scope, partialDefault(ctx, undefined), { totalDiscount: total }, out);
  });
}

function costId(ctx: RuleContext, name: string): number {
  const cid = ctx.env.costIds.get(name);
  if (cid === undefined) throw new InvalidCall(`unknown additional cost ${name}`);
  return cid;
}

function setDiscountPerAdditionalCost(ctx: RuleContext, a: Value[], out: AppliedCalls): void {
  const name = str(a[0], 'name');
  const cost = str(a[1], 'additionalCost');
  const desired = num(a[2], 'value');
  const partial = partialDefault(ctx, optBool(a[3]));
  const additionalCostId = costId(ctx, cost);
  const cap = ctx.ledger.sessionCostCap(cost);
  if (cap === null) return;                                  // the session has no such cost: nothing to discount
  const value = grant(ctx, desired, cap, partial);
  if (!value) return;
  ctx.ledger.applySessionCost(cost, value);
  const props: Props = { name, additionalCostId, additionalCost: cost, value };
  out.push({ effectType: 'setDiscountPerAdditionalCost', props: withDesired(props, value, desired, partial), discount: value });
}

function setDiscountPerAdditionalCostPerItem(ctx: RuleContext, a: Value[], out: AppliedCalls): void {
  const name = str(a[0], 'name');
  const cost = str(a[1], 'additionalCost');
  const desired = num(a[2], 'value');
  const unit = unitOf(ctx.env, a[3]);
  const partial = partialDefault(ctx, optBool(a[4]));
  const additionalCostId = costId(ctx, cost);
  const cap = ctx.ledger.unitCostCap(unit, cost);
  if (cap === null) throw new RuleFailure(`item has no additional cost ${cost}`);   // as Talon.One documents (docs/engine.md, "Caps, partial, budgets")
  const value = grant(ctx, desired, cap, partial);
  if (!value) return;
  ctx.ledger.applyUnitCost(unit, cost, value);
  const u = ctx.env.units[unit];
  const props: Props = { name: `${name}#${u.position}`, additionalCostId, additionalCost: cost, value, position: u.position, subPosition: u.subPosition };
  out.push({ effectType: 'setDiscountPerAdditionalCostPerItem', props: withDesired(props, value, desired, partial), discount: value });
}

// ---- loyalty -----------------------------------------------------------------------------------

function recipient(ctx: RuleContext, v: Value | undefined): string | null {
  return optStr(v) ?? (ctx.env.input.session.profileId || null);
}

/**
 * The program an effect names, as the Application sees it; the rule fails when it is not subscribed or, for a
 * card-based program, when the session carries no valid card of it (docs/loyalty-sessions.md).
 */
function programOf(ctx: RuleContext, programId: number): EngineLoyaltyProgram | null {
  const list = ctx.env.input.loyaltyPrograms;
  if (list === undefined) return null;
  const prog = list.find((x) => x.id === programId);
  if (!prog) throw new RuleFailure(`loyalty program ${programId} is not available to this Application`);
  if (prog.cardBased && !prog.cardValid) throw new RuleFailure(`the session has no valid loyalty card of program ${programId}`);
  return prog;
}

const committedEntry = (input: EngineInput, programId: number, subLedgerId: string) =>
  input.loyaltyBalances?.find((b) => b.programId === programId && b.subledgerId === subLedgerId);

/** Active points committed before this evaluation: what a deduction may spend (less this evaluation's deductions). */
export function spendablePoints(input: EngineInput, ledger: Ledger, programId: number, subLedgerId: string): Decimal {
  const bal = committedEntry(input, programId, subLedgerId);
  return (bal ? dec(bal.balance) : ZERO).minus(ledger.loyaltyUsed(`${programId}|${subLedgerId}`));
}

/** The tentative active balance: the spendable points plus this evaluation's additions that are active at once. */
export function tentativePoints(input: EngineInput, ledger: Ledger, programId: number, subLedgerId: string): Decimal {
  return spendablePoints(input, ledger, programId, subLedgerId).plus(ledger.loyaltyAdded(`${programId}|${subLedgerId}`));
}

/** The ledger's tier after this evaluation's upgrades (null: none). */
export function currentTier(input: EngineInput, ledger: Ledger, programId: number, subLedgerId: string): string | null {
  return ledger.tierAnnounced(`${programId}|${subLedgerId}`) ?? committedEntry(input, programId, subLedgerId)?.tier ?? null;
}

/** `changeLoyaltyTierLevel` when this evaluation's active additions lift the ledger into a higher tier (upgrades only). */
function tierUpgrade(ctx: RuleContext, prog: EngineLoyaltyProgram | null, programId: number, subLedgerId: string, out: AppliedCalls): void {
  if (!prog || prog.tiers.length === 0) return;
  const tentative = tentativePoints(ctx.env.input, ctx.ledger, programId, subLedgerId);
  let target = -1;
  prog.tiers.forEach((t, i) => { if (tentative.greaterThanOrEqualTo(t.minPoints)) target = i; });
  if (target < 0) return;
  const current = currentTier(ctx.env.input, ctx.ledger, programId, subLedgerId);
  const rank = current === null ? -1 : prog.tiers.findIndex((t) => t.name === current);
  if (target <= rank) return;
  const newTierName = prog.tiers[target].name;
  ctx.ledger.announceTier(`${programId}|${subLedgerId}`, newTierName);
  const props: Props = { ruleTitle: ctx.ruleName, programId, subLedgerId, newTierName };
  if (current !== null) props.previousTierName = current;
  out.push({ effectType: 'changeLoyaltyTierLevel', props });
}

function addPoints(ctx: RuleContext, a: Value[], unit: number | null, out: AppliedCalls): void {
  const programId = id(num(a[0], 'programId'));
  const subLedgerId = str(a[1], 'subledgerId');
  const desired = num(a[2], 'points');
  const name = str(a[3], 'name');
  if (desired.lessThanOrEqualTo(0)) return;
  const to = unit === null ? recipient(ctx, a[4]) : recipient(ctx, undefined);
  const prog = programOf(ctx, programId);
  if (!to && !prog?.cardBased) return;                       // anonymous session: nobody to credit
  let value = desired;
  const room = ctx.ledger.room(key(ctx, 'createLoyaltyPoints'));
  if (room && room.room.lessThan(value)) {
    if (!partialDefault(ctx, undefined) || room.room.lessThanOrEqualTo(0)) { out.drop('budget exhausted: createLoyaltyPoints'); return; }
    value = room.room;
  }
  if (!takeCount(ctx, 'createLoyaltyPointsEffect')) { out.drop('budget exhausted: createLoyaltyPointsEffect'); return; }
  ctx.ledger.consume(key(ctx, 'createLoyaltyPoints'), value);
  const props: Props = { name, programId, subLedgerId, value };
  if (value.lessThan(desired)) props.desiredValue = desired;
  props.recipientIntegrationId = to ?? '';
  let pending = prog?.pendingByDefault ?? false;
  if (unit === null) {
    if (a[5] instanceof Date) { props.startDate = a[5]; pending = a[5] > ctx.env.input.now; }
    if (a[6] instanceof Date) props.expiryDate = a[6];
  }
  props.transactionUUID = ctx.env.ids.uuid();
  if (unit !== null) {
    props.cartItemPosition = ctx.env.units[unit].position;
    props.cartItemSubPosition = ctx.env.units[unit].subPosition;
  }
  if (prog?.cardBased) props.cardIdentifier = prog.cardIdentifier;
  out.push({ effectType: 'addLoyaltyPoints', props });
  if (!pending) ctx.ledger.addLoyalty(`${programId}|${subLedgerId}`, value);
  tierUpgrade(ctx, prog, programId, subLedgerId, out);
}

function deductPoints(ctx: RuleContext, a: Value[], out: AppliedCalls): void {
  const programId = id(num(a[0], 'programId'));
  const subLedgerId = str(a[1], 'subledgerId');
  const value = num(a[2], 'points');
  const name = str(a[3], 'name');
  if (value.lessThanOrEqualTo(0)) return;
  const prog = programOf(ctx, programId);
  const lk = `${programId}|${subLedgerId}`;
  // only points committed before this session can be spent, never this session's own additions (docs/loyalty-sessions.md)
  const available = spendablePoints(ctx.env.input, ctx.ledger, programId, subLedgerId);
  if (available.lessThan(value)) throw new RuleFailure('insufficient loyalty balance');
  const room = ctx.ledger.room(key(ctx, 'redeemLoyaltyPoints'));
  if (room && room.room.lessThan(value)) { out.drop('budget exhausted: redeemLoyaltyPoints'); return; }
  if (!takeCount(ctx, 'redeemLoyaltyPointsEffect')) { out.drop('budget exhausted: redeemLoyaltyPointsEffect'); return; }
  ctx.ledger.consume(key(ctx, 'redeemLoyaltyPoints'), value);
  ctx.ledger.useLoyalty(lk, value);
  const props: Props = { ruleTitle: ctx.ruleName, programId, subLedgerId, value, name, transactionUUID: ctx.env.ids.uuid() };
  if (prog?.cardBased) props.cardIdentifier = prog.cardIdentifier;
  out.push({ effectType: 'deductLoyaltyPoints', props });
}

// ---- custom effects ------------------------------------------------------------------------------

/**
 * Renders a custom effect payload template: a JSON text whose string values may contain `${param}`.
 * A string that is exactly one placeholder takes the parameter's value (keeping its kind); otherwise
 * placeholders are interpolated as text.
 */
function renderPayload(template: string, params: ValueMap): unknown {
  let parsed: unknown;
  try { parsed = JSON.parse(template || '{}'); } catch { throw new InvalidCall('custom effect payload is not valid JSON'); }
  const text = (v: Value | undefined): string => (v instanceof Date ? v.toISOString() : isDec(v) ? v.toString() : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') {
      const whole = /^\$\{(\w+)\}$/.exec(x);
      if (whole) return params[whole[1]] ?? null;
      return x.replace(/\$\{(\w+)\}/g, (_, n: string) => text(params[n]));
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(x)) o[k] = walk((x as Record<string, unknown>)[k]);
      return o;
    }
    return x;
  };
  return walk(parsed);
}

// ---- dispatcher ----------------------------------------------------------------------------------

function nameOf(list: { id: number; name: string }[] | undefined, wanted: number): string {
  return list?.find((x) => x.id === wanted)?.name ?? '';
}

/** An effect without money: counted against `action`'s limits when given (dropped when exhausted). */
function simple(ctx: RuleContext, out: AppliedCalls, effectType: EffectType, props: Props, action?: LimitAction): void {
  if (action && !takeCount(ctx, action)) { out.drop(`budget exhausted: ${action}`); return; }
  out.push({ effectType, props });
}

function applyCall(ctx: RuleContext, call: EffectCall, out: AppliedCalls): void {
  const a = call.args;
  const input = ctx.env.input;
  switch (call.fn) {
    case 'setDiscount': return setDiscount(ctx, a, out);
    case 'setDiscountPerItem': return setDiscountPerItem(ctx, a, out);
    case 'setDiscountPerItemProRata': return setDiscountPerItemProRata(ctx, a, out);
    case 'setDiscountPerAdditionalCost': return setDiscountPerAdditionalCost(ctx, a, out);
    case 'setDiscountPerAdditionalCostPerItem': return setDiscountPerAdditionalCostPerItem(ctx, a, out);
    case 'addFreeItem': return simple(ctx, out, 'addFreeItem', { sku: str(a[0], 'sku'), name: str(a[1], 'name') }, 'addFreeItemEffect');
    case 'addLoyaltyPoints': return addPoints(ctx, a, null, out);
    case 'addLoyaltyPointsPerItem': return addPoints(ctx, a, unitOf(ctx.env, a[4]), out);
    case 'deductLoyaltyPoints': return deductPoints(ctx, a, out);
    case 'showNotification':
      return simple(ctx, out, 'showNotification', { notificationType: str(a[0], 'type'), title: str(a[1], 'title'), body: str(a[2], 'body') });
    case 'updateAttribute': return simple(ctx, out, 'set', { path: str(a[0], 'path'), value: a[1] ?? null });
    case 'triggerWebhook': {
      const webhookId = id(num(a[0], 'webhookId'));
      return simple(ctx, out, 'callApi', { webhookId, webhookName: nameOf(input.webhooks, webhookId) }, 'callApi');
    }
    case 'customEffect': {
      const name = str(a[0], 'name');
      const def = ctx.env.customEffects.get(name);
      if (!def) throw new InvalidCall(`unknown custom effect ${name}`);
      const params = isMap(a[1]) ? a[1] : (Object.create(null) as ValueMap);
      const props: Props = { effectId: def.id, name: def.name, payload: renderPayload(def.payload, params) };
      if (a[2] !== undefined && a[2] !== null) {
        const u = ctx.env.units[unitOf(ctx.env, a[2])];
        props.cartItemPosition = u.position;
        props.cartItemSubPosition = u.subPosition;
      }
      return simple(ctx, out, 'customEffect', props, 'customEffect');
    }
    case 'createCoupon': {
      const to = recipient(ctx, a[0]) ?? '';
      if (!takeCount(ctx, 'createCoupon')) { out.drop('budget exhausted: createCoupon'); return; }
      const value = ctx.env.ids.couponCode(ctx.campaign.id);
      const coupon: CreatedCoupon = { campaignId: ctx.campaign.id, value, recipientIntegrationId: to };
      if (isDec(a[1])) coupon.usageLimit = a[1];
      if (isDec(a[2])) coupon.validityDays = a[2];
      out.push({ effectType: 'couponCreated', props: { value, profileId: to }, created: { coupon } });
      return;
    }
    case 'createReferral': {
      const advocate = recipient(ctx, a[0]);
      if (!advocate) return;
      if (!takeCount(ctx, 'createReferral')) { out.drop('budget exhausted: createReferral'); return; }
      const code = ctx.env.ids.referralCode(ctx.campaign.id);
      out.push({ effectType: 'referralCreated', props: { value: code }, created: { referral: { campaignId: ctx.campaign.id, code, advocateProfileIntegrationId: advocate } } });
      return;
    }
    case 'reserveCoupon': {
      const profile = input.session.profileId;
      if (!ctx.coupon || !profile) return;
      return simple(ctx, out, 'reserveCoupon', { couponValue: ctx.coupon.value, profileIntegrationId: profile, isNewReservation: !ctx.coupon.reservedByProfile }, 'reserveCoupon');
    }
    case 'awardGiveaway': {
      const poolId = id(num(a[0], 'poolId'));
      const to = recipient(ctx, a[1]);
      if (!to) return;
      const base: Props = { poolId, poolName: nameOf(input.giveawayPools, poolId), recipientIntegrationId: to };
      if (input.session.state !== 'closed') return simple(ctx, out, 'willAwardGiveaway', base, 'awardGiveaway');
      const count = key(ctx, 'awardGiveaway');
      if (!roomForOne(ctx, count)) { out.drop('budget exhausted: awardGiveaway'); return; }
      const g = ctx.env.ids.giveaway?.(poolId) ?? null;
      if (!g) { out.drop('giveaway pool empty'); return; } // counted only when something is awarded
      ctx.ledger.consume(count, ONE);
      out.push({ effectType: 'awardGiveaway', props: { ...base, giveawayId: g.id, code: g.code } });
      return;
    }
    case 'addToAudience': case 'removeFromAudience': {
      const audienceId = id(num(a[0], 'audienceId'));
      const props: Props = { audienceId, audienceName: nameOf(input.audiences, audienceId) };
      if (input.session.profileId) props.profileIntegrationId = input.session.profileId;
      return simple(ctx, out, call.fn, props);
    }
    case 'increaseAchievementProgress': {
      const achievementId = id(num(a[0], 'achievementId'));
      const delta = num(a[1], 'delta');
      const ach = input.achievements?.find((x) => x.id === achievementId);
      if (!ach) throw new InvalidCall(`unknown achievement ${achievementId}`);
      const before = dec(ach.currentProgress);
      const value = add(before, delta);
      return simple(ctx, out, 'increaseAchievementProgress', {
        achievementId, achievementName: ach.name, delta, value, target: dec(ach.target),
        isJustCompleted: before.lessThan(ach.target) && value.greaterThanOrEqualTo(ach.target),
      });
    }
    case 'setLoyaltyPointsExpiryDate': {
      const d = a[2];
      if (!(d instanceof Date)) throw new InvalidCall('newExpiryDate must be a time');
      return simple(ctx, out, 'setLoyaltyPointsExpiryDate', { programId: id(num(a[0], 'programId')), subLedgerId: str(a[1], 'subledgerId'), newExpiryDate: d });
    }
    case 'extendLoyaltyPointsExpiryDate':
      return simple(ctx, out, 'extendLoyaltyPointsExpiryDate', { programId: id(num(a[0], 'programId')), subLedgerId: str(a[1], 'subledgerId'), extensionDuration: str(a[2], 'duration') });
    default:
      throw new InvalidCall(`unknown effect function ${call.fn}`);
  }
}

/** Applies one rule's effect calls in order (the caller undoes the ledger when the result is not ok). */
export function applyCalls(ctx: RuleContext, calls: readonly EffectCall[]): CallsResult {
  const out = new AppliedCalls();
  for (const call of calls) {
    out.index = call.index;
    try {
      applyCall(ctx, call, out);
    } catch (e) {
      if (e instanceof RuleFailure) return { ok: false, effectIndex: call.index, details: e.details };
      if (e instanceof InvalidCall) throw new EffectError(e.message, call.index);
      throw e;
    }
  }
  return out;
}
