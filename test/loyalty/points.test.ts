/**
 * Loyalty points of a profile: add and deduct (management), balances (management and Integration API)
 * at now, at past and future instants and under a moving clock; subledgers, spending order, isolation,
 * and the running counters checked against a rebuild from the ledger — on both stores.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { rebuild } from '../../src/domain/loyalty.js';
import { toNumber } from '../../src/domain/money.js';
import { ledgerHistory, ownerLedgers } from '../../src/store/repos/loyaltyLedgers.js';
import { withTestServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { newProgram } from './helpers.js';

/** A clock the test moves. */
function clock(start: string) {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), set: (s: string) => { t = new Date(s).getTime(); } };
}

async function setup(s: TestServer, extra: Record<string, unknown> = {}) {
  const app = await s.newApplication();
  const r = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], extra));
  assert.equal(r.statusCode, 201, r.body);
  const pid = r.json().id as number;
  const base = `/v1/loyalty_programs/${pid}/profile`;
  return {
    app, pid,
    add: (who: string, body: Record<string, unknown>) => s.mgmt('PUT', `${base}/${who}/add_points`, body),
    deduct: (who: string, body: Record<string, unknown>) => s.mgmt('PUT', `${base}/${who}/deduct_points`, body),
    balances: async (who: string, query = '') => {
      const m = await s.mgmt('GET', `${base}/${who}/ledger_balances${query}`);
      const i = await s.integ(app.key, 'GET', `${base}/${who}/balances${query}`);
      assert.equal(m.statusCode, 200, m.body);
      assert.equal(i.body, m.body, 'the Integration API answers what the Management API answers');
      return m.json();
    },
  };
}

const bal = (active: number, pending = 0, spent = 0, expired = 0) => ({ activePoints: active, pendingPoints: pending, spentPoints: spent, expiredPoints: expired, negativePoints: 0 });

/** The running counters of every ledger of the profile equal those rebuilt from its whole history. */
async function assertRebuildMatches(s: TestServer, pid: number, who: string, at: string) {
  await s.db.transaction(async (sql) => {
    for (const l of await ownerLedgers(sql, pid, 'profile', who)) {
      const h = await ledgerHistory(sql, l.id, at);
      const rebuilt = rebuild(h.buckets, h.spent, at);
      const running = l.counters;
      for (const k of ['active', 'pending', 'spent', 'expired'] as const) assert.equal(toNumber(running[k]), toNumber(rebuilt[k]), `${l.subledgerId || 'main'} ${k}`);
    }
  });
}

