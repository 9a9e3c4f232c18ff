/** /openapi.json reads as documentation: every operation summarised and described, extensions marked, Talon.One's operationIds (docs/api-coverage.md). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { STORES } from '../helpers/stores.js';
import { withTestServer } from '../helpers/server.js';

interface Operation { operationId: string; method: string; path: string }
const { operations } = JSON.parse(readFileSync(new URL('../../../src/http/talon-one-operations.json', import.meta.url), 'utf8')) as { operations: Operation[] };
const talon = new Map(operations.map((o) => [`${o.method} ${o.path.replace(/\{[^}]+\}/g, '{}')}`, o.operationId]));

const kind = STORES[0];
describe('OpenAPI documentation', () => {
  after(() => kind.cleanup());

  test('every operation has a summary and a description; the ones Talon.One has carry its operationId, the others say they are extensions', (t) => withTestServer(kind, t, async (s) => {
    const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    let count = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { summary?: string; description?: string; operationId?: string }>>)) {
      for (const [method, op] of Object.entries(item)) {
        count++;
        const where = `${method.toUpperCase()} ${path}`;
        assert.ok(op.summary && op.summary.trim().length > 0, `${where}: summary`);
        assert.ok(op.description && op.description.trim().length > 0, `${where}: description`);
        const id = talon.get(`${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`);
        if (id) assert.equal(op.operationId, id, where);
        else if (op.operationId !== 'trackEvent' && op.operationId !== 'getCoupons') assert.match(op.description, /OpenPromo extension/, where);
      }
    }
    assert.ok(count > 50, `${count} operations`);
    assert.match(doc.paths['/v1/applications'].post.description, /OpenPromo extension/);
    assert.equal(doc.paths['/v2/customer_sessions/{customerSessionId}'].put.summary, 'Update customer session');
  }));

  test('GET / redirects to the docs', (t) => withTestServer(kind, t, async (s) => {
    const res = await s.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/docs');
  }));
});
