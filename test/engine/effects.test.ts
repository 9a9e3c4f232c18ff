import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/domain/money.js';
import { evaluate, toWire } from '../../src/engine/index.js';
import type { BudgetRemaining } from '../../src/engine/types.js';
import { newMap } from '../../src/engine/roots.js';
import { always, call, campaign, cartItems, coupon, couponRule, input, item, session } from './fakes.js';

type Calls = Parameters<typeof always>[1];
function run(calls: Calls, extra: Parameters<typeof input>[2] = {}, s = session([item('A', 10, 2)])) {
  return evaluate(input(s, [campaign(1, [always('r', calls)])], extra));
}
const one = (r: ReturnType<typeof evaluate>) => r.effects.map(toWire).map((e) => ({ effectType: e.effectType, props: e.props }));
const budget = (action: BudgetRemaining['action'], remaining: number): BudgetRemaining[] => [{ campaignId: 1, action, entities: [], remaining: new Decimal(remaining) }];

test('addFreeItem', () => {
  assert.deepEqual(one(run(() => [call('addFreeItem', 'MUG-01', 'Free mug')])), [{ effectType: 'addFreeItem', props: { sku: 'MUG-01', name: 'Free mug' } }]);
});

test('showNotification', () => {
  assert.deepEqual(one(run(() => [call('showNotification', 'info', 'T', 'B')])), [{ effectType: 'showNotification', props: { notificationType: 'info', title: 'T', body: 'B' } }]);
});

test('updateAttribute emits set {path, value}', () => {
  assert.deepEqual(one(run(() => [call('updateAttribute', 'Profile.Attributes.LastPromo', 12.5)])), [{ effectType: 'set', props: { path: 'Profile.Attributes.LastPromo', value: 12.5 } }]);
});

test('customEffect renders the payload and carries item positions', () => {
  const customEffects = [{ id: 4, name: 'Banner', payload: '{"text":"Hello ${who}","amount":"${n}","fixed":1}', params: [{ name: 'who', type: 'string' }, { name: 'n', type: 'number' }] }];
  const params = newMap(); params.who = 'Ann'; params.n = new Decimal(3);
  const r = run((o) => [call('customEffect', 'Banner', params, cartItems(o)[1])], { customEffects });
  assert.deepEqual(one(r), [{ effectType: 'customEffect', props: { effectId: 4, name: 'Banner', payload: { text: 'Hello Ann', amount: 3, fixed: 1 }, cartItemPosition: 0, cartItemSubPosition: 1 } }]);
});

test('triggerWebhook emits callApi', () => {
  assert.deepEqual(one(run(() => [call('triggerWebhook', 5, newMap())], { webhooks: [{ id: 5, name: 'crm' }] })), [{ effectType: 'callApi', props: { webhookId: 5, webhookName: 'crm' } }]);
});

test('addLoyaltyPoints / addLoyaltyPointsPerItem / deductLoyaltyPoints', () => {
  const r = run((o) => [call('addLoyaltyPoints', 7, '', 75, 'points'), call('addLoyaltyPointsPerItem', 7, '', 1, 'unit', cartItems(o)[1])]);
  assert.deepEqual(one(r), [
    { effectType: 'addLoyaltyPoints', props: { name: 'points', programId: 7, subLedgerId: '', value: 75, recipientIntegrationId: 'cust-1', transactionUUID: 'uuid-1' } },
    { effectType: 'addLoyaltyPoints', props: { name: 'unit', programId: 7, subLedgerId: '', value: 1, recipientIntegrationId: 'cust-1', transactionUUID: 'uuid-2', cartItemPosition: 0, cartItemSubPosition: 1 } },
  ]);
  const balances = [{ programId: 7, subledgerId: '', balance: new Decimal(100) }];
  const d = run(() => [call('deductLoyaltyPoints', 7, '', 60, 'spend')], { loyaltyBalances: balances });
  assert.deepEqual(one(d), [{ effectType: 'deductLoyaltyPoints', props: { ruleTitle: 'r', programId: 7, subLedgerId: '', value: 60, name: 'spend', transactionUUID: 'uuid-1' } }]);
  const short = run(() => [call('setDiscount', 'd', 1), call('deductLoyaltyPoints', 7, '', 60, 'a'), call('deductLoyaltyPoints', 7, '', 60, 'b')], { loyaltyBalances: balances });
  assert.deepEqual(short.effects, []);
  assert.deepEqual([short.ruleFailureReasons[0].effectIndex, short.ruleFailureReasons[0].details], [2, 'insufficient loyalty balance']);
});

