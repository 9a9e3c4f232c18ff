import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netEffects, rollbackAll, rollbackReturned, toWire } from '../../src/engine/index.js';
import type { Effect } from '../../src/engine/types.js';

const env = { campaignId: 1, rulesetId: 10, ruleIndex: 0, ruleName: 'r' };
const committed: Effect[] = [
  { ...env, effectType: 'acceptCoupon', triggeredByCoupon: 9, props: { value: 'SAVE5' } },
  { ...env, effectType: 'setDiscount', triggeredByCoupon: 9, props: { name: '5 off', value: 5 } },
  { ...env, ruleIndex: 1, effectType: 'setDiscountPerItem', props: { name: 'pi#0', value: 2, position: 0, subPosition: 0, scope: 'price' } },
  { ...env, ruleIndex: 1, effectType: 'setDiscountPerItem', props: { name: 'pi#0', value: 2, position: 0, subPosition: 1, scope: 'price' } },
  { ...env, ruleIndex: 2, effectType: 'setDiscountPerAdditionalCost', props: { name: 'ship', value: 4.99, additionalCostId: 3, additionalCost: 'shipping' } },
  { ...env, ruleIndex: 3, effectType: 'acceptReferral', props: { value: 'REF' } },
  { ...env, ruleIndex: 3, effectType: 'addFreeItem', props: { sku: 'X', name: 'x' } },
];

test('rollbackAll: discounts, coupon and referral; free items untouched; envelope copied', () => {
  const rb = rollbackAll(committed).map(toWire);
  assert.deepEqual(rb, [
    { ...env, effectType: 'rollbackCoupon', triggeredByCoupon: 9, props: { value: 'SAVE5' } },
    { ...env, effectType: 'rollbackDiscount', triggeredByCoupon: 9, props: { name: '5 off', value: 5 } },
    { ...env, ruleIndex: 1, effectType: 'rollbackDiscount', props: { name: 'pi#0', value: 2, cartItemPosition: 0, cartItemSubPosition: 0, scope: 'price' } },
    { ...env, ruleIndex: 1, effectType: 'rollbackDiscount', props: { name: 'pi#0', value: 2, cartItemPosition: 0, cartItemSubPosition: 1, scope: 'price' } },
    { ...env, ruleIndex: 2, effectType: 'rollbackDiscount', props: { name: 'ship', value: 4.99, additionalCostId: 3, additionalCost: 'shipping' } },
    { ...env, ruleIndex: 3, effectType: 'rollbackReferral', props: { value: 'REF' } },
  ]);
});

test('rollbackReturned: only per-item discounts of the returned units', () => {
  const rb = rollbackReturned(committed, [{ position: 0, subPositions: [1] }]).map(toWire);
  assert.deepEqual(rb, [{ ...env, ruleIndex: 1, effectType: 'rollbackDiscount', props: { name: 'pi#0', value: 2, cartItemPosition: 0, cartItemSubPosition: 1, scope: 'price' } }]);
});

test('netEffects removes rolled-back effects and their rollbacks; already rolled back ones are not rolled back twice', () => {
  const afterReturn = [...committed, ...rollbackReturned(committed, [{ position: 0, subPositions: [1] }])];
  const net = netEffects(afterReturn);
  assert.equal(net.length, committed.length - 1);
  assert.ok(!net.some((e) => e.effectType === 'rollbackDiscount'));
  assert.ok(!net.some((e) => e.props.subPosition === 1));
  const cancel = rollbackAll(afterReturn);
  assert.equal(cancel.filter((e) => e.effectType === 'rollbackDiscount').length, 3);
  assert.deepEqual(netEffects([...afterReturn, ...cancel]).map((e) => e.effectType), ['addFreeItem']);
});
