/**
 * Real compiled rules through the engine: every effect function, catch semantics, condition and
 * effect errors, failure effects, cascading and partial discounts, evaluation groups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/domain/money.js';
import { evaluate, toWire } from '../../src/engine/index.js';
import type { CompileEnv, RuleInput } from '../../src/rules/contract.js';
import type { EngineCampaign, EngineEvaluationGroup } from '../../src/engine/types.js';
import { app, coupon, input, item, session } from './fakes.js';
import { withRuleset as withRs } from './compiled.js';

const ENV: CompileEnv = {
  attributes: [
    { entity: 'CustomerSession', name: 'ShippingCity', type: 'string' },
    { entity: 'CustomerSession', name: 'PointsToSpend', type: 'number' },
    { entity: 'CustomerProfile', name: 'LastPromo', type: 'string' },
    { entity: 'CartItem', name: 'color', type: 'string' },
  ],
  additionalCosts: ['shipping', 'wrapping'],
  customEffects: [{ name: 'GiftWrap', params: [{ name: 'color', type: 'string' }, { name: 'count', type: 'number' }] }],
};
const costDefs = [{ id: 3, name: 'shipping' }, { id: 4, name: 'wrapping' }];

const one = (rule: Partial<RuleInput> & { effects: unknown[] }, extra: Partial<EngineCampaign> = {}, id = 1) =>
  withRs({ rules: [{ title: rule.title ?? 'r', condition: rule.condition ?? ['and', true], ...rule }] }, extra, ENV, id);
const wire = (r: ReturnType<typeof evaluate>) => r.effects.map(toWire);
const props = (r: ReturnType<typeof evaluate>) => wire(r).map((e) => [e.effectType, e.props]);
const path = (...k: string[]) => ['.', ...k];

test('setDiscount scopes: sessionTotal, cartItems and additionalCosts caps; partial reports desiredValue', () => {
  const s = session([item('A', 30)], { additionalCosts: { shipping: { price: new Decimal(5) } } });
  const run = (rule: unknown[], extra = {}) => props(evaluate(input(s, [one({ effects: [rule] })], { additionalCostDefs: costDefs, ...extra })));
  assert.deepEqual(run(['setDiscount', 'all', 50]), [['setDiscount', { name: 'all', value: 35, desiredValue: 50 }]]);
  assert.deepEqual(run(['setDiscount', 'items', 50, 'cartItems']), [['setDiscount', { name: 'items', value: 30, desiredValue: 50 }]]);
  assert.deepEqual(run(['setDiscount', 'costs', 50, 'additionalCosts']), [['setDiscount', { name: 'costs', value: 5, desiredValue: 50 }]]);
  // Partial off (Application default): capped silently, no desiredValue; explicit argument overrides.
  assert.deepEqual(run(['setDiscount', 'all', 50], { application: app({ enablePartialDiscounts: false }) }), [['setDiscount', { name: 'all', value: 35 }]]);
  assert.deepEqual(run(['setDiscount', 'all', 50, 'sessionTotal', true], { application: app({ enablePartialDiscounts: false }) }), [['setDiscount', { name: 'all', value: 35, desiredValue: 50 }]]);
  // Value ≤ 0: dropped, the rule still fires.
  const zero = evaluate(input(s, [one({ effects: [['setDiscount', 'none', ['-', 1, 1]]] })]));
  assert.deepEqual([zero.effects, zero.triggeredCampaignIds], [[], [1]]);
  // Exact decimals, never rounded.
  assert.deepEqual(props(evaluate(input(session([item('A', '99.99')]), [one({ effects: [['setDiscount', '10%', ['*', path('Session', 'Total'), 0.1]]] })]))),
    [['setDiscount', { name: '10%', value: 9.999 }]]);
});

test('setDiscountPerItem: quantity > 1 flattens into units named with #position; caps per unit; scopes', () => {
  const s = session([item('A', 5), item('B', 20, 3, { additionalCosts: { wrapping: { price: new Decimal(2) } } })]);
  const r = evaluate(input(s, [one({ effects: [['map', ['filter', path('Session', 'CartItems'), [['Item'], ['=', path('Item', 'Sku'), 'B']]],
    [['Item'], ['setDiscountPerItem', 'B off', 25, path('Item'), 'itemTotal']]]] })], { additionalCostDefs: costDefs }));
  assert.deepEqual(props(r), [0, 1, 2].map((sub) => ['setDiscountPerItem', { name: 'B off#1', value: 22, desiredValue: 25, position: 1, subPosition: sub, scope: 'itemTotal' }]));
  // Two campaigns on the same unit: the second gets what remains of its price.
  const c1 = one({ effects: [['setDiscountPerItem', 'first', 15, ['head', path('Session', 'CartItems')]]] }, {}, 1);
  const c2 = one({ effects: [['setDiscountPerItem', 'second', 4, ['item', path('Session', 'CartItems'), 1]]] }, {}, 2);
  const c3 = one({ effects: [['setDiscountPerItem', 'third', 4, ['item', path('Session', 'CartItems'), 0]]] }, {}, 3);
  assert.deepEqual(props(evaluate(input(s, [c1, c2, c3]))), [
    ['setDiscountPerItem', { name: 'first#0', value: 5, desiredValue: 15, position: 0, subPosition: 0, scope: 'price' }],
    ['setDiscountPerItem', { name: 'second#1', value: 4, position: 1, subPosition: 0, scope: 'price' }],
  ]);
});

test('setDiscountPerAdditionalCost and setDiscountPerAdditionalCostPerItem', () => {
  const s = session([item('A', 10, 2, { additionalCosts: { wrapping: { price: new Decimal('1.5') } } })], { additionalCosts: { shipping: { price: new Decimal(6) } } });
  const r = evaluate(input(s, [one({ effects: [
    ['setDiscountPerAdditionalCost', 'half shipping', 'shipping', ['/', path('Session', 'AdditionalCosts', 'shipping', 'Price'), 2]],
    ['map', path('Session', 'CartItems'), [['Item'], ['setDiscountPerAdditionalCostPerItem', 'free wrap', 'wrapping', 10, path('Item')]]],
  ] })], { additionalCostDefs: costDefs }));
  assert.deepEqual(props(r), [
    ['setDiscountPerAdditionalCost', { name: 'half shipping', additionalCostId: 3, additionalCost: 'shipping', value: 3 }],
    ['setDiscountPerAdditionalCostPerItem', { name: 'free wrap#0', additionalCostId: 4, additionalCost: 'wrapping', value: 1.5, desiredValue: 10, position: 0, subPosition: 0 }],
    ['setDiscountPerAdditionalCostPerItem', { name: 'free wrap#0', additionalCostId: 4, additionalCost: 'wrapping', value: 1.5, desiredValue: 10, position: 0, subPosition: 1 }],
  ]);
  // An item lacking the cost fails the whole rule (docs/engine.md, "Caps, partial, budgets"): nothing of the rule is kept.
  const lacking = evaluate(input(session([item('A', 10)], { additionalCosts: { shipping: { price: new Decimal(6) } } }), [one({ effects: [
    ['setDiscountPerAdditionalCost', 'half shipping', 'shipping', 3],
    ['setDiscountPerAdditionalCostPerItem', 'free wrap', 'wrapping', 1, ['head', path('Session', 'CartItems')]],
  ] })], { additionalCostDefs: costDefs }));
  assert.deepEqual(lacking.effects, []);
  assert.deepEqual([lacking.ruleFailureReasons[0].effectIndex, lacking.ruleFailureReasons[0].details], [1, 'item has no additional cost wrapping']);
});

test('addFreeItem, showNotification, customEffect, updateAttribute → set', () => {
  const r = evaluate(input(session([item('A', 10, 1, { attributes: { color: 'red' } })], { attributes: { ShippingCity: 'Berlin' } }), [one({ title: 'all', effects: [
    ['addFreeItem', 'GIFT-1', 'Free gift'],
    ['showNotification', 'Offer', 'Hello', ['+', 'Ships to ', path('Session', 'Attributes', 'ShippingCity')]],
    ['customEffect', 'GiftWrap', ['kv', ['color', ['.', 'Session', 'Attributes', 'ShippingCity']], ['count', 2]]],
    ['map', path('Session', 'CartItems'), [['Item'], ['customEffect', 'GiftWrap', ['kv', ['color', path('Item', 'Attributes', 'color')], ['count', 1]], path('Item')]]],
    ['updateAttribute', 'Profile.Attributes.LastPromo', 'all'],
  ] })], { customEffects: [{ id: 77, name: 'GiftWrap', payload: '{"wrap":"${color}","n":"${count}","text":"x${count} ${color}"}', params: [] }] }));
  assert.deepEqual(props(r), [
    ['addFreeItem', { sku: 'GIFT-1', name: 'Free gift' }],
    ['showNotification', { notificationType: 'Offer', title: 'Hello', body: 'Ships to Berlin' }],
    ['customEffect', { effectId: 77, name: 'GiftWrap', payload: { wrap: 'Berlin', n: 2, text: 'x2 Berlin' } }],
    ['customEffect', { effectId: 77, name: 'GiftWrap', payload: { wrap: 'red', n: 1, text: 'x1 red' }, cartItemPosition: 0, cartItemSubPosition: 0 }],
    ['set', { path: 'Profile.Attributes.LastPromo', value: 'all' }],
  ]);
  assert.ok(wire(r).every((e) => e.ruleName === 'all' && e.ruleIndex === 0 && e.campaignId === 1 && e.rulesetId === 10));
});

test('failureEffects are emitted with conditionIndex when the condition is false', () => {
  const c = one({ title: 'spend 100', condition: ['and', ['>', path('Session', 'Total'), 0], ['>=', path('Session', 'Total'), 100]],
    effects: [['setDiscount', 'ten', 10]],
    failureEffects: [['showNotification', 'Info', 'Almost there', ['+', 'Spend ', ['toString', ['-', 100, path('Session', 'Total')]], ' more']]] });
  const r = evaluate(input(session([item('A', 60)]), [c]));
  assert.deepEqual(wire(r).map((e) => [e.effectType, e.conditionIndex, e.props]), [['showNotification', 1, { notificationType: 'Info', title: 'Almost there', body: 'Spend 40 more' }]]);
  assert.deepEqual([r.ruleFailureReasons[0].conditionIndex, r.triggeredCampaignIds], [1, []]);
  assert.deepEqual(props(evaluate(input(session([item('A', 120)]), [c]))), [['setDiscount', { name: 'ten', value: 10 }]]);
});

test('catch: fallback on error, effects of a failed branch discarded, ["noop"] makes a failing effect a no-op', () => {
  const c = one({ effects: [
    ['catch', ['noop'], ['setDiscount', 'points', path('Session', 'Attributes', 'PointsToSpend')]],
    ['catch', ['showNotification', 'Info', 'fallback', 'used'],
      [['showNotification', 'Info', 'discarded', 'x'], ['setDiscount', 'boom', ['/', 1, 0]]]],
    ['setDiscount', 'kept', ['catch', 3, ['.', 'Session', 'Attributes', 'PointsToSpend']]],
  ] });
  assert.deepEqual(props(evaluate(input(session([item('A', 60)]), [c]))), [
    ['showNotification', { notificationType: 'Info', title: 'fallback', body: 'used' }],
    ['setDiscount', { name: 'kept', value: 3 }],
  ]);
  assert.deepEqual(props(evaluate(input(session([item('A', 60)], { attributes: { PointsToSpend: 7 } }), [c]))), [
    ['setDiscount', { name: 'points', value: 7 }],
    ['showNotification', { notificationType: 'Info', title: 'fallback', body: 'used' }],
    ['setDiscount', { name: 'kept', value: 7 }],
  ]);
});

test('condition error → failure reason "error: …", no error effect; effect error → error effect, rule discarded', () => {
  const cond = one({ title: 'needs points', condition: ['and', true, ['>', path('Session', 'Attributes', 'PointsToSpend'), 0]], effects: [['setDiscount', 'p', 1]] });
  const r1 = evaluate(input(session([item('A', 60)]), [cond]));
  assert.deepEqual(r1.effects, []);
  assert.equal(r1.ruleFailureReasons[0].conditionIndex, 1);
  assert.match(r1.ruleFailureReasons[0].details!, /^error: Unable to find `Session\.Attributes\.PointsToSpend`/);

  const eff = withRs({ rules: [
    { title: 'bad', condition: ['and', true], effects: [['showNotification', 'Info', 'lost', 'x'], ['setDiscount', 'p', ['/', path('Session', 'Total'), ['-', 1, 1]]]] },
    { title: 'good', condition: ['and', true], effects: [['setDiscount', 'ok', 1]] },
  ] }, {}, ENV);
  const r2 = evaluate(input(session([item('A', 60)]), [eff]));
  const w = wire(r2);
  assert.deepEqual(w.map((e) => [e.effectType, e.ruleIndex, e.ruleName]), [['error', 0, 'bad'], ['setDiscount', 1, 'good']]);
  assert.match(w[0].props.message as string, /division by zero/i);
  assert.equal(r2.ruleFailureReasons[0].effectIndex, 1);
  assert.match(r2.ruleFailureReasons[0].details!, /^error: /);
  assert.deepEqual(r2.triggeredCampaignIds, [1]);
});

test('an effect error in a coupon rule rejects the code with EffectCouldNotBeApplied', () => {
  const c = one({ condition: ['and', ['couponValid']], effects: [['setDiscount', 'p', path('Session', 'Attributes', 'PointsToSpend')]] });
  const r = evaluate(input(session([item('A', 60)], { couponCodes: ['C1'] }), [c], { coupons: [coupon(5, 'C1', 1)] }));
  assert.deepEqual(wire(r).map((e) => [e.effectType, e.props.rejectionReason ?? null]), [['error', null], ['rejectCoupon', 'EffectCouldNotBeApplied']]);
});

test('cascading discounts: later campaigns read net Session.Total and Item.Price; scope prop emitted', () => {
  const pct = (id: number) => one({ title: `10% #${id}`, effects: [['setDiscount', `c${id}`, ['*', path('Session', 'Total'), 0.1]]] }, {}, id);
  const perItem = one({ title: 'item', effects: [['map', path('Session', 'CartItems'), [['Item'], ['setDiscountPerItem', 'half', ['/', path('Item', 'Price'), 2], path('Item')]]]] }, {}, 3);
  const s = session([item('A', 50), item('B', 50)]);
  const casc = evaluate(input(s, [pct(1), pct(2), perItem], { application: app({ enableCascadingDiscounts: true }) }));
  assert.deepEqual(props(casc), [
    ['setDiscount', { name: 'c1', value: 10, scope: 'sessionTotal' }],
    ['setDiscount', { name: 'c2', value: 9, scope: 'sessionTotal' }],
    ['setDiscountPerItem', { name: 'half#0', value: 25, position: 0, subPosition: 0, scope: 'price' }],
    ['setDiscountPerItem', { name: 'half#1', value: 25, position: 1, subPosition: 0, scope: 'price' }],
  ]);
  const flat = evaluate(input(s, [pct(1), pct(2), perItem]));
  assert.deepEqual(props(flat).map((p) => (p[1] as { value: number }).value), [10, 10, 25, 25]);
  // Session-level discounts reduce the aggregate only; per-item effects are capped by what is left (100 − 20 − 50).
  const big = one({ effects: [['setDiscount', 'big', 90, 'cartItems']] }, {}, 1);
  const after = evaluate(input(s, [big, perItem]));
  assert.deepEqual(props(after).map((p) => (p[1] as { value: number }).value), [90, 10]);
});

test('evaluation groups with real rules: listOrder and highestDiscount', () => {
  const disc = (id: number, amount: unknown[] | number, group: number) =>
    one({ title: `c${id}`, effects: [['setDiscount', `d${id}`, amount]] }, { evaluationGroupId: group }, id);
  const never = (id: number, group: number) =>
    one({ title: `c${id}`, condition: ['and', ['>', path('Session', 'Total'), 1000]], effects: [['setDiscount', `d${id}`, 1]] }, { evaluationGroupId: group }, id);
  const groups: EngineEvaluationGroup[] = [{ id: 7, name: 'first wins', mode: 'listOrder' }];
  const s = session([item('A', 200)], { couponCodes: ['LATE'] });
  const late = one({ title: 'late', condition: ['and', ['couponValid']], effects: [['setDiscount', 'late', 1]] }, { evaluationGroupId: 7 }, 3);
  const r = evaluate(input(s, [never(1, 7), disc(2, 5, 7), late], { evaluationGroups: groups, coupons: [coupon(9, 'LATE', 3)] }));
  assert.deepEqual(wire(r).map((e) => [e.campaignId, e.effectType, e.evaluationGroupID ?? null, e.evaluationGroupMode ?? null, e.props.rejectionReason ?? null]), [
    [2, 'setDiscount', 7, 'listOrder', null],
    [3, 'rejectCoupon', null, null, 'CouponPartOfNotTriggeredCampaign'],
  ]);
  const best: EngineEvaluationGroup[] = [{ id: 8, name: 'best', mode: 'highestDiscount' }];
  const h = evaluate(input(session([item('A', 200)]), [disc(1, 5, 8), disc(2, ['*', path('Session', 'Total'), 0.1], 8), disc(3, 12, 8)], { evaluationGroups: best }));
  assert.deepEqual(wire(h).map((e) => [e.campaignId, e.props.value, e.evaluationGroupMode]), [[2, 20, 'highestDiscount']]);
  assert.deepEqual(h.triggeredCampaignIds, [2]);
  const low = evaluate(input(session([item('A', 200)]), [disc(1, 5, 8), disc(2, ['*', path('Session', 'Total'), 0.1], 8)], { evaluationGroups: [{ ...best[0], mode: 'lowestDiscount' }] }));
  assert.deepEqual(wire(low).map((e) => [e.campaignId, e.props.value]), [[1, 5]]);
});

test('ruleset bindings and rule bindings are evaluated per pass; coupon pass sees Coupon root', () => {
  const c = withRs({
    bindings: [{ name: 'Rate', expression: ['/', 15, 100] }],
    rules: [
      { title: 'plain', bindings: [{ name: 'Base', expression: path('Session', 'CartItemTotal') }], condition: ['and', true], effects: [['setDiscount', 'plain', ['*', ['.', 'Base'], ['.', 'Rate']]]] },
      { title: 'coupon', condition: ['and', ['couponValid'], ['startsWith', path('Coupon', 'Value'), 'VIP']], effects: [['showNotification', 'Info', path('Coupon', 'Value'), 'vip']] },
    ],
  }, {}, ENV);
  const r = evaluate(input(session([item('A', 40)], { couponCodes: ['VIP-1', 'BASIC'] }), [c], { coupons: [coupon(1, 'VIP-1', 1), coupon(2, 'BASIC', 1)] }));
  assert.deepEqual(wire(r).map((e) => [e.effectType, e.triggeredByCoupon ?? null, e.props.value ?? e.props.title, e.props.rejectionReason ?? null]), [
    ['setDiscount', null, 6, null],
    ['acceptCoupon', 1, 'VIP-1', null],
    ['showNotification', 1, 'VIP-1', null],
    ['rejectCoupon', null, 'BASIC', 'CouponRejectedByCondition'],
  ]);
  assert.deepEqual(wire(r)[3].props, { value: 'BASIC', rejectionReason: 'CouponRejectedByCondition', conditionIndex: 1, details: 'condition evaluated to false' });
});
