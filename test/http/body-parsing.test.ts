/** JSON bodies: empty means absent, malformed is a 400, `__proto__` keys are plain data named in errors. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { STORES } from '../helpers/stores.js';
import { withTestServer } from '../helpers/server.js';

const kind = STORES[0];
describe('request bodies', () => {
  after(() => kind.cleanup());
  test('empty JSON body, malformed JSON and __proto__ keys', (t) => withTestServer(kind, t, async (s) => {
    const { key } = await s.newApplication();
    const json = { 'content-type': 'application/json' };
    await s.integ(key, 'PUT', '/v2/customer_sessions/b1', { customerSession: { cartItems: [{ sku: 'a', quantity: 1, price: 1 }], state: 'closed' } });
    const reopen = await s.app.inject({ method: 'PUT', url: '/v2/customer_sessions/b1/reopen', headers: { authorization: `ApiKey-v1 ${key}`, ...json }, payload: '' });
    assert.equal(reopen.statusCode, 200, reopen.body);
    assert.deepEqual(reopen.json(), { effects: [] });

    const empty = await s.app.inject({ method: 'PUT', url: '/v2/customer_sessions/b2', headers: { authorization: `ApiKey-v1 ${key}`, ...json }, payload: '' });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().StatusCode, 400);

    const bad = await s.app.inject({ method: 'PUT', url: '/v2/customer_sessions/b2', headers: { authorization: `ApiKey-v1 ${key}`, ...json }, payload: '{"customerSession": {' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /not valid JSON/);

    const proto = await s.app.inject({
      method: 'PUT', url: '/v2/customer_sessions/b3', headers: { authorization: `ApiKey-v1 ${key}`, ...json },
      payload: '{"customerSession": {"attributes": {"__proto__": {"polluted": true}}}}',
    });
    assert.equal(proto.statusCode, 400, proto.body);
    assert.equal(proto.json().errors[0].source.pointer, '/customerSession/attributes/__proto__');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((await s.integ(key, 'GET', '/v2/customer_sessions/b3')).statusCode, 404);

    // a cart item's own `__proto__` key is data, never the item's prototype (its fields must not leak in)
    const item = await s.app.inject({
      method: 'PUT', url: '/v2/customer_sessions/b4', headers: { authorization: `ApiKey-v1 ${key}`, ...json },
      payload: '{"customerSession": {"cartItems": [{"sku": "a", "quantity": 1, "price": 1, "__proto__": {"category": "Shoes", "price": 0}}]}}',
    });
    if (item.statusCode === 200) {
      const [line] = item.json().customerSession.cartItems;
      assert.equal(line.category, undefined, item.body);
      assert.equal(line.price, 1);
      assert.equal(item.json().customerSession.cartItemTotal, 1);
    } else {
      assert.equal(item.statusCode, 400, item.body);
    }
  }));
});
