/**
 * `npm run bench:rule-engine` — in-process rule evaluation throughput.
 *
 * 100 campaigns × 5 rules (session totals, session/profile attribute equality, `exists` / `filter` /
 * `sum` over Session.CartItems by category, sku and price; setDiscount, setDiscountPerItem and
 * showNotification effects) evaluated on 10,000 distinct generated carts:
 *
 *   A. OpenPromo: rulesets compiled once with `compileRuleset`, each cart evaluated with `evaluate()`.
 *   B. Reference: the same rule logic in json-rules-engine v7 (one engine holding all 500 rules; facts
 *      precomputed as plain numbers/strings; custom operators for the cart item filters; fired events
 *      turned into effect values with plain JS numbers).
 *
 * One "eval" = all 100 campaigns on one cart, in both. Inputs for both are built before timing. After a
 * warm-up and a cross-check that both fire exactly the same rules, each round takes a disjoint slice of
 * the 10,000 carts (so every cart is timed once in each) and alternates A and B on chunks of 200 carts
 * (BENCH_CHUNK) within it, so that both run under the same conditions on a shared, noisy machine (a slow spell of
 * the host hits both sides of a round alike). Reported: the median rate of each side over the rounds
 * and the median of the per-round ratios (paired measurements).
 * Last line: RESULT {"openpromo_evals_per_s":…,"reference_evals_per_s":…,"ratio":…}
 */
import { Engine, type RuleProperties } from 'json-rules-engine';
import { Decimal } from '../src/domain/money.js';
import { evaluate } from '../src/engine/index.js';
import type { EngineApplication, EngineCampaign, EngineCartItem, EngineInput, EngineProfile, EngineSession } from '../src/engine/types.js';
import type { CompileEnv } from '../src/rules/contract.js';
import { compileRuleset } from '../src/rules/index.js';
import { cents as money, randomCart, RULE_ATTRIBUTES, ruleMix, talang, type Cart, type Spec } from './rules.js';

const CAMPAIGNS = 100;
const RULES = 5;
const CARTS = Number(process.env.BENCH_CARTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 200);
const WARMUP = Math.min(1000, CARTS);

// ---------------------------------------------------------------- rules (one spec, two encodings)

const { draw, products, specs } = ruleMix(CAMPAIGNS, RULES);

interface JreRule { conditions: object; event: { type: string; params: { c: number; r: number } }; name: string }

function jre(s: Spec, c: number, r: number): JreRule {
  const ev = { type: s.t, params: { c, r } };
  const name = `${c}:${r}`;
  switch (s.t) {
    case 'total': return { name, event: ev, conditions: { all: [{ fact: 'total', operator: 'greaterThan', value: s.x }] } };
    case 'city': return { name, event: ev, conditions: { all: [{ fact: 'shippingCity', operator: 'equal', value: s.city }] } };
    case 'segment': return { name, event: ev, conditions: { all: [{ fact: 'segment', operator: 'equal', value: s.seg }, { fact: 'cartItemTotal', operator: 'greaterThan', value: s.x }] } };
    case 'hasCategory': return { name, event: ev, conditions: { all: [{ fact: 'cartItems', operator: 'hasCategory', value: s.cat }] } };
    case 'itemFilter': return { name, event: ev, conditions: { all: [{ fact: 'cartItems', operator: 'hasCategoryAbove', value: { cat: s.cat, minPrice: s.minPrice } }] } };
    case 'categorySum': return { name, event: ev, conditions: { all: [{ fact: 'cartItems', operator: 'categorySumAbove', value: { cat: s.cat, x: s.x } }] } };
    case 'skuAndTotal': return { name, event: ev, conditions: { all: [{ fact: 'cartItems', operator: 'hasSku', value: s.sku }, { fact: 'total', operator: 'greaterThanInclusive', value: s.x }] } };
  }
}

// ---------------------------------------------------------------- A: OpenPromo

const ENV: CompileEnv = {
  attributes: RULE_ATTRIBUTES.map((a) => ({ ...a })),
  additionalCosts: ['shipping'], customEffects: [],
};

const campaigns: EngineCampaign[] = specs.map((rs, i) => ({
  id: i + 1, name: `Campaign ${i + 1}`, state: 'enabled', tags: [], attributes: {}, features: [], linkedStoreIds: [],
  ruleset: { id: 1000 + i, compiled: compileRuleset({ bindings: [], rules: rs.map((s, r) => talang(s, `c${i + 1} r${r}`)) }, ENV) },
}));

