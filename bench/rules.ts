/**
 * The benchmark rule mix, shared by bench/rule-engine.ts (in process) and bench/session-update.ts with
 * CAMPAIGNS=n (over HTTP): n campaigns × 5 rules drawn from seven kinds of condition — session totals,
 * session and profile attributes, `exists` / `filter` / `sum` over the cart items by category, sku and
 * price — with setDiscount, setDiscountPerItem and showNotification effects; and the carts they run on.
 * Everything is generated from fixed seeds, so every run sees the same rules and carts.
 */
import type { RuleInput } from '../src/rules/contract.js';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random helpers over one generator (rules and carts draw from the same sequence). */
export class Draw {
  constructor(readonly rand: () => number) {}
  int(lo: number, hi: number): number { return lo + Math.floor(this.rand() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.rand() * xs.length)]; }
  /** Thresholds with a third decimal never equal a sum of 2-decimal prices: float and decimal agree. */
  threshold(lo: number, hi: number): number { return this.int(lo, hi) + 0.005; }
}

export const CATEGORIES = ['Shoes', 'Shirts', 'Coffee', 'Lighting', 'Books', 'Toys', 'Garden', 'Kitchen', 'Music', 'Sports'];
export const CITIES = ['Berlin', 'Paris', 'Madrid', 'Rome', 'Vienna', 'Lisbon'];
export const SEGMENTS = ['gold', 'silver', 'bronze', 'new'];

export interface Product { sku: string; category: string; cents: number }
export const catalog = (d: Draw): Product[] => Array.from({ length: 200 }, (_, i) => ({
  sku: `SKU-${String(i).padStart(3, '0')}`, category: CATEGORIES[i % CATEGORIES.length], cents: d.int(100, 15000),
}));

export type Spec =
  | { t: 'total'; x: number; pct: number }
  | { t: 'city'; city: string }
  | { t: 'segment'; seg: string; x: number; amount: number }
  | { t: 'hasCategory'; cat: string }
  | { t: 'itemFilter'; cat: string; minPrice: number; pct: number }
  | { t: 'categorySum'; cat: string; x: number; amount: number }
  | { t: 'skuAndTotal'; sku: string; x: number; amount: number };

export function randomSpec(d: Draw, products: readonly Product[]): Spec {
  switch (d.int(0, 6)) {
    case 0: return { t: 'total', x: d.threshold(20, 400), pct: d.int(1, 5) };
    case 1: return { t: 'city', city: d.pick(CITIES) };
    case 2: return { t: 'segment', seg: d.pick(SEGMENTS), x: d.threshold(10, 200), amount: d.int(1, 5) };
    case 3: return { t: 'hasCategory', cat: d.pick(CATEGORIES) };
    case 4: return { t: 'itemFilter', cat: d.pick(CATEGORIES), minPrice: d.threshold(5, 100), pct: d.int(2, 10) };
    case 5: return { t: 'categorySum', cat: d.pick(CATEGORIES), x: d.threshold(20, 200), amount: d.int(1, 5) };
    default: return { t: 'skuAndTotal', sku: d.pick(products).sku, x: d.threshold(10, 150), amount: d.int(1, 5) };
  }
}

/** The attributes the rules read (declared before the campaigns are saved). */
export const RULE_ATTRIBUTES = [
  { entity: 'CustomerSession', name: 'ShippingCity', type: 'string' },
  { entity: 'CustomerProfile', name: 'Segment', type: 'string' },
] as const;

const P = (...k: string[]) => ['.', ...k];
const inCategory = (cat: string) => ['catch', false, ['=', P('Item', 'Category'), cat]];

/** One spec as a Talon.One rule (JSON form). */
export function talang(s: Spec, title: string): RuleInput {
  const base = { title };
  switch (s.t) {
    case 'total': return { ...base, condition: ['and', ['>', P('Session', 'Total'), s.x]],
      effects: [['setDiscount', title, ['*', P('Session', 'Total'), ['/', s.pct, 100]]]] };
    case 'city': return { ...base, condition: ['and', ['catch', false, ['=', P('Session', 'Attributes', 'ShippingCity'), s.city]]],
      effects: [['showNotification', 'Info', title, `Delivery to ${s.city}`]] };
    case 'segment': return { ...base,
      condition: ['and', ['catch', false, ['=', P('Profile', 'Attributes', 'Segment'), s.seg]], ['>', P('Session', 'CartItemTotal'), s.x]],
      effects: [['setDiscount', title, s.amount]] };
    case 'hasCategory': return { ...base, condition: ['and', ['exists', P('Session', 'CartItems'), [['Item'], inCategory(s.cat)]]],
      effects: [['showNotification', 'Offer', title, `More ${s.cat}?`]] };
    case 'itemFilter': return { ...base,
      bindings: [{ name: 'Selected', type: 'cartItemFilter', expression: ['filter', P('Session', 'CartItems'),
        [['Item'], ['and', inCategory(s.cat), ['>', P('Item', 'Price'), s.minPrice]]]] }],
      condition: ['and', ['not', ['isEmpty', P('Selected')]]],
      effects: [['map', P('Selected'), [['Item'], ['setDiscountPerItem', title, ['*', P('Item', 'Price'), ['/', s.pct, 100]], P('Item')]]]] };
    case 'categorySum': return { ...base,
      condition: ['and', ['>', ['sum', ['filter', P('Session', 'CartItems'), [['Item'], inCategory(s.cat)]], [['Item'], P('Item', 'Price')]], s.x]],
      effects: [['setDiscount', title, s.amount]] };
    case 'skuAndTotal': return { ...base,
      condition: ['and', ['exists', P('Session', 'CartItems'), [['Item'], ['=', P('Item', 'Sku'), s.sku]]], ['>=', P('Session', 'Total'), s.x]],
      effects: [['setDiscount', title, s.amount]] };
  }
}

export interface Line { sku: string; category: string; cents: number; quantity: number }
export interface Cart { lines: Line[]; city: string | null; segment: string | null; profileId: string | null; shippingCents: number }

/** 1–6 lines of 1–3 units; 80 % with a ShippingCity, 10 % anonymous, 75 % of the others with a Segment, half with shipping. */
export function randomCart(d: Draw, products: readonly Product[], i: number): Cart {
  const lines: Line[] = [];
  const n = d.int(1, 6);
  for (let k = 0; k < n; k++) {
    const p = d.pick(products);
    lines.push({ sku: p.sku, category: p.category, cents: p.cents, quantity: d.int(1, 3) });
  }
  const anonymous = d.rand() < 0.1;
  return {
    lines, city: d.rand() < 0.8 ? d.pick(CITIES) : null, segment: !anonymous && d.rand() < 0.75 ? d.pick(SEGMENTS) : null,
    profileId: anonymous ? null : `p-${i}`, shippingCents: d.rand() < 0.5 ? 499 : 0,
  };
}

/** The rule mix: `campaigns` × `rules` specs, drawn after the catalog from one seeded generator. */
export function ruleMix(campaigns: number, rules: number, seed = 20251126): { draw: Draw; products: Product[]; specs: Spec[][] } {
  const draw = new Draw(rng(seed));
  const products = catalog(draw);
  const specs = Array.from({ length: campaigns }, () => Array.from({ length: rules }, () => randomSpec(draw, products)));
  return { draw, products, specs };
}

/** Cents as a JS number of currency units (exact for the reference's float arithmetic at these sizes). */
export const cents = (n: number) => n / 100;
