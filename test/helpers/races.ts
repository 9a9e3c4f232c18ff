/**
 * The two limit races of issue #4, written once and driven either in-process (app.inject) or over
 * HTTP against several server processes: a coupon with usageLimit 5 closed by 50 sessions at once,
 * and a discount budget of 100.00 spent by 60 sessions of 5.00 each.
 */
import assert from 'node:assert/strict';

type Json = Record<string, any>;  
export interface Call { (method: string, url: string, body?: unknown, node?: number): Promise<{ status: number; json: Json }> }

export interface RaceSetup {
  mgmt: Call;
  integ: Call;
  nodes: number;
  /** inserts a coupon code for the campaign (store-level, so the race does not depend on management routes) */
  addCoupon(applicationId: number, campaignId: number, value: string, usageLimit: number): Promise<void>;
  usageCounter(applicationId: number, value: string): Promise<number>;
}

async function campaignWith(x: RaceSetup, appId: number, rule: unknown, limits: unknown[] = []): Promise<number> {
  const c = await x.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'race', tags: [], features: ['coupons'], limits });
  assert.equal(c.status, 201, JSON.stringify(c.json));
  const r = await x.mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json.id}/rulesets`, { bindings: [], rules: [rule], activate: true });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return c.json.id;
}

const cart = [{ sku: 'x', quantity: 1, price: 40 }];

export async function couponRace(x: RaceSetup, appId: number): Promise<void> {
  const campaignId = await campaignWith(x, appId, { title: 'five off', condition: ['and', ['couponValid']], effects: [['setDiscount', 'five off', 5]] });
  await x.addCoupon(appId, campaignId, 'RACE5', 5);
  const closes = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    x.integ('PUT', `/v2/customer_sessions/coupon-race-${i}`, { customerSession: { profileId: `p${i}`, couponCodes: ['RACE5'], cartItems: cart, state: 'closed' } }, i % x.nodes)));
  for (const r of closes) assert.equal(r.status, 200, JSON.stringify(r.json));
  const accepted = closes.map((r, i) => [i, r.json.effects as Json[]] as const).filter(([, e]) => e.some((f) => f.effectType === 'acceptCoupon'));
  const rejected = closes.filter((r) => (r.json.effects as Json[]).some((f) => f.effectType === 'rejectCoupon' && f.props.rejectionReason === 'CouponLimitReached'));
  assert.equal(accepted.length, 5, 'exactly five sessions redeem the coupon');
  assert.equal(rejected.length, 45, 'the other 45 get rejectCoupon CouponLimitReached');
  for (const [, e] of accepted) assert.deepEqual(e.filter((f) => f.effectType === 'setDiscount').map((f) => f.props.value), [5]);
  assert.equal(await x.usageCounter(appId, 'RACE5'), 5);

  const cancels = await Promise.all(accepted.map(([i]) =>
    x.integ('PUT', `/v2/customer_sessions/coupon-race-${i}`, { customerSession: { state: 'cancelled' } }, (i + 1) % x.nodes)));
  for (const r of cancels) {
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.ok((r.json.effects as Json[]).some((f) => f.effectType === 'rollbackCoupon'));
  }
  assert.equal(await x.usageCounter(appId, 'RACE5'), 0);
}

export async function budgetRace(x: RaceSetup, appId: number): Promise<void> {
  const campaignId = await campaignWith(x, appId, { title: 'five off', condition: ['and', true], effects: [['setDiscount', 'five off', 5]] },
    [{ action: 'setDiscount', limit: 100, entities: [] }]);
  const closes = await Promise.all(Array.from({ length: 60 }, (_, i) =>
    x.integ('PUT', `/v2/customer_sessions/budget-race-${i}`, { customerSession: { cartItems: cart, state: 'closed' } }, i % x.nodes)));
  for (const r of closes) assert.equal(r.status, 200, JSON.stringify(r.json));
  const discounted = closes.filter((r) => (r.json.effects as Json[]).some((f) => f.effectType === 'setDiscount'));
  assert.equal(discounted.length, 20, 'exactly 20 × 5.00 fit in a budget of 100.00');
  const got = await x.mgmt('GET', `/v1/applications/${appId}/campaigns/${campaignId}`);
  assert.deepEqual(got.json.budgets, [{ action: 'setDiscount', limit: 100, counter: 100 }]);
}
