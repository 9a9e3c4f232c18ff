/**
 * getDashboardStatistics on both stores, every figure checked against values computed by hand: one data point
 * per ended day of the program's time zone (balances at the day's end, points earned and spent and members
 * joined that day), the range bounds, `subledgerId`, a non-UTC time zone; and getLoyaltyStatistics, which the
 * same scan serves, at the same instant.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { withTestServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { clock, newProgram } from './helpers.js';

type Json = Record<string, any>;

/** A LoyaltyDashboardData as a test writes it: [active, pending, spent, expired], [members, new], earned [manual, rules], spent [manual, rules]. */
function point(date: string, [active, pending, spent, expired]: number[], [members, newMembers]: number[], earned = [0, 0], spentBy = [0, 0]) {
  return {
    date, totalActivePoints: active, totalPendingPoints: pending, totalSpentPoints: spent, totalExpiredPoints: expired, totalNegativePoints: 0,
    totalMembers: members, newMembers, spentPoints: { createdManually: spentBy[0], createdViaRuleEngine: spentBy[1] },
    earnedPoints: { createdManually: earned[0], createdViaRuleEngine: earned[1] },
  };
}

/** The last entry written, counted as a session's (sessions do not earn or spend points yet). */
const lastFromSession = (s: TestServer) => s.db.transaction((sql) => sql.run("UPDATE loyalty_transactions SET source = 'session' WHERE id = (SELECT MAX(id) FROM loyalty_transactions)"));

