/**
 * Mutable state of one evaluation: remaining discountable amounts, tentative budget use, coupon
 * discount use and loyalty deductions. Every mutation is journaled so that a failing rule, or a
 * tentative evaluation inside a lowest/highestDiscount group, can be undone (`mark` / `undo`).
 */
import { add, Decimal, sub, ZERO } from '../domain/money.js';
import { gt, lt, minOf as min, sign } from './num.js';
import type { FlatItem, NetView } from './roots.js';
import type { BudgetRemaining, BudgetUsage, DiscountScope, ItemDiscountScope, LimitAction } from './types.js';

export interface BudgetKey { campaignId: number; action: LimitAction; couponId?: number; referralId?: number }

export interface Room { room: Decimal; bucket: BudgetRemaining }

const NO_BUCKETS: readonly BudgetRemaining[] = [];
const ITEMS = 0;
const COSTS = 1;
const UNIT_PRICE = 2;
const MAP = 3;
/** Usage entry: [USAGE, campaignId | UsageOwner, action, amount]; undone by truncation alone. */
const USAGE = 4;

/** Coupon / referral of a usage entry (rare): the campaign id slot holds this instead of a number. */
interface UsageOwner { campaignId: number; couponId: number | undefined; referralId: number | undefined }
/** A number per action (< 32), for the keys of Ledger.usages. */
const ACTIONS: Readonly<Record<LimitAction, number>> = {
  redeemCoupon: 0, redeemReferral: 1, setDiscount: 2, setDiscountEffect: 3, createCoupon: 4, createReferral: 5,
  createLoyaltyPoints: 6, redeemLoyaltyPoints: 7, customEffect: 8, createLoyaltyPointsEffect: 9, redeemLoyaltyPointsEffect: 10,
  callApi: 11, awardGiveaway: 12, addFreeItemEffect: 13, reserveCoupon: 14,
};

export class Ledger {
  /**
   * Undo journal, four slots per change (no closure per change): [ITEMS, old], [COSTS, old],
   * [UNIT_PRICE, index, old] or [MAP, map, key, old] (old undefined: the key was absent). Usage is only
   * journaled ([USAGE, …]): usages() sums the entries that survived, so recording one is four pushes.
   */
  private readonly log: unknown[] = [];
  /** Bumped by every change (and undo): lets the evaluator rebuild cascading roots only when needed. */
  version = 0;

  private items: Decimal;        // Σ remaining unit prices (aggregate, also reduced by session-level cartItems discounts)
  private costs: Decimal;        // Σ remaining additional costs (session + item level)
  private readonly unitPrice: Decimal[];
  private readonly unitCosts: Map<string, Decimal>[];
  private readonly sessionCosts: Map<string, Decimal>;
  private readonly budgetUse = new Map<BudgetRemaining, Decimal>();
  private readonly couponUse = new Map<number, Decimal>();
  private readonly loyaltyUse = new Map<string, Decimal>();
  private readonly loyaltyAdd = new Map<string, Decimal>();
  private readonly tierSeen = new Map<string, string>();

  constructor(units: readonly FlatItem[], sessionCosts: Record<string, { price: Decimal }>, private readonly budgets: Map<number, BudgetRemaining[]>) {
    this.unitPrice = units.map((u) => u.price);
    this.unitCosts = units.map((u) => new Map(u.costs));
    this.sessionCosts = new Map(Object.keys(sessionCosts).map((k) => [k, new Decimal(sessionCosts[k].price)]));
    this.items = this.unitPrice.reduce((a, b) => add(a, b), ZERO);
    let c = ZERO;
    for (const m of this.unitCosts) for (const v of m.values()) c = add(c, v);
    for (const v of this.sessionCosts.values()) c = add(c, v);
    this.costs = c;
  }

  mark(): number { return this.log.length; }

  undo(mark: number): void {
    const log = this.log;
    while (log.length > mark) {
      const n = log.length - 4;
      const kind = log[n] as number;
      const a = log[n + 1];
      const b = log[n + 2];
      const old = log[n + 3];
      log.length = n;
      switch (kind) {
        case ITEMS: this.items = a as Decimal; break;
        case COSTS: this.costs = a as Decimal; break;
        case UNIT_PRICE: this.unitPrice[a as number] = b as Decimal; break;
        case USAGE: break;
        default: {
          const m = a as Map<unknown, unknown>;
          if (old === undefined) m.delete(b); else m.set(b, old);
        }
      }
    }
    this.version++;
  }

