/** Ledger entries and unused points: the profile and program lists, their filters and paging, on both stores. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { withTestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { newProgram } from './helpers.js';

for (const kind of STORES) {
  describe(`loyalty transactions and points (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('profile and program transaction lists, unused points by status', (t) => {
      let now = new Date('2026-03-01T00:00:00Z').getTime();
      return withTestServer(kind, t, async (s) => {
        const app = await s.newApplication();
        const other = await s.newApplication();
        const pid = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id]))).json().id;
        const base = `/v1/loyalty_programs/${pid}/profile`;
        const step = () => { now += 60_000; };
        assert.equal((await s.mgmt('PUT', `${base}/ann/add_points`, { points: 10, name: 'first', validityDuration: '5D' })).statusCode, 204); step();
        assert.equal((await s.mgmt('PUT', `${base}/ann/add_points`, { points: 20.5, name: 'second', subledgerId: 'sub' })).statusCode, 204); step();
        assert.equal((await s.mgmt('PUT', `${base}/ann/add_points`, { points: 7, name: 'later', pendingDuration: '2D' })).statusCode, 204); step();
        assert.equal((await s.mgmt('PUT', `${base}/ann/deduct_points`, { points: 4, name: 'spend' })).statusCode, 204); step();
        assert.equal((await s.mgmt('PUT', `${base}/ben/add_points`, { points: 1, name: 'ben' })).statusCode, 204); step();

        const log = await s.integ(app.key, 'GET', `${base}/ann/transactions`);
        assert.equal(log.statusCode, 200, log.body);
        const entries = log.json().data;
        assert.equal(log.json().hasMore, false);
        assert.deepEqual(entries.map((e: any) => [e.type, e.name, e.amount, e.subledgerId, e.startDate, e.expiryDate]), [
          ['subtraction', 'spend', 4, '', 'immediate', 'unlimited'],
          ['addition', 'later', 7, '', '2026-03-03T00:02:00.000Z', 'unlimited'],
          ['addition', 'second', 20.5, 'sub', 'immediate', 'unlimited'],
          ['addition', 'first', 10, '', 'immediate', '2026-03-06T00:00:00.000Z'],
        ]);
        assert.equal(entries[3].validityDuration, '5D');
        assert.equal(typeof entries[0].transactionUUID, 'string');
        assert.equal(entries[0].programId, pid);
        const mgmtLog = await s.mgmt('GET', `${base}/ann/ledger_transactions`);
        assert.equal(mgmtLog.body, log.body);

        const page = (await s.integ(app.key, 'GET', `${base}/ann/transactions?pageSize=3&skip=1`)).json();
        assert.deepEqual([page.hasMore, page.data.map((e: any) => e.name)], [false, ['later', 'second', 'first']]);
        assert.deepEqual((await s.integ(app.key, 'GET', `${base}/ann/transactions?pageSize=2`)).json().hasMore, true);
        assert.deepEqual((await s.integ(app.key, 'GET', `${base}/ann/transactions?subledgerId=sub`)).json().data.map((e: any) => e.name), ['second']);
        const uuids = [entries[0].transactionUUID, entries[3].transactionUUID];
        assert.deepEqual((await s.integ(app.key, 'GET', `${base}/ann/transactions?transactionUUIDs=${uuids[0]}&transactionUUIDs=${uuids[1]}`)).json().data.map((e: any) => e.name), ['spend', 'first']);
        assert.deepEqual((await s.integ(app.key, 'GET', `${base}/ann/transactions?transactionUUIDs=${uuids[1]}`)).json().data.map((e: any) => e.name), ['first']);
        assert.deepEqual((await s.integ(app.key, 'GET', `${base}/ann/transactions?startDate=2026-03-01T00:01:00Z&endDate=2026-03-01T00:02:00Z`)).json().data.map((e: any) => e.name), ['later', 'second']);
        assert.deepEqual((await s.integ(app.key, 'GET', `${base}/ann/transactions?loyaltyTransactionType=session`)).json().data, []);
        assert.equal((await s.integ(app.key, 'GET', `${base}/ann/transactions?awaitsActivation=false`)).statusCode, 400);
        assert.deepEqual((await s.integ(app.key, 'GET', `${base}/ann/transactions?awaitsActivation=true`)).json().data, []);
        assert.equal((await s.mgmt('PUT', `${base}/ben/add_points`, { points: 3, name: 'on action', pendingDuration: 'on_action' })).statusCode, 204);
        assert.deepEqual((await s.integ(app.key, 'GET', `${base}/ben/transactions?awaitsActivation=true`)).json().data.map((e: any) => [e.name, e.startDate]), [['on action', 'on_action']]);
        assert.equal((await s.integ(app.key, 'GET', `${base}/ann/transactions?pageSize=1001`)).statusCode, 400);
        assert.equal((await s.integ(other.key, 'GET', `${base}/ann/transactions`)).statusCode, 404);

        const all = (await s.mgmt('GET', `/v1/loyalty_programs/${pid}/transactions?pageSize=2`)).json();
        assert.deepEqual([all.hasMore, all.data.map((e: any) => [e.customerProfileId, e.name])], [true, [['ben', 'on action'], ['ben', 'ben']]]);

        const points = async (q: string) => (await s.integ(app.key, 'GET', `${base}/ann/points${q}`)).json().data.map((p: any) => [p.name, p.amount]);
        // the 4 spent came out of the 10 that expire first
        assert.deepEqual(await points(''), [['first', 6], ['second', 20.5]]);
        assert.deepEqual(await points('?status=pending'), [['later', 7]]);
        assert.deepEqual(await points('?status=expired'), []);
        assert.deepEqual(await points('?sort=-expiryDate'), [['second', 20.5], ['first', 6]], 'unlimited is the latest expiry');
        assert.deepEqual(await points('?sort=expiryDate'), [['first', 6], ['second', 20.5]]);
        assert.deepEqual(await points('?subledgerId=sub'), [['second', 20.5]]);
        assert.equal((await s.integ(other.key, 'GET', `${base}/ann/points`)).statusCode, 404);
        now = new Date('2026-03-10T00:00:00Z').getTime();
        assert.deepEqual(await points(''), [['second', 20.5], ['later', 7]]);
        assert.deepEqual(await points('?status=expired'), [['first', 6]]);
        assert.deepEqual(await points('?sort=-startDate'), [['later', 7], ['second', 20.5]]);

        // getLoyaltyPoints: balances, entries and points by status, per (sub)ledger
        const l = await s.mgmt('GET', `/v1/loyalty_programs/${pid}/profile/ann`);
        assert.equal(l.statusCode, 200, l.body);
        const { ledger, subLedgers } = l.json();
        assert.deepEqual([ledger.total, ledger.totalActivePoints, ledger.totalPendingPoints, ledger.totalSpentPoints, ledger.totalExpiredPoints, ledger.totalNegativePoints], [7, 7, 0, 4, 6, 0]);
        assert.deepEqual(ledger.transactions.map((e: any) => [e.type, e.amount, e.name, e.subLedgerID, e.customerProfileID]),
          [['subtraction', 4, 'spend', '', 'ann'], ['addition', 7, 'later', '', 'ann'], ['addition', 10, 'first', '', 'ann']]);
        assert.equal(ledger.transactions[2].startDate, ledger.transactions[2].created);
        assert.equal(ledger.transactions[2].expiryDate, '2026-03-06T00:00:00.000Z');
        assert.equal(ledger.transactions[1].expiryDate, undefined, 'unlimited: no expiryDate');
        assert.deepEqual(ledger.activePoints.map((e: any) => [e.name, e.amount]), [['later', 7]]);
        assert.deepEqual(ledger.expiredPoints.map((e: any) => [e.type, e.name, e.amount]), [['expire', 'first', 6]]);
        assert.deepEqual([ledger.pendingPoints, ledger.expiringPoints], [[], []]);
        assert.deepEqual(Object.keys(subLedgers), ['sub']);
        assert.equal(subLedgers.sub.totalActivePoints, 20.5);
        assert.equal((await s.mgmt('GET', `/v1/loyalty_programs/${pid}/profile/nobody`)).statusCode, 404);

        // exportLoyaltyLedger: CSV, oldest first, within the range
        const csv = await s.mgmt('GET', `${base}/ann/export_log?rangeStart=2026-03-01T00:00:00Z&rangeEnd=2026-03-01T00:02:00Z`);
        assert.equal(csv.statusCode, 200, csv.body);
        assert.match(String(csv.headers['content-type']), /^application\/csv/);
        const lines = csv.body.trim().split('\n');
        assert.equal(lines[0], 'customerprofileid,customersessionid,rulesetid,rulename,programid,type,name,subledgerid,startdate,expirydate,id,created,amount,archived,campaignid,flags,transactionUUID');
        assert.deepEqual(lines.slice(1).map((x) => x.split(',').slice(5, 10)), [
          ['addition', 'first', '', 'immediate', '2026-03-06T00:00:00.000Z'], ['addition', 'second', 'sub', 'immediate', 'unlimited'], ['addition', 'later', '', '2026-03-03T00:02:00.000Z', 'unlimited'],
        ]);
        assert.equal(lines[1].split(',')[12], '10');
        const excel = await s.mgmt('GET', `${base}/ann/export_log?rangeStart=2026-03-01T00:00:00Z&rangeEnd=2026-03-01T00:00:00Z&dateFormat=excel`);
        assert.deepEqual(excel.body.trim().split('\n')[1].split(',').slice(8, 12).filter((_, i) => i !== 2), ['immediate', '2026-03-06 00:00:00', '2026-03-01 00:00:00']);
        assert.equal((await s.mgmt('GET', `${base}/ann/export_log?rangeStart=2026-03-01T00:00:00Z`)).statusCode, 400);
        assert.equal((await s.mgmt('GET', `${base}/nobody/export_log?rangeStart=2026-03-01T00:00:00Z&rangeEnd=2026-03-02T00:00:00Z`)).statusCode, 404);
      }, () => new Date(now));
    });
  });
}