const application: EngineApplication = {
  id: 1, name: 'bench', currency: 'EUR', timezone: 'UTC', attributes: {}, enableCascadingDiscounts: false, enablePartialDiscounts: true,
  defaultDiscountScope: 'sessionTotal', defaultDiscountAdditionalCostPerItemScope: 'price', caseSensitivity: 'insensitive-uppercase',
};
const NOW = new Date('2025-06-01T12:00:00Z');
const ids = { uuid: () => 'uuid', couponCode: () => 'CODE', referralCode: () => 'REF' };

// ---------------------------------------------------------------- carts (both encodings)

const carts: Cart[] = [];
{
  const seen = new Set<string>();
  while (carts.length < CARTS) {
    const c = randomCart(draw, products, carts.length);
    const key = JSON.stringify(c.lines) + c.city + c.segment + (c.profileId === null) + c.shippingCents;
    if (!seen.has(key)) { seen.add(key); carts.push(c); }
  }
}

function engineInput(c: Cart, i: number, includeFailureReasons: boolean): EngineInput {
  const cartItems: EngineCartItem[] = c.lines.map((l, position) => ({
    sku: l.sku, category: l.category, price: new Decimal(money(l.cents)), quantity: l.quantity, position,
  }));
  const itemCents = c.lines.reduce((s, l) => s + l.cents * l.quantity, 0);
  const session: EngineSession = {
    integrationId: `s-${i}`, profileId: c.profileId, state: 'open', cartItems,
    additionalCosts: c.shippingCents ? { shipping: { price: new Decimal(money(c.shippingCents)) } } : {},
    attributes: c.city ? { ShippingCity: c.city } : {}, couponCodes: [], referralCode: null, identifiers: [], storeIntegrationId: null,
    loyaltyCards: [], totals: {
      cartItemTotal: new Decimal(money(itemCents)), additionalCostTotal: new Decimal(money(c.shippingCents)),
      total: new Decimal(money(itemCents + c.shippingCents)),
    },
    firstSession: false, updateCount: 1, created: NOW, updated: NOW,
  };
  const profile: EngineProfile | null = c.profileId === null ? null : {
    integrationId: c.profileId, attributes: c.segment ? { Segment: c.segment } : {}, closedSessions: 2, totalSales: new Decimal(100),
    created: NOW, lastActivity: NOW, audienceIds: [],
  };
  return {
    session, profile, application, additionalCostDefs: [{ id: 3, name: 'shipping' }], campaigns, coupons: [],
    event: { type: 'talon_session_updated' }, now: NOW, ids, options: { includeFailureReasons },
  };
}

interface JreItem { sku: string; category: string; price: number; quantity: number }
interface Facts { total: number; cartItemTotal: number; shippingCity?: string; segment?: string; cartItems: JreItem[] }

function jreFacts(c: Cart): Facts {
  const cartItems = c.lines.map((l) => ({ sku: l.sku, category: l.category, price: money(l.cents), quantity: l.quantity }));
  const itemCents = c.lines.reduce((s, l) => s + l.cents * l.quantity, 0);
  const f: Facts = { total: money(itemCents + c.shippingCents), cartItemTotal: money(itemCents), cartItems };
  if (c.city) f.shippingCity = c.city;
  if (c.segment) f.segment = c.segment;
  return f;
}

const inputs = carts.map((c, i) => engineInput(c, i, false));
const facts = carts.map(jreFacts);

// ---------------------------------------------------------------- B: json-rules-engine

const engine = new Engine([], { allowUndefinedFacts: true });
engine.addOperator<JreItem[], string>('hasCategory', (items, cat) => items.some((x) => x.category === cat));
engine.addOperator<JreItem[], string>('hasSku', (items, sku) => items.some((x) => x.sku === sku));
engine.addOperator<JreItem[], { cat: string; minPrice: number }>('hasCategoryAbove', (items, v) => items.some((x) => x.category === v.cat && x.price > v.minPrice));
engine.addOperator<JreItem[], { cat: string; x: number }>('categorySumAbove', (items, v) => {
  let s = 0;
  for (const x of items) if (x.category === v.cat) s += x.price * x.quantity;
  return s > v.x;
});
for (const [c, rs] of specs.entries()) rs.forEach((s, r) => engine.addRule(jre(s, c + 1, r) as unknown as RuleProperties));

interface RefEffect { type: string; c: number; r: number; value?: number; position?: number; subPosition?: number }