  private setMap<K, V>(m: Map<K, V>, k: K, v: V): void {
    const old = m.get(k); // map values are never undefined: undefined = absent
    m.set(k, v);
    this.log.push(MAP, m, k, old);
    this.version++;
  }

  private setItems(v: Decimal): void { this.log.push(ITEMS, this.items, null, null); this.items = v; this.version++; }
  private setCosts(v: Decimal): void { this.log.push(COSTS, this.costs, null, null); this.costs = v; this.version++; }
  private setUnitPrice(i: number, v: Decimal): void {
    this.log.push(UNIT_PRICE, i, this.unitPrice[i], null); this.unitPrice[i] = v; this.version++;
  }

  // ---- discount caps -------------------------------------------------------------------------

  sessionCap(scope: DiscountScope): Decimal {
    if (scope === 'cartItems') return this.items;
    if (scope === 'additionalCosts') return this.costs;
    return sign(this.costs) === 0 ? this.items : add(this.items, this.costs);
  }

  applySession(scope: DiscountScope, amount: Decimal): void {
    if (scope === 'additionalCosts') { this.setCosts(sub(this.costs, amount)); return; }
    const fromItems = min(amount, this.items);
    this.setItems(sub(this.items, fromItems));
    if (scope === 'sessionTotal' && gt(amount, fromItems)) this.setCosts(sub(this.costs, sub(amount, fromItems)));
  }

  private unitCostSum(i: number): Decimal {
    let s = ZERO;
    for (const v of this.unitCosts[i].values()) s = add(s, v);
    return s;
  }

  unitCap(i: number, scope: ItemDiscountScope): Decimal {
    const price = min(this.unitPrice[i], this.items);
    if (scope === 'price') return price;
    const costs = this.unitCosts[i].size === 0 ? ZERO : min(this.unitCostSum(i), this.costs);
    if (scope === 'additionalCosts') return costs;
    return add(price, costs);
  }

  applyUnit(i: number, scope: ItemDiscountScope, amount: Decimal): void {
    let rest = amount;
    if (scope !== 'additionalCosts') {
      const p = min(rest, this.unitPrice[i]);
      this.setUnitPrice(i, sub(this.unitPrice[i], p));
      this.setItems(sub(this.items, p));
      if (scope === 'price') return;
      rest = sub(rest, p);
    }
    if (rest.isZero()) return;
    for (const [name, v] of [...this.unitCosts[i]].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const c = min(rest, v);
      if (c.isZero()) continue;
      this.applyUnitCost(i, name, c);
      rest = sub(rest, c);
      if (rest.isZero()) break;
    }
  }

  /** Remaining amount of a session-level cost; null when the session has no such cost. */
  sessionCostCap(name: string): Decimal | null {
    const v = this.sessionCosts.get(name);
    return v === undefined ? null : min(v, this.costs);
  }

  applySessionCost(name: string, amount: Decimal): void {
    this.setMap(this.sessionCosts, name, sub(this.sessionCosts.get(name)!, amount));
    this.setCosts(sub(this.costs, amount));
  }

  unitCostCap(i: number, name: string): Decimal | null {
    const v = this.unitCosts[i].get(name);
    return v === undefined ? null : min(v, this.costs);
  }

  applyUnitCost(i: number, name: string, amount: Decimal): void {
    this.setMap(this.unitCosts[i], name, sub(this.unitCosts[i].get(name)!, amount));
    this.setCosts(sub(this.costs, amount));
  }

  /** Net amounts for cascading discounts. */
  netView(): NetView {
    return {
      total: add(this.items, this.costs),
      cartItemTotal: this.items,
      additionalCostTotal: this.costs,
      itemPrices: [...this.unitPrice],
      itemCosts: this.unitCosts.map((m) => new Map(m)),
      sessionCosts: new Map(this.sessionCosts),
    };
  }

  // ---- budgets -------------------------------------------------------------------------------

  buckets(k: BudgetKey): readonly BudgetRemaining[] {
    const list = this.budgets.get(k.campaignId);
    if (!list) return NO_BUCKETS;
    return list.filter((b) => b.action === k.action
      && (b.couponId === undefined || b.couponId === k.couponId)
      && (b.referralId === undefined || b.referralId === k.referralId));
  }

  roomOf(b: BudgetRemaining): Decimal { return sub(b.remaining, this.budgetUse.get(b) ?? ZERO); }

