/** Input errors: near misses, every schema error at once, enum values, Content-Type, a disabled Management API (docs/errors.md). */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { buildServer } from '../../src/http/server.js';
import { createContext } from '../../src/services/context.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';
import { withTestServer } from '../helpers/server.js';

const kind = STORES[0];
const item = { sku: 'a', price: 10, quantity: 1 };

describe('input errors', () => {
  after(() => kind.cleanup());

  test('a misspelled field is a 400 naming both; other unknown fields and attribute keys are ignored', (t) => withTestServer(kind, t, async (s) => {
    const { key } = await s.newApplication();
    const put = (id: string, customerSession: unknown) => s.integ(key, 'PUT', `/v2/customer_sessions/${id}`, { customerSession });
    const res = await put('nm1', { cartitems: [item] });
    assert.equal(res.statusCode, 400, res.body);
    assert.deepEqual(res.json(), {
      message: 'unknown field cartitems — did you mean cartItems?',
      errors: [{ title: 'Unknown', details: 'unknown field cartitems — did you mean cartItems?', source: { pointer: '/customerSession/cartitems' } }],
      StatusCode: 400,
    });
    // one edit (a transposition, a missing letter), nested in an array item
    const nested = await put('nm2', { cartItems: [{ ...item, qunatity: 2 }, { ...item, atributes: {} }] });
    assert.equal(nested.statusCode, 400);
    assert.deepEqual(nested.json().errors.map((e: { source: unknown; details: string }) => [e.source, e.details]), [
      [{ pointer: '/customerSession/cartItems/0/qunatity' }, 'unknown field qunatity — did you mean quantity?'],
      [{ pointer: '/customerSession/cartItems/1/atributes' }, 'unknown field atributes — did you mean attributes?'],
    ]);
    // not near anything, or a Talon.One field next to its one-edit sibling (CartItem's prices, price): ignored
    const fine = await put('nm3', { cartItems: [{ ...item, prices: { base: { price: 10 } } }], someNewerField: 1 });
    assert.equal(fine.statusCode, 200, fine.body);
    // attribute maps are free-form: their keys are checked against the attribute definitions, never as near misses
    for (const [id, session, pointer] of [
      ['nm4', { cartItems: [item], attributes: { cartitems: 'x' } }, '/customerSession/attributes/cartitems'],
      ['nm5', { cartItems: [{ ...item, attributes: { quantty: 1 } }] }, '/customerSession/cartItems/0/attributes/quantty'],
    ] as const) {
      const res = await put(id, session);
      assert.doesNotMatch(res.body, /did you mean/, res.body);
      if (res.statusCode === 400) assert.deepEqual(res.json().errors[0].source, { pointer }, res.body);
    }
  }));

  test('every schema error is reported, each with its pointer; enum errors list the allowed values', (t) => withTestServer(kind, t, async (s) => {
    const { id } = await s.newApplication();
    const res = await s.mgmt('POST', `/v1/applications/${id}/campaigns`, { name: 'only a name' });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.match(body.message, /tags/);
    const pointers = body.errors.map((e: { source: { pointer: string } }) => e.source.pointer).sort();
    assert.deepEqual(pointers, ['/features', '/limits', '/tags']);
    for (const e of body.errors) assert.equal(e.title, 'required');
    const bad = await s.mgmt('POST', `/v1/applications/${id}/campaigns`, { name: 'x', tags: [], features: [], limits: [], state: 'on' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].title, 'enum');
    assert.equal(bad.json().errors[0].details, '/state must be equal to one of the allowed values: "enabled", "disabled", "archived"');
  }));

  test('a wrong or missing Content-Type says what to send', (t) => withTestServer(kind, t, async (s) => {
    const headers = { authorization: 'ManagementKey-v1 test-management-key' };
    for (const type of ['text/plain', 'application/xml']) {
      const res = await s.app.inject({ method: 'POST', url: '/v1/applications', payload: '{"name":"x"}', headers: { ...headers, 'content-type': type } });
      assert.equal(res.statusCode, 415, res.body);
      assert.equal(res.json().message, `Content-Type ${type} is not supported: send Content-Type: application/json`);
      assert.deepEqual(res.json().errors[0].source, { parameter: 'Content-Type' });
      assert.equal(res.json().errors[0].title, 'FST_ERR_CTP_INVALID_MEDIA_TYPE');
    }
    const none = await s.app.inject({ method: 'POST', url: '/v1/applications', headers });
    assert.equal(none.statusCode, 400, none.body);
    assert.match(none.json().message, /send Content-Type: application\/json/);
  }));

  test('every error body has errors: 401, 404, 503', (t) => withTestServer(kind, t, async (s) => {
    for (const res of [await s.app.inject({ method: 'GET', url: '/v1/applications' }), await s.mgmt('GET', '/v1/applications/999')]) {
      assert.ok([401, 404].includes(res.statusCode), res.body);
      assert.equal(res.json().errors.length, 1, res.body);
      assert.equal(res.json().errors[0].details, res.json().message);
    }
    s.db.transaction = () => Promise.reject(new Error('disk gone'));
    const down = await s.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(down.statusCode, 503);
    assert.equal(down.json().errors[0].title, 'Unavailable');
  }));

  test('without a management key or admin login, the Management API and login say how to enable them', async (t) => {
    const db = await openTestDatabase(kind);
    if (!db) return t.skip('store unavailable');
    const app = await buildServer(createContext(db, {}), { logger: false });
    try {
      const list = await app.inject({ method: 'GET', url: '/v1/applications', headers: { authorization: 'ManagementKey-v1 guess' } });
      assert.equal(list.statusCode, 401);
      assert.equal(list.json().message, 'the Management API is disabled: set OPENPROMO_MANAGEMENT_KEY (or OPENPROMO_ADMIN_EMAIL and OPENPROMO_ADMIN_PASSWORD)');
      const login = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { email: 'a@example.com', password: 'x' } });
      assert.equal(login.statusCode, 401);
      assert.equal(login.json().message, 'login is disabled: set OPENPROMO_ADMIN_EMAIL and OPENPROMO_ADMIN_PASSWORD');
    } finally {
      await app.close();
      await db.close();
    }
  });
});
