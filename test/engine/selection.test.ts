import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/domain/money.js';
import { evaluate, toWire } from '../../src/engine/index.js';
import type { EngineEvaluationGroup } from '../../src/engine/types.js';
import { always, call, campaign, coupon, couponRule, input, item, NOW, session, sessionTotal } from './fakes.js';

const day = 86_400_000;
const disc = (id: number, amount: number, extra: Parameters<typeof campaign>[2] = {}) =>
  campaign(id, [always(`r${id}`, () => [call('setDiscount', `d${id}`, amount)])], extra);
const ids = (r: ReturnType<typeof evaluate>) => r.effects.map((e) => e.campaignId);

test('schedules: startTime inclusive, endTime exclusive', () => {
  const cs = [
    disc(1, 1, { startTime: NOW }),
    disc(2, 1, { startTime: new Date(NOW.getTime() + 1) }),
    disc(3, 1, { endTime: NOW }),
    disc(4, 1, { startTime: new Date(NOW.getTime() - day), endTime: new Date(NOW.getTime() + day) }),
  ];
  assert.deepEqual(ids(evaluate(input(session([item('A', 100)]), cs))), [1, 4]);
});

test('disabled and archived campaigns are not evaluated; order is by campaign id without groups', () => {
  const cs = [disc(5, 1), disc(2, 1, { state: 'disabled' }), disc(3, 1, { state: 'archived' }), disc(1, 1)];
  assert.deepEqual(ids(evaluate(input(session([item('A', 100)]), cs))), [1, 5]);
});

test('store linkage: linked campaigns only run for sessions of a linked store', () => {
  const cs = [disc(1, 1, { linkedStoreIds: [7] }), disc(2, 1)];
  const store = { id: 7, integrationId: 'berlin', name: 'Berlin', attributes: {} };
  assert.deepEqual(ids(evaluate(input(session([item('A', 100)]), cs))), [2]);
  assert.deepEqual(ids(evaluate(input(session([item('A', 100)], { storeIntegrationId: 'berlin' }), cs, { store }))), [1, 2]);
  const other = { id: 8, integrationId: 'paris', name: 'Paris', attributes: {} };
  assert.deepEqual(ids(evaluate(input(session([item('A', 100)], { storeIntegrationId: 'paris' }), cs, { store: other }))), [2]);
});

test('dry evaluableCampaignIds: exactly those, even disabled, never archived; others reject with NotTriggered', () => {
  const cs = [disc(1, 1), disc(2, 1, { state: 'disabled' }), disc(3, 1, { state: 'archived' }),
    campaign(4, [couponRule('c', () => [call('setDiscount', 'c', 1)])])];
  const s = session([item('A', 100)], { couponCodes: ['CODE4'] });
  const r = evaluate(input(s, cs, { coupons: [coupon(40, 'CODE4', 4)], options: { dry: true, evaluableCampaignIds: [2, 3] } }));
  assert.deepEqual(ids(r), [2, 4]);
  assert.deepEqual(toWire(r.effects[1]).props, { value: 'CODE4', rejectionReason: 'CouponPartOfNotTriggeredCampaign', campaignExclusionReason: 'CampaignNotInEvaluationSet' });
  // Without dry the list is ignored.
  assert.deepEqual(ids(evaluate(input(session([item('A', 100)]), cs, { options: { evaluableCampaignIds: [2] } }))), [1]);
});

const group = (id: number, mode: EngineEvaluationGroup['mode'], extra: Partial<EngineEvaluationGroup> = {}): EngineEvaluationGroup => ({ id, name: `g${id}`, mode, ...extra });

test('stackable group: all campaigns apply, effects carry evaluationGroupID/Mode', () => {
  const r = evaluate(input(session([item('A', 100)]), [disc(1, 5, { evaluationGroupId: 9 }), disc(2, 6, { evaluationGroupId: 9 })], { evaluationGroups: [group(9, 'stackable')] }));
  assert.deepEqual(r.effects.map((e) => [e.campaignId, e.evaluationGroupID, e.evaluationGroupMode]), [[1, 9, 'stackable'], [2, 9, 'stackable']]);
});

