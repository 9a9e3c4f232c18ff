import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/domain/money.js';
import { evaluate, toWire } from '../../src/engine/index.js';
import type { ValueMap } from '../../src/rules/contract.js';
import { always, app, call, campaign, cartItems, input, item, session, sessionTotal } from './fakes.js';

const props = (r: ReturnType<typeof evaluate>) => r.effects.map((e) => toWire(e).props);

test('setDiscount: 10% of the total, exact decimals (10% of 99.99 = 9.999)', () => {
  const c = campaign(1, [always('10%', (o) => [call('setDiscount', '10% off', sessionTotal(o).times(new Decimal(10)).dividedBy(100))])]);
  const r = evaluate(input(session([item('A', 99.99)]), [c]));
  assert.deepEqual(r.effects.map(toWire), [{
    campaignId: 1, rulesetId: 10, ruleIndex: 0, ruleName: '10%', effectType: 'setDiscount', props: { name: '10% off', value: 9.999 },
  }]);
  assert.deepEqual(r.triggeredCampaignIds, [1]);
});

test('decimal exactness: 10% of 66.66 = 6.666 and 0.1 + 0.2 = 0.3', () => {
  const c = campaign(1, [
    always('a', (o) => [call('setDiscount', 'a', sessionTotal(o).times(new Decimal(10)).dividedBy(100))]),
    always('b', () => [call('setDiscount', 'b', new Decimal(0.1).plus(new Decimal(0.2)))]),
  ]);
  const r = evaluate(input(session([item('A', 66.66)]), [c]));
  assert.deepEqual(props(r), [{ name: 'a', value: 6.666 }, { name: 'b', value: 0.3 }]);
  assert.equal((r.effects[0].props.value as Decimal).toString(), '6.666');
});

test('setDiscount is capped at what remains; desiredValue with partial discounts', () => {
  const c = campaign(1, [
    always('60', () => [call('setDiscount', 'first', 60)]),
    always('60 again', () => [call('setDiscount', 'second', 60)]),
    always('nothing left', () => [call('setDiscount', 'third', 5)]),
  ]);
  const r = evaluate(input(session([item('A', 100)]), [c]));
  assert.deepEqual(props(r), [{ name: 'first', value: 60 }, { name: 'second', value: 40, desiredValue: 60 }]);
});

test('without partial discounts a price-capped discount has no desiredValue', () => {
  const c = campaign(1, [always('r', () => [call('setDiscount', 'big', 150)])]);
  const r = evaluate(input(session([item('A', 100)]), [c], { application: app({ enablePartialDiscounts: false }) }));
  assert.deepEqual(props(r), [{ name: 'big', value: 100 }]);
});

test('values <= 0 are dropped silently; the rule still fires', () => {
  const c = campaign(1, [always('zero', () => [call('setDiscount', 'z', 0), call('setDiscount', 'neg', -3)])]);
  const r = evaluate(input(session([item('A', 10)]), [c]));
  assert.deepEqual(r.effects, []);
  assert.deepEqual(r.triggeredCampaignIds, [1]);
  assert.deepEqual(r.ruleFailureReasons, []);
});

test('scope prop only with cascading discounts; cascading shows net totals to later campaigns', () => {
  const mk = () => [
    campaign(1, [always('half', (o) => [call('setDiscount', 'half', sessionTotal(o).dividedBy(2))])]),
    campaign(2, [always('half again', (o) => [call('setDiscount', 'half2', sessionTotal(o).dividedBy(2))])]),
  ];
  const flat = evaluate(input(session([item('A', 100)]), mk()));
  assert.deepEqual(props(flat), [{ name: 'half', value: 50 }, { name: 'half2', value: 50 }]);
  const cascading = evaluate(input(session([item('A', 100)]), mk(), { application: app({ enableCascadingDiscounts: true }) }));
  assert.deepEqual(props(cascading), [{ name: 'half', value: 50, scope: 'sessionTotal' }, { name: 'half2', value: 25, scope: 'sessionTotal' }]);
});

