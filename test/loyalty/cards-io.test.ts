/**
 * importLoyaltyCards, exportLoyaltyCards and exportLoyaltyCardBalances on both stores (docs/loyalty-cards.md):
 * the columns, profiles created and linked, per-row errors naming their line with nothing written, a file of
 * 25 000 cards, the export's filters and date format, balances at an endDate with exact decimals, and the 404s,
 * 400s and 401s.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { withTestServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { clock, newProgram, upload } from './helpers.js';

type Json = Record<string, any>;

const CODES = { couponPattern: 'CARD-####-####', validCharacters: [...'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'] };
const CARDS_HEAD = 'identifier,created,status,userpercardlimit,customerprofileids,blockreason,generated,batchid,attributes';
const BALANCES_HEAD = 'loyaltyProgramID,loyaltySubledger,cardIdentifier,cardState,currentBalance,pendingBalance,expiredBalance,spentBalance';

async function cardProgram(s: TestServer, extra: Json = {}) {
  const app = await s.newApplication();
  const r = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { cardBased: true, usersPerCardLimit: 2, cardCodeSettings: CODES, ...extra }));
  assert.equal(r.statusCode, 201, r.body);
  return { app, pid: r.json().id as number };
}

const count = async (s: TestServer, query: string, params: (string | number)[] = []) =>
  s.db.transaction(async (sql) => Number((await sql.get<{ n: number }>(query, params))!.n));

/** A CSV export's body (a 200 in application/csv). */
async function csvAt(s: TestServer, url: string): Promise<string> {
  const r = await s.mgmt('GET', url);
  assert.equal(r.statusCode, 200, r.body);
  assert.match(String(r.headers['content-type']), /^application\/csv/);
  return r.body;
}

const importCards = (s: TestServer, pid: number, csv: string) => upload(s, pid, csv, 'import_cards');

