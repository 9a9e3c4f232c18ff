/**
 * exportLoyaltyBalances, exportLoyaltyBalance (deprecated path), exportLoyaltyJoinDates and
 * getLoyaltyStatistics on both stores: exact columns, exact decimals (110.5 stays 110.5), balances at an
 * endDate, join dates per policy, 404 for an unknown program.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { withTestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { newProgram } from './helpers.js';

function clock(start: string) {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), set: (s: string) => { t = new Date(s).getTime(); } };
}

const HEAD = 'loyaltyProgramID,loyaltySubledger,profileIntegrationID,currentBalance,pendingBalance,expiredBalance,spentBalance,currentTier';

for (const kind of STORES) {
  describe(`loyalty exports and statistics (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('balances, join dates and statistics', (t) => {
      const c = clock('2026-03-01T12:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const app = await s.newApplication();
        const pid = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { programJoinPolicy: 'points_activated' }))).json().id as number;
        const base = `/v1/loyalty_programs/${pid}`;
        const add = async (who: string, body: object) => assert.equal((await s.mgmt('PUT', `${base}/profile/${who}/add_points`, body)).statusCode, 204);
        await add('alice', { points: 110.5 });
        await add('alice', { points: 0.1, subledgerId: 'fuel, "premium"' });
        await add('alice', { points: 0.2, subledgerId: 'fuel, "premium"', validityDuration: '1D' });
        assert.equal((await s.mgmt('PUT', `${base}/profile/alice/deduct_points`, { points: 10.25 })).statusCode, 204);
        await add('bob', { points: 3, pendingDuration: '2D' });
        await add('carol', { points: 9, pendingDuration: 'on_action' });
        c.set('2026-03-02T13:00:00Z');

        const now = await s.mgmt('GET', `${base}/export_customer_balances`);
        assert.equal(now.statusCode, 200, now.body);
        assert.match(String(now.headers['content-type']), /^application\/csv/);
        assert.equal(now.body, [HEAD, `${pid},,alice,100.25,0,0,10.25,`, `${pid},"fuel, ""premium""",alice,0.1,0,0.2,0,`, `${pid},,bob,0,3,0,0,`, `${pid},,carol,0,9,0,0,`, ''].join('\n'));
        // the deprecated path answers the same
        assert.equal((await s.mgmt('GET', `${base}/export_customer_balance`)).body, now.body);
        // at an endDate: the past (rebuilt), the future (bob's points active, carol's still waiting)
        assert.equal((await s.mgmt('GET', `${base}/export_customer_balances?endDate=2026-03-01T12:00:00Z`)).body,
          [HEAD, `${pid},,alice,100.25,0,0,10.25,`, `${pid},"fuel, ""premium""",alice,0.3,0,0,0,`, `${pid},,bob,0,3,0,0,`, `${pid},,carol,0,9,0,0,`, ''].join('\n'));
        assert.equal((await s.mgmt('GET', `${base}/export_customer_balances?endDate=2026-03-10T00:00:00Z`)).body,
          [HEAD, `${pid},,alice,100.25,0,0,10.25,`, `${pid},"fuel, ""premium""",alice,0.1,0,0.2,0,`, `${pid},,bob,3,0,0,0,`, `${pid},,carol,0,9,0,0,`, ''].join('\n'));
        assert.equal((await s.mgmt('GET', `${base}/export_customer_balances?endDate=2026-01-01T00:00:00Z`)).body, `${HEAD}\n`, 'no ledger existed then');

        // join dates: alice joined at once; bob's points start 03-03 12:00 (not yet); carol's await an action
        const joins = () => s.mgmt('GET', `${base}/export_join_dates`);
        assert.equal((await joins()).body, `loyaltyProgramID,profileIntegrationID,joinDate\n${pid},alice,2026-03-01T12:00:00.000Z\n`);
        c.set('2026-03-04T00:00:00Z');
        assert.equal((await joins()).body, `loyaltyProgramID,profileIntegrationID,joinDate\n${pid},alice,2026-03-01T12:00:00.000Z\n${pid},bob,2026-03-03T12:00:00.000Z\n`);

        const stats = await s.mgmt('GET', `${base}/statistics`);
        assert.equal(stats.statusCode, 200, stats.body);
        assert.deepEqual(stats.json(), {
          date: '2026-03-04T00:00:00.000Z', totalActivePoints: 103.35, totalPendingPoints: 9, totalSpentPoints: 10.25, totalExpiredPoints: 0.2, totalNegativePoints: 0,
          totalMembers: 2, newMembers: 0, spentPoints: { createdManually: 10.25, createdViaRuleEngine: 0 }, earnedPoints: { createdManually: 122.8, createdViaRuleEngine: 0 },
        });

        for (const path of ['export_customer_balances', 'export_customer_balance', 'export_join_dates', 'statistics']) {
          assert.equal((await s.mgmt('GET', `/v1/loyalty_programs/9999/${path}`)).statusCode, 404, path);
          assert.equal((await s.integ(app.key, 'GET', `${base}/${path}`)).statusCode, 401, path);
        }
      }, c.now);
    });
  });
}
