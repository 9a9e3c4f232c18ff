/**
 * activateLoyaltyPoints on both stores: by UUIDs and by session id (entries with a session id are written
 * through the repository layer: sessions do not earn loyalty points yet), pending on-action points become
 * active, an expiry from validityDuration counts from the activation, already-active and unknown UUIDs,
 * both/neither, join dates, isolation.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { rebuild } from '../../src/domain/loyalty.js';
import { dec, toNumber } from '../../src/domain/money.js';
import { insertBucket, insertTransaction, ledgerHistory, lockLedger, ownerLedgers, saveCounters } from '../../src/store/repos/loyaltyLedgers.js';
import { withTestServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { newProgram } from './helpers.js';

function clock(start: string) {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), set: (s: string) => { t = new Date(s).getTime(); } };
}

async function setup(s: TestServer, extra: Record<string, unknown> = {}) {
  const app = await s.newApplication();
  const r = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], extra));
  assert.equal(r.statusCode, 201, r.body);
  const pid = r.json().id as number;
  return {
    app, pid,
    add: async (who: string, body: Record<string, unknown>) => {
      const a = await s.mgmt('PUT', `/v1/loyalty_programs/${pid}/profile/${who}/add_points`, body);
      assert.equal(a.statusCode, 204, a.body);
    },
    activate: (body: unknown, key = app.key) => s.integ(key, 'POST', `/v1/loyalty_programs/${pid}/activate_points`, body),
    balance: async (who: string, q = '') => (await s.integ(app.key, 'GET', `/v1/loyalty_programs/${pid}/profile/${who}/balances${q}`)).json(),
    entries: async (who: string, q = '') => (await s.integ(app.key, 'GET', `/v1/loyalty_programs/${pid}/profile/${who}/transactions${q}`)).json().data,
  };
}

/** An on-action addition earned in a session, written as a session would write it. */
async function sessionAddition(s: TestServer, pid: number, who: string, sessionId: string, points: string, validityDuration?: string) {
  const now = s.ctx.now().toISOString();
  await s.db.transaction(async (sql) => {
    await sql.run("INSERT INTO profiles (account_id, integration_id, attributes, closed_sessions, total_sales, created, last_activity) VALUES (1, ?, '{}', 0, '0', ?, ?) ON CONFLICT (account_id, integration_id) DO NOTHING", [who, now, now]);
    const l = await lockLedger(sql, { programId: pid, ownerKind: 'profile', ownerId: who, subledgerId: '' }, now);
    const amount = dec(points);
    const tx = await insertTransaction(sql, {
      uuid: crypto.randomUUID(), programId: pid, ledgerId: l.id, ownerKind: 'profile', profileIntegrationId: who, subledgerId: '', type: 'addition', source: 'session',
      amount, name: 'earned', startDate: 'on_action', expiryDate: 'unlimited', customerSessionId: sessionId, flags: {}, created: now,
      ...(validityDuration ? { validityDuration } : {}),
    });
    await insertBucket(sql, { ledgerId: l.id, transactionId: tx, amount, start: null, expiry: null, state: 'pending', changeAt: null, created: now, ...(validityDuration ? { validityDuration } : {}) });
    await saveCounters(sql, l.id, { ...l.counters, pending: l.counters.pending.plus(amount) }, now, l.nextChangeAt);
  });
}

async function assertRebuildMatches(s: TestServer, pid: number, who: string) {
  const at = s.ctx.now().toISOString();
  await s.db.transaction(async (sql) => {
    for (const l of await ownerLedgers(sql, pid, 'profile', who)) {
      const h = await ledgerHistory(sql, l.id, at);
      const r = rebuild(h.buckets, h.spent, at);
      for (const k of ['active', 'pending', 'spent', 'expired'] as const) assert.equal(toNumber(l.counters[k]), toNumber(r[k]), `${l.subledgerId || 'main'} ${k}`);
    }
  });
}