  /** Tightest remaining room among the buckets that apply; null = unlimited. */
  room(k: BudgetKey): Room | null {
    let best: Room | null = null;
    for (const b of this.buckets(k)) {
      const r = sub(b.remaining, this.budgetUse.get(b) ?? ZERO);
      if (!best || lt(r, best.room)) best = { room: r, bucket: b };
    }
    return best;
  }

  /** True when some limit bucket applies to the campaign (otherwise every room() is null). */
  limited(campaignId: number): boolean { return this.budgets.has(campaignId); }

  /** Books `amount` on every applicable bucket and in the session's usage. */
  consume(k: BudgetKey, amount: Decimal): void {
    for (const b of this.buckets(k)) this.setMap(this.budgetUse, b, add(this.budgetUse.get(b) ?? ZERO, amount));
    this.record(k.campaignId, k.action, k.couponId, k.referralId, amount);
  }

  /** Records usage only: consume() for a campaign without limit buckets (`limited` false), without a key object. */
  record(campaignId: number, action: LimitAction, couponId: number | undefined, referralId: number | undefined, amount: Decimal): void {
    const owner: number | UsageOwner = couponId === undefined && referralId === undefined ? campaignId : { campaignId, couponId, referralId };
    this.log.push(USAGE, owner, action, amount);
    this.version++;
  }

  /** What the evaluation consumed per campaign, action, coupon and referral (in order of first use). */
  usages(): BudgetUsage[] {
    const out: BudgetUsage[] = [];
    // usage of a campaign alone (the common case) by campaignId * 32 + action number; with a coupon or referral by text
    const plain = new Map<number, BudgetUsage>();
    let owned: Map<string, BudgetUsage> | null = null;
    const log = this.log;
    for (let i = 0; i < log.length; i += 4) {
      if (log[i] !== USAGE) continue;
      const owner = log[i + 1] as number | UsageOwner;
      const action = log[i + 2] as LimitAction;
      const amount = log[i + 3] as Decimal;
      let u: BudgetUsage | undefined;
      if (typeof owner === 'number') {
        const key = owner * 32 + ACTIONS[action];
        u = plain.get(key);
        if (u === undefined) { plain.set(key, u = { campaignId: owner, action, amount: ZERO }); out.push(u); }
      } else {
        const key = `${owner.campaignId}|${action}|${owner.couponId ?? ''}|${owner.referralId ?? ''}`;
        u = (owned ??= new Map<string, BudgetUsage>()).get(key);
        if (u === undefined) {
          u = { campaignId: owner.campaignId, action, amount: ZERO };
          if (owner.couponId !== undefined) u.couponId = owner.couponId;
          if (owner.referralId !== undefined) u.referralId = owner.referralId;
          owned.set(key, u);
          out.push(u);
        }
      }
      u.amount = add(u.amount, amount);
    }
    return out;
  }

  // ---- coupon discount limits and loyalty ----------------------------------------------------

  couponUsed(couponId: number): Decimal { return this.couponUse.get(couponId) ?? ZERO; }
  useCoupon(couponId: number, amount: Decimal): void { this.setMap(this.couponUse, couponId, add(this.couponUsed(couponId), amount)); }
  couponDiscounts(): { couponId: number; amount: Decimal }[] {
    return [...this.couponUse].filter(([, a]) => !a.isZero()).map(([couponId, amount]) => ({ couponId, amount }));
  }

  loyaltyUsed(key: string): Decimal { return this.loyaltyUse.get(key) ?? ZERO; }
  useLoyalty(key: string, amount: Decimal): void { this.setMap(this.loyaltyUse, key, add(this.loyaltyUsed(key), amount)); }
  /** Points this evaluation adds that are active at once (what a tier upgrade counts). */
  loyaltyAdded(key: string): Decimal { return this.loyaltyAdd.get(key) ?? ZERO; }
  addLoyalty(key: string, amount: Decimal): void { this.setMap(this.loyaltyAdd, key, add(this.loyaltyAdded(key), amount)); }
  /** The tier an upgrade effect of this evaluation already announced for the ledger. */
  tierAnnounced(key: string): string | undefined { return this.tierSeen.get(key); }
  announceTier(key: string, name: string): void { this.setMap(this.tierSeen, key, name); }
}

export function indexBudgets(list: readonly BudgetRemaining[] | undefined): Map<number, BudgetRemaining[]> {
  const m = new Map<number, BudgetRemaining[]>();
  for (const b of list ?? []) {
    const l = m.get(b.campaignId);
    if (l) l.push(b); else m.set(b.campaignId, [b]);
  }
  return m;
}
