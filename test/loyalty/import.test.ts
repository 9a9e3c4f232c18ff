/**
 * importLoyaltyPoints on both stores: the columns and their defaults, additions to existing balances,
 * missing profiles created, join dates, a bad row naming its line and leaving nothing behind, and a
 * 50 000-row file.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { withTestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { clock, newProgram, upload } from './helpers.js';

const bal = (active: number, pending = 0, spent = 0, expired = 0) => ({ activePoints: active, pendingPoints: pending, spentPoints: spent, expiredPoints: expired, negativePoints: 0 });

for (const kind of STORES) {
  describe(`loyalty points import (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('columns and defaults; adds to balances; creates profiles; join dates', (t) => {
      const c = clock('2026-03-01T12:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const app = await s.newApplication();
        const pid = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { programJoinPolicy: 'points_earned', defaultValidity: '1D' }))).json().id as number;
        assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${pid}/profile/alice/add_points`, { points: 10 })).statusCode, 204);
        const r = await upload(s, pid, [
          'customerprofileid,amount,startdate,expirydate,validityDuration,subledgerid,reason',
          'alice,110.5,,,,,appeasement',
          'alice,5,immediate,unlimited,,fuel,',
          'bob,0.1,2026-03-10T00:00:00Z,2026-03-20T00:00:00+01:00,,,"late, but fine"',
          'bob,0.2,on_action,,30D,,',
          'carol,7,,,2D,,',
          '',
        ].join('\n'));
        assert.equal(r.statusCode, 200, r.body);
        const body = r.json();
        assert.deepEqual({ ...body, id: 0 }, { id: 0, created: '2026-03-01T12:00:00.000Z', accountId: 1, userId: 1, entity: 'LoyaltyPoints', amount: 5 });
        const balances = async (who: string) => (await s.integ(app.key, 'GET', `/v1/loyalty_programs/${pid}/profile/${who}/balances`)).json();
        // empty dates: immediate and unlimited (not the program's 1D default validity)
        assert.deepEqual(await balances('alice'), { balance: bal(120.5), subledgerBalances: { fuel: bal(5) } });
        assert.deepEqual(await balances('bob'), { balance: bal(0, 0.3), subledgerBalances: {} });
        assert.deepEqual(await balances('carol'), { balance: bal(7), subledgerBalances: {} });
        const log = (await s.mgmt('GET', `/v1/loyalty_programs/${pid}/transactions?loyaltyTransactionType=import`)).json().data as Record<string, unknown>[];
        assert.deepEqual(log.map((e) => [e.customerProfileId, e.amount, e.name, e.startDate, e.expiryDate, e.subledgerId, e.importId, e.validityDuration]).reverse(), [
          ['alice', 110.5, 'appeasement', 'immediate', 'unlimited', '', body.id, undefined],
          ['alice', 5, '', 'immediate', 'unlimited', 'fuel', body.id, undefined],
          ['bob', 0.1, 'late, but fine', '2026-03-10T00:00:00.000Z', '2026-03-19T23:00:00.000Z', '', body.id, undefined],
          ['bob', 0.2, '', 'on_action', 'unlimited', '', body.id, '30D'],
          ['carol', 7, '', 'immediate', '2026-03-03T12:00:00.000Z', '', body.id, '2D'],
        ]);
        c.set('2026-03-15T00:00:00Z');
        assert.deepEqual((await balances('bob')).balance, bal(0.1, 0.2));
        assert.deepEqual((await balances('carol')).balance, bal(0, 0, 0, 7));
        const joins = (await s.mgmt('GET', `/v1/loyalty_programs/${pid}/export_join_dates`)).body;
        assert.equal(joins, `loyaltyProgramID,profileIntegrationID,joinDate\n${pid},alice,2026-03-01T12:00:00.000Z\n${pid},bob,2026-03-01T12:00:00.000Z\n${pid},carol,2026-03-01T12:00:00.000Z\n`);
      }, c.now);
    });

    test('a bad row is a 400 naming its line, and the import leaves nothing behind', (t) => withTestServer(kind, t, async (s) => {
      const app = await s.newApplication();
      const pid = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id]))).json().id as number;
      const noSub = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { allowSubledger: false }))).json().id as number;
      const head = 'customerprofileid,amount,startdate,expirydate,validityDuration,subledgerid,reason';
      const cases: [string, number, number?][] = [
        [`${head}\nok,1,,,,,\nbad,0,,,,,`, 3],
        [`${head}\nok,1,,,,,\nbad,-1,,,,,`, 3],
        [`${head}\nbad,abc,,,,,`, 2],
        [`${head}\nbad,1e3,,,,,`, 2],
        [`${head}\nbad,1000000000000,,,,,`, 2],
        [`${head}\n,1,,,,,`, 2],
        [`${head}\nbad,1,yesterday,,,,`, 2],
        [`${head}\nbad,1,,2026-13-01T00:00:00Z,,,`, 2],
        [`${head}\nbad,1,,2099-01-01T00:00:00Z,30D,,`, 2],
        [`${head}\nbad,1,,,3x,,`, 2],
        [`${head}\nbad,1,2099-02-01T00:00:00Z,2099-01-01T00:00:00Z,,,`, 2],
        [`${head}\nok,1,,,,,\n\n"multi\nline",1,,,,,\nbad,1,,`, 6],
        ['customerprofileid,amount,colour\nbad,1,red', 1],
        ['amount\n1', 1],
        ['identifier,amount\ncard,1', 1],
        ['', 1],
        [`${head}\nbad,1,,,,sub,`, 2, noSub],
      ];
      for (const [csv, line, program] of cases) {
        const r = await upload(s, program ?? pid, csv);
        assert.equal(r.statusCode, 400, `${csv}: ${r.body}`);
        assert.equal(r.json().errors[0].source.line, String(line), `${csv}: ${r.body}`);
      }
      const n = await s.db.transaction((sql) => sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM loyalty_transactions'));
      assert.equal(Number(n!.n), 0);
      assert.equal((await s.mgmt('GET', `/v1/loyalty_programs/${pid}/profile/ok/ledger_balances`)).statusCode, 404, 'no profile left behind');
      assert.equal((await upload(s, 9999, `${head}\nx,1,,,,,`)).statusCode, 404);
      const noFile = await s.mgmt('POST', `/v1/loyalty_programs/${pid}/import_points`, { upFile: 'x' });
      assert.equal(noFile.statusCode, 400);
      const cards = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { cardBased: true }))).json().id as number;
      assert.equal((await upload(s, cards, 'identifier,amount\ncard,1')).statusCode, 400);
      assert.equal((await s.integ(app.key, 'POST', `/v1/loyalty_programs/${pid}/import_points`, {})).statusCode, 401);
    }));

    test('a 50 000-row file is imported in one go', (t) => withTestServer(kind, t, async (s) => {
      const app = await s.newApplication();
      const pid = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id]))).json().id as number;
      const lines = ['customerprofileid,amount,subledgerid'];
      for (let i = 0; i < 50_000; i++) lines.push(`p${i % 20_000},${i % 3 === 0 ? '1.5' : '2'},${i % 7 === 0 ? 'sub' : ''}`);
      const r = await upload(s, pid, lines.join('\n'));
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().amount, 50_000);
      // p0 gets rows 0, 20000, 40000: 1.5 (sub), 2 (sub? 20000 % 7 = 1: main), 2 (40000 % 7 = 2: main)
      const b = (await s.mgmt('GET', `/v1/loyalty_programs/${pid}/profile/p0/ledger_balances`)).json();
      assert.deepEqual(b, { balance: bal(4), subledgerBalances: { sub: bal(1.5) } });
      const csv = (await s.mgmt('GET', `/v1/loyalty_programs/${pid}/export_customer_balances`)).body.trim().split('\n');
      assert.equal(csv.length - 1, await s.db.transaction(async (sql) => Number((await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM loyalty_ledgers'))!.n)));
      let total = 0;
      for (const row of csv.slice(1)) total += Math.round(Number(row.split(',')[3]) * 10);
      assert.equal(total, 16_667 * 15 + 33_333 * 20);
    }));
  });
}