test('createCoupon / createReferral / reserveCoupon', () => {
  const r = run(() => [call('createCoupon'), call('createReferral')]);
  assert.deepEqual(one(r), [
    { effectType: 'couponCreated', props: { value: 'NEW-1-1', profileId: 'cust-1' } },
    { effectType: 'referralCreated', props: { value: 'REF-1-2' } },
  ]);
  assert.deepEqual(r.createdCoupons, [{ campaignId: 1, value: 'NEW-1-1', recipientIntegrationId: 'cust-1' }]);
  assert.deepEqual(r.createdReferrals, [{ campaignId: 1, code: 'REF-1-2', advocateProfileIntegrationId: 'cust-1' }]);
  const s = session([item('A', 1)], { couponCodes: ['WALLET'] });
  const rc = evaluate(input(s, [campaign(1, [couponRule('res', () => [call('reserveCoupon')])])], { coupons: [coupon(3, 'WALLET', 1)] }));
  assert.deepEqual(one(rc)[1], { effectType: 'reserveCoupon', props: { couponValue: 'WALLET', profileIntegrationId: 'cust-1', isNewReservation: true } });
});

test('awardGiveaway: willAwardGiveaway while open, awardGiveaway when closed', () => {
  const pools = { giveawayPools: [{ id: 2, name: 'Pool' }] };
  assert.deepEqual(one(run(() => [call('awardGiveaway', 2)], pools)), [{ effectType: 'willAwardGiveaway', props: { poolId: 2, poolName: 'Pool', recipientIntegrationId: 'cust-1' } }]);
  const closed = run(() => [call('awardGiveaway', 2)], pools, session([item('A', 1)], { state: 'closed' }));
  assert.deepEqual(one(closed), [{ effectType: 'awardGiveaway', props: { poolId: 2, poolName: 'Pool', recipientIntegrationId: 'cust-1', giveawayId: 1002, code: 'GIFT-2' } }]);
});

test('awardGiveaway: an empty pool drops the effect without using the awardGiveaway limit', () => {
  const closed = session([item('A', 1)], { state: 'closed' });
  const extra = { giveawayPools: [{ id: 2, name: 'Pool' }], budgets: budget('awardGiveaway', 5) };
  const count = (r: ReturnType<typeof evaluate>) => r.usage.budgets.filter((u) => u.action === 'awardGiveaway').map((u) => u.amount.toNumber());
  const awarded = run(() => [call('awardGiveaway', 2)], extra, closed);
  assert.deepEqual(count(awarded), [1]);
  const empty = evaluate({ ...input(closed, [campaign(1, [always('r', () => [call('awardGiveaway', 2)])])], extra), ids: { ...input(closed, []).ids!, giveaway: () => null } });
  assert.deepEqual(empty.effects, []);
  assert.deepEqual(count(empty), []);
  assert.equal(empty.ruleFailureReasons[0]?.details, 'giveaway pool empty');
});

test('audiences, achievements, loyalty expiry', () => {
  const r = run(() => [
    call('addToAudience', 3), call('removeFromAudience', 3), call('increaseAchievementProgress', 6, 2),
    call('setLoyaltyPointsExpiryDate', 7, '', new Date('2026-01-01T00:00:00Z')), call('extendLoyaltyPointsExpiryDate', 7, '', '30D'),
  ], { audiences: [{ id: 3, name: 'VIP' }], achievements: [{ id: 6, name: 'Five orders', target: new Decimal(5), currentProgress: new Decimal(4) }] });
  assert.deepEqual(one(r), [
    { effectType: 'addToAudience', props: { audienceId: 3, audienceName: 'VIP', profileIntegrationId: 'cust-1' } },
    { effectType: 'removeFromAudience', props: { audienceId: 3, audienceName: 'VIP', profileIntegrationId: 'cust-1' } },
    { effectType: 'increaseAchievementProgress', props: { achievementId: 6, achievementName: 'Five orders', delta: 2, value: 6, target: 5, isJustCompleted: true } },
    { effectType: 'setLoyaltyPointsExpiryDate', props: { programId: 7, subLedgerId: '', newExpiryDate: '2026-01-01T00:00:00.000Z' } },
    { effectType: 'extendLoyaltyPointsExpiryDate', props: { programId: 7, subLedgerId: '', extensionDuration: '30D' } },
  ]);
});