for (const kind of STORES) {
  describe(`loyalty dashboard statistics (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('a data point per ended day, figures computed by hand; subledgerId; the range; a non-UTC time zone', (t) => {
      const c = clock('2026-03-01T10:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const app = await s.newApplication();
        const pid = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { programJoinPolicy: 'points_earned' }))).json().id as number;
        const berlin = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { programJoinPolicy: 'points_earned', timezone: 'Europe/Berlin' }))).json().id as number;
        const change = async (program: number, who: string, op: 'add_points' | 'deduct_points', body: Json) =>
          assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${program}/profile/${who}/${op}`, body)).statusCode, 204);
        // 03-01
        await change(pid, 'alice', 'add_points', { points: 100 });
        c.set('2026-03-01T11:00:00Z');
        await change(pid, 'bob', 'add_points', { points: 50, validityDuration: '2D' }); // expires 03-03 11:00
        c.set('2026-03-01T12:00:00Z');
        await change(pid, 'alice', 'deduct_points', { points: 30 });
        c.set('2026-03-01T23:30:00Z'); // 03-02 00:30 in Berlin
        await change(berlin, 'eve', 'add_points', { points: 1 });
        // 03-02
        c.set('2026-03-02T09:00:00Z');
        await change(pid, 'carol', 'add_points', { points: 20, subledgerId: 'fuel' });
        c.set('2026-03-02T10:00:00Z');
        await change(pid, 'alice', 'add_points', { points: 10, pendingDuration: '1D' }); // active from 03-03 10:00
        // 03-03
        c.set('2026-03-03T15:00:00Z');
        await change(pid, 'dave', 'add_points', { points: 5 });
        await lastFromSession(s);
        c.set('2026-03-03T16:00:00Z');
        await change(pid, 'alice', 'deduct_points', { points: 4 });
        await lastFromSession(s);
        c.set('2026-03-04T06:00:00Z');

        const dashboard = async (program: number, query: string) => {
          const r = await s.mgmt('GET', `/v1/loyalty_programs/${program}/dashboard?${query}`);
          assert.equal(r.statusCode, 200, r.body);
          return r.json();
        };
        const days = [
          point('2026-03-01T00:00:00.000Z', [120, 0, 30, 0], [2, 2], [150, 0], [30, 0]),
          point('2026-03-02T00:00:00.000Z', [140, 10, 30, 0], [3, 1], [30, 0]),
          point('2026-03-03T00:00:00.000Z', [101, 0, 34, 50], [4, 1], [0, 5], [0, 4]),
        ];
        // days before the program was created have no data point, nor has today (not ended)
        assert.deepEqual(await dashboard(pid, 'rangeStart=2026-02-20T00:00:00Z&rangeEnd=2026-03-31T00:00:00Z'), { totalResultSize: 3, data: days });
        // a day is in the range when its start is: 03-01 starts before rangeStart; rangeEnd is inclusive
        assert.deepEqual(await dashboard(pid, 'rangeStart=2026-03-01T12:00:00Z&rangeEnd=2026-03-02T00:00:00Z'), { totalResultSize: 1, data: [days[1]] });
        assert.deepEqual(await dashboard(pid, 'rangeStart=2026-03-04T00:00:00Z&rangeEnd=2026-03-05T00:00:00Z'), { totalResultSize: 0, data: [] });
        // a subledger's balances and points; members stay the program's
        assert.deepEqual((await dashboard(pid, 'rangeStart=2026-03-01T00:00:00Z&rangeEnd=2026-03-03T00:00:00Z&subledgerId=fuel')).data, [
          point('2026-03-01T00:00:00.000Z', [0, 0, 0, 0], [2, 2]),
          point('2026-03-02T00:00:00.000Z', [20, 0, 0, 0], [3, 1], [20, 0]),
          point('2026-03-03T00:00:00.000Z', [20, 0, 0, 0], [4, 1]),
        ]);
        assert.deepEqual((await dashboard(pid, 'rangeStart=2026-03-02T00:00:00Z&rangeEnd=2026-03-02T00:00:00Z&subledgerId=')).data,
          [point('2026-03-02T00:00:00.000Z', [120, 10, 30, 0], [3, 1], [10, 0])]);
        // Europe/Berlin (UTC+1): eve's points, added at 23:30 UTC, are the next local day's
        assert.deepEqual(await dashboard(berlin, 'rangeStart=2026-02-28T23:00:00Z&rangeEnd=2026-03-03T00:00:00Z'), { totalResultSize: 3, data: [
          point('2026-02-28T23:00:00.000Z', [0, 0, 0, 0], [0, 0]),
          point('2026-03-01T23:00:00.000Z', [1, 0, 0, 0], [1, 1], [1, 0]),
          point('2026-03-02T23:00:00.000Z', [1, 0, 0, 0], [1, 0]),
        ] });

        // the deprecated statistics: now, points since the program began, new members since today began
        assert.deepEqual((await s.mgmt('GET', `/v1/loyalty_programs/${pid}/statistics`)).json(),
          point('2026-03-04T06:00:00.000Z', [101, 0, 34, 50], [4, 0], [180, 5], [30, 4]));

        const base = `/v1/loyalty_programs/${pid}/dashboard`;
        for (const q of ['rangeStart=2026-03-02T00:00:00Z&rangeEnd=2026-03-01T00:00:00Z', 'rangeStart=2026-03-01T00:00:00Z', 'rangeEnd=2026-03-01T00:00:00Z',
          'rangeStart=yesterday&rangeEnd=2026-03-01T00:00:00Z']) {
          assert.equal((await s.mgmt('GET', `${base}?${q}`)).statusCode, 400, q);
        }
        assert.equal((await s.mgmt('GET', '/v1/loyalty_programs/99999/dashboard?rangeStart=2026-03-01T00:00:00Z&rangeEnd=2026-03-02T00:00:00Z')).statusCode, 404);
        assert.equal((await s.integ(app.key, 'GET', `${base}?rangeStart=2026-03-01T00:00:00Z&rangeEnd=2026-03-02T00:00:00Z`)).statusCode, 401);
      }, c.now);
    });

    test('a card-based program: the totals are its cards\' balances', (t) => {
      const c = clock('2026-05-10T08:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const app = await s.newApplication();
        const pid = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { cardBased: true }))).json().id as number;
        assert.equal((await s.integ(app.key, 'POST', `/v1/loyalty_programs/${pid}/cards`, { cardIdentifier: 'card-0001' })).statusCode, 200);
        assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${pid}/cards/card-0001/add_points`, { points: 12.5 })).statusCode, 204);
        assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${pid}/cards/card-0001/deduct_points`, { points: 0.25 })).statusCode, 204);
        c.set('2026-05-11T08:00:00Z');
        const r = await s.mgmt('GET', `/v1/loyalty_programs/${pid}/dashboard?rangeStart=2026-05-01T00:00:00Z&rangeEnd=2026-05-31T00:00:00Z`);
        assert.deepEqual(r.json(), { totalResultSize: 1, data: [point('2026-05-10T00:00:00.000Z', [12.25, 0, 0.25, 0], [0, 0], [12.5, 0], [0.25, 0])] });
      }, c.now);
    });
  });
}