for (const kind of STORES) {
  describe(`loyalty card import and exports (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('importLoyaltyCards: the columns, states, linked profiles (created if missing), the Import answer', (t) => {
      const c = clock('2026-03-01T12:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const { app, pid } = await cardProgram(s);
        const r = await importCards(s, pid, [
          'identifier,state,customerprofileids',
          '123-456-789AT,active,Alexa001;UserA',
          'inactive.card,inactive,',
          'anon@card%1,active, bob ; bob ;',
          '',
        ].join('\r\n'));
        assert.equal(r.statusCode, 200, r.body);
        const body = r.json();
        assert.ok(Number.isInteger(body.id) && body.id > 0);
        assert.deepEqual({ ...body, id: 0 }, { id: 0, created: '2026-03-01T12:00:00.000Z', accountId: 1, userId: 1, entity: 'LoyaltyCards', amount: 3 });
        const card = async (id: string) => (await s.mgmt('GET', `/v1/loyalty_programs/${pid}/cards/${encodeURIComponent(id)}`)).json();
        const first = await card('123-456-789AT');
        assert.equal(first.status, 'active');
        assert.equal(first.usersPerCardLimit, 2);
        assert.deepEqual(first.profiles, [{ integrationId: 'Alexa001', timestamp: '2026-03-01T12:00:00.000Z' }, { integrationId: 'UserA', timestamp: '2026-03-01T12:00:00.000Z' }]);
        assert.equal((await card('inactive.card')).status, 'inactive');
        assert.deepEqual((await card('anon@card%1')).profiles.map((p: Json) => p.integrationId), ['bob']);
        assert.equal(await count(s, "SELECT COUNT(*) AS n FROM profiles WHERE integration_id IN ('Alexa001', 'UserA', 'bob')"), 3, 'profiles created');
        // an imported card is an ordinary card: it earns, links, transfers
        assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${pid}/cards/123-456-789AT/add_points`, { points: 1.5 })).statusCode, 204);
        assert.equal((await s.integ(app.key, 'POST', `/v2/loyalty_programs/${pid}/cards/anon%40card%251/link_profile`, { integrationId: 'carol' })).statusCode, 200);
        // the header: any order, any case; customerprofileids optional
        const second = await importCards(s, pid, 'State,IDENTIFIER\ninactive,second-file');
        assert.equal(second.statusCode, 200, second.body);
        assert.equal(second.json().amount, 1);
        assert.notEqual(second.json().id, body.id);
        assert.equal((await card('second-file')).status, 'inactive');
        // a header alone imports nothing
        assert.equal((await importCards(s, pid, 'identifier,state\n')).json().amount, 0);
      }, c.now);
    });

    test('importLoyaltyCards: a bad row is a 400 naming its line, and the import leaves nothing behind', (t) => withTestServer(kind, t, async (s) => {
      const { app, pid } = await cardProgram(s);
      assert.equal((await s.integ(app.key, 'POST', `/v1/loyalty_programs/${pid}/cards`, { cardIdentifier: 'taken-card' })).statusCode, 200);
      const head = 'identifier,state,customerprofileids';
      const many = [head, ...Array.from({ length: 1000 }, (_, i) => `bulk-${i},active,ghost${i}`), 'bulk-0,active,'].join('\n');
      const cases: [string, number, string][] = [
        [`${head}\nok-card,active,ghost\nab,active,`, 3, 'Invalid value'],
        [`${head}\nok-card,active,ghost\na b c d,active,`, 3, 'Invalid value'],
        [`${head}\nok-card,active,ghost\nwhy?-card,active,`, 3, 'Invalid value'],
        [`${head}\n${'x'.repeat(109)},active,`, 2, 'Invalid value'],
        [`${head}\nok-card,blocked,`, 2, 'Invalid value'],
        [`${head}\nok-card,,ghost`, 2, 'Invalid value'],
        [`${head}\nok-card,Active,ghost`, 2, 'Invalid value'],
        [`${head}\nok-card,active,ghost;a;b`, 2, 'Invalid value'],
        [`${head}\nok-card,active,${'p'.repeat(1001)}`, 2, 'Invalid value'],
        [`${head}\nok-card,active,ghost\nok-card,inactive,`, 3, 'Duplicate'],
        [`${head}\nok-card,active,ghost\ntaken-card,active,`, 3, 'Duplicate'],
        [many, 1002, 'Duplicate'],
        [`${head}\nok-card,active,ghost\n\nok-2,active,"multi;\nline"\nbad,active`, 6, 'Invalid CSV'],
        [`${head}\nok-card,active,ghost\nunclosed",active,`, 3, 'Invalid CSV'],
        ['identifier,state,colour\nok-card,active,red', 1, 'Unknown'],
        ['identifier,customerprofileids\nok-card,ghost', 1, 'required'],
        ['state\nactive', 1, 'required'],
        ['', 1, 'required'],
      ];
      for (const [csv, line, title] of cases) {
        const r = await importCards(s, pid, csv);
        assert.equal(r.statusCode, 400, `${csv.slice(0, 80)}: ${r.body}`);
        assert.equal(r.json().errors[0].source.line, String(line), `${csv.slice(0, 80)}: ${r.body}`);
        assert.equal(r.json().errors[0].title, title, `${csv.slice(0, 80)}: ${r.body}`);
      }
      assert.equal(await count(s, 'SELECT COUNT(*) AS n FROM loyalty_cards'), 1, 'only the card made before');
      assert.equal(await count(s, 'SELECT COUNT(*) AS n FROM loyalty_card_profiles'), 0);
      assert.equal(await count(s, "SELECT COUNT(*) AS n FROM profiles WHERE integration_id LIKE 'ghost%'"), 0, 'no profile left behind');

      assert.equal((await importCards(s, 99999, `${head}\nok-card,active,`)).statusCode, 404);
      const plain = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id]))).json().id as number;
      const notCards = await importCards(s, plain, `${head}\nok-card,active,`);
      assert.equal(notCards.statusCode, 400, notCards.body);
      assert.match(notCards.json().message, /is not card-based/);
      assert.equal((await s.mgmt('POST', `/v1/loyalty_programs/${pid}/import_cards`, { upFile: 'x' })).statusCode, 400);
      assert.equal((await s.integ(app.key, 'POST', `/v1/loyalty_programs/${pid}/import_cards`, {})).statusCode, 401);
    }));

    test('importLoyaltyCards: 25 000 cards with their profiles in one go (unlimited usersPerCardLimit)', (t) => withTestServer(kind, t, async (s) => {
      const { pid } = await cardProgram(s, { usersPerCardLimit: 0 });
      const lines = ['identifier,state,customerprofileids'];
      for (let i = 0; i < 25_000; i++) lines.push(`card-${String(i).padStart(5, '0')},${i % 5 === 0 ? 'inactive' : 'active'},p${i % 10_000}${i % 3 === 0 ? `;q${i % 7}` : ''}`);
      const r = await importCards(s, pid, lines.join('\n'));
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().amount, 25_000);
      assert.equal(await count(s, 'SELECT COUNT(*) AS n FROM loyalty_cards WHERE program_id = ? AND import_id = ?', [pid, r.json().id]), 25_000);
      assert.equal(await count(s, "SELECT COUNT(*) AS n FROM loyalty_cards WHERE status = 'inactive'"), 5_000);
      assert.equal(await count(s, 'SELECT COUNT(*) AS n FROM loyalty_card_profiles'), 25_000 + 8_334);
      assert.equal(await count(s, 'SELECT COUNT(*) AS n FROM profiles'), 10_000 + 7);
      const c = (await s.mgmt('GET', `/v1/loyalty_programs/${pid}/cards/card-24999`)).json();
      assert.deepEqual([c.status, c.profiles.map((p: Json) => p.integrationId)], ['active', ['p4999', 'q2']]);
      const csv = (await csvAt(s, `/v1/loyalty_programs/${pid}/cards/export`)).trim().split('\n');
      assert.equal(csv.length, 25_001, 'the export pages through every card');
      assert.match(csv[25_000], /^card-24999,[-0-9T:.Z]+,active,0,p4999;q2,,false,,$/);
    }));

    test('exportLoyaltyCards: the columns, batchId, createdBefore/createdAfter, dateFormat', (t) => {
      const c = clock('2026-03-01T12:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const { app, pid } = await cardProgram(s);
        const base = `/v1/loyalty_programs/${pid}`;
        assert.equal((await importCards(s, pid, 'identifier,state,customerprofileids\n123-456-789AT,active,UserA;Alexa001\ninactive.card,inactive,\nanon@card%1,active,bob')).statusCode, 200);
        c.set('2026-03-02T08:30:00Z');
        assert.equal((await s.mgmt('POST', `${base}/cards/batch`, { numberOfCards: 2, batchId: 'spring' })).statusCode, 200);
        const batch = ((await s.mgmt('GET', `${base}/cards?batchId=spring`)).json().data as Json[]).map((x) => x.identifier as string);
        assert.equal(batch.length, 2);
        assert.equal((await s.mgmt('PUT', `${base}/cards/123-456-789AT/transfer`, { newCardIdentifier: 'NEW-CARD-1', blockReason: 'lost, "stolen"' })).statusCode, 204);
        assert.equal((await s.integ(app.key, 'POST', `${base}/cards`, { cardIdentifier: 'given.card' })).statusCode, 200);

        const exp = (query = '') => csvAt(s, `${base}/cards/export${query}`);
        const rows = {
          old: '123-456-789AT,2026-03-01T12:00:00.000Z,inactive,2,,"lost, ""stolen""",false,,',
          inactive: 'inactive.card,2026-03-01T12:00:00.000Z,inactive,2,,,false,,',
          anon: 'anon@card%1,2026-03-01T12:00:00.000Z,active,2,bob,,false,,',
          b0: `${batch[0]},2026-03-02T08:30:00.000Z,active,2,,,true,spring,`,
          b1: `${batch[1]},2026-03-02T08:30:00.000Z,active,2,,,true,spring,`,
          moved: 'NEW-CARD-1,2026-03-02T08:30:00.000Z,active,2,Alexa001;UserA,,true,,',
          given: 'given.card,2026-03-02T08:30:00.000Z,active,2,,,true,,',
        };
        const csv = (...lines: string[]) => [CARDS_HEAD, ...lines, ''].join('\n');
        assert.equal(await exp(), csv(rows.old, rows.inactive, rows.anon, rows.b0, rows.b1, rows.moved, rows.given));
        assert.equal(await exp('?dateFormat=ISO8601'), await exp());
        assert.equal(await exp('?batchId=spring'), csv(rows.b0, rows.b1));
        assert.equal(await exp('?batchId=autumn'), csv());
        // strictly after, strictly before
        assert.equal(await exp('?createdAfter=2026-03-01T12:00:00Z'), csv(rows.b0, rows.b1, rows.moved, rows.given));
        assert.equal(await exp('?createdBefore=2026-03-02T08:30:00Z'), csv(rows.old, rows.inactive, rows.anon));
        assert.equal(await exp('?createdAfter=2026-03-01T00:00:00Z&createdBefore=2026-03-02T00:00:00%2B01:00&batchId=spring'), csv());
        assert.equal(await exp(`?dateFormat=excel&createdBefore=${encodeURIComponent('2026-03-02T00:00:00Z')}`),
          csv(...[rows.old, rows.inactive, rows.anon].map((l) => l.replace('2026-03-01T12:00:00.000Z', '2026-03-01 12:00:00'))));
        // an export round-trips through the import (customerprofileids joined with ";")
        const other = await cardProgram(s, { usersPerCardLimit: 2 });
        const back = (await exp()).trim().split('\n').slice(1).map((l) => l.match(/^([^,]+),[^,]+,([a-z]+),\d+,([^,]*),/)!).map((m) => `${m[1]},${m[2]},${m[3]}`);
        assert.equal((await importCards(s, other.pid, ['identifier,state,customerprofileids', ...back].join('\n'))).json().amount, 7);
        assert.equal((await s.mgmt('GET', `/v1/loyalty_programs/${other.pid}/cards/export`)).body.split('\n')[6].split(',').slice(0, 5).join(','),
          'NEW-CARD-1,2026-03-02T08:30:00.000Z,active,2,Alexa001;UserA');

        for (const q of ['?dateFormat=csv', '?createdAfter=yesterday']) assert.equal((await s.mgmt('GET', `${base}/cards/export${q}`)).statusCode, 400, q);
        assert.equal((await s.mgmt('GET', '/v1/loyalty_programs/99999/cards/export')).statusCode, 404);
        const plain = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id]))).json().id as number;
        assert.equal((await s.mgmt('GET', `/v1/loyalty_programs/${plain}/cards/export`)).statusCode, 400);
        assert.equal((await s.integ(app.key, 'GET', `${base}/cards/export`)).statusCode, 401);
      }, c.now);
    });

    test('exportLoyaltyCardBalances: each card ledger at endDate, exact decimals, card state, deleted cards left out', (t) => {
      const c = clock('2026-03-02T08:30:00Z');
      return withTestServer(kind, t, async (s) => {
        const { app, pid } = await cardProgram(s);
        const base = `/v1/loyalty_programs/${pid}`;
        assert.equal((await importCards(s, pid, 'identifier,state\nanon@card%1,active\nNEW-CARD-1,active\ngone-card,active\nidle-card,active')).statusCode, 200);
        const card = (id: string) => `${base}/cards/${encodeURIComponent(id)}`;
        const ok = async (r: Promise<{ statusCode: number; body: string }>) => assert.equal((await r).statusCode, 204, (await r).body);
        await ok(s.mgmt('PUT', `${card('anon@card%1')}/add_points`, { points: 110.5 }));
        await ok(s.mgmt('PUT', `${card('anon@card%1')}/add_points`, { points: 0.1, subledgerId: 'fuel, "premium"' }));
        await ok(s.mgmt('PUT', `${card('anon@card%1')}/add_points`, { points: 0.2, subledgerId: 'fuel, "premium"', validityDuration: '1D' }));
        await ok(s.mgmt('PUT', `${card('anon@card%1')}/deduct_points`, { points: 10.25 }));
        await ok(s.mgmt('PUT', `${card('NEW-CARD-1')}/add_points`, { points: 3, pendingDuration: '2D' }));
        await ok(s.mgmt('PUT', `${card('gone-card')}/add_points`, { points: 7 }));
        assert.equal((await s.mgmt('DELETE', card('gone-card'))).statusCode, 204);
        assert.equal((await s.mgmt('PUT', card('anon@card%1'), { status: 'inactive' })).statusCode, 200);
        c.set('2026-03-03T12:00:00Z');

        const exp = (query = '') => csvAt(s, `${base}/export_card_balances${query}`);
        const csv = (...lines: string[]) => [BALANCES_HEAD, ...lines, ''].join('\n');
        const fuel = `${pid},"fuel, ""premium""",anon@card%1,inactive`;
        assert.equal(await exp(), csv(`${pid},,anon@card%1,inactive,100.25,0,0,10.25`, `${fuel},0.1,0,0.2,0`, `${pid},,NEW-CARD-1,active,0,3,0,0`));
        // the past, rebuilt from the ledgers' history; the future
        assert.equal(await exp('?endDate=2026-03-02T09:00:00Z'), csv(`${pid},,anon@card%1,inactive,100.25,0,0,10.25`, `${fuel},0.3,0,0,0`, `${pid},,NEW-CARD-1,active,0,3,0,0`));
        assert.equal(await exp('?endDate=2026-03-10T00:00:00Z'), csv(`${pid},,anon@card%1,inactive,100.25,0,0,10.25`, `${fuel},0.1,0,0.2,0`, `${pid},,NEW-CARD-1,active,3,0,0,0`));
        assert.equal(await exp('?endDate=2026-01-01T00:00:00Z'), csv(), 'no ledger existed then');
        // the same figures as the card's balances read
        const b = (await s.integ(app.key, 'GET', `${card('anon@card%1')}/balances`)).json();
        assert.deepEqual([b.balance.activePoints, b.balance.spentPoints, b.subledgerBalances['fuel, "premium"'].expiredPoints], [100.25, 10.25, 0.2]);
        // the profile balances export of a card-based program holds the header only
        assert.equal((await s.mgmt('GET', `${base}/export_customer_balances`)).body.split('\n').length, 2);

        assert.equal((await s.mgmt('GET', `${base}/export_card_balances?endDate=tomorrow`)).statusCode, 400);
        assert.equal((await s.mgmt('GET', '/v1/loyalty_programs/99999/export_card_balances')).statusCode, 404);
        const plain = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id]))).json().id as number;
        assert.equal((await s.mgmt('GET', `/v1/loyalty_programs/${plain}/export_card_balances`)).statusCode, 400);
        assert.equal((await s.integ(app.key, 'GET', `${base}/export_card_balances`)).statusCode, 401);
      }, c.now);
    });
  });
}
