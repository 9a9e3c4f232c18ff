/**
 * Indexed cart item tests (src/rules/jit.ts ixPositions): `exists` / `filter` over Session.CartItems
 * whose lambda compares a path of the item with a literal answer from a per-list index instead of a
 * loop. Against the closure compiler (no index) on random carts holding every kind of value at the
 * compared path — strings, numbers, booleans, null, lists, maps, nothing — and items that are not maps:
 * the same outcomes (fired or not, effect arguments, error messages), also when the step budget runs
 * out at any point, which holds only if every element is charged the same steps in the same order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dec } from '../../src/domain/money.js';
import { compileRuleset } from '../../src/rules/compile.js';
import type { RuleInput, Value, ValueMap } from '../../src/rules/contract.js';
import { rng } from '../../bench/rules.js';
import { ENV, map, opts, tierOutcomes } from './helpers.js';

const P = (...k: string[]) => ['.', ...k];
const ITEMS = P('Session', 'CartItems');

const CATEGORY_VALUES: unknown[] = ['Shoes', 'Books', 'shoes', 1, 1.5, true, false, null, ['Shoes'], { Shoes: 1 }, '1', 'true', ''];

function randomItem(r: () => number, i: number): Value {
  if (r() < 0.05) return 'not a map';
  const fields: Record<string, unknown> = { Price: 2 ** i, Position: i, SubPosition: 0 };
  if (r() < 0.85) fields.Category = CATEGORY_VALUES[Math.floor(r() * CATEGORY_VALUES.length)];
  if (r() < 0.9) fields.Sku = r() < 0.5 ? 'A' : r() < 0.5 ? 'B' : 7;
  if (r() < 0.5) fields.Attributes = r() < 0.8 ? { c_productType: r() < 0.5 ? 'Shoes' : 'Bags' } : 'flat';
  return map(fields);
}

function sessionOf(items: Value[]): ValueMap {
  const s = map({ Total: 100 });
  s.CartItems = items;
  return s;
}

const LITERALS: (string | boolean)[] = ['Shoes', 'Books', '1', 'true', '', true, false, 'A', 'Bags'];
const PATHS: string[][] = [['Category'], ['Sku'], ['Attributes', 'c_productType']];

/** Element tests: the catch-compare idiom and a plain `=` (which fails where the path cannot be read), either operand order. */
function tests(path: string[], lit: string | boolean): unknown[] {
  const at = P('Item', ...path);
  return [['catch', false, ['=', at, lit]], ['catch', false, ['=', lit, at]], ['=', at, lit], ['=', lit, at]];
}

function rules(path: string[], lit: string | boolean): RuleInput[] {
  const out: RuleInput[] = [];
  for (const t of tests(path, lit)) {
    const withPrice = ['and', t, ['>', P('Item', 'Price'), 1]];
    for (const body of [t, withPrice]) {
      out.push({ title: 'exists', condition: ['and', ['exists', ITEMS, [['Item'], body]]], effects: [['showNotification', 'a', 'b', 'c']] });
      // the sum of the powers of two identifies the filtered items
      out.push({ title: 'filter', condition: ['and', true],
        effects: [['setDiscount', 'f', ['sum', ['filter', ITEMS, [['Item'], body]], [['Item'], P('Item', 'Price')]]]] });
    }
  }
  return out;
}

const outcomes = (jit: boolean, input: RuleInput[], session: ValueMap, maxSteps: number): unknown[] => tierOutcomes(jit, input, { Session: session }, maxSteps);

describe('indexed cart item tests', () => {
  it('give the loop\'s outcomes and step charges on random carts', () => {
    const r = rng(20261126);
    let fired = 0;
    for (let round = 0; round < 60; round++) {
      const session = sessionOf(Array.from({ length: Math.floor(r() * 7) }, (_, i) => randomItem(r, i)));
      const path = PATHS[round % PATHS.length];
      const lit = LITERALS[Math.floor(r() * LITERALS.length)];
      const input = rules(path, lit);
      const want = outcomes(false, input, session, 1_000_000);
      assert.deepEqual(outcomes(true, input, session, 1_000_000), want, `round ${round}: ${path.join('.')} = ${JSON.stringify(lit)}`);
      fired += want.filter((o) => (o as { fired: boolean }).fired).length;
      // a budget running out inside the list, at every point the loop charges
      for (let maxSteps = 0; maxSteps < 60; maxSteps++) {
        assert.deepEqual(outcomes(true, input, session, maxSteps), outcomes(false, input, session, maxSteps), `round ${round}, maxSteps ${maxSteps}`);
      }
    }
    assert.ok(fired > 100, `the random carts make rules fire (${fired})`);
  });

  it('reads the list once per path: a second test on the same list and path is a lookup', () => {
    const session = sessionOf([map({ Category: 'Shoes', Price: 1, Position: 0, SubPosition: 0 }), map({ Category: 'Books', Price: 2, Position: 1, SubPosition: 0 })]);
    const input = ['Shoes', 'Books', 'Toys'].map((cat) => ({ title: cat, condition: ['and', ['exists', ITEMS, [['Item'], ['=', P('Item', 'Category'), cat]]]], effects: [] }));
    const pass = compileRuleset({ rules: input }, ENV).bind(opts({ Session: session }));
    assert.deepEqual(input.map((_, i) => pass.evaluate(i).fired), [true, true, false]);
    // the index reflects the list it was built from: another session (another list) is indexed anew
    const other = sessionOf([map({ Category: 'Toys', Price: dec(3), Position: 0, SubPosition: 0 })]);
    const pass2 = compileRuleset({ rules: input }, ENV).bind(opts({ Session: other }));
    assert.deepEqual(input.map((_, i) => pass2.evaluate(i).fired), [false, false, true]);
  });
});
