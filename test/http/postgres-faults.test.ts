/**
 * A server on PostgreSQL whose connections are terminated again and again (what a restart, a failover
 * or a pooler restart does) while sessions are updated and closed against a coupon usage limit and a
 * campaign budget (docs/faults.md): the process survives, every answer is a 200 or a 503 naming the
 * cause with a Retry-After, what was acknowledged stays, a 503 not in doubt committed nothing, the
 * limits stay exact, and once the terminations stop every request succeeds.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../../src/store/open.js';
import { getCouponById, insertCoupons } from '../../src/store/repos/coupons.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { dropTestSchemas, freshPostgresUrl, PG_URL } from '../helpers/stores.js';

type Json = Record<string, any>;
interface Answer { status: number; retryAfter: string | null; json: Json }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cart = [{ sku: 'x', quantity: 1, price: 40 }];
const COUPON_LIMIT = 10;
/** 10 discounts of 3.00 */
const BUDGET = 30;
const SESSIONS = 60;
const WORKERS = 12;
/** termination rounds during the load */
const ROUNDS = 8;

describe('PostgreSQL connections terminated under load (HTTP)', () => {
  after(() => dropTestSchemas());

  test('session updates and closes against a coupon limit and a budget: 200 or 503 with its cause, nothing lost, limits exact, then recovery', async (t) => {
    const fresh = await freshPostgresUrl();
    if (!fresh) return t.skip('PostgreSQL not available');
    const name = `op_http_faults_${randomBytes(4).toString('hex')}`;
    const url = new URL(fresh);
    url.searchParams.set('application_name', name);
    const db = openDatabase(url.toString());
    await db.migrate();
    const s: TestServer = await startTestServer(db);
    const killer = new pg.Client({ connectionString: PG_URL });
    await killer.connect();
    try {
      await s.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(s.app.server.address() as { port: number }).port}`;

      // setup, before any termination
      const app = await s.newApplication();
      const created = async (path: string, body: unknown) => {
        const r = await s.mgmt('POST', path, body);
        assert.equal(r.statusCode, 201, r.body);
        return r.json().id as number;
      };
      const couponCampaign = await created(`/v1/applications/${app.id}/campaigns`, { name: 'coupon', tags: [], features: ['coupons'], limits: [] });
      await created(`/v1/applications/${app.id}/campaigns/${couponCampaign}/rulesets`, { bindings: [], activate: true,
        rules: [{ title: 'five off', condition: ['and', ['couponValid']], effects: [['setDiscount', 'five off', 5]] }] });
      await db.transaction((sql) => insertCoupons(sql, [{ applicationId: app.id, campaignId: couponCampaign, value: 'FAULT10', usageLimit: COUPON_LIMIT, attributes: {}, limits: [], isReservationMandatory: false, implicitlyReserved: false, created: new Date().toISOString() }]));
      const budgetCampaign = await created(`/v1/applications/${app.id}/campaigns`, { name: 'budget', tags: [], features: [], limits: [{ action: 'setDiscount', limit: BUDGET, entities: [] }] });
      await created(`/v1/applications/${app.id}/campaigns/${budgetCampaign}/rulesets`, { bindings: [], activate: true,
        rules: [{ title: 'three off', condition: ['and', true], effects: [['setDiscount', 'three off', 3]] }] });

      const statuses = new Map<number, number>();
      const messages = new Map<string, number>();
      let sample503: { retryAfter: string | null; body: Json } | undefined;
      let inDoubt503 = 0;
      let inFlight = 0;

      async function call(method: string, path: string, body?: unknown): Promise<Answer> {
        inFlight++;
        try {
          const r = await fetch(`${base}${path}`, {
            method, headers: { authorization: `ApiKey-v1 ${app.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          });
          const text = await r.text();
          const a = { status: r.status, retryAfter: r.headers.get('retry-after'), json: text ? JSON.parse(text) as Json : {} };
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          if (a.status === 503) {
            // the cause, for an operator, and when to come back, for the client
            assert.match(a.json.message, /^Database (connection lost|unreachable|busy|not accepting connections) \([^)]+\)/, text);
            assert.match(a.retryAfter ?? '', /^[1-9]\d*$/, text);
            assert.deepEqual([a.json.StatusCode, a.json.errors?.[0]?.title, a.json.errors?.[0]?.details], [503, 'Unavailable', a.json.message]);
            const doubt = /the outcome is unknown; read the resource back before retrying$/.test(a.json.message);
            assert.ok(doubt || a.json.message.endsWith('; nothing was committed') || !/committ/.test(a.json.message), text);
            if (doubt) inDoubt503++;
            const kind = (a.json.message as string).replace(/ \(.*\)/, ' (…)');
            messages.set(kind, (messages.get(kind) ?? 0) + 1);
            sample503 ??= { retryAfter: a.retryAfter, body: a.json };
          } else {
            assert.equal(a.status, 200, `${method} ${path}: ${text}`);
          }
          return a;
        } finally {
          inFlight--;
        }
      }
      const isInDoubt = (a: Answer) => a.status === 503 && /outcome is unknown/.test(a.json.message);

      /** Reads a session back, through as many 503s as it takes. */
      async function readBack(id: string): Promise<Json> {
        for (;;) {
          const r = await call('GET', `/v2/customer_sessions/${id}`);
          if (r.status === 200) return r.json;
          await sleep(20);
        }
      }

      // what the client was told: the closes acknowledged (200) with their effects, and those an in-doubt 503 left closed
      const acknowledged = new Map<string, Json[]>();
      const closedInDoubt = new Set<string>();

      async function session(id: string): Promise<void> {
        const path = `/v2/customer_sessions/${id}`;
        for (;;) {
          const r = await call('PUT', path, { customerSession: { profileId: `p-${id}`, couponCodes: ['FAULT10'], cartItems: cart } });
          if (r.status === 200) break;
          await sleep(20);
        }
        for (;;) {
          const r = await call('PUT', path, { customerSession: { state: 'closed' } });
          if (r.status === 200) {
            assert.equal(r.json.customerSession.state, 'closed');
            acknowledged.set(id, r.json.effects as Json[]);
            return;
          }
          // a 503: read back before retrying, as its message says
          const back = await readBack(id);
          if (isInDoubt(r)) {
            if (back.customerSession.state === 'closed') { closedInDoubt.add(id); return; }
          } else {
            assert.equal(back.customerSession.state, 'open', `a 503 not in doubt committed nothing: ${JSON.stringify(r.json)}`);
          }
          await sleep(20);
        }
      }

      // the load, and the terminations while it runs: only while requests are in flight, so that they hit work
      let loading = true;
      let terminations = 0;
      const killed: number[] = [];
      // spaced so that requests also get through between them: a few rounds, then none (the recovery)
      const terminating = (async () => {
        while (loading && terminations < ROUNDS) {
          if (inFlight > 0) {
            // in the select list, not the WHERE clause: there PostgreSQL may call it before filtering by name
            const r = await killer.query<{ pid: number; ok: boolean }>('SELECT pid, pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [name]);
            terminations++;
            killed.push(...r.rows.filter((row) => row.ok).map((row) => row.pid));
          }
          await sleep(250);
        }
      })();
      const ids = Array.from({ length: SESSIONS }, (_, i) => `fault-${i}`);
      let next = 0;
      const started = performance.now();
      try {
        await Promise.all(Array.from({ length: WORKERS }, async () => {
          while (next < ids.length) await session(ids[next++]);
        }));
      } finally {
        loading = false;
        await terminating;
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      assert.ok(killed.length > 0, 'backends were terminated during the load');

      // recovery: once the terminated backends are gone (and their clients have read why), every request succeeds at once
      while ((await killer.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1)', [killed])).rowCount) await sleep(20);
      await sleep(100);
      const before = statuses.get(503) ?? 0;
      for (let i = 0; i < 5; i++) {
        const path = `/v2/customer_sessions/after-${i}`;
        assert.equal((await call('PUT', path, { customerSession: { profileId: 'after', cartItems: cart } })).status, 200);
        assert.equal((await call('PUT', path, { customerSession: { state: 'closed' } })).status, 200);
      }
      assert.equal(statuses.get(503) ?? 0, before, 'no 503 after the terminations stopped');

      // every session is closed, by an acknowledged close or one an in-doubt 503 left landed, never both
      const finals = new Map<string, Json>();
      for (const id of ids) finals.set(id, await readBack(id));
      for (const id of ids) {
        assert.equal(finals.get(id)!.customerSession.state, 'closed', id);
        assert.ok(acknowledged.has(id) !== closedInDoubt.has(id), id);
      }
      // an acknowledged close keeps the effects it answered
      const summary = (effects: Json[]) => effects.map((e) => `${e.effectType}:${e.campaignId}`).sort();
      for (const [id, effects] of acknowledged) assert.deepEqual(summary(finals.get(id)!.effects), summary(effects), id);

      // limits exact: the counters are what the closed sessions show, never above the limit
      const redeemed = ids.filter((id) => (finals.get(id)!.effects as Json[]).some((e) => e.effectType === 'acceptCoupon' && e.campaignId === couponCampaign));
      const funded = ids.filter((id) => (finals.get(id)!.effects as Json[]).some((e) => e.effectType === 'setDiscount' && e.campaignId === budgetCampaign));
      const couponId = (await db.transaction((sql) => sql.get<{ id: number }>('SELECT id FROM coupons WHERE value = ?', ['FAULT10'])))!.id;
      const usage = (await db.transaction((sql) => getCouponById(sql, app.id, Number(couponId))))!.usageCounter;
      assert.equal(usage, redeemed.length);
      assert.equal(usage, Math.min(COUPON_LIMIT, SESSIONS), 'every coupon use was taken, none twice');
      const budget = (await s.mgmt('GET', `/v1/applications/${app.id}/campaigns/${budgetCampaign}`)).json().budgets as Json[];
      assert.deepEqual(budget, [{ action: 'setDiscount', limit: BUDGET, counter: funded.length * 3 }]);
      assert.equal(funded.length, BUDGET / 3);

      t.diagnostic(`load: ${SESSIONS} sessions by ${WORKERS} clients in ${seconds} s; terminations: ${terminations} rounds, ${killed.length} backends; answers: ${[...statuses].sort().map(([k, v]) => `${k}×${v}`).join(', ')}; in doubt: ${inDoubt503} (closed after all: ${closedInDoubt.size})`);
      t.diagnostic(`503 messages: ${JSON.stringify(Object.fromEntries(messages))}`);
      if (sample503) t.diagnostic(`a 503: Retry-After: ${sample503.retryAfter} ${JSON.stringify(sample503.body)}`);
    } finally {
      await killer.end();
      await s.close();
    }
  });
});
