/**
 * Hand-written CompiledRuleset fakes and input builders for engine tests.
 * A fake rule is a function of the pass (roots + facts) returning a RuleOutcome.
 */
import { Decimal } from '../../src/domain/money.js';
import type { CompiledRuleset, EffectCall, EvalOptions, RuleOutcome, Value, ValueMap } from '../../src/rules/contract.js';
import type {
  EngineApplication, EngineCampaign, EngineCartItem, EngineCoupon, EngineIds, EngineInput, EngineProfile, EngineSession,
} from '../../src/engine/types.js';

export interface FakeRule {
  title: string;
  referencesCoupon?: boolean;
  referencesReferral?: boolean;
  run(opts: EvalOptions): RuleOutcome;
}

/** Numbers become Decimal (as the rule language would produce). */
export function v(x: unknown): Value {
  if (typeof x === 'number') return new Decimal(x);
  if (Array.isArray(x)) return x.map(v);
  return x as Value;
}

export function call(fn: string, ...args: unknown[]): Omit<EffectCall, 'index'> {
  return { fn, args: args.map(v) };
}

export function fired(...calls: Omit<EffectCall, 'index'>[]): RuleOutcome {
  return { fired: true, effects: calls.map((c, index) => ({ ...c, index })) };
}

export function failed(conditionIndex = 0, details = 'condition evaluated to false', failureEffects: Omit<EffectCall, 'index'>[] = []): RuleOutcome {
  return { fired: false, conditionIndex, details, failureEffects: failureEffects.map((c, index) => ({ ...c, index })) };
}

export function ruleset(rules: FakeRule[]): CompiledRuleset {
  return {
    rules: rules.map((r, index) => ({ index, title: r.title, referencesCoupon: !!r.referencesCoupon, referencesReferral: !!r.referencesReferral })),
    bind(opts: EvalOptions) {
      return { evaluate: (i: number) => rules[i].run(opts) };
    },
  };
}

/** Convenience: rule that always fires with the given calls (computed from the pass). */
export function always(title: string, f: (o: EvalOptions) => Omit<EffectCall, 'index'>[], extra: Partial<FakeRule> = {}): FakeRule {
  return { title, run: (o) => fired(...f(o)), ...extra };
}

/** A coupon rule: fires iff couponValid() (and `cond`). */
export function couponRule(title: string, f: (o: EvalOptions) => Omit<EffectCall, 'index'>[], cond: (o: EvalOptions) => boolean = () => true): FakeRule {
  return {
    title, referencesCoupon: true,
    run: (o) => (!o.facts?.couponValid?.() ? failed(0) : cond(o) ? fired(...f(o)) : failed(1)),
  };
}

export function sessionTotal(o: EvalOptions): Decimal {
  return o.roots.Session!.Total as Decimal;
}

export function cartItems(o: EvalOptions): ValueMap[] {
  return o.roots.Session!.CartItems as ValueMap[];
}

export function item(sku: string, price: number | string, quantity = 1, extra: Partial<EngineCartItem> = {}): Omit<EngineCartItem, 'position'> {
  return { sku, price: new Decimal(price), quantity, ...extra };
}

export function app(extra: Partial<EngineApplication> = {}): EngineApplication {
  return {
    id: 1, name: 'App', currency: 'EUR', timezone: 'UTC', attributes: {}, enableCascadingDiscounts: false,
    enablePartialDiscounts: true, defaultDiscountScope: 'sessionTotal', defaultDiscountAdditionalCostPerItemScope: 'price',
    caseSensitivity: 'insensitive-uppercase', ...extra,
  };
}

export function session(items: Omit<EngineCartItem, 'position'>[], extra: Partial<EngineSession> = {}): EngineSession {
  const cartItems = items.map((it, position) => ({ ...it, position }));
  const additionalCosts = extra.additionalCosts ?? {};
  let cartItemTotal = new Decimal(0);
  let costTotal = new Decimal(0);
  for (const it of cartItems) {
    cartItemTotal = cartItemTotal.plus(it.price.times(it.quantity));
    for (const c of Object.values(it.additionalCosts ?? {})) costTotal = costTotal.plus(c.price.times(it.quantity));
  }
  for (const c of Object.values(additionalCosts)) costTotal = costTotal.plus(c.price);
  return {
    integrationId: 's-1', profileId: 'cust-1', state: 'open', cartItems, additionalCosts, attributes: {}, couponCodes: [],
    referralCode: null, identifiers: [], storeIntegrationId: null, loyaltyCards: [],
    totals: { cartItemTotal, additionalCostTotal: costTotal, total: cartItemTotal.plus(costTotal) },
    firstSession: true, updateCount: 1, created: new Date('2025-01-01T00:00:00Z'), updated: new Date('2025-01-01T00:00:00Z'),
    ...extra,
  };
}

export function campaign(id: number, rules: FakeRule[], extra: Partial<EngineCampaign> = {}): EngineCampaign {
  return {
    id, name: `Campaign ${id}`, state: 'enabled', tags: [], attributes: {}, features: [], linkedStoreIds: [],
    ruleset: { id: id * 10, compiled: ruleset(rules) }, ...extra,
  };
}

export function coupon(id: number, value: string, campaignId: number, extra: Partial<EngineCoupon> = {}): EngineCoupon {
  return { id, value, campaignId, usageLimit: 0, usageCounter: 0, ...extra };
}

export function profile(integrationId = 'cust-1', extra: Partial<EngineProfile> = {}): EngineProfile {
  return {
    integrationId, attributes: {}, closedSessions: 0, totalSales: new Decimal(0), created: new Date('2024-01-01T00:00:00Z'),
    lastActivity: new Date('2024-06-01T00:00:00Z'), audienceIds: [], ...extra,
  };
}

export function seqIds(): EngineIds {
  let n = 0;
  return {
    uuid: () => `uuid-${++n}`,
    couponCode: (c) => `NEW-${c}-${++n}`,
    referralCode: (c) => `REF-${c}-${++n}`,
    giveaway: (pool) => ({ id: 1000 + pool, code: `GIFT-${pool}` }),
  };
}

export const NOW = new Date('2025-06-01T12:00:00Z');

export function input(s: EngineSession, campaigns: EngineCampaign[], extra: Partial<EngineInput> = {}): EngineInput {
  return {
    session: s, profile: s.profileId ? profile(s.profileId) : null, application: app(), additionalCostDefs: [{ id: 3, name: 'shipping' }],
    campaigns, coupons: [], event: { type: 'talon_session_updated' }, now: NOW, ids: seqIds(), ...extra,
  };
}