test('cascading: Item.Price of later campaigns is net of per-item discounts', () => {
  const c1 = campaign(1, [always('10 off unit', (o) => [call('setDiscountPerItem', 'ten', 10, cartItems(o)[0])])]);
  const c2 = campaign(2, [always('see price', (o) => [call('setDiscountPerItem', 'half', (cartItems(o)[0].Price as Decimal).dividedBy(2), cartItems(o)[0])])]);
  const r = evaluate(input(session([item('A', 30)]), [c1, c2], { application: app({ enableCascadingDiscounts: true }) }));
  assert.deepEqual(props(r).map((p) => p.value), [10, 10]);
});

test('setDiscountPerItem: one effect per flattened unit, name#position, scope, capped at the unit price', () => {
  const c = campaign(1, [always('per item', (o) => cartItems(o).map((it: ValueMap) => call('setDiscountPerItem', '20% off', (it.Price as Decimal).times(0.2), it)))]);
  const r = evaluate(input(session([item('SH', 50, 2), item('SO', 5)]), [c]));
  assert.deepEqual(props(r), [
    { name: '20% off#0', value: 10, position: 0, subPosition: 0, scope: 'price' },
    { name: '20% off#0', value: 10, position: 0, subPosition: 1, scope: 'price' },
    { name: '20% off#1', value: 1, position: 1, subPosition: 0, scope: 'price' },
  ]);
  const capped = evaluate(input(session([item('SO', 5)]), [campaign(1, [always('x', (o) => [call('setDiscountPerItem', 'all', 8, cartItems(o)[0])])])]));
  assert.deepEqual(props(capped), [{ name: 'all#0', value: 5, position: 0, subPosition: 0, desiredValue: 8, scope: 'price' }]);
});

test('setDiscountPerItem with itemTotal scope covers item additional costs', () => {
  const it = item('A', 10, 1, { additionalCosts: { shipping: { price: new Decimal(2) } } });
  const c = campaign(1, [always('x', (o) => [call('setDiscountPerItem', 'all', 20, cartItems(o)[0], 'itemTotal')])]);
  const r = evaluate(input(session([it]), [c]));
  assert.deepEqual(props(r), [{ name: 'all#0', value: 12, position: 0, subPosition: 0, desiredValue: 20, scope: 'itemTotal' }]);
});

test('setDiscountPerItemProRata spreads the total by price and sums exactly', () => {
  const c = campaign(1, [always('pro rata', (o) => [call('setDiscountPerItemProRata', 'pr', 10, cartItems(o))])]);
  const r = evaluate(input(session([item('A', 10), item('B', 20)]), [c]));
  const vals = r.effects.map((e) => e.props.value as Decimal);
  assert.equal(vals[0].plus(vals[1]).toString(), '10');
  assert.equal(toWire(r.effects[1]).props.totalDiscount, 10);
  assert.equal(toWire(r.effects[1]).props.name, 'pr#1');
});

test('setDiscountPerAdditionalCost: id and name, capped at the cost', () => {
  const s = session([item('B', 20, 3)], { additionalCosts: { shipping: { price: new Decimal(4.99) } } });
  const c = campaign(1, [always('ship', () => [call('setDiscountPerAdditionalCost', 'Free shipping', 'shipping', 10)])]);
  const r = evaluate(input(s, [c]));
  assert.deepEqual(props(r), [{ name: 'Free shipping', additionalCostId: 3, additionalCost: 'shipping', value: 4.99, desiredValue: 10 }]);
});

test('setDiscountPerAdditionalCostPerItem; an item without that cost fails the rule', () => {
  const it = item('A', 10, 2, { additionalCosts: { shipping: { price: new Decimal(1.5) } } });
  const c = campaign(1, [always('x', (o) => cartItems(o).map((i) => call('setDiscountPerAdditionalCostPerItem', 'ship', 'shipping', 1, i)))]);
  const r = evaluate(input(session([it]), [c]));
  assert.deepEqual(props(r), [
    { name: 'ship#0', additionalCostId: 3, additionalCost: 'shipping', value: 1, position: 0, subPosition: 0 },
    { name: 'ship#0', additionalCostId: 3, additionalCost: 'shipping', value: 1, position: 0, subPosition: 1 },
  ]);
  const r2 = evaluate(input(session([it, item('B', 5)]), [c]));
  assert.deepEqual(r2.effects, []);
  assert.equal(r2.ruleFailureReasons[0].effectIndex, 2);
});
