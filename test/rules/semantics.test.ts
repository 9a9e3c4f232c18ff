/** Evaluation semantics: catch/noop, bindings, conditionIndex, failure effects, bounds, data safety, decimals. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dec, type Decimal } from '../../src/domain/money.js';
import { compileRuleset } from '../../src/rules/compile.js';
import type { RuleOutcome, RulesetInput } from '../../src/rules/contract.js';
import { SafeRegex } from '../../src/rules/regex.js';
import { ENV, ev, js, map, opts, rejects, rule, session } from './helpers.js';

const S = session({ Attributes: { ShippingCity: 'Berlin' } }, [{ sku: 'A', quantity: 2, price: 10 }]);

function run(input: RulesetInput, index = 0, roots: Record<string, unknown> = { Session: S }, extra = {}): RuleOutcome {
  return compileRuleset(input, ENV).bind(opts(roots, extra)).evaluate(index);
}

function calls(o: RuleOutcome): unknown {
  assert.equal(o.fired, true, JSON.stringify(o));
  return o.fired ? o.effects.map((e) => [e.fn, js(e.args), e.index]) : null;
}

describe('effects, catch and noop', () => {
  it('records effect calls with evaluated arguments and effect indexes', () => {
    const o = run(rule(['and', true], [['setDiscount', 'a', ['*', ['.', 'Session', 'Total'], 0.1]], ['showNotification', 'Info', 't', 'b']]));
    assert.deepEqual(calls(o), [['setDiscount', ['a', 2], 0], ['showNotification', ['Info', 't', 'b'], 1]]);
  });
  it('accepts a single call as effects (OAS form)', () => {
    const o = run(rule(['and', true], ['catch', ['noop'], ['setDiscount', '10% off', ['*', ['.', 'Session', 'Total'], ['/', 10, 100]]]]));
    assert.deepEqual(calls(o), [['setDiscount', ['10% off', 2], 0]]);
  });
  it('catch discards the effects recorded inside the failed branch', () => {
    const o = run(rule(['and', true], [
      ['catch', ['showNotification', 'Error', 'fallback', ''], [['setDiscount', 'lost', 1], ['setDiscount', 'x', ['.', 'Session', 'Attributes', 'PointsToSpend']]]],
      ['setDiscount', 'kept', 2],
    ]));
    assert.deepEqual(calls(o), [['showNotification', ['Error', 'fallback', ''], 0], ['setDiscount', ['kept', 2], 1]]);
  });
  it('catch(noop, effect) makes a failing effect a no-op', () => {
    const o = run(rule(['and', true], [['catch', ['noop'], ['setDiscount', 'x', ['.', 'Session', 'Attributes', 'PointsToSpend']]]]));
    assert.deepEqual(calls(o), []);
  });
  it('an uncaught error in effects fails the rule atomically with effectIndex', () => {
    const o = run(rule(['and', true], [['setDiscount', 'a', 1], ['setDiscount', 'b', ['/', 1, 0]]]));
    assert.deepEqual(o, { fired: false, error: 'effect', effectIndex: 1, details: 'error: division by zero', failureEffects: [] });
  });
  it('fallback is evaluated only on failure', () => {
    assert.equal(js(ev(['catch', ['/', 1, 0], 5])), 5);
  });
});

describe('conditions', () => {
  it('conditionIndex is the first false operand of a top-level and', () => {
    const o = run(rule(['and', true, ['>', ['.', 'Session', 'Total'], 100], ['>', ['/', 1, 0], 1]]));
    assert.deepEqual(o, { fired: false, conditionIndex: 1, details: 'condition evaluated to false', failureEffects: [] });
  });
  it('an error in a condition operand is reported with its index and "error: …"', () => {
    const o = run(rule(['and', true, ['=', ['.', 'Session', 'Attributes', 'PointsToSpend'], 1]]));
    assert.deepEqual(o, { fired: false, conditionIndex: 1, details: 'error: Unable to find `Session.Attributes.PointsToSpend`', failureEffects: [] });
  });
  it('or reports no conditionIndex; other heads report 0', () => {
    const o1 = run(rule(['or', false, false]));
    assert.equal(o1.fired, false);
    assert.equal('conditionIndex' in o1, false);
    assert.deepEqual(run(rule(['not', true])), { fired: false, conditionIndex: 0, details: 'condition evaluated to false', failureEffects: [] });
  });
  it('failureEffects run when the condition is false', () => {
    const o = run(rule(['and', false], [['setDiscount', 'a', 1]], { failureEffects: [['showNotification', 'Info', 'Almost', 'Spend more']] }));
    assert.equal(o.fired, false);
    assert.deepEqual(o.failureEffects.map((e) => [e.fn, js(e.args), e.index]), [['showNotification', ['Info', 'Almost', 'Spend more'], 0]]);
  });
});

describe('bindings', () => {
  it('are evaluated in order and may use earlier ones; rule bindings see ruleset bindings', () => {
    const o = run({
      bindings: [{ name: 'Cap', expression: ['+', 25, 0] }, { name: 'Double cap', expression: ['*', ['.', 'Cap'], 2] }],
      rules: [{ title: 't', bindings: [{ name: 'x', expression: ['+', ['.', 'Double cap'], 1] }], condition: ['and', ['=', ['.', 'x'], 51]], effects: [['setDiscount', 'd', ['.', 'x']]] }],
    });
    assert.deepEqual(calls(o), [['setDiscount', ['d', 51], 0]]);
  });
  it('are lazy: a failing binding only breaks rules that read it', () => {
    const rs = compileRuleset({
      bindings: [{ name: 'Code', expression: ['.', 'Coupon', 'Value'] }],
      rules: [
        { title: 'independent', condition: ['and', true], effects: [['setDiscount', 'a', 1]] },
        { title: 'reads it', condition: ['and', ['=', ['.', 'Code'], 'X']], effects: [] },
      ],
    }, ENV);
    const pass = rs.bind(opts({ Session: S }));
    assert.equal(pass.evaluate(0).fired, true);
    assert.deepEqual(pass.evaluate(1), { fired: false, conditionIndex: 0, details: 'error: Unable to find `Coupon` (not bound in this evaluation)', failureEffects: [] });
  });
  it('ruleset bindings are computed once per pass (memoised)', () => {
    let calls = 0;
    const rs = compileRuleset({
      bindings: [{ name: 'Bal', type: 'subledgerBalance', expression: ['loyaltyBalance', 7] }],
      rules: [0, 1, 2].map((i) => ({ title: `r${i}`, condition: ['and', ['>', ['.', 'Bal'], i]], effects: [] })),
    }, ENV);
    const pass = rs.bind(opts({}, { facts: { loyaltyBalance: () => { calls++; return dec(2); } } }));
    assert.deepEqual([0, 1, 2].map((i) => pass.evaluate(i).fired), [true, true, false]);
    assert.equal(calls, 1);
  });
  it('lambda parameters shadow outer names and nest', () => {
    assert.deepEqual(js(ev(['map', ['list', 1, 2], [['x'], ['map', ['list', 10], [['y'], ['+', ['.', 'x'], ['.', 'y']]]]]])), [[11], [12]]);
    assert.deepEqual(js(ev(['map', ['list', 1], [['x'], ['map', ['list', 10], [['x'], ['.', 'x']]]]])), [[10]]);
  });
});

describe('product predicates', () => {
  it('call the ProductFacts callbacks and raise when one is missing', () => {
    const input = rule(['and', ['couponValid']], [['setDiscount', 'c', 5]]);
    assert.deepEqual(run(input, 0, {}, { facts: {} }), { fired: false, conditionIndex: 0, details: 'error: couponValid: not available in this evaluation (no couponValid facts)', failureEffects: [] });
    assert.equal(run(input, 0, {}, { facts: { couponValid: () => true } }).fired, true);
    assert.equal(js(ev(['inAudience', 3], {}, { facts: { inAudience: (id) => id.eq(3) } })), true);
    assert.equal(js(ev(['loyaltyTier', 7], {}, { facts: { loyaltyTier: () => null } })), '');
    assert.equal(js(ev(['budgetRemaining', 'setDiscount'], {}, { facts: { budgetRemaining: () => null } })), Infinity);
    for (const [fn, fact] of [['couponValidNoRedeem', 'couponValid'], ['couponCanBeCreated', 'couponCanBeCreated'], ['referralValid', 'referralValid']] as const) {
      assert.equal(ev([fn], {}, { facts: { [fact]: () => true } }), true, fn);
    }
    for (const fn of ['hasJoinedAudience', 'hasLeftAudience', 'loyaltyCardValid', 'achievementCompleted']) {
      assert.equal(ev([fn, 1], {}, { facts: { [fn]: () => true } }), true, fn);
    }
    assert.equal(ev(['loyaltyPointsCanBeRedeemed', 7, 100], {}, { facts: { loyaltyPointsCanBeRedeemed: (_p, pts) => pts.lte(100) } }), true);
    assert.deepEqual(js(ev(['appCartItemFilter', 1], {}, { facts: { appCartItemFilter: () => [dec(1)] } })), [1]);
  });
  it('referencesCoupon / referencesReferral are static and see through bindings', () => {
    const rs = compileRuleset({
      bindings: [{ name: 'ok', expression: ['couponValidNoRedeem'] }],
      rules: [
        { title: 'a', condition: ['and', ['couponValid']], effects: [] },
        { title: 'b', condition: ['and', ['.', 'ok']], effects: [] },
        { title: 'c', condition: ['and', ['referralValid']], effects: [] },
        { title: 'd', condition: ['and', true], effects: [] },
      ],
    }, ENV);
    assert.deepEqual(rs.rules.map((r) => [r.referencesCoupon, r.redeemsCoupon, r.referencesReferral]),
      [[true, true, false], [true, false, false], [false, false, true], [false, false, false]]);
  });
});

describe('resource bounds', () => {
  it('rejects expressions nested deeper than 64', () => {
    let e: unknown = true;
    for (let i = 0; i < 70; i++) e = ['not', e];
    rejects(rule(['and', e]), 'rules[0].condition' + '[1]'.repeat(64), /expression nested deeper than 64 levels/);
    let errors: unknown[] = [];
    try { compileRuleset(rule(['and', e]), ENV); } catch (x) { errors = (x as { errors: unknown[] }).errors; }
    assert.equal(errors.length, 1, 'no cascading errors');
  });
  it('rejects rulesets with more than 20 000 nodes', () => {
    const big = ['and', ...Array.from({ length: 20_001 }, () => true)];
    rejects(rule(big), 'rules[0].condition[20000]', /ruleset too large: more than 20000 expression nodes/);
  });
  it('stops an evaluation that exceeds the step budget, quickly, and later rules fail fast', () => {
    const list = ['.', 'Session', 'CartItems'];
    const heavy = ['exists', list, [['a'], ['exists', list, [['b'], ['exists', list, [['c'], ['=', ['.', 'c', 'Sku'], 'none']]]]]]];
    const s = session({}, [{ sku: 'A', quantity: 200, price: 1 }]);
    const rs = compileRuleset({ rules: [{ title: 'heavy', condition: ['and', heavy], effects: [] }, { title: 'next', condition: ['and', true], effects: [['setDiscount', 'a', 1]] }] }, ENV);
    const t0 = Date.now();
    const pass = rs.bind(opts({ Session: s }, { maxSteps: 100_000 }));
    const o = pass.evaluate(0);
    assert.ok(Date.now() - t0 < 2000);
    assert.deepEqual(o, { fired: false, conditionIndex: 0, details: 'error: evaluation step budget of 100000 exceeded', failureEffects: [] });
    const o2 = pass.evaluate(1);
    assert.equal(o2.fired, false);
    assert.match((o2 as { details: string }).details, /step budget/);
  });
  it('catch cannot swallow the step budget', () => {
    const o = run(rule(['and', ['catch', true, ['every', ['.', 'Session', 'CartItems'], [['i'], false]]]]), 0, { Session: S }, { maxSteps: 3 });
    assert.match((o as { details: string }).details, /step budget/);
  });
  it('bounds string growth', () => {
    const long = 'x'.repeat(600_000);
    assert.throws(() => ev(['+', ['.', 'Session', 'Attributes', 'ShippingCity'], ['.', 'Session', 'Attributes', 'ShippingCity']], { Session: map({ Attributes: { ShippingCity: long } }) }), /longer than/);
  });
  it('matches regular expressions in linear time (no catastrophic backtracking)', () => {
    const subject = 'a'.repeat(20_000) + '!';
    const t0 = Date.now();
    assert.equal(new SafeRegex('^(a+)+$').test(subject), false);
    assert.equal(new SafeRegex('(a|aa)*b').test(subject), false);
    assert.equal(new SafeRegex('(\\w+\\s?)*$').test('hello world'), true);
    assert.ok(Date.now() - t0 < 2000);
    assert.throws(() => new SafeRegex('(?=a)'), /look-around/);
  });
});

describe('client data is plain data', () => {
  const env = { ...ENV, attributes: [...ENV.attributes, { entity: 'CustomerSession', name: '__proto__', type: 'string' as const }, { entity: 'CustomerSession', name: 'constructor', type: 'string' as const }] };
  it('reads __proto__ as an own key and never sees inherited properties', () => {
    const attrs = JSON.parse('{"__proto__": "own value"}') as Record<string, unknown>;
    const roots = { Session: map({}) };
    (roots.Session as Record<string, unknown>).Attributes = attrs;
    assert.equal(ev(['.', 'Session', 'Attributes', '__proto__'], roots, {}, env), 'own value');
    assert.throws(() => ev(['.', 'Session', 'Attributes', 'constructor'], roots, {}, env), /Unable to find `Session.Attributes.constructor`/);
    const plain = { Session: { Attributes: {} } } as never;
    assert.throws(() => ev(['.', 'Session', 'Attributes', 'constructor'], plain, {}, env), /Unable to find/);
    assert.equal(ev(['isSet', ['.', 'Session', 'Attributes', 'constructor']], plain, {}, env), false);
  });
  it('kv builds null-prototype maps', () => {
    const m = ev(['kv', ['__proto__', 1]]) as object;
    assert.equal(Object.getPrototypeOf(m), null);
    assert.deepEqual(Object.keys(m), ['__proto__']);
  });
});

describe('decimal exactness', () => {
  it('adds, multiplies and divides exactly', () => {
    assert.equal((ev(['+', 0.1, 0.2]) as Decimal).toString(), '0.3');
    assert.equal((ev(['*', 66.66, ['/', 10, 100]]) as Decimal).toString(), '6.666');
    assert.equal((ev(['*', 99.99, 0.1]) as Decimal).toString(), '9.999');
    assert.equal((ev(['/', 1, 3]) as Decimal).toString(), '0.3333333333333333333333333333333333');
    assert.equal(ev(['=', 1, 1.0, ['/', 2, 2]]), true);
  });
});
