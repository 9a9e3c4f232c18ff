/**
 * Loyalty cards of card-based programs (docs/loyalty-cards.md), on both stores: generate, batches (20,000
 * accepted, 20,001 refused), links within usersPerCardLimit (also racing), unlink, points on cards, transfer
 * (data moved, old card blocked for good), balances at an endDate, isolation, 404s and 400s.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { withTestServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { cardRace } from './cards-race.js';
import { clock, newProgram } from './helpers.js';

type Json = Record<string, any>;

const CODES = { couponPattern: 'CARD-####-####', validCharacters: [...'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'] };

async function setup(s: TestServer, extra: Record<string, unknown> = {}) {
  const app = await s.newApplication();
  const r = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { cardBased: true, usersPerCardLimit: 2, cardCodeSettings: CODES, ...extra }));
  assert.equal(r.statusCode, 201, r.body);
  const pid = r.json().id as number;
  const cards = `/v1/loyalty_programs/${pid}/cards`;
  const card = (id: string) => `${cards}/${encodeURIComponent(id)}`;
  return {
    app, pid, cards, card,
    generate: (body: Json = {}) => s.integ(app.key, 'POST', cards, body),
    link: (id: string, integrationId: string) => s.integ(app.key, 'POST', `/v2/loyalty_programs/${pid}/cards/${encodeURIComponent(id)}/link_profile`, { integrationId }),
    unlink: (id: string, integrationId: string) => s.integ(app.key, 'POST', `/v2/loyalty_programs/${pid}/cards/${encodeURIComponent(id)}/unlink_profile`, { integrationId }),
    add: (id: string, body: Json) => s.mgmt('PUT', `${card(id)}/add_points`, body),
    deduct: (id: string, body: Json) => s.mgmt('PUT', `${card(id)}/deduct_points`, body),
    balances: async (id: string, query = '') => {
      const r = await s.integ(app.key, 'GET', `${card(id)}/balances${query}`);
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    },
    get: async (id: string) => {
      const r = await s.mgmt('GET', card(id));
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    },
  };
}

const bal = (active: number, pending = 0, spent = 0, expired = 0) => ({ activePoints: active, pendingPoints: pending, spentPoints: spent, expiredPoints: expired, negativePoints: 0 });

for (const kind of STORES) {
  describe(`loyalty cards (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('generateLoyaltyCard: identifier from cardCodeSettings, given identifiers, linked profiles, status', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      const g = await x.generate();
      assert.equal(g.statusCode, 200, g.body);
      const c = g.json();
      assert.match(c.identifier, /^CARD-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      assert.equal(c.status, 'active');
      assert.equal(c.programID, x.pid);
      assert.equal(c.usersPerCardLimit, 2);
      assert.deepEqual(c.profiles, []);
      assert.deepEqual(c.ledger, { currentBalance: 0, pendingBalance: 0, negativeBalance: 0, expiredBalance: 0, spentBalance: 0, tentativeCurrentBalance: 0, tentativePendingBalance: 0, tentativeNegativeBalance: 0 });

      const linked = await x.generate({ customerProfileIds: ['alice', 'bob'], status: 'inactive', cardIdentifier: 'my.card+1@x%' });
      assert.equal(linked.statusCode, 200, linked.body);
      assert.equal(linked.json().identifier, 'my.card+1@x%');
      assert.equal(linked.json().status, 'inactive');
      assert.deepEqual(linked.json().profiles.map((p: Json) => p.integrationId).sort(), ['alice', 'bob']);
      // a % in the identifier travels URL-encoded
      assert.equal((await x.get('my.card+1@x%')).identifier, 'my.card+1@x%');

      const dup = await x.generate({ cardIdentifier: 'my.card+1@x%' });
      assert.equal(dup.statusCode, 400, dup.body);
      assert.equal(dup.json().errors[0].source.pointer, '/cardIdentifier');
      const over = await x.generate({ customerProfileIds: ['a', 'b', 'c'] });
      assert.equal(over.statusCode, 400, over.body);
      assert.equal((await x.generate({ cardIdentifier: 'a b c d' })).statusCode, 400);
      assert.equal((await x.generate({ cardIdentifier: 'abc' })).statusCode, 400);

      // without cardCodeSettings a generated identifier is 12 characters of A–Z0–9
      const plain = await setup(s, { cardCodeSettings: undefined });
      const p = await plain.generate();
      assert.equal(p.statusCode, 200, p.body);
      assert.match(p.json().identifier, /^[A-Z0-9]{12}$/);
    }));

    test('createBatchLoyaltyCards: 20,000 unique cards in one request; 20,001 is a 400; a batch needs a code format', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      const r = await s.mgmt('POST', `${x.cards}/batch`, { numberOfCards: 20000, batchId: 'spring_2030', status: 'inactive' });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), { batchId: 'spring_2030', numberOfCardsGenerated: 20000 });
      const counted = await s.db.transaction((sql) => sql.get<{ n: number; d: number }>(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT identifier) AS d FROM loyalty_cards WHERE program_id = ? AND batch_id = 'spring_2030' AND status = 'inactive'", [x.pid]));
      assert.deepEqual([Number(counted!.n), Number(counted!.d)], [20000, 20000]);

      const page = await s.mgmt('GET', `${x.cards}?batchId=spring_2030&pageSize=10&skip=5&sort=-identifier`);
      assert.equal(page.statusCode, 200, page.body);
      assert.equal(page.json().data.length, 10);
      assert.equal(page.json().hasMore, true);
      const ids = page.json().data.map((c: Json) => c.identifier);
      assert.deepEqual(ids, [...ids].sort().reverse());
      for (const c of page.json().data) assert.deepEqual([c.batchId, c.status], ['spring_2030', 'inactive']);

      const tooMany = await s.mgmt('POST', `${x.cards}/batch`, { numberOfCards: 20001 });
      assert.equal(tooMany.statusCode, 400, tooMany.body);
      assert.equal(tooMany.json().errors[0].source.pointer, '/numberOfCards');
      assert.equal((await s.mgmt('POST', `${x.cards}/batch`, { numberOfCards: 3, batchId: 'x y' })).statusCode, 400);

      // the request's format wins over the program's; a program without one needs the request's
      const own = await s.mgmt('POST', `${x.cards}/batch`, { numberOfCards: 5, cardCodeSettings: { couponPattern: 'OWN-###', validCharacters: ['1', '2'] } });
      assert.equal(own.statusCode, 200, own.body);
      const owned = await s.mgmt('GET', `${x.cards}?batchId=${own.json().batchId}`);
      assert.equal(owned.json().data.length, 5);
      for (const c of owned.json().data) assert.match(c.identifier, /^OWN-[12]{3}$/);
      // OWN-### over two characters has 8 codes: 5 are taken, 4 more do not fit
      const full = await s.mgmt('POST', `${x.cards}/batch`, { numberOfCards: 4, cardCodeSettings: { couponPattern: 'OWN-###', validCharacters: ['1', '2'] } });
      assert.equal(full.statusCode, 400, full.body);
      assert.equal(full.json().errors[0].title, 'Pattern full');
      const none = await setup(s, { cardCodeSettings: undefined });
      const missing = await s.mgmt('POST', `${none.cards}/batch`, { numberOfCards: 1 });
      assert.equal(missing.statusCode, 400, missing.body);
      assert.equal(missing.json().errors[0].source.pointer, '/cardCodeSettings');
    }));

    test('link and unlink: usersPerCardLimit holds, also for racing links; filters by profileId and identifier', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      const id = (await x.generate()).json().identifier as string;
      assert.equal((await x.link(id, 'alice')).statusCode, 200);
      const again = await x.link(id, 'alice');
      assert.equal(again.statusCode, 200, 'linking a linked profile changes nothing');
      assert.deepEqual(again.json().profiles.map((p: Json) => p.integrationId), ['alice']);
      assert.equal((await x.link(id, 'bob')).statusCode, 200);
      const third = await x.link(id, 'carol');
      assert.equal(third.statusCode, 400, third.body);
      assert.deepEqual((await x.get(id)).profiles.map((p: Json) => p.integrationId).sort(), ['alice', 'bob']);

      const un = await x.unlink(id, 'alice');
      assert.equal(un.statusCode, 200, un.body);
      assert.deepEqual(un.json().profiles.map((p: Json) => p.integrationId), ['bob']);
      assert.equal((await x.unlink(id, 'alice')).statusCode, 400, 'not linked');
      assert.equal((await x.link(id, 'carol')).statusCode, 200, 'room again after the unlink');

      // twenty profiles race for the two places of a fresh card (limit 2): exactly two get in
      const race = (await x.generate()).json().identifier as string;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => x.link(race, `racer-${i}`)));
      assert.deepEqual(results.filter((r) => r.statusCode !== 200 && r.statusCode !== 400).map((r) => r.body), []);
      assert.equal(results.filter((r) => r.statusCode === 200).length, 2);
      assert.equal((await x.get(race)).profiles.length, 2);

      const pid = Number((await s.db.transaction((sql) => sql.get<{ id: number }>("SELECT id FROM profiles WHERE integration_id = 'carol'")))!.id);
      const byProfile = await s.mgmt('GET', `${x.cards}?profileId=${pid}`);
      assert.equal(byProfile.statusCode, 200, byProfile.body);
      assert.deepEqual(byProfile.json().data.map((c: Json) => c.identifier), [id]);
      const byIdentifier = await s.mgmt('GET', `${x.cards}?identifier=${encodeURIComponent(race)}`);
      assert.deepEqual(byIdentifier.json().data.map((c: Json) => c.identifier), [race]);

      // unlimited (0)
      const open = await setup(s, { usersPerCardLimit: 0 });
      const oid = (await open.generate({ customerProfileIds: ['a', 'b', 'c'] })).json().identifier as string;
      for (let i = 0; i < 5; i++) assert.equal((await open.link(oid, `more-${i}`)).statusCode, 200);
      assert.equal((await open.get(oid)).profiles.length, 8);
    }));

    test('points on a card: exact decimals, only active points, a deduction above the balance changes nothing, only active cards', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      const id = (await x.generate()).json().identifier as string;
      assert.equal((await x.add(id, { points: 110.5, name: 'welcome' })).statusCode, 204);
      assert.equal((await x.add(id, { points: 50, pendingDuration: '1D' })).statusCode, 204);
      assert.equal((await x.add(id, { points: 20, subledgerId: 'fuel' })).statusCode, 204);
      assert.equal((await x.deduct(id, { points: 10.3 })).statusCode, 204);
      const over = await x.deduct(id, { points: 100.21 });
      assert.equal(over.statusCode, 400, over.body);
      assert.equal(over.json().errors[0].source.pointer, '/points');
      assert.deepEqual(await x.balances(id), { balance: bal(100.2, 50, 10.3), subledgerBalances: { fuel: bal(20) }, profiles: [] });
      assert.deepEqual(await x.balances(id, '?subledgerId=fuel'), { subledgerBalances: { fuel: bal(20) }, profiles: [] });
      assert.deepEqual(await x.balances(id, '?subledgerId=fuel&subledgerId=none'), { subledgerBalances: { fuel: bal(20), none: bal(0) }, profiles: [] });
      const c = await x.get(id);
      assert.deepEqual([c.ledger.currentBalance, c.ledger.pendingBalance, c.subledgers.fuel.currentBalance], [100.2, 50, 20]);

      // racing deductions on a card never overspend: ten of 15 from 100.2 → six go through
      const racing = await Promise.all(Array.from({ length: 10 }, () => x.deduct(id, { points: 15 })));
      assert.deepEqual(racing.filter((r) => r.statusCode !== 204 && r.statusCode !== 400).map((r) => r.body), []);
      assert.equal(racing.filter((r) => r.statusCode === 204).length, 6);
      assert.deepEqual((await x.balances(id)).balance, bal(10.2, 50, 100.3));

      const inactive = (await x.generate({ status: 'inactive' })).json().identifier as string;
      assert.equal((await x.add(inactive, { points: 1 })).statusCode, 400);
      assert.equal((await s.mgmt('PUT', x.card(inactive), { status: 'active' })).statusCode, 200);
      assert.equal((await x.add(inactive, { points: 1 })).statusCode, 204);
      assert.equal((await s.mgmt('PUT', x.card(inactive), { status: 'inactive' })).json().status, 'inactive');
      assert.equal((await x.deduct(inactive, { points: 1 })).statusCode, 400);
      assert.equal((await s.mgmt('PUT', x.card(inactive), { status: 'blocked' })).statusCode, 400);

      const log = await s.mgmt('GET', `${x.card(id)}/logs`);
      assert.equal(log.statusCode, 200, log.body);
      assert.equal(log.json().data.length, 10);
      assert.ok(log.json().data.every((e: Json) => e.cardIdentifier === id));
      const tx = await s.integ(x.app.key, 'GET', `${x.card(id)}/transactions?subledgerId=fuel`);
      assert.equal(tx.statusCode, 200, tx.body);
      assert.deepEqual(tx.json().data.map((e: Json) => [e.type, e.amount, e.subledgerId, e.cardIdentifier]), [['addition', 20, 'fuel', id]]);
      const pts = await s.integ(x.app.key, 'GET', `${x.card(id)}/points?status=pending`);
      assert.equal(pts.statusCode, 200, pts.body);
      assert.deepEqual(pts.json().data.map((p: Json) => p.amount), [50]);
      const csv = await s.mgmt('GET', `${x.card(id)}/export_log?rangeStart=2000-01-01T00:00:00Z&rangeEnd=2100-01-01T00:00:00Z`);
      assert.equal(csv.statusCode, 200, csv.body);
      assert.match(String(csv.headers['content-type']), /application\/csv/);
      const lines = csv.body.trim().split('\n');
      assert.equal(lines.length, 11);
      assert.ok(lines.slice(1).every((l) => l.startsWith(`${id},`)));
    }));

    test('card balances at an endDate: past (rebuilt), now, future', async (t) => {
      const c = clock('2030-03-01T12:00:00Z');
      await withTestServer(kind, t, async (s) => {
        const x = await setup(s);
        const id = (await x.generate()).json().identifier as string;
        assert.equal((await x.add(id, { points: 100, validityDuration: '10D' })).statusCode, 204);
        c.set('2030-03-05T12:00:00Z');
        assert.equal((await x.add(id, { points: 40, pendingDuration: '2D' })).statusCode, 204);
        assert.equal((await x.deduct(id, { points: 30 })).statusCode, 204);
        c.set('2030-03-06T12:00:00Z');
        const at = async (d: string) => (await x.balances(id, `?endDate=${d}`)).balance;
        assert.deepEqual(await at('2030-03-02T00:00:00Z'), bal(100));
        assert.deepEqual(await at('2030-03-06T12:00:00Z'), bal(70, 40, 30));
        assert.deepEqual(await at('2030-03-08T00:00:00Z'), bal(110, 0, 30));
        assert.deepEqual(await at('2030-03-12T00:00:00Z'), bal(40, 0, 30, 70));
        assert.deepEqual((await x.balances(id)).balance, bal(70, 40, 30));
      }, c.now);
    });

    test('transfer: profiles, balances and entries move to a new active card; the old one is blocked for good', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      const old = (await x.generate({ customerProfileIds: ['alice'] })).json().identifier as string;
      assert.equal((await x.add(old, { points: 80, name: 'earned' })).statusCode, 204);
      assert.equal((await x.add(old, { points: 5, subledgerId: 'fuel' })).statusCode, 204);
      assert.equal((await x.deduct(old, { points: 30 })).statusCode, 204);

      const tr = await s.mgmt('PUT', `${x.card(old)}/transfer`, { newCardIdentifier: 'replacement-0001', blockReason: 'Card lost' });
      assert.equal(tr.statusCode, 204, tr.body);
      const oldCard = await x.get(old);
      assert.deepEqual([oldCard.status, oldCard.blockReason, oldCard.newCardIdentifier, oldCard.profiles], ['inactive', 'Card lost', 'replacement-0001', []]);
      assert.equal(oldCard.ledger.currentBalance, 0);
      const fresh = await x.get('replacement-0001');
      assert.deepEqual([fresh.status, fresh.oldCardIdentifier, fresh.blockReason], ['active', old, undefined]);
      assert.deepEqual(fresh.profiles.map((p: Json) => p.integrationId), ['alice']);
      assert.deepEqual(await x.balances('replacement-0001'), {
        balance: bal(50, 0, 30), subledgerBalances: { fuel: bal(5) }, profiles: fresh.profiles,
      });
      const moved = await s.mgmt('GET', `${x.card('replacement-0001')}/logs`);
      assert.deepEqual(moved.json().data.map((e: Json) => [e.type, e.amount, e.cardIdentifier]),
        [['subtraction', 30, 'replacement-0001'], ['addition', 5, 'replacement-0001'], ['addition', 80, 'replacement-0001']]);
      assert.deepEqual((await s.mgmt('GET', `${x.card(old)}/logs`)).json().data, []);
      // the new card spends what moved; the old one neither earns nor spends, and cannot be activated again
      assert.equal((await x.deduct('replacement-0001', { points: 50 })).statusCode, 204);
      assert.equal((await x.add(old, { points: 1 })).statusCode, 400);
      const reactivate = await s.mgmt('PUT', x.card(old), { status: 'active' });
      assert.equal(reactivate.statusCode, 400, reactivate.body);
      assert.equal(reactivate.json().errors[0].source.pointer, '/status');
      assert.equal((await x.get(old)).status, 'inactive');
      assert.equal((await x.link(old, 'bob')).statusCode, 400);
      assert.equal((await s.mgmt('PUT', `${x.card(old)}/transfer`, { newCardIdentifier: 'replacement-0002' })).statusCode, 400, 'transferred already');
      // without a reason the block still has one; an identifier in use is refused
      const other = (await x.generate()).json().identifier as string;
      assert.equal((await s.mgmt('PUT', `${x.card(other)}/transfer`, { newCardIdentifier: 'replacement-0001' })).statusCode, 400);
      assert.equal((await s.mgmt('PUT', `${x.card(other)}/transfer`, { newCardIdentifier: 'replacement-0003' })).statusCode, 204);
      assert.ok((await x.get(other)).blockReason.length > 0);
    }));

    test('delete, 404s for unknown cards and programs, 400 for programs that are not card-based (and profile points on card-based ones)', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      const id = (await x.generate()).json().identifier as string;
      assert.equal((await s.mgmt('DELETE', x.card(id))).statusCode, 204);
      const unknown = x.card('no-such-card');
      for (const [method, url, body] of [
        ['GET', unknown], ['PUT', unknown, { status: 'active' }], ['DELETE', unknown], ['PUT', `${unknown}/add_points`, { points: 1 }],
        ['PUT', `${unknown}/deduct_points`, { points: 1 }], ['PUT', `${unknown}/transfer`, { newCardIdentifier: 'abcd-1234' }], ['GET', `${unknown}/logs`],
        ['GET', `${unknown}/export_log?rangeStart=2000-01-01T00:00:00Z&rangeEnd=2100-01-01T00:00:00Z`], ['GET', x.card(id)],
        ['GET', '/v1/loyalty_programs/99999/cards'], ['PUT', '/v1/loyalty_programs/99999/cards/abcd/add_points', { points: 1 }],
      ] as const) {
        const r = await s.mgmt(method, url, body);
        assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
      }
      for (const [method, url, body] of [
        ['GET', `${unknown}/balances`], ['GET', `${unknown}/transactions`], ['GET', `${unknown}/points`],
        ['POST', `/v2/loyalty_programs/${x.pid}/cards/no-such-card/link_profile`, { integrationId: 'a' }],
        ['POST', `/v2/loyalty_programs/${x.pid}/cards/no-such-card/unlink_profile`, { integrationId: 'a' }],
      ] as const) {
        const r = await s.integ(x.app.key, method, url, body);
        assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
      }

      // `…/cards/export` is exportLoyaltyCards, not a card called "export"
      const exp = await s.mgmt('GET', `${x.cards}/export`);
      assert.equal(exp.statusCode, 200, exp.body);
      assert.match(exp.body, /^identifier,created,status,/);

      // a profile-based program answers card operations with a 400
      const plain = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([x.app.id]));
      const pp = plain.json().id as number;
      for (const [method, url, body] of [
        ['GET', `/v1/loyalty_programs/${pp}/cards`], ['POST', `/v1/loyalty_programs/${pp}/cards/batch`, { numberOfCards: 1 }],
        ['GET', `/v1/loyalty_programs/${pp}/cards/abcd`], ['PUT', `/v1/loyalty_programs/${pp}/cards/abcd/add_points`, { points: 1 }],
      ] as const) {
        const r = await s.mgmt(method, url, body);
        assert.equal(r.statusCode, 400, `${method} ${url}: ${r.body}`);
      }
      assert.equal((await s.integ(x.app.key, 'POST', `/v1/loyalty_programs/${pp}/cards`, {})).statusCode, 400);
      // and a card-based program answers profile points operations with a 400 (writes and reads alike)
      const prof = `/v1/loyalty_programs/${x.pid}/profile/alice`;
      for (const [method, url, body] of [
        ['PUT', `${prof}/add_points`, { points: 1 }], ['PUT', `${prof}/deduct_points`, { points: 1 }], ['GET', `${prof}/ledger_balances`],
        ['GET', `${prof}/ledger_transactions`], ['GET', prof], ['GET', `${prof}/export_log?rangeStart=2000-01-01T00:00:00Z&rangeEnd=2100-01-01T00:00:00Z`],
      ] as const) {
        const r = await s.mgmt(method, url, body);
        assert.equal(r.statusCode, 400, `${method} ${url}: ${r.body}`);
      }
      for (const path of ['balances', 'transactions', 'points']) assert.equal((await s.integ(x.app.key, 'GET', `${prof}/${path}`)).statusCode, 400, path);
      // the program's whole log still lists (card entries)
      assert.equal((await x.add((await x.generate({ cardIdentifier: 'listed-card' })).json().identifier, { points: 3 })).statusCode, 204);
      const whole = await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/transactions`);
      assert.equal(whole.statusCode, 200, whole.body);
      assert.deepEqual(whole.json().data.map((e: Json) => [e.amount, e.cardIdentifier, e.customerProfileId]), [[3, 'listed-card', undefined]]);
    }));

    test('racing links and deductions on one card (the race the two-process test runs)', (t) => withTestServer(kind, t, async (s) =>
      cardRace(async (method, url, body, _node, key) => {
        const r = key ? await s.integ(key, method, url, body) : await s.mgmt(method, url, body);
        return { status: r.statusCode, json: r.body ? r.json() : {} };
      }, 1)));

    test('isolation: an Application not subscribed to the program gets 404 for every card operation', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      const id = (await x.generate()).json().identifier as string;
      assert.equal((await x.add(id, { points: 10 })).statusCode, 204);
      const stranger = await s.newApplication();
      const card = x.card(id);
      for (const [method, url, body] of [
        ['POST', x.cards, {}], ['GET', `${card}/balances`], ['GET', `${card}/transactions`], ['GET', `${card}/points`],
        ['POST', `/v2/loyalty_programs/${x.pid}/cards/${encodeURIComponent(id)}/link_profile`, { integrationId: 'eve' }],
        ['POST', `/v2/loyalty_programs/${x.pid}/cards/${encodeURIComponent(id)}/unlink_profile`, { integrationId: 'eve' }],
      ] as const) {
        const r = await s.integ(stranger.key, method, url, body);
        assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
      }
      assert.deepEqual((await x.get(id)).profiles, []);
      assert.equal((await s.mgmt('GET', `${x.cards}`)).json().data.length, 1, 'the stranger generated no card');
    }));
  });
}
