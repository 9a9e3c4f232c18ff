/**
 * deleteLoyaltyTransactionsFromLedgers on both stores: all (sub)ledgers or selected ones (`""` = main),
 * entries, buckets and spends gone, counters reset and equal to the rebuild, other profiles untouched,
 * errors and isolation.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { rebuild } from '../../src/domain/loyalty.js';
import { toNumber } from '../../src/domain/money.js';
import { ledgerHistory, ownerLedgers } from '../../src/store/repos/loyaltyLedgers.js';
import { withTestServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { newProgram } from './helpers.js';

const zero = { activePoints: 0, pendingPoints: 0, spentPoints: 0, expiredPoints: 0, negativePoints: 0 };

async function rows(s: TestServer, table: string): Promise<number> {
  return Number((await s.db.transaction((sql) => sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)))!.n);
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
  describe(`loyalty transaction deletion (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('per scope: selected (sub)ledgers, then all; balances reset, the rest untouched', (t) => withTestServer(kind, t, async (s) => {
      const app = await s.newApplication();
      const created = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id]));
      const pid = created.json().id as number;
      const base = `/v1/loyalty_programs/${pid}/profile`;
      const add = async (who: string, body: object) => assert.equal((await s.mgmt('PUT', `${base}/${who}/add_points`, body)).statusCode, 204);
      for (const who of ['alice', 'bob']) {
        await add(who, { points: 110.5 });
        await add(who, { points: 20, subledgerId: 'fuel' });
        await add(who, { points: 7, subledgerId: 'food', pendingDuration: '2D' });
        assert.equal((await s.mgmt('PUT', `${base}/${who}/deduct_points`, { points: 10.5 })).statusCode, 204);
      }
      const del = (who: string, body: unknown, key = app.key) => s.integ(key, 'POST', `${base}/${who}/delete_transactions`, body);
      const balances = async (who: string) => (await s.integ(app.key, 'GET', `${base}/${who}/balances`)).json();
      const bobBefore = await balances('bob');
      const entries = await rows(s, 'loyalty_transactions');

      let r = await del('alice', { scope: 'SelectedSubledgers', subledgerIds: ['', 'fuel'] });
      assert.equal(r.statusCode, 204, r.body);
      assert.deepEqual(await balances('alice'), { balance: zero, subledgerBalances: { food: { ...zero, pendingPoints: 7 }, fuel: zero } });
      assert.equal(await rows(s, 'loyalty_transactions'), entries - 3);
      await assertRebuildMatches(s, pid, 'alice');
      // the entries are gone from the logs; the rest stays
      const log = (await s.integ(app.key, 'GET', `${base}/alice/transactions`)).json().data as { subledgerId: string }[];
      assert.deepEqual(log.map((e) => e.subledgerId), ['food']);
      // points can be added again afterwards
      await add('alice', { points: 3 });
      assert.deepEqual((await balances('alice')).balance, { ...zero, activePoints: 3 });

      r = await del('alice', { scope: 'AllSubledgers' });
      assert.equal(r.statusCode, 204, r.body);
      assert.deepEqual(await balances('alice'), { balance: zero, subledgerBalances: { food: zero, fuel: zero } });
      await assertRebuildMatches(s, pid, 'alice');
      assert.equal(await rows(s, 'loyalty_transactions'), entries - 4);
      assert.equal(await rows(s, 'loyalty_spends'), 1, "bob's deduction only");
      assert.deepEqual(await balances('bob'), bobBefore);
      // an unknown subledger id deletes nothing
      assert.equal((await del('bob', { scope: 'SelectedSubledgers', subledgerIds: ['nope'] })).statusCode, 204);
      assert.deepEqual(await balances('bob'), bobBefore);

      // errors: SelectedSubledgers without ids, a bad scope, unknown profile or program, another Application
      for (const body of [{ scope: 'SelectedSubledgers' }, { scope: 'SelectedSubledgers', subledgerIds: [] }, { scope: 'SelectedSubledgers', subledgerIds: null }, { scope: 'Some' }, {}]) {
        assert.equal((await del('bob', body)).statusCode, 400, JSON.stringify(body));
      }
      assert.equal((await del('nobody', { scope: 'AllSubledgers' })).statusCode, 404);
      assert.equal((await s.integ(app.key, 'POST', '/v1/loyalty_programs/9999/profile/bob/delete_transactions', { scope: 'AllSubledgers' })).statusCode, 404);
      const other = await s.newApplication();
      assert.equal((await del('bob', { scope: 'AllSubledgers' }, other.key)).statusCode, 404);
      assert.deepEqual(await balances('bob'), bobBefore);
    }));
  });
}
