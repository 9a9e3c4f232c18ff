/** Generated code (src/rules/jit.ts) against the closure compiler: same outcomes, same step charges. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal } from '../../src/domain/money.js';
import { compileRuleset } from '../../src/rules/compile.js';
import type { RuleInput } from '../../src/rules/contract.js';
import { generatedFunctions } from '../../src/rules/jit.js';
import { ENV, opts, session, tierOutcomes } from './helpers.js';

const P = (...k: string[]) => ['.', ...k];
const S = session({ Attributes: { ShippingCity: 'Berlin' } }, [
  { sku: 'A', quantity: 2, price: 10, category: 'Shoes' }, { sku: 'B', quantity: 1, price: 5.5, category: 'Books' },
  { sku: 'C', quantity: 3, price: 0.1 },
]);
const inCat = (cat: string) => ['catch', false, ['=', P('Item', 'Category'), cat]];

const RULES: RuleInput[] = [
  { title: 'total', condition: ['and', ['>', P('Session', 'Total'), 20.005], ['<=', P('Session', 'Total'), 1000]], effects: [['setDiscount', 't', ['*', P('Session', 'Total'), ['/', 5, 100]]]] },
  { title: 'exists', condition: ['and', ['exists', P('Session', 'CartItems'), [['Item'], inCat('Books')]]], effects: [['showNotification', 'Info', 'x', 'y']] },
  { title: 'filter', bindings: [{ name: 'Sel', type: 'cartItemFilter', expression: ['filter', P('Session', 'CartItems'), [['Item'], ['and', inCat('Shoes'), ['>', P('Item', 'Price'), 1]]]] }],
    condition: ['and', ['not', ['isEmpty', P('Sel')]]],
    effects: [['map', P('Sel'), [['Item'], ['setDiscountPerItem', 'p', ['*', P('Item', 'Price'), ['/', 10, 100]], P('Item')]]]] },
  { title: 'sum', condition: ['and', ['>', ['sum', P('Session', 'CartItems'), [['Item'], P('Item', 'Price')]], 20]], effects: [['setDiscount', 's', ['-', ['+', 0.1, 0.2], 0.3]]] },
  { title: 'missing', condition: ['and', ['=', P('Session', 'Attributes', 'ShippingCity'), 'Paris']], effects: [] },
  { title: 'catch missing', condition: ['and', ['!=', 'x', ['catch', 'none', P('Session', 'Attributes', 'PointsToSpend')]], ['every', P('Session', 'CartItems'), [['i'], ['catch', true, ['!=', P('i', 'Category'), 'Toys']]]]], effects: [['showNotification', 'Info', 'a', 'b']] },
  { title: 'if/do/or', condition: ['or', false, ['do', P('Session', 'Total'), [['t'], ['if', ['>', P('t'), 1], true, false]]]], effects: [] },
  { title: 'bad lambda', condition: ['and', ['exists', P('Session', 'CartItems'), [['Item'], P('Item', 'Price')]]], effects: [] },
];

const outcomes = (jit: boolean, maxSteps: number): unknown[] => tierOutcomes(jit, RULES, { Session: S }, maxSteps);

describe('generated code', () => {
  it('gives the closure compiler\'s outcomes, also when the step budget runs out anywhere', () => {
    for (const maxSteps of [1_000_000, ...Array.from({ length: 160 }, (_, i) => i)]) {
      assert.deepEqual(outcomes(true, maxSteps), outcomes(false, maxSteps), `maxSteps ${maxSteps}`);
    }
  });
});

describe('generated functions are shared by rules of the same shape', () => {
  it('compiles one function for rules that differ only in their literals, each rule keeping its own', () => {
    const rule = (x: number, cat: string): RuleInput => ({
      title: `${cat} over ${x}`,
      condition: ['and', ['>', P('Session', 'Total'), x], ['exists', P('Session', 'CartItems'), [['Item'], inCat(cat)]]],
      effects: [['setDiscount', `${cat} ${x}`, ['*', P('Session', 'Total'), ['/', x, 1000]]]],
    });
    const before = generatedFunctions();
    const cats = ['Shoes', 'Books', 'Toys'];
    const rulesets = Array.from({ length: 40 }, (_, i) => compileRuleset({ rules: [rule(i, cats[i % 3])] }, ENV));
    // one function for the condition, one for the effect (a third if this shape was never compiled before)
    assert.ok(generatedFunctions() - before <= 2, `${generatedFunctions() - before} functions for 40 rules of one shape`);
    // interleaved passes: every rule reads its own threshold, category and discount rate
    const fired = rulesets.map((rs) => rs.bind(opts({ Session: S })).evaluate(0));
    const total = new Decimal('25.8'); // 2 × 10 + 5.5 + 3 × 0.1
    fired.forEach((o, i) => {
      const expected = total.greaterThan(i) && cats[i % 3] !== 'Toys';
      assert.equal(o.fired, expected, `rule ${i}`);
      if (o.fired) assert.deepEqual(JSON.parse(JSON.stringify(o.effects[0].args)), [`${cats[i % 3]} ${i}`, total.times(i).div(1000).toString()]);
    });
  });

  it('shares them between rules of one shape at different places in a ruleset (other slot numbers)', () => {
    // each rule's lambda parameter and binding get slots numbered across the ruleset: rule k uses other
    // slots than rule 0, yet the same source (slot numbers are in K)
    const rule = (k: number, cat: string, min: number): RuleInput => ({
      title: `r${k}`,
      bindings: [{ name: 'Selected', expression: ['filter', P('Session', 'CartItems'), [['Item'], ['and', inCat(cat), ['>', P('Item', 'Price'), min]]]] }],
      condition: ['and', ['not', ['isEmpty', P('Selected')]], ['exists', P('Session', 'CartItems'), [['Item'], inCat(cat)]]],
      effects: [['setDiscount', `r${k}`, ['count', P('Selected')]]],
    });
    compileRuleset({ rules: [rule(0, 'Shoes', 1)] }, ENV); // the shape's functions exist from here on
    const before = generatedFunctions();
    const rules = [rule(0, 'Shoes', 1), rule(1, 'Books', 5), rule(2, 'Shoes', 10), rule(3, 'Toys', 0)];
    const rs = compileRuleset({ rules }, ENV);
    assert.equal(generatedFunctions() - before, 0, 'no function of its own for a rule further down the ruleset');
    const pass = rs.bind(opts({ Session: S }));
    const got = [0, 1, 2, 3].map((i) => { const o = pass.evaluate(i); return o.fired ? JSON.parse(JSON.stringify(o.effects[0].args)) as unknown : false; });
    assert.deepEqual(got, [['r0', '2'], ['r1', '1'], false, false]); // two units of A (Shoes, 10), one of B (Books, 5.5)
    assert.deepEqual(tierOutcomes(true, rules, { Session: S }, 1_000_000), tierOutcomes(false, rules, { Session: S }, 1_000_000));
  });
});