/** Runs the reference and turns its events into effects (same values as the Talang effects, in floats). */
async function reference(f: Facts): Promise<RefEffect[]> {
  const { events } = await engine.run(f);
  const out: RefEffect[] = [];
  for (const e of events) {
    const { c, r } = e.params as { c: number; r: number };
    const s = specs[c - 1][r];
    switch (s.t) {
      case 'total': out.push({ type: 'setDiscount', c, r, value: f.total * s.pct / 100 }); break;
      case 'segment': case 'categorySum': case 'skuAndTotal': out.push({ type: 'setDiscount', c, r, value: s.amount }); break;
      case 'city': case 'hasCategory': out.push({ type: 'showNotification', c, r }); break;
      case 'itemFilter':
        f.cartItems.forEach((x, position) => {
          if (x.category !== s.cat || !(x.price > s.minPrice)) return;
          for (let sub = 0; sub < x.quantity; sub++) out.push({ type: 'setDiscountPerItem', c, r, value: x.price * s.pct / 100, position, subPosition: sub });
        });
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------- cross-check, warm-up, rounds

async function crossCheck(n: number): Promise<{ fired: number; effects: number }> {
  let fired = 0;
  let effects = 0;
  for (let i = 0; i < n; i++) {
    const res = evaluate(engineInput(carts[i], i, true));
    const failed = new Set(res.ruleFailureReasons.map((x) => `${x.campaignID}:${x.ruleIndex}`));
    const ours: string[] = [];
    for (const c of campaigns) for (let r = 0; r < RULES; r++) if (!failed.has(`${c.id}:${r}`)) ours.push(`${c.id}:${r}`);
    const ref = await engine.run(facts[i]);
    const theirs = ref.events.map((e) => { const p = e.params as { c: number; r: number }; return `${p.c}:${p.r}`; }).sort();
    if (ours.sort().join() !== theirs.join()) throw new Error(`cart ${i}: fired rules differ\n ours   ${ours.join(' ')}\n theirs ${theirs.join(' ')}`);
    fired += ours.length;
    effects += res.effects.length;
  }
  return { fired, effects };
}

function runA(from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += evaluate(inputs[i]).effects.length;
  return n;
}

async function runB(from: number, to: number): Promise<number> {
  let n = 0;
  for (let i = from; i < to; i++) n += (await reference(facts[i])).length;
  return n;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function main(): Promise<void> {
  if (process.env.BENCH_PROFILE === 'openpromo') {  // profiling aid: only the OpenPromo side (node --cpu-prof)
    runA(0, WARMUP);
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    runA(0, CARTS);
    const used = process.cpuUsage(cpu);
    // CPU time is far less sensitive than wall time to other processes on a loaded machine.
    console.log(`openpromo ${(CARTS / (Number(process.hrtime.bigint() - t) / 1e9)).toFixed(0)} evals/s (wall), ${(CARTS / ((used.user + used.system) / 1e6)).toFixed(0)} evals/s (cpu time)`);
    return;
  }
  const check = await crossCheck(Math.min(500, CARTS));
  console.log(`cross-check: ${Math.min(500, CARTS)} carts, identical fired rules (${(check.fired / Math.min(500, CARTS)).toFixed(1)} rules/cart fire, ${(check.effects / Math.min(500, CARTS)).toFixed(1)} effects/cart)`);
  runA(0, WARMUP); await runB(0, WARMUP); runA(0, WARMUP); await runB(0, WARMUP);
  const a: number[] = [];
  const b: number[] = [];
  const r: number[] = [];
  const slice = Math.floor(CARTS / ROUNDS);
  for (let k = 0; k < ROUNDS; k++) {
    const from = k * slice;
    const to = k === ROUNDS - 1 ? CARTS : from + slice;
    let ta = 0;
    let tb = 0;
    for (let c = from; c < to; c += CHUNK) {
      const end = Math.min(to, c + CHUNK);
      let t = process.hrtime.bigint();
      runA(c, end);
      ta += Number(process.hrtime.bigint() - t);
      t = process.hrtime.bigint();
      await runB(c, end);
      tb += Number(process.hrtime.bigint() - t);
    }
    a.push((to - from) / (ta / 1e9));
    b.push((to - from) / (tb / 1e9));
    r.push(tb / ta);
    console.log(`round ${k + 1}: carts ${from}..${to - 1}  openpromo ${a[k].toFixed(0)} evals/s  json-rules-engine ${b[k].toFixed(0)} evals/s  ratio ${r[k].toFixed(2)}`);
  }
  const ma = median(a);
  const mb = median(b);
  console.log(`RESULT ${JSON.stringify({ openpromo_evals_per_s: Math.round(ma), reference_evals_per_s: Math.round(mb), ratio: Number(median(r).toFixed(2)) })}`);
}

await main();