test('an effect error discards the rule, emits error {message} and a failure with effectIndex', () => {
  const r = run(() => [call('setDiscount', 'ok', 1), call('noSuchEffect', 1)]);
  assert.deepEqual(r.effects.map(toWire), [{ campaignId: 1, rulesetId: 10, ruleIndex: 0, ruleName: 'r', effectType: 'error', props: { message: 'unknown effect function noSuchEffect' } }]);
  assert.deepEqual([r.ruleFailureReasons[0].effectIndex, r.ruleFailureReasons[0].details], [1, 'error: unknown effect function noSuchEffect']);
  assert.deepEqual(r.usage.budgets, []);
  const fromRules = evaluate(input(session([item('A', 1)]), [campaign(1, [{ title: 'boom', run: () => ({ fired: false, error: 'effect', effectIndex: 0, details: 'error: division by zero', failureEffects: [] }) }])]));
  assert.deepEqual(fromRules.effects.map((e) => [e.effectType, e.props.message]), [['error', 'division by zero']]);
});

test('discount budget: partial reduces with desiredValue; exhausted fails the rule', () => {
  const r = run(() => [call('setDiscount', 'd', 25, 'sessionTotal', true)], { budgets: budget('setDiscount', 15) });
  assert.deepEqual(one(r), [{ effectType: 'setDiscount', props: { name: 'd', value: 15, desiredValue: 25 } }]);
  const none = run(() => [call('setDiscount', 'd', 25, 'sessionTotal', true)], { budgets: budget('setDiscount', 0) });
  assert.deepEqual(none.effects, []);
  assert.deepEqual(none.ruleFailureReasons.map((f) => [f.effectIndex, f.details]), [[0, 'budget exhausted: setDiscount']]);
  const noPartial = run(() => [call('showNotification', 'a', 'b', 'c'), call('setDiscount', 'd', 25, 'sessionTotal', false)], { budgets: budget('setDiscount', 15) });
  assert.deepEqual(noPartial.effects, []);
  assert.deepEqual(noPartial.ruleFailureReasons.map((f) => [f.effectIndex, f.details]), [[1, 'budget exhausted: setDiscount']]);
  const count = run(() => [call('setDiscount', 'a', 1), call('setDiscount', 'b', 1)], { budgets: budget('setDiscountEffect', 1) });
  assert.deepEqual(count.effects, []);
  assert.equal(count.ruleFailureReasons[0].details, 'budget exhausted: setDiscountEffect');
});

test('budget use accumulates across rules of the evaluation', () => {
  const r = evaluate(input(session([item('A', 100)]), [campaign(1, [
    always('a', () => [call('setDiscount', 'a', 10)]), always('b', () => [call('setDiscount', 'b', 10)]),
  ])], { budgets: budget('setDiscount', 15) }));
  assert.deepEqual(r.effects.map((e) => [e.props.name, (e.props.value as Decimal).toNumber(), e.props.desiredValue && (e.props.desiredValue as Decimal).toNumber()]), [['a', 10, undefined], ['b', 5, 10]]);
});

test('other budgets drop one effect; the rule commits the rest and records the reason', () => {
  const r = run(() => [call('addFreeItem', 'X', 'x'), call('showNotification', 'a', 'b', 'c')], { budgets: budget('addFreeItemEffect', 0) });
  assert.deepEqual(r.effects.map((e) => e.effectType), ['showNotification']);
  assert.deepEqual(r.ruleFailureReasons.map((f) => [f.effectIndex, f.details]), [[0, 'budget exhausted: addFreeItemEffect']]);
  assert.deepEqual(r.triggeredCampaignIds, [1]);
});

test('includeFailureReasons: false collects none', () => {
  const r = evaluate(input(session([item('A', 1)]), [campaign(1, [{ title: 'x', run: () => ({ fired: false, conditionIndex: 0, details: 'condition evaluated to false', failureEffects: [] }) }])], { options: { includeFailureReasons: false } }));
  assert.deepEqual(r.ruleFailureReasons, []);
});