for (const kind of STORES) {
  describe(`loyalty activation (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('by UUIDs: pending on-action points become active, expiry counts from the activation; already active ones are left out', (t) => {
      const c = clock('2026-03-01T12:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const x = await setup(s, { programJoinPolicy: 'points_activated' });
        await x.add('alice', { points: 110.5, pendingDuration: 'on_action', validityDuration: '30D' });
        await x.add('alice', { points: 5, pendingDuration: 'on_action' });
        await x.add('alice', { points: 1 });
        assert.deepEqual((await x.balance('alice')).balance, { activePoints: 1, pendingPoints: 115.5, spentPoints: 0, expiredPoints: 0, negativePoints: 0 });
        const waiting = await x.entries('alice', '?awaitsActivation=true');
        assert.equal(waiting.length, 2);
        const [five, big] = waiting as { transactionUUID: string }[];
        const immediate = (await x.entries('alice')).find((e: { amount: number }) => e.amount === 1).transactionUUID as string;

        c.set('2026-03-05T08:00:00Z');
        const r = await x.activate({ transactionUUIDs: [big.transactionUUID, immediate] });
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json(), { ledgerEntries: [{
          created: '2026-03-01T12:00:00.000Z', programID: x.pid, customerProfileID: 'alice', type: 'addition', amount: 110.5, startDate: '2026-03-05T08:00:00.000Z',
          expiryDate: '2026-04-04T08:00:00.000Z', name: '', subLedgerID: '', archived: false, flags: {}, validityDuration: '30D',
        }] });
        assert.deepEqual((await x.balance('alice')).balance, { activePoints: 111.5, pendingPoints: 5, spentPoints: 0, expiredPoints: 0, negativePoints: 0 });
        // the entry's dates are now timestamps; it no longer awaits activation
        assert.deepEqual((await x.entries('alice', '?awaitsActivation=true')).map((e: { transactionUUID: string }) => e.transactionUUID), [five.transactionUUID]);
        // again: nothing left to activate
        assert.deepEqual((await x.activate({ transactionUUIDs: [big.transactionUUID] })).json(), { ledgerEntries: [] });
        // the past is rebuilt with the activation in its place; the expiry comes 30 days later
        assert.equal((await x.balance('alice', '?endDate=2026-03-04T00:00:00Z')).balance.pendingPoints, 115.5);
        assert.deepEqual((await x.balance('alice', '?endDate=2026-04-04T08:00:00Z')).balance, { activePoints: 1, pendingPoints: 5, spentPoints: 0, expiredPoints: 110.5, negativePoints: 0 });
        await assertRebuildMatches(s, x.pid, 'alice');
        // join date: the first activation (the immediate 1 point joined at once, on 03-01)
        const joins = await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/export_join_dates`);
        assert.equal(joins.body, `loyaltyProgramID,profileIntegrationID,joinDate\n${x.pid},alice,2026-03-01T12:00:00.000Z\n`);

        // unknown UUIDs, both, neither: 400 and nothing changes
        for (const body of [{ transactionUUIDs: [five.transactionUUID, '8f1a8d7c-9c3e-4a5e-9f0d-2c5f7a3b1cde'] }, { sessionId: 's', transactionUUIDs: [five.transactionUUID] }, {},
          { transactionUUIDs: [] }, { transactionUUIDs: ['not-a-uuid'] }, { sessionId: '' }]) {
          const bad = await x.activate(body);
          assert.equal(bad.statusCode, 400, `${JSON.stringify(body)}: ${bad.body}`);
        }
        assert.equal((await x.activate({ transactionUUIDs: [five.transactionUUID, '8f1a8d7c-9c3e-4a5e-9f0d-2c5f7a3b1cde'] })).json().errors[0].source.pointer, '/transactionUUIDs/1');
        assert.equal((await x.balance('alice')).balance.pendingPoints, 5);

        // isolation: an Application not subscribed to the program
        const other = await s.newApplication();
        assert.equal((await x.activate({ transactionUUIDs: [five.transactionUUID] }, other.key)).statusCode, 404);
        assert.equal((await s.integ(x.app.key, 'POST', '/v1/loyalty_programs/9999/activate_points', { sessionId: 'x' })).statusCode, 404);
        assert.equal((await x.balance('alice')).balance.pendingPoints, 5);
      }, c.now);
    });

    test('by session id: every pending on-action entry of that session, in every profile', (t) => {
      const c = clock('2026-06-01T00:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const x = await setup(s);
        await sessionAddition(s, x.pid, 'bob', 'session-1', '10.25', '1D');
        await sessionAddition(s, x.pid, 'bob', 'session-1', '4');
        await sessionAddition(s, x.pid, 'bob', 'session-2', '7');
        c.set('2026-06-02T10:00:00Z');
        const r = await x.activate({ sessionId: 'session-1' });
        assert.equal(r.statusCode, 200, r.body);
        const entries = r.json().ledgerEntries as { amount: number; customerSessionID: string; startDate: string; expiryDate?: string }[];
        assert.deepEqual(entries.map((e) => [e.amount, e.customerSessionID, e.startDate, e.expiryDate]),
          [[10.25, 'session-1', '2026-06-02T10:00:00.000Z', '2026-06-03T10:00:00.000Z'], [4, 'session-1', '2026-06-02T10:00:00.000Z', undefined]]);
        assert.deepEqual((await x.balance('bob')).balance, { activePoints: 14.25, pendingPoints: 7, spentPoints: 0, expiredPoints: 0, negativePoints: 0 });
        assert.deepEqual((await x.activate({ sessionId: 'session-1' })).json(), { ledgerEntries: [] });
        assert.deepEqual((await x.activate({ sessionId: 'no-such-session' })).json(), { ledgerEntries: [] });
        c.set('2026-06-03T10:00:00Z');
        assert.deepEqual((await x.balance('bob')).balance, { activePoints: 4, pendingPoints: 7, spentPoints: 0, expiredPoints: 10.25, negativePoints: 0 });
        await assertRebuildMatches(s, x.pid, 'bob');
        // the not_join program records no join date
        assert.equal((await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/export_join_dates`)).body, 'loyaltyProgramID,profileIntegrationID,joinDate\n');
      }, c.now);
    });

    test('racing activations of the same entries activate them once; a racing deduction sees them only once active', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      for (let i = 0; i < 6; i++) await x.add('dora', { points: 10, pendingDuration: 'on_action' });
      const uuids = ((await x.entries('dora', '?awaitsActivation=true')) as { transactionUUID: string }[]).map((e) => e.transactionUUID);
      const deduct = () => s.mgmt('PUT', `/v1/loyalty_programs/${x.pid}/profile/dora/deduct_points`, { points: 10 });
      const results = await Promise.all([x.activate({ transactionUUIDs: uuids }), x.activate({ transactionUUIDs: uuids }), x.activate({ transactionUUIDs: uuids.slice(0, 3) }), deduct()]);
      const listed = results.slice(0, 3).flatMap((r) => { assert.equal(r.statusCode, 200, r.body); return r.json().ledgerEntries as unknown[]; });
      assert.equal(listed.length, 6, 'each entry activated exactly once');
      const spent = results[3].statusCode === 204 ? 10 : 0;
      assert.deepEqual((await x.balance('dora')).balance, { activePoints: 60 - spent, pendingPoints: 0, spentPoints: spent, expiredPoints: 0, negativePoints: 0 });
      await assertRebuildMatches(s, x.pid, 'dora');
    }));
  });
}