for (const kind of STORES) {
  describe(`loyalty points (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('add and deduct are exact decimals; a deduction above the active balance is a 400 that changes nothing', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      assert.equal((await x.add('alice', { points: 110.5, name: 'welcome' })).statusCode, 204);
      assert.equal((await x.add('alice', { points: 0.1 })).statusCode, 204);
      assert.equal((await x.add('alice', { points: 0.2 })).statusCode, 204);
      assert.deepEqual(await x.balances('alice'), { balance: bal(110.8), subledgerBalances: {} });
      assert.equal((await x.deduct('alice', { points: 10.3, name: 'spent' })).statusCode, 204);
      assert.deepEqual(await x.balances('alice'), { balance: bal(100.5, 0, 10.3), subledgerBalances: {} });
      const over = await x.deduct('alice', { points: 100.51 });
      assert.equal(over.statusCode, 400, over.body);
      assert.equal(over.json().errors[0].source.pointer, '/points');
      assert.deepEqual(await x.balances('alice'), { balance: bal(100.5, 0, 10.3), subledgerBalances: {} });
      assert.equal((await x.deduct('alice', { points: 100.5 })).statusCode, 204);
      assert.deepEqual(await x.balances('alice'), { balance: bal(0, 0, 110.8), subledgerBalances: {} });
      await assertRebuildMatches(s, x.pid, 'alice', s.ctx.now().toISOString());

      for (const [body, pointer] of [
        [{ points: 0 }, '/points'], [{ points: -1 }, '/points'], [{ points: 1, validityDuration: '3x' }, '/validityDuration'],
        [{ points: 1, pendingDuration: 'unlimited' }, '/pendingDuration'], [{ points: 1, validityDuration: '1D', validUntil: '2099-01-01T00:00:00Z' }, '/validUntil'],
        [{ points: 1, pendingDuration: '1D', pendingUntil: '2099-01-01T00:00:00Z' }, '/pendingUntil'], [{ points: 1, validUntil: '2000-01-01T00:00:00Z' }, '/validUntil'],
        [{ points: 1, applicationId: 99999 }, '/applicationId'], [{ points: 1, subledgerId: 'a', subLedgerID: 'b' }, '/subLedgerID'],
      ] as const) {
        const r = await x.add('alice', body);
        assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
        assert.equal(r.json().errors[0].source.pointer, pointer, r.body);
      }
      assert.equal((await x.add('alice', { points: 1e12 })).statusCode, 400, 'above 999999999999.99');
      assert.equal((await s.mgmt('PUT', '/v1/loyalty_programs/999/profile/alice/add_points', { points: 1 })).statusCode, 404);
      assert.equal((await x.deduct('nobody', { points: 1 })).statusCode, 404);
      assert.equal((await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/profile/nobody/ledger_balances`)).statusCode, 404);
    }));

    test('pending points activate at their start, expire at their expiry: via endDate (past and future) and via the clock', (t) => {
      const c = clock('2026-03-01T12:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const x = await setup(s, { defaultPending: '2D', defaultValidity: '10D_U' });
        assert.equal((await x.add('bob', { points: 50 })).statusCode, 204); // pending until 03-03 12:00, expires 03-13 23:59:59
        assert.equal((await x.add('bob', { points: 20, pendingDuration: 'immediate', validityDuration: 'unlimited' })).statusCode, 204);
        assert.deepEqual((await x.balances('bob')).balance, bal(20, 50));
        // pending points cannot be spent
        assert.equal((await x.deduct('bob', { points: 21 })).statusCode, 400);
        // the future, answered from the counters and the open buckets
        assert.deepEqual((await x.balances('bob', '?endDate=2026-03-03T11:59:59Z')).balance, bal(20, 50));
        assert.deepEqual((await x.balances('bob', '?endDate=2026-03-03T12:00:00Z')).balance, bal(70, 0));
        assert.deepEqual((await x.balances('bob', '?endDate=2026-03-13T23:59:58Z')).balance, bal(70, 0));
        assert.deepEqual((await x.balances('bob', '?endDate=2026-03-13T23:59:59Z')).balance, bal(20, 0, 0, 50));
        // reads before the next change leave the ledger as it was (answered from its counters)
        const ledger = async () => (await s.db.transaction((sql) => ownerLedgers(sql, x.pid, 'profile', 'bob')))[0];
        const before = await ledger();
        assert.equal(before.nextChangeAt, '2026-03-03T12:00:00.000Z');
        assert.deepEqual(await ledger(), before);
        // the clock moves: points activate, and can then be spent (earliest expiry first)
        c.set('2026-03-05T00:00:00Z');
        assert.deepEqual((await x.balances('bob')).balance, bal(70, 0));
        // the first read past the change settled the ledger: its counters now hold the activation
        const settled = await ledger();
        assert.deepEqual([settled.settledAt, settled.nextChangeAt, toNumber(settled.counters.active)], ['2026-03-05T00:00:00.000Z', '2026-03-13T23:59:59.000Z', 70]);
        assert.equal((await x.deduct('bob', { points: 30 })).statusCode, 204);
        assert.deepEqual((await x.balances('bob')).balance, bal(40, 0, 30));
        // the past, rebuilt from the ledger
        assert.deepEqual((await x.balances('bob', '?endDate=2026-03-02T00:00:00Z')).balance, bal(20, 50));
        assert.deepEqual((await x.balances('bob', '?endDate=2026-03-04T00:00:00Z')).balance, bal(70, 0));
        assert.deepEqual((await x.balances('bob', '?endDate=2026-02-01T00:00:00Z')).balance, bal(0, 0));
        // the 20 left of the 50 expire; the unlimited 20 stay
        c.set('2026-03-20T00:00:00Z');
        assert.deepEqual((await x.balances('bob')).balance, bal(20, 0, 30, 20));
        await assertRebuildMatches(s, x.pid, 'bob', c.now().toISOString());
        assert.equal((await x.deduct('bob', { points: 20.01 })).statusCode, 400);
        assert.equal((await x.deduct('bob', { points: 20 })).statusCode, 204);
        assert.deepEqual((await x.balances('bob')).balance, bal(0, 0, 50, 20));
        await assertRebuildMatches(s, x.pid, 'bob', c.now().toISOString());
        // on-action points stay pending
        assert.equal((await x.add('bob', { points: 5, pendingDuration: 'on_action' })).statusCode, 204);
        assert.deepEqual((await x.balances('bob', '?endDate=2099-01-01T00:00:00Z')).balance, bal(0, 5, 50, 20));
        // explicit dates
        assert.equal((await x.add('bob', { points: 7, pendingUntil: '2026-04-01T00:00:00Z', validUntil: '2026-05-01T00:00:00Z' })).statusCode, 204);
        assert.deepEqual((await x.balances('bob', '?endDate=2026-04-15T00:00:00Z')).balance, bal(7, 5, 50, 20));
        assert.deepEqual((await x.balances('bob', '?endDate=2026-05-01T00:00:00Z')).balance, bal(0, 5, 50, 27));
      }, c.now);
    });

    test('spending order: earliest expiry first, unlimited last', (t) => {
      const c = clock('2026-03-01T00:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const x = await setup(s);
        await x.add('carol', { points: 10 }); // unlimited
        await x.add('carol', { points: 10, validityDuration: '30D' });
        await x.add('carol', { points: 10, validityDuration: '10D' });
        assert.equal((await x.deduct('carol', { points: 15 })).statusCode, 204); // all of the 10D, 5 of the 30D
        assert.deepEqual((await x.balances('carol', '?endDate=2026-03-12T00:00:00Z')).balance, bal(15, 0, 15));
        assert.deepEqual((await x.balances('carol', '?endDate=2026-04-01T00:00:00Z')).balance, bal(10, 0, 15, 5));
      }, c.now);
    });

    test('subledgers are separate ledgers; a program without subledgers refuses them', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      await x.add('dave', { points: 10 });
      await x.add('dave', { points: 4.25, subledgerId: 'fuel' });
      await x.add('dave', { points: 3, subledgerId: 'food' });
      assert.deepEqual(await x.balances('dave'), { balance: bal(10), subledgerBalances: { food: bal(3), fuel: bal(4.25) } });
      assert.deepEqual(await x.balances('dave', '?subledgerId=fuel'), { subledgerBalances: { fuel: bal(4.25) } });
      assert.deepEqual(await x.balances('dave', '?subledgerId='), { balance: bal(10), subledgerBalances: {} });
      assert.equal((await x.deduct('dave', { points: 5, subledgerId: 'fuel' })).statusCode, 400, 'a subledger spends only its own points');
      assert.equal((await x.deduct('dave', { points: 4, subledgerId: 'fuel' })).statusCode, 204);
      assert.deepEqual(await x.balances('dave'), { balance: bal(10), subledgerBalances: { food: bal(3), fuel: bal(0.25, 0, 4) } });
      await assertRebuildMatches(s, x.pid, 'dave', s.ctx.now().toISOString());

      const y = await setup(s, { allowSubledger: false });
      const r = await y.add('dave', { points: 1, subledgerId: 'fuel' });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().errors[0].source.pointer, '/subledgerId');
    }));

    test('isolation: only Applications subscribed to the program see its ledgers', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      const other = await s.newApplication();
      await x.add('erin', { points: 10 });
      const r = await s.integ(other.key, 'GET', `/v1/loyalty_programs/${x.pid}/profile/erin/balances`);
      assert.equal(r.statusCode, 404, r.body);
      assert.equal(r.json().message, 'Loyalty program not found');
      const mine = await s.integ(x.app.key, 'GET', `/v1/loyalty_programs/${x.pid}/profile/erin/balances`);
      assert.equal(mine.statusCode, 200);
      assert.equal((await s.integ(x.app.key, 'GET', `/v1/loyalty_programs/${x.pid}/profile/nobody/balances`)).statusCode, 404);
      assert.equal((await s.integ(x.app.key, 'GET', `/v1/loyalty_programs/${x.pid}/profile/erin/balances?endDate=yesterday`)).statusCode, 400);
      // subscribing the other Application makes the program visible to it
      assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${x.pid}`, { subscribedApplications: [x.app.id, other.id] })).statusCode, 200);
      assert.equal((await s.integ(other.key, 'GET', `/v1/loyalty_programs/${x.pid}/profile/erin/balances`)).statusCode, 200);
    }));
  });
}
