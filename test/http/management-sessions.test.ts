import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { Effect } from '../../src/domain/effect.js';
import { discountsOf } from '../../src/services/profiles/applicationSessions.js';
import { getSessionById, updateSession } from '../../src/store/repos/sessions.js';
import { STORES } from '../helpers/stores.js';
import { withTestServer, type TestServer } from '../helpers/server.js';

function assertError(r: LightMyRequestResponse, status: number, source: { pointer?: string; parameter?: string } = {}) {
  assert.equal(r.statusCode, status, r.body);
  assert.equal(r.json().StatusCode, status);
  if (status === 400) assert.deepEqual(r.json().errors?.[0]?.source, source, r.body);
}

const effect = (effectType: string, props: Record<string, unknown>): Effect =>
  ({ campaignId: 1, rulesetId: 1, ruleIndex: 0, ruleName: 'r', effectType, props });

test('discountsOf adds discount effects by name in exact decimals and ignores the rest', () => {
  const { discounts, totalDiscounts } = discountsOf([
    effect('setDiscount', { name: '10% off', value: 0.1 }),
    effect('setDiscountPerItem', { name: 'item#0', value: 0.2, position: 0 }),
    effect('acceptCoupon', { value: 'SPRING' }),
    effect('setDiscountPerAdditionalCost', { name: 'ship', value: 0.7, additionalCost: 'shipping' }),
    effect('setDiscountPerItem', { name: 'item#0', value: 0.1, position: 0 }),
    effect('addLoyaltyPoints', { name: 'points', value: 100 }),
  ]);
  assert.deepEqual(Object.fromEntries([...discounts].map(([k, v]) => [k, v.toString()])), { '10% off': '0.1', 'item#0': '0.3', ship: '0.7' });
  assert.equal(totalDiscounts.toString(), '1.1');
});

