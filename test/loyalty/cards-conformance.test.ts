/**
 * Loyalty card responses validated against Talon.One's 25.17 schemas (test/fixtures/talon-one-25.17-schemas.json,
 * scripts/extract-reference-schemas.mjs): LoyaltyCard, the card list, LoyaltyCardBatchResponse, LoyaltyCardBalances and
 * the card ledger entries and points, the card import's Import, and the loyalty dashboard (getDashboardStatistics,
 * inline_response_200_18; getLoyaltyStatistics, LoyaltyDashboardData) — on both stores. As the main conformance
 * test: exactly what the reference says.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { withTestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { clock, newProgram, upload } from './helpers.js';

type Json = Record<string, any>;

function loadFixture(): { schemas: Record<string, Json> } {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const f = new URL('test/fixtures/talon-one-25.17-schemas.json', dir);
    if (existsSync(f)) return JSON.parse(readFileSync(f, 'utf8'));
    if (dir.pathname === '/') throw new Error('test/fixtures/talon-one-25.17-schemas.json not found');
  }
}

const ID = (name: string) => `urn:talon-one:25.17:${name}`;
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? ID(v.replace('#/components/schemas/', '')) : rewriteRefs(v)]));
}

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password', 'string']) ajv.addFormat(f, true);
for (const [name, schema] of Object.entries(loadFixture().schemas)) ajv.addSchema({ ...(rewriteRefs(schema) as Json), $id: ID(name) });

const problems: string[] = [];
function check(schema: string, body: unknown, label: string): void {
  const v = ajv.getSchema(ID(schema));
  assert.ok(v, `no reference schema ${schema}`);
  if (!v(body)) for (const e of v.errors ?? []) problems.push(`${label} (${schema}) ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

test('the check is not vacuous: a drifted card is reported', () => {
  check('LoyaltyCard', { id: 1, created: '2030-01-01T00:00:00Z', programID: 1, status: 'active', identifier: 'ab', usersPerCardLimit: 0 }, 'drift');
  assert.ok(problems.splice(0).length > 0);
});

for (const kind of STORES) {
  describe(`loyalty cards, OpenAPI 25.17 wire conformance (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('every card response', (t) => withTestServer(kind, t, async (s) => {
      const app = await s.newApplication();
      const p = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], {
        cardBased: true, usersPerCardLimit: 3, cardCodeSettings: { couponPattern: 'C-######', validCharacters: [...'0123456789'] },
      }));
      assert.equal(p.statusCode, 201, p.body);
      const base = `/v1/loyalty_programs/${p.json().id}/cards`;
      const ok = (r: { statusCode: number; body: string }, schema: string, label: string) => {
        assert.equal(r.statusCode, 200, `${label}: ${r.body}`);
        check(schema, JSON.parse(r.body), label);
        return JSON.parse(r.body) as Json;
      };
      const card = ok(await s.integ(app.key, 'POST', base, { customerProfileIds: ['alice'] }), 'LoyaltyCard', 'generateLoyaltyCard');
      const url = `${base}/${encodeURIComponent(card.identifier)}`;
      ok(await s.mgmt('POST', `${base}/batch`, { numberOfCards: 3 }), 'LoyaltyCardBatchResponse', 'createBatchLoyaltyCards');
      assert.equal((await s.mgmt('PUT', `${url}/add_points`, { points: 12.5, subledgerId: 'fuel', validityDuration: '30D' })).statusCode, 204);
      assert.equal((await s.mgmt('PUT', `${url}/add_points`, { points: 40 })).statusCode, 204);
      assert.equal((await s.mgmt('PUT', `${url}/deduct_points`, { points: 10 })).statusCode, 204);
      ok(await s.mgmt('GET', url), 'LoyaltyCard', 'getLoyaltyCard');
      ok(await s.mgmt('PUT', url, { status: 'active' }), 'LoyaltyCard', 'updateLoyaltyCard');
      const list = await s.mgmt('GET', base);
      assert.equal(list.statusCode, 200);
      for (const c of list.json().data) check('LoyaltyCard', c, 'getLoyaltyCards data');
      ok(await s.integ(app.key, 'POST', `/v2${url.slice(3)}/link_profile`, { integrationId: 'bob' }), 'LoyaltyCard', 'linkLoyaltyCardToProfile');
      ok(await s.integ(app.key, 'POST', `/v2${url.slice(3)}/unlink_profile`, { integrationId: 'bob' }), 'LoyaltyCard', 'unlinkLoyaltyCardFromProfile');
      ok(await s.integ(app.key, 'GET', `${url}/balances`), 'LoyaltyCardBalances', 'getLoyaltyCardBalances');
      const txr = await s.integ(app.key, 'GET', `${url}/transactions`);
      assert.equal(txr.statusCode, 200, txr.body);
      const tx = txr.json();
      assert.equal(typeof tx.hasMore, 'boolean');
      for (const e of tx.data) check('CardLedgerTransactionLogEntryIntegrationAPI', e, 'getLoyaltyCardTransactions data');
      const logs = await s.mgmt('GET', `${url}/logs`);
      for (const e of logs.json().data) check('CardLedgerTransactionLogEntry', e, 'getLoyaltyCardTransactionLogs data');
      const pts = await s.integ(app.key, 'GET', `${url}/points`);
      for (const e of pts.json().data) check('CardLedgerPointsEntryIntegrationAPI', e, 'getLoyaltyCardPoints data');
      assert.equal(tx.data.length, 3);
      assert.equal(pts.json().data.length, 2);
      assert.equal((await s.mgmt('PUT', `${url}/transfer`, { newCardIdentifier: 'C-replaced' })).statusCode, 204);
      ok(await s.mgmt('GET', url), 'LoyaltyCard', 'getLoyaltyCard (blocked)');
      ok(await s.mgmt('GET', `${base}/C-replaced`), 'LoyaltyCard', 'getLoyaltyCard (after a transfer)');
      const imported = ok(await upload(s, p.json().id, 'identifier,state,customerprofileids\nC-imported,active,alice;bob', 'import_cards'), 'Import', 'importLoyaltyCards');
      assert.equal(imported.entity, 'LoyaltyCards');
      assert.deepEqual(problems, []);
    }));

    test('the dashboard and the statistics', (t) => {
      const c = clock('2026-04-01T09:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const app = await s.newApplication();
        const pid = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { programJoinPolicy: 'points_earned' }))).json().id as number;
        assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${pid}/profile/alice/add_points`, { points: 10.5 })).statusCode, 204);
        c.set('2026-04-03T09:00:00Z');
        const r = await s.mgmt('GET', `/v1/loyalty_programs/${pid}/dashboard?rangeStart=2026-04-01T00:00:00Z&rangeEnd=2026-04-30T00:00:00Z`);
        assert.equal(r.statusCode, 200, r.body);
        check('inline_response_200_18', r.json(), 'getDashboardStatistics');
        assert.equal(r.json().totalResultSize, 2);
        const st = await s.mgmt('GET', `/v1/loyalty_programs/${pid}/statistics`);
        check('LoyaltyDashboardData', st.json(), 'getLoyaltyStatistics');
        assert.deepEqual(problems, []);
      }, c.now);
    });
  });
}
