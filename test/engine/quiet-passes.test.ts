/**
 * Passes that nobody asks about (PassScope.next with `quiet`: no failure reasons requested, no coupon or
 * referral code in the pass) skip the outcome of rules that do not fire. The evaluation must not
 * change otherwise: on the benchmark rule mix plus rules with failure effects, failing conditions,
 * failing effects and coupon rules, an evaluation without failure reasons gives exactly the effects,
 * usage, triggered campaigns and created coupons of the same evaluation with them — also when the step
 * budget runs out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from '../../src/domain/money.js';
import { evaluate } from '../../src/engine/index.js';
import type { EngineCampaign, EngineInput } from '../../src/engine/types.js';
import type { CompileEnv, RuleInput } from '../../src/rules/contract.js';
import { compileRuleset } from '../../src/rules/index.js';
import { randomCart, RULE_ATTRIBUTES, ruleMix, talang } from '../../bench/rules.js';
import { app, coupon, input, item, session } from './fakes.js';

const ENV: CompileEnv = { attributes: RULE_ATTRIBUTES.map((a) => ({ ...a })), additionalCosts: ['shipping'], customEffects: [] };
const P = (...k: string[]) => ['.', ...k];

const SPECIAL: RuleInput[] = [
  { title: 'failure effects', condition: ['and', ['>', P('Session', 'Total'), 100000]], effects: [['setDiscount', 'never', 1]],
    failureEffects: [['showNotification', 'Info', 'almost', 'spend more']] },
  { title: 'condition error', condition: ['and', ['=', P('Session', 'Attributes', 'ShippingCity'), 'Berlin']], effects: [['setDiscount', 'berlin', 1]] },
  { title: 'effect error', condition: ['and', true], effects: [['setDiscountPerItem', 'bad', 1, P('Session')]] },
  { title: 'coupon', condition: ['and', ['couponValid'], ['>', P('Session', 'Total'), 10]], effects: [['setDiscount', 'coupon', ['*', P('Session', 'Total'), 0.1]]] },
  { title: 'loops', condition: ['and', ['exists', P('Session', 'CartItems'), [['Item'], ['=', P('Item', 'Category'), 'Shoes']]]],
    effects: [['map', ['filter', P('Session', 'CartItems'), [['Item'], ['catch', false, ['=', P('Item', 'Category'), 'Shoes']]]], [['Item'], ['setDiscountPerItem', 'shoes', 0.5, P('Item')]]]] },
];

function campaigns(): EngineCampaign[] {
  const { specs } = ruleMix(30, 5);
  const out: EngineCampaign[] = specs.map((rs, i) => ({
    id: i + 1, name: `Campaign ${i + 1}`, state: 'enabled', tags: [], attributes: {}, features: [], linkedStoreIds: [],
    ruleset: { id: 1000 + i, compiled: compileRuleset({ rules: rs.map((s, r) => talang(s, `c${i + 1} r${r}`)) }, ENV) },
  }));
  SPECIAL.forEach((rule, k) => out.splice(k * 6, 0, {
    id: 100 + k, name: rule.title, state: 'enabled', tags: [], attributes: {}, features: [], linkedStoreIds: [],
    ruleset: { id: 2000 + k, compiled: compileRuleset({ rules: [rule] }, ENV) },
  }));
  return out;
}

function inputs(n: number): EngineInput[] {
  const all = campaigns();
  const { draw, products } = ruleMix(30, 5);
  return Array.from({ length: n }, (_, i) => {
    const c = randomCart(draw, products, i);
    const s = session(c.lines.map((l) => item(l.sku, l.cents / 100, l.quantity, { category: l.category })), {
      attributes: c.city && i % 3 ? { ShippingCity: c.city } : {},
      couponCodes: i % 4 === 0 ? ['SAVE10', 'UNKNOWN'] : [],
      additionalCosts: c.shippingCents ? { shipping: { price: new Decimal(c.shippingCents / 100) } } : {},
    });
    return input(s, all, { application: app(), coupons: [coupon(1, 'SAVE10', 103)] });
  });
}

const view = (r: ReturnType<typeof evaluate>) => JSON.parse(JSON.stringify({
  effects: r.effects, triggered: r.triggeredCampaignIds, usage: r.usage, coupons: r.createdCoupons, referrals: r.createdReferrals,
})) as unknown;

test('an evaluation without failure reasons gives what the same evaluation with them gives', () => {
  let effects = 0;
  for (const [i, x] of inputs(120).entries()) {
    for (const maxSteps of [undefined, 40, 400]) {
      const options = maxSteps === undefined ? {} : { maxSteps };
      const loud = evaluate({ ...x, options: { ...options, includeFailureReasons: true } });
      const quiet = evaluate({ ...x, options: { ...options, includeFailureReasons: false } });
      assert.deepEqual(view(quiet), view(loud), `cart ${i}, maxSteps ${maxSteps}`);
      assert.deepEqual(quiet.ruleFailureReasons, []);
      if (maxSteps === undefined) {
        assert.ok(loud.ruleFailureReasons.length > 0, 'the loud evaluation reports the rules that did not fire');
        effects += loud.effects.length;
      }
    }
  }
  assert.ok(effects > 1000, `the carts get effects (${effects}), error effects and coupon outcomes included`);
});