for (const kind of STORES) {
  describe(`management: application sessions and customers (${kind.name})`, () => {
    after(() => kind.cleanup());

    let clock = new Date('2025-05-01T10:00:00Z');
    const withServer = (t: { skip(m: string): void }, fn: (s: TestServer) => Promise<void>) => {
      clock = new Date('2025-05-01T10:00:00Z');
      return withTestServer(kind, t, fn, () => clock);
    };
    const at = (iso: string) => { clock = new Date(iso); };

    /** App A with three sessions (two profiles, one anonymous) created a day apart; app B with one. */
    async function fixture(s: TestServer) {
      const A = await s.newApplication({ name: 'A' });
      const B = await s.newApplication({ name: 'B' });
      at('2025-05-01T10:00:00Z');
      const s1 = await s.integ(A.key, 'PUT', '/v2/customer_sessions/order-001', {
        customerSession: { profileId: 'alice', couponCodes: ['SPRING-1', 'VIP'], referralCode: 'REF-BOB', storeIntegrationId: 'store-berlin', cartItems: [{ sku: 'a', price: 19.99, quantity: 3 }] },
        responseContent: ['customerProfile'],
      });
      assert.equal(s1.statusCode, 200, s1.body);
      at('2025-05-02T10:00:00Z');
      const s2 = await s.integ(A.key, 'PUT', '/v2/customer_sessions/order-002', { customerSession: { cartItems: [{ sku: 'b', price: 5, quantity: 1 }] } });
      assert.equal(s2.statusCode, 200, s2.body);
      at('2025-05-03T10:00:00Z');
      const s3 = await s.integ(A.key, 'PUT', '/v2/customer_sessions/guest-003', {
        customerSession: { profileId: 'bob', state: 'closed', couponCodes: ['SUMMER'], cartItems: [{ sku: 'c', price: 1, quantity: 1 }] },
        responseContent: ['customerProfile'],
      });
      assert.equal(s3.statusCode, 200, s3.body);
      at('2025-05-04T10:00:00Z');
      const b1 = await s.integ(B.key, 'PUT', '/v2/customer_sessions/order-001', { customerSession: { profileId: 'carol' }, responseContent: ['customerProfile'] });
      assert.equal(b1.statusCode, 200, b1.body);
      return {
        A, B,
        ids: { s1: s1.json().customerSession.id as number, s2: s2.json().customerSession.id as number, s3: s3.json().customerSession.id as number, b1: b1.json().customerSession.id as number },
        profiles: { alice: s1.json().customerProfile.id as number, bob: s3.json().customerProfile.id as number, carol: b1.json().customerProfile.id as number },
      };
    }

    const list = async (s: TestServer, appId: number, query = '') => {
      const r = await s.mgmt('GET', `/v1/applications/${appId}/sessions${query}`);
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ hasMore: boolean; data: { integrationId: string }[] }>();
    };
    const names = (page: { data: { integrationId: string }[] }) => page.data.map((x) => x.integrationId);

    test('getApplicationSession: the V1 view of a session', (t) => withServer(t, async (s) => {
      const f = await fixture(s);
      const r = await s.mgmt('GET', `/v1/applications/${f.A.id}/sessions/${f.ids.s1}`);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), {
        id: f.ids.s1, created: '2025-05-01T10:00:00.000Z', integrationId: 'order-001', storeIntegrationId: 'store-berlin', applicationId: f.A.id,
        profileId: f.profiles.alice, profileintegrationid: 'alice', coupon: 'SPRING-1,VIP', referral: 'REF-BOB', state: 'open',
        cartItems: [{ sku: 'a', price: 19.99, quantity: 3, returnedQuantity: 0, remainingQuantity: 3, position: 0 }],
        discounts: {}, totalDiscounts: 0, total: 59.97, attributes: {},
      });
      // anonymous: no internal profile id
      const anon = (await s.mgmt('GET', `/v1/applications/${f.A.id}/sessions/${f.ids.s2}`)).json();
      assert.equal(anon.profileId, undefined);
      assert.equal(anon.profileintegrationid, '');
      assert.equal(anon.coupon, '');
    }));

    test('discounts and totalDiscounts come from the stored effects, in exact decimals', (t) => withServer(t, async (s) => {
      const f = await fixture(s);
      await s.db.transaction(async (sql) => {
        const stored = (await getSessionById(sql, f.A.id, f.ids.s1))!;
        await updateSession(sql, stored.session, [
          effect('setDiscount', { name: '10% off', value: 0.1 }),
          effect('setDiscountPerItem', { name: 'Item discount#0', value: 0.2, position: 0, subPosition: 0 }),
          effect('acceptCoupon', { value: 'SPRING-1' }),
        ]);
      });
      const v = (await s.mgmt('GET', `/v1/applications/${f.A.id}/sessions/${f.ids.s1}`)).json();
      assert.deepEqual(v.discounts, { '10% off': 0.1, 'Item discount#0': 0.2 });
      assert.equal(v.totalDiscounts, 0.3);
      const listed = (await list(s, f.A.id, '?integrationId=order-001')).data[0] as unknown as { totalDiscounts: number };
      assert.equal(listed.totalDiscounts, 0.3);
    }));

    test('getApplicationSessions: filters, sorting, paging', (t) => withServer(t, async (s) => {
      const f = await fixture(s);
      const all = await list(s, f.A.id);
      assert.equal(all.hasMore, false);
      assert.deepEqual(names(all), ['guest-003', 'order-002', 'order-001'], 'newest first by default');
      assert.deepEqual(names(await list(s, f.A.id, '?sort=created')), ['order-001', 'order-002', 'guest-003']);
      assert.deepEqual(names(await list(s, f.A.id, '?sort=-id')), ['guest-003', 'order-002', 'order-001']);

      const p1 = await list(s, f.A.id, '?sort=created&pageSize=2');
      assert.deepEqual(names(p1), ['order-001', 'order-002']);
      assert.equal(p1.hasMore, true);
      const p2 = await list(s, f.A.id, '?sort=created&pageSize=2&skip=2');
      assert.deepEqual(names(p2), ['guest-003']);
      assert.equal(p2.hasMore, false);

      assert.deepEqual(names(await list(s, f.A.id, '?profile=alice')), ['order-001']);
      assert.deepEqual(names(await list(s, f.A.id, '?state=closed')), ['guest-003']);
      assert.deepEqual(names(await list(s, f.A.id, '?integrationId=order-002')), ['order-002']);
      assert.deepEqual(names(await list(s, f.A.id, '?coupon=VIP')), ['order-001']);
      assert.deepEqual(names(await list(s, f.A.id, '?coupon=VI')), [], 'exact match by default');
      assert.deepEqual(names(await list(s, f.A.id, '?referral=REF-BOB')), ['order-001']);
      assert.deepEqual(names(await list(s, f.A.id, '?storeIntegrationId=store-berlin')), ['order-001']);
      assert.deepEqual(names(await list(s, f.A.id, '?createdAfter=2025-05-01T12:00:00Z')), ['guest-003', 'order-002']);
      assert.deepEqual(names(await list(s, f.A.id, '?createdBefore=2025-05-02T12:00:00%2B01:00')), ['order-002', 'order-001'], 'any time zone');
      assert.deepEqual(names(await list(s, f.A.id, '?createdAfter=2025-05-01T12:00:00Z&createdBefore=2025-05-02T12:00:00Z')), ['order-002']);
      // partial matches: case-insensitive, anywhere, at least 3 characters
      assert.deepEqual(names(await list(s, f.A.id, '?partialMatch=true&integrationId=ORDER')), ['order-002', 'order-001']);
      assert.deepEqual(names(await list(s, f.A.id, '?partialMatch=true&coupon=summ')), ['guest-003']);
      assert.deepEqual(names(await list(s, f.A.id, '?partialMatch=true&profile=lic')), ['order-001']);
      assert.deepEqual(names(await list(s, f.A.id, '?partialMatch=true&storeIntegrationId=BERLIN')), ['order-001']);
      assert.deepEqual(names(await list(s, f.A.id, '?partialMatch=true&integrationId=or')), [], 'short terms match exactly');
      assert.deepEqual(names(await list(s, f.A.id, '?partialMatch=true&coupon=%25')), [], 'LIKE wildcards are literal');

      assertError(await s.mgmt('GET', `/v1/applications/${f.A.id}/sessions?pageSize=1001`), 400, { parameter: 'pageSize' });
      assertError(await s.mgmt('GET', `/v1/applications/${f.A.id}/sessions?pageSize=0`), 400, { parameter: 'pageSize' });
      assertError(await s.mgmt('GET', `/v1/applications/${f.A.id}/sessions?state=paid`), 400, { parameter: 'state' });
      assertError(await s.mgmt('GET', `/v1/applications/${f.A.id}/sessions?sort=total`), 400, { parameter: 'sort' });
      assertError(await s.mgmt('GET', `/v1/applications/${f.A.id}/sessions?createdBefore=yesterday`), 400, { parameter: 'createdBefore' });
      assertError(await s.mgmt('GET', '/v1/applications/999/sessions'), 404);
    }));

    test('customers: getApplicationCustomer needs a session in that Application; getCustomerProfile does not', (t) => withServer(t, async (s) => {
      const f = await fixture(s);
      const c = await s.mgmt('GET', `/v1/applications/${f.A.id}/customers/${f.profiles.alice}`);
      assert.equal(c.statusCode, 200, c.body);
      assert.deepEqual(c.json(), {
        id: f.profiles.alice, created: '2025-05-01T10:00:00.000Z', integrationId: 'alice', attributes: {}, accountId: 1, closedSessions: 0,
        totalSales: 0, loyaltyMemberships: [], audienceMemberships: [], lastActivity: '2025-05-01T10:00:00.000Z', sandbox: false,
      });
      const bob = (await s.mgmt('GET', `/v1/applications/${f.A.id}/customers/${f.profiles.bob}`)).json();
      assert.equal(bob.closedSessions, 1);
      assert.equal(bob.totalSales, 1);
      // carol only shops in B
      assertError(await s.mgmt('GET', `/v1/applications/${f.A.id}/customers/${f.profiles.carol}`), 404);
      assert.equal((await s.mgmt('GET', `/v1/applications/${f.B.id}/customers/${f.profiles.carol}`)).statusCode, 200);
      assertError(await s.mgmt('GET', `/v1/applications/${f.A.id}/customers/99999`), 404);
      assertError(await s.mgmt('GET', `/v1/applications/999/customers/${f.profiles.alice}`), 404);
      assertError(await s.mgmt('GET', `/v1/applications/${f.A.id}/customers/abc`), 400, { parameter: 'customerId' });

      const p = await s.mgmt('GET', `/v1/customers/${f.profiles.carol}`);
      assert.equal(p.statusCode, 200, p.body);
      assert.equal(p.json().integrationId, 'carol');
      assertError(await s.mgmt('GET', '/v1/customers/99999'), 404);
    }));

    test('cross-application isolation', (t) => withServer(t, async (s) => {
      const f = await fixture(s);
      // Management: a session is only found under its own Application
      assertError(await s.mgmt('GET', `/v1/applications/${f.B.id}/sessions/${f.ids.s1}`), 404);
      assertError(await s.mgmt('GET', `/v1/applications/${f.A.id}/sessions/${f.ids.b1}`), 404);
      assert.deepEqual(names(await list(s, f.B.id)), ['order-001']);
      assert.equal((await s.mgmt('GET', `/v1/applications/${f.B.id}/sessions/${f.ids.b1}`)).json().profileintegrationid, 'carol');
      // Integration: B's key cannot read A's sessions, even under an id B does not use
      assertError(await s.integ(f.B.key, 'GET', '/v2/customer_sessions/order-002'), 404);
      assertError(await s.integ(f.B.key, 'GET', '/v2/customer_sessions/guest-003'), 404);
      // the same integration id in both Applications names two different sessions
      const a = (await s.integ(f.A.key, 'GET', '/v2/customer_sessions/order-001')).json().customerSession;
      const b = (await s.integ(f.B.key, 'GET', '/v2/customer_sessions/order-001')).json().customerSession;
      assert.equal(a.applicationId, f.A.id);
      assert.equal(b.applicationId, f.B.id);
      assert.notEqual(a.id, b.id);
      assert.equal(b.profileId, 'carol');
    }));

    test('401 without or with wrong credentials', (t) => withServer(t, async (s) => {
      const f = await fixture(s);
      for (const url of [`/v1/applications/${f.A.id}/sessions`, `/v1/applications/${f.A.id}/sessions/${f.ids.s1}`,
        `/v1/applications/${f.A.id}/customers/${f.profiles.alice}`, `/v1/customers/${f.profiles.alice}`]) {
        assertError(await s.app.inject({ method: 'GET', url }), 401);
        assertError(await s.app.inject({ method: 'GET', url, headers: { authorization: 'ManagementKey-v1 wrong' } }), 401);
        assertError(await s.app.inject({ method: 'GET', url, headers: { authorization: `ApiKey-v1 ${f.A.key}` } }), 401);
      }
    }));
  });
}
