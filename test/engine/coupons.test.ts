import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/domain/money.js';
import { evaluate, toWire } from '../../src/engine/index.js';
import type { BudgetRemaining } from '../../src/engine/types.js';
import { always, call, campaign, coupon, couponRule, failed, input, item, NOW, session } from './fakes.js';

const day = 86_400_000;
const save5 = () => campaign(1, [couponRule('SAVE5: 5 off', () => [call('setDiscount', '5 off with SAVE5', 5)])], { features: ['coupons'] });
const wire = (r: ReturnType<typeof evaluate>) => r.effects.map(toWire);

function rejection(code: string, extra: Parameters<typeof coupon>[3] = {}, opts: { profileId?: string | null; budgets?: BudgetRemaining[]; campaignExtra?: Parameters<typeof campaign>[2] } = {}) {
  const s = session([item('MUG', 40)], { couponCodes: [code], profileId: opts.profileId === undefined ? 'cust-1' : opts.profileId });
  const c = campaign(1, [couponRule('SAVE5: 5 off', () => [call('setDiscount', '5 off', 5)])], opts.campaignExtra);
  const r = evaluate(input(s, [c], { coupons: [coupon(901, 'SAVE5', 1, extra)], budgets: opts.budgets }));
  return wire(r).filter((e) => e.effectType === 'rejectCoupon').map((e) => e.props);
}

test('accepted coupon: acceptCoupon before the rule effects, triggeredByCoupon, redemption usage', () => {
  const s = session([item('MUG', 40)], { couponCodes: ['save5'] });
  const r = evaluate(input(s, [save5()], { coupons: [coupon(901, 'SAVE5', 1, { usageLimit: 1 })] }));
  assert.deepEqual(wire(r), [
    { campaignId: 1, rulesetId: 10, ruleIndex: 0, ruleName: 'SAVE5: 5 off', effectType: 'acceptCoupon', triggeredByCoupon: 901, props: { value: 'SAVE5' } },
    { campaignId: 1, rulesetId: 10, ruleIndex: 0, ruleName: 'SAVE5: 5 off', effectType: 'setDiscount', triggeredByCoupon: 901, props: { name: '5 off with SAVE5', value: 5 } },
  ]);
  assert.deepEqual(r.usage.couponRedemptions, [{ couponId: 901, campaignId: 1, value: 'SAVE5' }]);
  assert.ok(r.usage.budgets.some((b) => b.action === 'redeemCoupon' && b.couponId === 901 && b.amount.eq(1)));
  assert.ok(r.usage.budgets.some((b) => b.action === 'setDiscount' && b.amount.eq(5)));
});

test('coupon accepted even when its discount is capped to zero (empty cart)', () => {
  const s = session([], { couponCodes: ['SAVE5'] });
  const r = evaluate(input(s, [save5()], { coupons: [coupon(901, 'SAVE5', 1)] }));
  assert.deepEqual(wire(r).map((e) => e.effectType), ['acceptCoupon']);
});

test('CouponNotFound: campaignId -1, rulesetId 0, ruleIndex 0, ruleName ""', () => {
  const s = session([item('MUG', 40)], { couponCodes: ['SAVE50'] });
  const r = evaluate(input(s, [save5()], { coupons: [] }));
  assert.deepEqual(wire(r), [{ campaignId: -1, rulesetId: 0, ruleIndex: 0, ruleName: '', effectType: 'rejectCoupon', props: { value: 'SAVE50', rejectionReason: 'CouponNotFound' } }]);
});

test('CouponPartOfNotRunningCampaign: disabled, archived, expired campaign', () => {
  for (const extra of [{ state: 'disabled' as const }, { state: 'archived' as const }, { endTime: new Date(NOW.getTime() - day) }, { startTime: new Date(NOW.getTime() + day) }]) {
    assert.deepEqual(rejection('SAVE5', {}, { campaignExtra: extra }), [{ value: 'SAVE5', rejectionReason: 'CouponPartOfNotRunningCampaign' }]);
  }
});

test('coupon validity reasons in precedence order', () => {
  assert.equal(rejection('SAVE5', { startDate: new Date(NOW.getTime() + day) })[0].rejectionReason, 'CouponStartDateInFuture');
  assert.equal(rejection('SAVE5', { expiryDate: new Date(NOW.getTime() - day) })[0].rejectionReason, 'CouponExpired');
  assert.equal(rejection('SAVE5', { startDate: new Date(NOW.getTime() + day), expiryDate: new Date(NOW.getTime() - day) })[0].rejectionReason, 'CouponStartDateInFuture');
  assert.equal(rejection('SAVE5', { recipientIntegrationId: 'someone-else' })[0].rejectionReason, 'CouponRecipientDoesNotMatch');
  assert.equal(rejection('SAVE5', { recipientIntegrationId: 'x' }, { profileId: null })[0].rejectionReason, 'CouponRecipientDoesNotMatch');
  assert.equal(rejection('SAVE5', { isReservationMandatory: true }, { profileId: null })[0].rejectionReason, 'ProfileRequired');
  assert.equal(rejection('SAVE5', { isReservationMandatory: true })[0].rejectionReason, 'CouponReservationRequired');
  assert.deepEqual(rejection('SAVE5', { isReservationMandatory: true, reservedByProfile: true }), []);
  assert.equal(rejection('SAVE5', { usageLimit: 1, usageCounter: 1 })[0].rejectionReason, 'CouponLimitReached');
  const b = (entities: BudgetRemaining['entities'], remaining: number): BudgetRemaining[] => [{ campaignId: 1, action: 'redeemCoupon', entities, remaining: new Decimal(remaining), ...(entities.includes('Coupon') ? { couponId: 901 } : {}) }];
  assert.equal(rejection('SAVE5', {}, { budgets: b(['Coupon'], 0) })[0].rejectionReason, 'CouponLimitReached');
  assert.equal(rejection('SAVE5', {}, { budgets: b(['Profile'], 0) })[0].rejectionReason, 'ProfileLimitReached');
  assert.equal(rejection('SAVE5', {}, { budgets: b(['Profile'], 5), profileId: null })[0].rejectionReason, 'ProfileRequired');
  assert.equal(rejection('SAVE5', {}, { budgets: b([], 0) })[0].rejectionReason, 'CampaignLimitReached');
  assert.deepEqual(rejection('SAVE5', {}, { budgets: b([], 1) }), []);
});

