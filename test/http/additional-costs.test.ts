import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { openTestDatabase, STORES } from '../helpers/stores.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const cost = (over: Record<string, unknown> = {}) => ({ name: 'shipping', title: 'Shipping', description: 'Shipping fee', ...over });

function assertError(r: LightMyRequestResponse, status: number, source: { pointer?: string; parameter?: string }, title?: string) {
  assert.equal(r.statusCode, status, r.body);
  const body = r.json();
  assert.equal(body.StatusCode, status);
  if (status === 400) {
    assert.deepEqual(body.errors?.[0]?.source, source, r.body);
    if (title !== undefined) assert.equal(body.errors[0].title, title, r.body);
  }
}

for (const kind of STORES) {
  describe(`additional costs (${kind.name})`, () => {
    after(() => kind.cleanup());

    async function withServer(t: { skip(m: string): void }, fn: (s: TestServer) => Promise<void>) {
      const db = await openTestDatabase(kind);
      if (!db) return t.skip('PostgreSQL not available');
      const s = await startTestServer(db, () => new Date('2025-04-02T08:30:00Z'));
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    }

    test('create, get, list with paging', (t) => withServer(t, async (s) => {
      const r = await s.mgmt('POST', '/v1/additional_costs', cost({ subscribedApplicationsIds: [1, 2] }));
      assert.equal(r.statusCode, 201, r.body);
      const c = r.json();
      assert.deepEqual(c, {
        id: c.id, created: '2025-04-02T08:30:00.000Z', accountId: 1, name: 'shipping', title: 'Shipping', description: 'Shipping fee',
        subscribedApplicationsIds: [1, 2], type: 'session',
      });
      assert.deepEqual((await s.mgmt('GET', `/v1/additional_costs/${c.id}`)).json(), c);

      assert.equal((await s.mgmt('POST', '/v1/additional_costs', cost({ name: 'handling', title: 'Handling', type: 'item' }))).statusCode, 201);
      assert.equal((await s.mgmt('POST', '/v1/additional_costs', cost({ name: 'wrapping', title: 'Gift wrapping', type: 'both' }))).statusCode, 201);
      const all = (await s.mgmt('GET', '/v1/additional_costs')).json();
      assert.equal(all.totalResultSize, 3);
      assert.deepEqual(all.data.map((x: { name: string }) => x.name), ['shipping', 'handling', 'wrapping']);
      const page = (await s.mgmt('GET', '/v1/additional_costs?pageSize=1&skip=2')).json();
      assert.equal(page.totalResultSize, 3);
      assert.deepEqual(page.data.map((x: { name: string }) => x.name), ['wrapping']);
      assert.deepEqual((await s.mgmt('GET', '/v1/additional_costs?sort=name')).json().data.map((x: { name: string }) => x.name), ['handling', 'shipping', 'wrapping']);
      assertError(await s.mgmt('GET', '/v1/additional_costs?sort=price'), 400, { parameter: 'sort' });
      assertError(await s.mgmt('GET', '/v1/additional_costs?skip=-1'), 400, { parameter: 'skip' });
    }));

    test('validation: patterns, enum, required fields, unique name', (t) => withServer(t, async (s) => {
      assertError(await s.mgmt('POST', '/v1/additional_costs', cost({ name: '_ship' })), 400, { pointer: '/name' });
      assertError(await s.mgmt('POST', '/v1/additional_costs', cost({ name: 'ship ping' })), 400, { pointer: '/name' });
      assertError(await s.mgmt('POST', '/v1/additional_costs', cost({ title: '9 ship' })), 400, { pointer: '/title' });
      assertError(await s.mgmt('POST', '/v1/additional_costs', cost({ type: 'order' })), 400, { pointer: '/type' });
      assertError(await s.mgmt('POST', '/v1/additional_costs', { name: 'x', title: 'X' }), 400, { pointer: '/description' }, 'required');
      assertError(await s.mgmt('POST', '/v1/additional_costs', cost({ subscribedApplicationsIds: ['a'] })), 400, { pointer: '/subscribedApplicationsIds/0' });
      assert.equal((await s.mgmt('POST', '/v1/additional_costs', cost())).statusCode, 201);
      assertError(await s.mgmt('POST', '/v1/additional_costs', cost({ title: 'Other' })), 400, { pointer: '/name' }, 'Duplicate');
      assertError(await s.mgmt('POST', '/v1/additional_costs', cost({ name: 'other' })), 400, { pointer: '/title' }, 'Duplicate');
      assert.equal((await s.mgmt('GET', '/v1/additional_costs')).json().totalResultSize, 1);
    }));

    test('update: everything but the name may change', (t) => withServer(t, async (s) => {
      const c = (await s.mgmt('POST', '/v1/additional_costs', cost({ subscribedApplicationsIds: [3] }))).json();
      const u = await s.mgmt('PUT', `/v1/additional_costs/${c.id}`, cost({ title: 'Delivery', description: 'Courier', type: 'both' }));
      assert.equal(u.statusCode, 200, u.body);
      assert.deepEqual(u.json(), { ...c, title: 'Delivery', description: 'Courier', type: 'both' });
      assert.deepEqual((await s.mgmt('GET', `/v1/additional_costs/${c.id}`)).json(), u.json());
      assertError(await s.mgmt('PUT', `/v1/additional_costs/${c.id}`, cost({ name: 'delivery' })), 400, { pointer: '/name' }, 'Immutable');
      assertError(await s.mgmt('PUT', '/v1/additional_costs/424242', cost()), 404, {});
      assertError(await s.mgmt('GET', '/v1/additional_costs/424242'), 404, {});
      assertError(await s.mgmt('GET', '/v1/additional_costs/0'), 400, { parameter: 'additionalCostId' });
    }));

    test('401 without or with wrong credentials', (t) => withServer(t, async (s) => {
      const { key } = await s.newApplication();
      assertError(await s.app.inject({ method: 'GET', url: '/v1/additional_costs' }), 401, {});
      assertError(await s.app.inject({ method: 'GET', url: '/v1/additional_costs', headers: { authorization: 'Bearer not-a-token' } }), 401, {});
      assertError(await s.app.inject({ method: 'POST', url: '/v1/additional_costs', payload: cost(), headers: { authorization: `ApiKey-v1 ${key}` } }), 401, {});
      assertError(await s.app.inject({ method: 'GET', url: '/v1/additional_costs/1', headers: { authorization: 'ManagementKey-v1test-management-key' } }), 401, {});
      assert.equal((await s.mgmt('GET', '/v1/additional_costs')).json().totalResultSize, 0);
    }));

    test('sessions: defined costs are accepted, unknown or misplaced ones rejected; changes apply at once', (t) => withServer(t, async (s) => {
      const { key } = await s.newApplication();
      assertError(await s.integ(key, 'PUT', '/v2/customer_sessions/s1', { customerSession: { additionalCosts: { shipping: { price: 4.99 } } } }),
        400, { pointer: '/customerSession/additionalCosts/shipping' }, 'Unknown');

      // defining the cost invalidates the definitions cache in the same transaction
      const c = (await s.mgmt('POST', '/v1/additional_costs', cost())).json();
      const ok = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', {
        customerSession: { cartItems: [{ sku: 'a', price: 10.01, quantity: 2 }], additionalCosts: { shipping: { price: 4.99 } } },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      const cs = ok.json().customerSession;
      assert.deepEqual(cs.additionalCosts, { shipping: { price: 4.99 } });
      assert.equal(cs.additionalCostTotal, 4.99);
      assert.equal(cs.total, 25.01);

      assertError(await s.integ(key, 'PUT', '/v2/customer_sessions/s2', { customerSession: { additionalCosts: { handling: { price: 1 } } } }),
        400, { pointer: '/customerSession/additionalCosts/handling' }, 'Unknown');
      // a session cost on a cart item
      assertError(await s.integ(key, 'PUT', '/v2/customer_sessions/s2', { customerSession: { cartItems: [{ sku: 'a', price: 1, quantity: 1, additionalCosts: { shipping: { price: 1 } } }] } }),
        400, { pointer: '/customerSession/cartItems/0/additionalCosts/shipping' }, 'Invalid type');

      // changing the type applies to the next request
      assert.equal((await s.mgmt('PUT', `/v1/additional_costs/${c.id}`, cost({ type: 'item' }))).statusCode, 200);
      assertError(await s.integ(key, 'PUT', '/v2/customer_sessions/s3', { customerSession: { additionalCosts: { shipping: { price: 1 } } } }),
        400, { pointer: '/customerSession/additionalCosts/shipping' }, 'Invalid type');
      const item = await s.integ(key, 'PUT', '/v2/customer_sessions/s3', { customerSession: { cartItems: [{ sku: 'a', price: 1, quantity: 3, additionalCosts: { shipping: { price: 0.1 } } }] } });
      assert.equal(item.statusCode, 200, item.body);
      assert.equal(item.json().customerSession.additionalCostTotal, 0.3);
    }));
  });
}
