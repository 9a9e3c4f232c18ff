/**
 * The worked examples of docs/rule-examples.md end to end: each ruleset is compiled with the real
 * `compileRuleset`, evaluated with `evaluate()`, and the `toWire` effects are compared with the
 * expected output listed there (generated transaction UUIDs come from the injected `ids`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/domain/money.js';
import { evaluate, toWire } from '../../src/engine/index.js';
import { compileRuleset } from '../../src/rules/index.js';
import type { BudgetRemaining, EngineReferral } from '../../src/engine/types.js';
import { ENV, shape, withRuleset } from './compiled.js';
import { coupon, input, item, profile, session } from './fakes.js';

const failure = (r: ReturnType<typeof evaluate>, i = 0) => {
  const f = r.ruleFailureReasons[i];
  return { ruleIndex: f.ruleIndex, ruleName: f.ruleName, conditionIndex: f.conditionIndex, effectIndex: f.effectIndex, details: f.details };
};

test('Example 1 — 10% off the session total above a threshold', () => {
  const c = withRuleset({ bindings: [], rules: [{ title: '10% off above 100', condition: ['and', ['>', ['.', 'Session', 'Total'], 100]], effects: [['setDiscount', '10% off above 100', ['*', ['.', 'Session', 'Total'], ['/', 10, 100]]]] }] });
  const a = evaluate(input(session([item('LAMP-1', 60, 2, { name: 'Desk lamp', category: 'Lighting' })]), [c]));
  assert.deepEqual(shape(a), [{ effectType: 'setDiscount', ruleIndex: 0, ruleName: '10% off above 100', props: { name: '10% off above 100', value: 12 } }]);
  assert.deepEqual(a.ruleFailureReasons, []);
  assert.deepEqual(a.triggeredCampaignIds, [1]);
  const b = evaluate(input(session([item('LAMP-1', 60)]), [c]));
  assert.deepEqual(b.effects, []);
  assert.deepEqual(failure(b), { ruleIndex: 0, ruleName: '10% off above 100', conditionIndex: 0, effectIndex: undefined, details: 'condition evaluated to false' });
  assert.deepEqual([b.ruleFailureReasons[0].campaignID, b.ruleFailureReasons[0].rulesetID], [1, 10]);
});

test('Example 2 — coupon-gated fixed discount', () => {
  const c = withRuleset({ bindings: [], rules: [{ title: 'SAVE5: 5 off', condition: ['and', ['couponValid']], effects: [['setDiscount', '5 off with SAVE5', 5]] }] });
  const coupons = [coupon(901, 'SAVE5', 1, { usageLimit: 1 })];
  const a = evaluate(input(session([item('MUG-01', 40)], { couponCodes: ['SAVE5'] }), [c], { coupons }));
  assert.deepEqual(shape(a), [
    { effectType: 'acceptCoupon', ruleIndex: 0, ruleName: 'SAVE5: 5 off', triggeredByCoupon: 901, props: { value: 'SAVE5' } },
    { effectType: 'setDiscount', ruleIndex: 0, ruleName: 'SAVE5: 5 off', triggeredByCoupon: 901, props: { name: '5 off with SAVE5', value: 5 } },
  ]);
  assert.deepEqual(a.usage.couponRedemptions, [{ couponId: 901, campaignId: 1, value: 'SAVE5' }]);
  // Session B: unknown code.
  const b = evaluate(input(session([item('MUG-01', 40)], { couponCodes: ['SAVE50'] }), [c], { coupons: [] }));
  assert.deepEqual(b.effects.map(toWire), [{ campaignId: -1, rulesetId: 0, ruleIndex: 0, ruleName: '', effectType: 'rejectCoupon', props: { value: 'SAVE50', rejectionReason: 'CouponNotFound' } }]);
  // Session C: empty cart — the rule fires, the discount is capped to 0 and dropped, the coupon is accepted.
  const cc = evaluate(input(session([], { couponCodes: ['SAVE5'] }), [c], { coupons }));
  assert.deepEqual(shape(cc), [{ effectType: 'acceptCoupon', ruleIndex: 0, ruleName: 'SAVE5: 5 off', triggeredByCoupon: 901, props: { value: 'SAVE5' } }]);
  // Without any code the coupon rule is not evaluated at all.
  assert.deepEqual(evaluate(input(session([item('MUG-01', 40)]), [c], { coupons })).effects, []);
  // Used up: CouponLimitReached.
  const used = evaluate(input(session([item('MUG-01', 40)], { couponCodes: ['SAVE5'] }), [c], { coupons: [coupon(901, 'SAVE5', 1, { usageLimit: 1, usageCounter: 1 })] }));
  assert.deepEqual(shape(used).map((e) => [e.effectType, e.props]), [['rejectCoupon', { value: 'SAVE5', rejectionReason: 'CouponLimitReached' }]]);
});

const shoes = {
  bindings: [],
  rules: [{
    title: '20% off shoes',
    bindings: [{ name: 'Shoes', type: 'cartItemFilter', expression: ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['catch', false, ['=', ['.', 'Item', 'Category'], 'Shoes']]]] }],
    condition: ['and', ['not', ['isEmpty', ['.', 'Shoes']]]],
    effects: [['map', ['.', 'Shoes'], [['Item'], ['setDiscountPerItem', '20% off shoes', ['*', ['.', 'Item', 'Price'], ['/', 20, 100]], ['.', 'Item']]]]],
  }],
};

test('Example 3 — per-item discount on a category', () => {
  const c = withRuleset(shoes);
  const s = session([item('SH-RUN', 50, 2, { name: 'Runner', category: 'Shoes' }), item('SO-1', 5, 1, { name: 'Socks', category: 'Socks' }), item('GC-25', 25, 1, { name: 'Gift card' })], { profileId: 'cust-2' });
  assert.deepEqual(shape(evaluate(input(s, [c]))), [
    { effectType: 'setDiscountPerItem', ruleIndex: 0, ruleName: '20% off shoes', props: { name: '20% off shoes#0', value: 10, position: 0, subPosition: 0, scope: 'price' } },
    { effectType: 'setDiscountPerItem', ruleIndex: 0, ruleName: '20% off shoes', props: { name: '20% off shoes#0', value: 10, position: 0, subPosition: 1, scope: 'price' } },
  ]);
  const none = evaluate(input(session([item('SO-1', 5, 1, { category: 'Socks' }), item('GC-25', 25)]), [c]));
  assert.deepEqual(none.effects, []);
  assert.deepEqual(failure(none).conditionIndex, 0);
});

test('Example 4a — buy two bags of beans, get a mug', () => {
  const c = withRuleset({ bindings: [], rules: [{
    title: 'Free mug with 2 bags of beans',
    bindings: [{ name: 'Beans', type: 'cartItemFilter', expression: ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['=', ['.', 'Item', 'Sku'], 'BEANS-1KG']]] }],
    condition: ['and', ['>=', ['count', ['.', 'Beans']], 2]],
    effects: [['addFreeItem', 'MUG-01', 'Free mug']],
  }] });
  const two = evaluate(input(session([item('BEANS-1KG', 18, 2), item('FILTER-100', 4)], { profileId: null }), [c]));
  assert.deepEqual(shape(two), [{ effectType: 'addFreeItem', ruleIndex: 0, ruleName: 'Free mug with 2 bags of beans', props: { sku: 'MUG-01', name: 'Free mug' } }]);
  const one = evaluate(input(session([item('BEANS-1KG', 18, 1), item('FILTER-100', 4)], { profileId: null }), [c]));
  assert.deepEqual(one.effects, []);
  assert.equal(failure(one).conditionIndex, 0);
});

const shirtsRuleset = (effects: unknown[]) => ({ bindings: [], rules: [{
  title: '3 shirts: cheapest free',
  bindings: [{ name: 'Shirts', type: 'cartItemFilter', expression: ['sortByNumber',
    ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['catch', false, ['=', ['.', 'Item', 'Category'], 'Shirts']]]],
    [['Item'], ['.', 'Item', 'Price']], false] }],
  condition: ['and', ['>=', ['count', ['.', 'Shirts']], 3]],
  effects,
}] });
const shirts = (extra: ReturnType<typeof item>[] = []) => session([
  item('TS-RED', 25, 1, { category: 'Shirts' }), item('TS-BLUE', 15, 1, { category: 'Shirts' }), item('TS-GREEN', 30, 1, { category: 'Shirts' }), ...extra,
]);

test('Example 4b — three shirts, the cheapest is free', () => {
  const c = withRuleset(shirtsRuleset([['do', ['head', ['.', 'Shirts']], [['Cheapest'], ['setDiscountPerItem', 'Cheapest shirt free', ['.', 'Cheapest', 'Price'], ['.', 'Cheapest']]]]]));
  assert.deepEqual(shape(evaluate(input(shirts(), [c]))), [
    { effectType: 'setDiscountPerItem', ruleIndex: 0, ruleName: '3 shirts: cheapest free', props: { name: 'Cheapest shirt free#1', value: 15, position: 1, subPosition: 0, scope: 'price' } },
  ]);
  const two = evaluate(input(session([item('TS-RED', 25, 1, { category: 'Shirts' }), item('TS-BLUE', 15, 1, { category: 'Shirts' })]), [c]));
  assert.deepEqual(two.effects, []);
});

test('Example 4b variant — every third shirt free (take / floor / count)', () => {
  const c = withRuleset(shirtsRuleset([['map', ['take', ['.', 'Shirts'], ['floor', ['/', ['count', ['.', 'Shirts']], 3]]],
    [['Item'], ['setDiscountPerItem', 'Every 3rd shirt free', ['.', 'Item', 'Price'], ['.', 'Item']]]]]));
  // 6 shirts (one line of quantity 3 flattens into three units): the two cheapest are free.
  const r = evaluate(input(shirts([item('TS-WHITE', 10, 3, { category: 'Shirts' })]), [c]));
  assert.deepEqual(shape(r).map((e) => e.props), [
    { name: 'Every 3rd shirt free#3', value: 10, position: 3, subPosition: 0, scope: 'price' },
    { name: 'Every 3rd shirt free#3', value: 10, position: 3, subPosition: 1, scope: 'price' },
  ]);
});

test('Example 5 — discount on the shipping additional cost', () => {
  const c = withRuleset({ bindings: [], rules: [{
    title: 'Free shipping from 50',
    condition: ['and', ['>=', ['.', 'Session', 'CartItemTotal'], 50], ['catch', false, ['>', ['.', 'Session', 'AdditionalCosts', 'shipping', 'Price'], 0]]],
    effects: [['setDiscountPerAdditionalCost', 'Free shipping from 50', 'shipping', ['.', 'Session', 'AdditionalCosts', 'shipping', 'Price']]],
  }] });
  const shipping = { shipping: { price: new Decimal('4.99') } };
  const s = session([item('BOOK-7', 20, 3)], { profileId: 'cust-3', additionalCosts: shipping });
  assert.equal(s.totals.total.toString(), '64.99');
  assert.deepEqual(shape(evaluate(input(s, [c]))), [{ effectType: 'setDiscountPerAdditionalCost', ruleIndex: 0, ruleName: 'Free shipping from 50', props: { name: 'Free shipping from 50', additionalCostId: 3, additionalCost: 'shipping', value: 4.99 } }]);
  const twoBooks = evaluate(input(session([item('BOOK-7', 20, 2)], { additionalCosts: shipping }), [c]));
  assert.deepEqual([twoBooks.effects, failure(twoBooks).conditionIndex], [[], 0]);
  const noCost = evaluate(input(session([item('BOOK-7', 20, 3)]), [c]));
  assert.deepEqual([noCost.effects, failure(noCost).conditionIndex, failure(noCost).details], [[], 1, 'condition evaluated to false']);
});

test('Example 6 — loyalty points per currency unit spent', () => {
  const c = withRuleset({ bindings: [], rules: [{
    title: '1 point per EUR spent',
    condition: ['and', ['=', ['.', 'Session', 'State'], 'closed'], ['>=', ['.', 'Session', 'CartItemTotal'], 1]],
    effects: [['addLoyaltyPoints', 7, '', ['floor', ['.', 'Session', 'CartItemTotal']], '1 point per EUR spent']],
  }] }, { features: ['loyalty'] });
  const cart = [item('TEA-1', '22.80', 2), item('POT-2', 30)];
  const closed = evaluate(input(session(cart, { profileId: 'cust-42', state: 'closed' }), [c]));
  assert.deepEqual(shape(closed), [{ effectType: 'addLoyaltyPoints', ruleIndex: 0, ruleName: '1 point per EUR spent',
    props: { name: '1 point per EUR spent', programId: 7, subLedgerId: '', value: 75, recipientIntegrationId: 'cust-42', transactionUUID: 'uuid-1' } }]);
  const open = evaluate(input(session(cart, { profileId: 'cust-42', state: 'open' }), [c]));
  assert.deepEqual([open.effects, failure(open).conditionIndex], [[], 0]);
});

test('Example 7 — referral reward', () => {
  const c = withRuleset({ bindings: [], rules: [
    { title: 'Friend welcome', condition: ['and', ['referralValid']], effects: [['setDiscount', 'Welcome gift from a friend', 10]] },
    { title: 'Advocate reward', condition: ['and', ['referralValid'], ['=', ['.', 'Session', 'State'], 'closed']],
      effects: [['addLoyaltyPoints', 7, '', 500, 'Referral reward', ['.', 'Referral', 'AdvocateProfileIntegrationId']]] },
  ] }, { features: ['referrals', 'loyalty'] });
  const referral: EngineReferral = { id: 55, code: 'REF-ANNA', campaignId: 1, advocateProfileIntegrationId: 'anna', usageLimit: 0, usageCounter: 0, advocateProfile: profile('anna') };
  const run = (profileId: string, state: 'open' | 'closed') =>
    evaluate(input(session([item('KIT-1', 50)], { profileId, referralCode: 'REF-ANNA', state }), [c], { referral }));
  const closed = run('ben', 'closed');
  assert.deepEqual(shape(closed), [
    { effectType: 'acceptReferral', ruleIndex: 0, ruleName: 'Friend welcome', props: { value: 'REF-ANNA' } },
    { effectType: 'setDiscount', ruleIndex: 0, ruleName: 'Friend welcome', props: { name: 'Welcome gift from a friend', value: 10 } },
    { effectType: 'addLoyaltyPoints', ruleIndex: 1, ruleName: 'Advocate reward',
      props: { name: 'Referral reward', programId: 7, subLedgerId: '', value: 500, recipientIntegrationId: 'anna', transactionUUID: 'uuid-1' } },
  ]);
  assert.deepEqual(closed.usage.referralRedemption, { referralId: 55, campaignId: 1, code: 'REF-ANNA' });
  const open = run('ben', 'open');
  assert.deepEqual(shape(open), shape(closed).slice(0, 2));
  assert.deepEqual(failure(open), { ruleIndex: 1, ruleName: 'Advocate reward', conditionIndex: 1, effectIndex: undefined, details: 'condition evaluated to false' });
  const own = run('anna', 'closed');
  assert.deepEqual(own.effects.map(toWire).map((e) => [e.effectType, e.campaignId, e.props]), [
    ['rejectReferral', 1, { value: 'REF-ANNA', rejectionReason: 'ReferralRecipientIdSameAsAdvocate' }],
  ]);
  assert.equal(own.ruleFailureReasons.length, 2); // referralValid() is false in both rules
});

test('Example 8 — first-session-only discount', () => {
  const c = withRuleset({ bindings: [], rules: [{
    title: 'Welcome: 15% off the first order',
    condition: ['and', ['=', ['.', 'Session', 'FirstSession'], true]],
    effects: [['setDiscount', 'Welcome 15%', ['*', ['.', 'Session', 'Total'], ['/', 15, 100]]]],
  }] });
  const a = evaluate(input(session([item('X', 80)], { profileId: 'new-7', firstSession: true }), [c]));
  assert.deepEqual(shape(a), [{ effectType: 'setDiscount', ruleIndex: 0, ruleName: 'Welcome: 15% off the first order', props: { name: 'Welcome 15%', value: 12 } }]);
  const b = evaluate(input(session([item('X', 80)], { profileId: 'cust-42', firstSession: false }), [c], { profile: profile('cust-42', { closedSessions: 3 }) }));
  assert.deepEqual([b.effects, failure(b).conditionIndex], [[], 0]);
  // The profile-based equivalent and the anonymous guard.
  const byProfile = withRuleset({ bindings: [], rules: [{
    title: 'Welcome (profile)',
    condition: ['and', ['isSet', ['.', 'Profile', 'IntegrationId']], ['=', ['.', 'Profile', 'ClosedSessions'], 0]],
    effects: [['setDiscount', 'Welcome 15%', ['*', ['.', 'Session', 'Total'], ['/', 15, 100]]]],
  }] });
  assert.deepEqual(shape(evaluate(input(session([item('X', 80)], { profileId: 'new-7' }), [byProfile])))[0].props, { name: 'Welcome 15%', value: 12 });
  const anon = evaluate(input(session([item('X', 80)], { profileId: null }), [byProfile]));
  assert.deepEqual([anon.effects, failure(anon).conditionIndex, failure(anon).details], [[], 0, 'condition evaluated to false']);
  const returning = evaluate(input(session([item('X', 80)], { profileId: 'cust-42', firstSession: false }), [byProfile], { profile: profile('cust-42', { closedSessions: 3 }) }));
  assert.equal(failure(returning).conditionIndex, 1);
});

test('Example 9 — notification based on a session attribute', () => {
  const c = withRuleset({ bindings: [], rules: [{
    title: 'Berlin delivery notice',
    condition: ['and', ['catch', false, ['=', ['.', 'Session', 'Attributes', 'ShippingCity'], 'Berlin']]],
    effects: [['showNotification', 'info', 'Free same-day delivery', 'Orders shipped to Berlin before 14:00 arrive today.']],
  }] });
  const cart = [item('LAMP-1', 60)];
  assert.deepEqual(shape(evaluate(input(session(cart, { profileId: 'cust-5', attributes: { ShippingCity: 'Berlin' } }), [c]))), [{
    effectType: 'showNotification', ruleIndex: 0, ruleName: 'Berlin delivery notice',
    props: { notificationType: 'info', title: 'Free same-day delivery', body: 'Orders shipped to Berlin before 14:00 arrive today.' },
  }]);
  const paris = evaluate(input(session(cart, { attributes: { ShippingCity: 'Paris' } }), [c]));
  const missing = evaluate(input(session(cart), [c]));
  for (const r of [paris, missing]) {
    assert.deepEqual(r.effects, []);                       // in particular no `error` effect
    assert.deepEqual(failure(r).details, 'condition evaluated to false');
  }
});

test('Example 10 — discount capped per order and by a campaign budget', () => {
  const rs = (partial: boolean) => ({
    bindings: [{ name: 'Cap', type: 'templateParameter', valueType: 'number', minValue: 0, maxValue: 100, description: 'Maximum discount per order', expression: ['+', 25, 0] }],
    rules: [{ title: '20% off, max Cap', condition: ['and', ['>', ['.', 'Session', 'Total'], 0]],
      effects: [['setDiscount', '20% off (max 25)', ['min', ['list', ['*', ['.', 'Session', 'Total'], ['/', 20, 100]], ['.', 'Cap']]], 'sessionTotal', partial]] }],
  });
  const c = withRuleset(rs(true));
  const budgets = (left: number): BudgetRemaining[] => [{ campaignId: 1, action: 'setDiscount', entities: [], remaining: new Decimal(left) }];
  const first = evaluate(input(session([item('X', 200)]), [c], { budgets: budgets(15) }));
  assert.deepEqual(shape(first), [{ effectType: 'setDiscount', ruleIndex: 0, ruleName: '20% off, max Cap', props: { name: '20% off (max 25)', value: 15, desiredValue: 25 } }]);
  assert.deepEqual(first.usage.budgets.map((b) => [b.action, b.amount.toString()]), [['setDiscount', '15'], ['setDiscountEffect', '1']]);
  const later = evaluate(input(session([item('X', 200)]), [c], { budgets: budgets(0) }));
  assert.deepEqual(later.effects, []);
  assert.deepEqual(failure(later), { ruleIndex: 0, ruleName: '20% off, max Cap', conditionIndex: undefined, effectIndex: 0, details: 'budget exhausted: setDiscount' });
  const noPartial = evaluate(input(session([item('X', 200)]), [withRuleset(rs(false))], { budgets: budgets(15) }));
  assert.deepEqual([noPartial.effects, failure(noPartial).details], [[], 'budget exhausted: setDiscount']);
  assert.deepEqual(shape(evaluate(input(session([item('X', 60)]), [c], { budgets: budgets(15) })))[0].props, { name: '20% off (max 25)', value: 12 });
  // A template parameter outside its range is rejected when the ruleset is saved.
  assert.throws(() => compileRuleset({ ...rs(true), bindings: [{ ...rs(true).bindings[0], expression: ['+', 250, 0] }] }, ENV), /maxValue/);
});
