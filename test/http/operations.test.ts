/** Operating the service: OpenAPI document and UI, health and readiness, management login. */
import { Unavailable } from '../../src/domain/errors.js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { STORES } from '../helpers/stores.js';
import { ADMIN, withTestServer } from '../helpers/server.js';

const kind = STORES[0];
describe('operations', () => {
  after(() => kind.cleanup());

  test('GET /openapi.json describes the implemented API with Talon.One names; /docs serves a UI', (t) => withTestServer(kind, t, async (s) => {
    const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.equal(doc.openapi.startsWith('3.'), true);
    const put = doc.paths['/v2/customer_sessions/{customerSessionId}'].put;
    assert.equal(put.operationId, 'updateCustomerSessionV2');
    for (const name of ['CustomerSessionV2', 'IntegrationRequest', 'IntegrationStateV2', 'ErrorResponse', 'NewCampaign', 'NewRuleset', 'Coupon']) {
      assert.ok(doc.components.schemas[name], `component ${name}`);
    }
    assert.ok(doc.components.securitySchemes.api_key_v1);
    assert.ok(doc.paths['/v1/applications/{applicationId}/campaigns/{campaignId}/coupons']);
    const ui = await s.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.headers['content-type'] as string, /text\/html/);
  }));

  test('healthz and readyz; readyz answers 503 while the store takes no writes, probing at most once a second', (t) => withTestServer(kind, t, async (s) => {
    assert.deepEqual((await s.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
    assert.deepEqual((await s.app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready', store: 'sqlite' });
    const real = s.db.transaction.bind(s.db);
    let probes = 0;
    s.db.transaction = () => { probes++; return Promise.reject(new Unavailable('database is full (SQLITE_FULL)', { retryAfterSeconds: 5 })); };
    // within the interval the last answer stands: no write per probe under load
    assert.equal((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    assert.equal(probes, 0);
    await new Promise((r) => setTimeout(r, 1050));
    const down = await s.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(down.statusCode, 503);
    assert.equal(down.headers['retry-after'], '5');
    assert.match(down.json().message, /^Store not ready: database is full \(SQLITE_FULL\)$/);
    assert.equal(probes, 1);
    s.db.transaction = real;
    await new Promise((r) => setTimeout(r, 1050));
    assert.equal((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  }));

  test('every response carries x-request-id: the client\'s own id is kept, otherwise a fresh one per request, errors included', (t) => withTestServer(kind, t, async (s) => {
    const a = await s.app.inject({ method: 'GET', url: '/healthz' });
    const b = await s.app.inject({ method: 'GET', url: '/healthz' });
    const idA = a.headers['x-request-id'];
    const idB = b.headers['x-request-id'];
    assert.equal(typeof idA, 'string');
    assert.ok((idA as string).length >= 8);
    assert.notEqual(idA, idB);
    const own = await s.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-42' } });
    assert.equal(own.headers['x-request-id'], 'trace-42');
    const denied = await s.app.inject({ method: 'GET', url: '/v1/applications', headers: { 'x-request-id': 'trace-43' } });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers['x-request-id'], 'trace-43');
    const missing = await s.app.inject({ method: 'GET', url: '/no/such/route' });
    assert.equal(missing.statusCode, 404);
    assert.equal(typeof missing.headers['x-request-id'], 'string');
  }));

  test('management login: a bearer token works until logout; wrong password and missing credentials are 401', (t) => withTestServer(kind, t, async (s) => {
    const bad = await s.app.inject({ method: 'POST', url: '/v1/sessions', payload: { ...ADMIN, password: 'nope' } });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().StatusCode, 401);
    const login = await s.app.inject({ method: 'POST', url: '/v1/sessions', payload: ADMIN });
    assert.equal(login.statusCode, 201);
    const { token, userId, created } = login.json();
    assert.equal(typeof token, 'string');
    assert.equal(typeof userId, 'number');
    assert.ok(!Number.isNaN(Date.parse(created)));
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await s.app.inject({ method: 'GET', url: '/v1/applications', headers: auth })).statusCode, 200);
    assert.equal((await s.app.inject({ method: 'DELETE', url: '/v1/sessions', headers: auth })).statusCode, 204);
    assert.equal((await s.app.inject({ method: 'GET', url: '/v1/applications', headers: auth })).statusCode, 401);
    assert.equal((await s.app.inject({ method: 'GET', url: '/v1/applications' })).statusCode, 401);
    // an Integration key is not a management credential
    const { key } = await s.newApplication();
    assert.equal((await s.app.inject({ method: 'GET', url: '/v1/applications', headers: { authorization: `ApiKey-v1 ${key}` } })).statusCode, 401);
  }));
});
