/** Twelve sessions paying 100 points from 500, closed at once through two OpenPromo processes sharing one PostgreSQL. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MANAGEMENT_KEY, nodeCall, nodesOnPostgres } from '../helpers/nodes.js';

type Json = Record<string, any>;

describe('loyalty payments by racing session closes, two processes on one PostgreSQL', () => {
  const nodes = nodesOnPostgres();

  const call = (node: number, auth: string, method: string, url: string, body?: unknown) => nodeCall(nodes, node, auth, method, url, body);
  const mgmt = (method: string, url: string, body?: unknown) => call(0, `ManagementKey-v1 ${MANAGEMENT_KEY}`, method, url, body);

  test('exactly five of twelve closes pay, each with its discount; the balance ends at 0', async (t) => {
    if (nodes.length === 0) return t.skip('PostgreSQL not available');
    const app = await mgmt('POST', '/v1/applications', { name: 'Shop', currency: 'EUR', timezone: 'UTC' });
    const appId = app.json.id as number;
    const key = (await mgmt('POST', `/v1/applications/${appId}/api_keys`, { title: 'race', expires: '2099-01-01T00:00:00Z' })).json.key as string;
    const p = await mgmt('POST', '/v1/loyalty_programs', {
      title: 'Points', name: 'race-points', subscribedApplications: [appId], defaultValidity: 'unlimited', defaultPending: 'immediate',
      allowSubledger: false, sandbox: false, timezone: 'UTC', cardBased: false,
    });
    assert.equal(p.status, 201, JSON.stringify(p.json));
    const pid = p.json.id as number;
    const c = await mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'Pay with points', tags: [], features: ['loyalty'], limits: [] });
    const rule = { title: 'pay 100', condition: ['and', ['loyaltyPointsCanBeRedeemed', pid, 100]], effects: [['deductLoyaltyPoints', pid, '', 100, 'pay'], ['setDiscount', '100 points', 10]] };
    assert.equal((await mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json.id}/rulesets`, { bindings: [], rules: [rule], activate: true })).status, 201);
    assert.equal((await mgmt('PUT', `/v1/loyalty_programs/${pid}/profile/racer/add_points`, { points: 500 })).status, 204);

    const closes = await Promise.all(Array.from({ length: 12 }, (_, i) => call(i, `ApiKey-v1 ${key}`, 'PUT', `/v2/customer_sessions/pay-${i}`,
      { customerSession: { profileId: 'racer', cartItems: [{ sku: 'TEA', quantity: 1, price: 40 }], state: 'closed' } })));
    for (const r of closes) assert.equal(r.status, 200, JSON.stringify(r.json));
    const kinds = (r: { json: Json }, type: string) => (r.json.effects as Json[]).filter((e) => e.effectType === type).length;
    assert.equal(closes.filter((r) => kinds(r, 'deductLoyaltyPoints') === 1).length, 5, 'exactly five payments');
    for (const r of closes) assert.equal(kinds(r, 'setDiscount'), kinds(r, 'deductLoyaltyPoints'), 'a discount only with its payment');
    const b = await call(1, `ApiKey-v1 ${key}`, 'GET', `/v1/loyalty_programs/${pid}/profile/racer/balances`);
    assert.deepEqual([b.json.balance.activePoints, b.json.balance.spentPoints], [0, 500]);
  });
});
