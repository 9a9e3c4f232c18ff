/**
 * CompiledRuleset.rebind: the engine hands one pass's scope to the next campaign's ruleset. A reused
 * scope must behave exactly as a fresh `bind`: no binding value, step count or effect list of the
 * previous ruleset may show through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRuleset } from '../../src/rules/compile.js';
import type { PassScope, RuleInput } from '../../src/rules/contract.js';
import { ENV, opts, session } from './helpers.js';

const P = (...k: string[]) => ['.', ...k];
const S = session({ Attributes: { ShippingCity: 'Berlin' } }, [{ sku: 'A', quantity: 2, price: 10, category: 'Shoes' }]);
const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

/** A ruleset whose ruleset-level binding `X` (slot 0) is `x`, read by its only rule's effect. */
const withBinding = (x: number, extraSlots: number) => compileRuleset({
  bindings: [{ name: 'X', expression: x }, ...Array.from({ length: extraSlots }, (_, i) => ({ name: `pad${i}`, expression: i }))],
  rules: [{ title: `x=${x}`, condition: ['and', ['>', P('Session', 'Total'), 1]], effects: [['setDiscount', 'd', P('X')]] }],
}, ENV);

describe('rebind', () => {
  it('reuses the scope and shows nothing of the previous ruleset: bindings, steps, effects', () => {
    const a = withBinding(1, 3);
    const b = withBinding(2, 0);
    const first = a.bind(opts({ Session: S }));
    assert.deepEqual(json(first.evaluate(0)), { fired: true, effects: [{ fn: 'setDiscount', args: ['d', '1'], index: 0 }] });
    const second = b.rebind!(first, opts({ Session: S }));
    assert.equal(second, first, 'the same scope object, reset');
    // b's own binding X (slot 0) is 2, not the 1 that a memoised in slot 0
    assert.deepEqual(json(second.evaluate(0)), { fired: true, effects: [{ fn: 'setDiscount', args: ['d', '2'], index: 0 }] });
    assert.deepEqual(json(second.evaluate(0)), json(b.bind(opts({ Session: S })).evaluate(0)));
  });

  it('starts the step budget afresh', () => {
    const rules: RuleInput[] = [{ title: 'sum', condition: ['and', ['>', ['sum', P('Session', 'CartItems'), [['Item'], P('Item', 'Price')]], 1]], effects: [] }];
    const rs = compileRuleset({ rules }, ENV);
    const fresh = (maxSteps: number) => json(rs.bind(opts({ Session: S }, { maxSteps })).evaluate(0));
    // the smallest budget the rule fits in, found with fresh scopes
    let need = 0;
    while ((fresh(need) as { fired: boolean }).fired !== true) need++;
    let scope: PassScope = rs.bind(opts({ Session: S }, { maxSteps: need }));
    for (let k = 0; k < 5; k++) {
      assert.equal((scope.evaluate(0) as { fired: boolean }).fired, true, `pass ${k}: fits the budget`);
      scope = rs.rebind!(scope, opts({ Session: S }, { maxSteps: need }));
    }
    assert.deepEqual(json(rs.rebind!(scope, opts({ Session: S }, { maxSteps: need - 1 })).evaluate(0)), fresh(need - 1));
  });

  it('makes a new scope when the previous one has too few slots for this ruleset', () => {
    const small = withBinding(1, 0);
    const large = withBinding(3, 5);
    const first = small.bind(opts({ Session: S }));
    first.evaluate(0);
    const second = large.rebind!(first, opts({ Session: S }));
    assert.notEqual(second, first);
    assert.deepEqual(json(second.evaluate(0)), { fired: true, effects: [{ fn: 'setDiscount', args: ['d', '3'], index: 0 }] });
    // and a scope with room to spare serves the small ruleset again
    const third = small.rebind!(second, opts({ Session: S }));
    assert.equal(third, second);
    assert.deepEqual(json(third.evaluate(0)), { fired: true, effects: [{ fn: 'setDiscount', args: ['d', '1'], index: 0 }] });
  });

  it('takes the roots and facts of the new pass', () => {
    const rs = compileRuleset({ rules: [{ title: 'city', condition: ['and', ['=', P('Session', 'Attributes', 'ShippingCity'), 'Berlin']], effects: [] }] }, ENV);
    const paris = session({ Attributes: { ShippingCity: 'Paris' } });
    const scope = rs.bind(opts({ Session: S }));
    assert.equal(scope.evaluate(0).fired, true);
    assert.equal(rs.rebind!(scope, opts({ Session: paris })).evaluate(0).fired, false);
  });
});
