/** Talon.One operations OpenPromo does not serve answer 501 naming them; anything else unknown is a 404 (docs/api-coverage.md). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { createOperations } from '../../src/http/operations.js';
import { STORES } from '../helpers/stores.js';
import { withTestServer } from '../helpers/server.js';

interface Operation { operationId: string; method: string; path: string; insteadUse?: string }
const { operations } = JSON.parse(readFileSync(new URL('../../../src/http/talon-one-operations.json', import.meta.url), 'utf8')) as { operations: Operation[] };

const kind = STORES[0];
describe('unserved Talon.One operations', () => {
  after(() => kind.cleanup());

  test('every Talon.One operation is served (401 without a credential) or answers 501 naming it, never 404', (t) => withTestServer(kind, t, async (s) => {
    assert.equal(operations.length, 220);
    let unserved = 0;
    for (const op of operations) {
      const url = op.path.replace(/\{[^}]+\}/g, '1');
      const res = await s.app.inject({ method: op.method as 'GET', url });
      assert.notEqual(res.statusCode, 404, `${op.method} ${url}: ${res.body}`);
      const body = res.json();
      assert.ok(Array.isArray(body.errors) && body.errors.length > 0, `${op.method} ${url}: ${res.body}`);
      if (res.statusCode === 501) {
        unserved++;
        assert.match(body.message, new RegExp(`\\b${op.operationId}\\b`), `${op.method} ${url}`);
        if (op.insteadUse) assert.match(body.message, new RegExp(`use ${op.insteadUse} instead`));
      }
    }
    assert.ok(unserved > 100, `${unserved} unserved`);
  }));

  test('served operations ask for credentials rather than answering 501', (t) => withTestServer(kind, t, async (s) => {
    for (const [method, url] of [['PUT', '/v2/customer_sessions/x'], ['GET', '/v1/applications/1/campaigns'], ['POST', '/v1/applications/1/campaigns/1/coupons'], ['GET', '/v1/applications/1/stores/1']] as const) {
      const res = await s.app.inject({ method, url });
      assert.equal(res.statusCode, 401, `${method} ${url}: ${res.body}`);
    }
  }));

  test('exact bodies: an unserved operation, a deprecated one, an unknown path', (t) => withTestServer(kind, t, async (s) => {
    const account = await s.app.inject({ method: 'GET', url: '/v1/accounts/7?x=1' });
    assert.equal(account.statusCode, 501);
    const accountMessage = 'getAccount (GET /v1/accounts/{accountId}) is a Talon.One operation OpenPromo does not serve';
    assert.deepEqual(account.json(), {
      message: accountMessage,
      errors: [{ title: 'Not implemented', details: accountMessage, source: { resource: '/v1/accounts/7' } }],
      StatusCode: 501,
    });
    // every deprecated 25.17 operation with a replacement is served now: the 501 text for one is checked on the matcher itself
    const statsMessage = 'getLoyaltyStatistics (GET /v1/loyalty_programs/{loyaltyProgramId}/statistics) is a Talon.One operation OpenPromo does not serve: use getDashboardStatistics instead';
    assert.equal(createOperations().unserved('GET', '/v1/loyalty_programs/3/statistics'), statsMessage);
    const missing = await s.app.inject({ method: 'GET', url: '/v1/no_such_thing' });
    assert.deepEqual(missing.json(), {
      message: 'Route GET /v1/no_such_thing not found',
      errors: [{ title: 'Unknown', details: 'Route GET /v1/no_such_thing not found', source: { resource: '/v1/no_such_thing' } }],
      StatusCode: 404,
    });
    // a served path with a method Talon.One does not have either: 404
    assert.equal((await s.app.inject({ method: 'PATCH', url: '/v2/customer_sessions/x' })).statusCode, 404);
  }));
});