test('CouponRejectedByCondition with conditionIndex and details; also when no rule references the coupon', () => {
  const s = session([item('MUG', 40)], { couponCodes: ['SAVE5'] });
  const c = campaign(1, [couponRule('r', () => [call('setDiscount', 'x', 5)], () => false)]);
  const r = evaluate(input(s, [c], { coupons: [coupon(901, 'SAVE5', 1)] }));
  assert.deepEqual(wire(r).map((e) => e.props), [{ value: 'SAVE5', rejectionReason: 'CouponRejectedByCondition', conditionIndex: 1, details: 'condition evaluated to false' }]);
  assert.equal(r.ruleFailureReasons[0].couponID, 901);
  assert.equal(r.ruleFailureReasons[0].couponValue, 'SAVE5');
  const plain = campaign(1, [always('no coupon', () => [call('setDiscount', 'x', 1)])]);
  const r2 = evaluate(input(s, [plain], { coupons: [coupon(901, 'SAVE5', 1)] }));
  assert.deepEqual(wire(r2).map((e) => [e.effectType, e.props.rejectionReason]), [['setDiscount', undefined], ['rejectCoupon', 'CouponRejectedByCondition']]);
});

test('EffectCouldNotBeApplied when the discount budget is exhausted (no partial)', () => {
  const s = session([item('MUG', 40)], { couponCodes: ['SAVE5'] });
  const c = campaign(1, [couponRule('r', () => [call('setDiscount', 'x', 5, 'sessionTotal', false)])]);
  const budgets: BudgetRemaining[] = [{ campaignId: 1, action: 'setDiscount', entities: [], remaining: new Decimal(3) }];
  const r = evaluate(input(s, [c], { coupons: [coupon(901, 'SAVE5', 1)], budgets }));
  assert.deepEqual(wire(r).map((e) => e.props), [{ value: 'SAVE5', rejectionReason: 'EffectCouldNotBeApplied', effectIndex: 0, details: 'budget exhausted: setDiscount' }]);
  assert.deepEqual(r.usage.couponRedemptions, []);
  assert.deepEqual(r.usage.budgets, []);
});

test('coupon discountLimit caps discounts of rules triggered by that coupon', () => {
  const s = session([item('MUG', 40)], { couponCodes: ['GIFT'] });
  const c = campaign(1, [couponRule('gift card', () => [call('setDiscount', 'gift', 30)])]);
  const r = evaluate(input(s, [c], { coupons: [coupon(7, 'GIFT', 1, { discountLimit: new Decimal(50), discountCounter: new Decimal(30) })] }));
  assert.deepEqual(wire(r)[1].props, { name: 'gift', value: 20, desiredValue: 30 });
  assert.deepEqual(r.usage.couponDiscounts.map((d) => [d.couponId, d.amount.toNumber()]), [[7, 20]]);
});

test('one pass per code; pass 0 rules do not repeat; codes normalised per caseSensitivity', () => {
  const s = session([item('MUG', 40)], { couponCodes: ['aaaa', 'BBBB', 'AAAA'] });
  const c = campaign(1, [
    always('plain', () => [call('showNotification', 'Info', 't', 'b')]),
    couponRule('coupon', (o) => [call('setDiscount', `off ${o.roots.Coupon!.Value as string}`, 1)]),
  ]);
  const r = evaluate(input(s, [c], { coupons: [coupon(1, 'AAAA', 1), coupon(2, 'BBBB', 1)] }));
  assert.deepEqual(wire(r).map((e) => [e.effectType, e.triggeredByCoupon, e.props.value ?? e.props.name]), [
    ['showNotification', undefined, undefined],
    ['acceptCoupon', 1, 'AAAA'], ['setDiscount', 1, 1],
    ['acceptCoupon', 2, 'BBBB'], ['setDiscount', 2, 1],
  ]);
});

test('failure effects are emitted with conditionIndex', () => {
  const c = campaign(1, [{ title: 'nope', run: () => failed(2, 'condition evaluated to false', [call('showNotification', 'Error', 'Sorry', 'Not eligible')]) }]);
  const r = evaluate(input(session([item('A', 1)]), [c]));
  assert.deepEqual(wire(r), [{ campaignId: 1, rulesetId: 10, ruleIndex: 0, ruleName: 'nope', effectType: 'showNotification', conditionIndex: 2, props: { notificationType: 'Error', title: 'Sorry', body: 'Not eligible' } }]);
  assert.deepEqual(r.ruleFailureReasons, [{ campaignID: 1, campaignName: 'Campaign 1', rulesetID: 10, ruleIndex: 0, ruleName: 'nope', conditionIndex: 2, details: 'condition evaluated to false' }]);
  assert.deepEqual(r.triggeredCampaignIds, []);
});