test('listOrder group: the first campaign whose rules fire wins (members order)', () => {
  const never = campaign(1, [{ title: 'never', run: () => ({ fired: false, conditionIndex: 0, details: 'condition evaluated to false', failureEffects: [] }) }], { evaluationGroupId: 9 });
  const cs = [never, disc(2, 5, { evaluationGroupId: 9 }), disc(3, 6, { evaluationGroupId: 9 }),
    campaign(4, [couponRule('c', () => [call('setDiscount', 'c', 1)])], { evaluationGroupId: 9 })];
  const s = session([item('A', 100)], { couponCodes: ['C4'] });
  const r = evaluate(input(s, cs, { coupons: [coupon(4, 'C4', 4)], evaluationGroups: [group(9, 'listOrder', { members: [{ campaignId: 1 }, { campaignId: 3 }, { campaignId: 2 }, { campaignId: 4 }] })] }));
  assert.deepEqual(ids(r), [3, 4]);
  assert.deepEqual(toWire(r.effects[1]).props, { value: 'C4', rejectionReason: 'CouponPartOfNotTriggeredCampaign', campaignExclusionReason: 'CampaignIsNotFirst' });
  assert.deepEqual(r.triggeredCampaignIds, [3]);
});

test('highestDiscount and lowestDiscount keep one campaign', () => {
  const cs = () => [disc(1, 5, { evaluationGroupId: 9 }), disc(2, 8, { evaluationGroupId: 9 }), disc(3, 6, { evaluationGroupId: 9 })];
  const hi = evaluate(input(session([item('A', 100)]), cs(), { evaluationGroups: [group(9, 'highestDiscount')] }));
  assert.deepEqual(hi.effects.map((e) => [e.campaignId, (e.props.value as Decimal).toNumber(), e.evaluationGroupMode]), [[2, 8, 'highestDiscount']]);
  assert.deepEqual(hi.usage.budgets.filter((b) => b.action === 'setDiscount').map((b) => b.amount.toNumber()), [8]);
  const lo = evaluate(input(session([item('A', 100)]), cs(), { evaluationGroups: [group(9, 'lowestDiscount')] }));
  assert.deepEqual(ids(lo), [1]);
});

test('highestDiscount loser coupon: CampaignGaveLowerDiscount', () => {
  const c1 = campaign(1, [couponRule('c', () => [call('setDiscount', 'c', 2)])], { evaluationGroupId: 9 });
  const s = session([item('A', 100)], { couponCodes: ['C1'] });
  const r = evaluate(input(s, [c1, disc(2, 8, { evaluationGroupId: 9 })], { coupons: [coupon(1, 'C1', 1)], evaluationGroups: [group(9, 'highestDiscount')] }));
  assert.deepEqual(r.effects.map((e) => [e.campaignId, e.effectType, e.props.campaignExclusionReason]), [[2, 'setDiscount', undefined], [1, 'rejectCoupon', 'CampaignGaveLowerDiscount']]);
});

test('nested groups: a highestDiscount sub-group inside a stackable group; root order campaigns then groups', () => {
  const cs = [disc(1, 1), disc(2, 3, { evaluationGroupId: 11 }), disc(3, 4, { evaluationGroupId: 11 }), disc(4, 1, { evaluationGroupId: 10 })];
  const groups = [group(10, 'stackable'), group(11, 'highestDiscount', { parentId: 10 })];
  const r = evaluate(input(session([item('A', 100)]), cs, { evaluationGroups: groups }));
  assert.deepEqual(ids(r), [1, 4, 3]);
});

test('cascading + group comparison sees the state left by earlier campaigns', () => {
  const half = (id: number, g: number) => campaign(id, [always('h', (o) => [call('setDiscount', 'h', sessionTotal(o).dividedBy(2))])], { evaluationGroupId: g });
  const r = evaluate(input(session([item('A', 100)]), [disc(1, 50), half(2, 9)], { evaluationGroups: [group(9, 'highestDiscount')] }));
  assert.deepEqual(r.effects.map((e) => (e.props.value as Decimal).toNumber()), [50, 50]);
});
