/**
 * Loyalty tiers (docs/loyalty.md, "Tiers"): upgrades as soon as the active balance reaches a tier, immediate
 * downgrades without tier expiry, one_down and balance_based re-evaluations at the tier's expiry, the projected
 * tier, the includeTiers fields, subledgers and cards with tiers of their own, balances at past and future
 * instants, and the stored tier checked against a replay of the ledger's history — on both stores, under a
 * clock the test moves.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { replayTier, tierRules, upgradeTo, tierExpiry, inZone } from '../../src/domain/loyaltyTier.js';
import { dec } from '../../src/domain/money.js';
import { loadProgram } from '../../src/services/loyalty/common.js';
import { ledgerTier, ownerLedgers, tierHistory } from '../../src/store/repos/loyaltyLedgers.js';
import { MANAGEMENT_KEY, withTestServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { newProgram } from './helpers.js';

type Json = Record<string, any>;

/** Talon.One's 25.17 schemas (test/fixtures/talon-one-25.17-schemas.json), as test/loyalty/cards-conformance.test.ts loads them. */
function loadFixture(): { schemas: Record<string, Json> } {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const f = new URL('test/fixtures/talon-one-25.17-schemas.json', dir);
    if (existsSync(f)) return JSON.parse(readFileSync(f, 'utf8'));
    if (dir.pathname === '/') throw new Error('test/fixtures/talon-one-25.17-schemas.json not found');
  }
}
const ID = (name: string) => `urn:talon-one:25.17:${name}`;
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? ID(v.replace('#/components/schemas/', '')) : rewriteRefs(v)]));
}
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password', 'string']) ajv.addFormat(f, true);
for (const [name, schema] of Object.entries(loadFixture().schemas)) ajv.addSchema({ ...(rewriteRefs(schema) as Json), $id: ID(name) });

/** The body validated against the 25.17 schema; answers it. */
function conforms(schema: string, body: any, label: string): Json {
  const v = ajv.getSchema(ID(schema));
  assert.ok(v, `no reference schema ${schema}`);
  assert.ok(v(body), `${label} (${schema}): ${JSON.stringify(v.errors)}`);
  return body;
}

/** A clock the test moves. */
function clock(start: string) {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), set: (s: string) => { t = new Date(s).getTime(); } };
}

const TIERS = [{ name: 'Silver', minPoints: 100 }, { name: 'Gold', minPoints: 300 }, { name: 'Platinum', minPoints: 600 }];

async function setup(s: TestServer, extra: Record<string, unknown> = {}) {
  const app = await s.newApplication();
  const r = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { tiers: TIERS, ...extra }));
  assert.equal(r.statusCode, 201, r.body);
  const pid = r.json().id as number;
  const base = `/v1/loyalty_programs/${pid}/profile`;
  const ok = async (res: Promise<{ statusCode: number; body: string }>) => { const x = await res; assert.equal(x.statusCode, 204, x.body); };
  return {
    app, pid, base,
    add: (who: string, body: Record<string, unknown>) => ok(s.mgmt('PUT', `${base}/${who}/add_points`, body)),
    deduct: (who: string, body: Record<string, unknown>) => ok(s.mgmt('PUT', `${base}/${who}/deduct_points`, body)),
    /** The balance with its tier fields (both APIs answer the same). */
    balances: async (who: string, query = '') => {
      const q = `?includeTiers=true&includeProjectedTier=true${query}`;
      const m = await s.mgmt('GET', `${base}/${who}/ledger_balances${q}`);
      const i = await s.integ(app.key, 'GET', `${base}/${who}/balances${q}`);
      assert.equal(m.statusCode, 200, m.body);
      assert.equal(i.body, m.body, 'the Integration API answers what the Management API answers');
      return conforms('LoyaltyBalancesWithTiers', m.json(), 'getLoyaltyBalances');
    },
  };
}

/** A CSV uploaded to importLoyaltyCustomersTiers as multipart/form-data (field upFile). */
async function uploadTiers(s: TestServer, pid: number, csv: string) {
  const form = new FormData();
  form.append('upFile', new Blob([csv], { type: 'text/csv' }), 'tiers.csv');
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return s.app.inject({ method: 'POST', url: `/v1/loyalty_programs/${pid}/import_customers_tiers`, payload: Buffer.from(await req.arrayBuffer()),
    headers: { 'content-type': req.headers.get('content-type')!, authorization: `ManagementKey-v1 ${MANAGEMENT_KEY}` } });
}

/** The tier name of the main balance (undefined: none). */
const tierName = (b: Json) => b.balance.currentTier?.name as string | undefined;

/** Every ledger's stored tier equals the one replayed from its history (read right after a settle at `now`). */
async function assertReplayMatches(s: TestServer, pid: number, ownerKind: 'profile' | 'card', owner: string, now: string) {
  await s.db.transaction(async (sql) => {
    const program = await loadProgram(sql, pid);
    for (const l of await ownerLedgers(sql, pid, ownerKind, owner)) {
      const { state, joinBase } = await ledgerTier(sql, l);
      const replayed = replayTier(tierRules(program, joinBase), await tierHistory(sql, l.id, now), now);
      assert.deepEqual(state, replayed, `${l.subledgerId || 'main'}: stored tier = replayed tier`);
    }
  });
}

test('pure: upgradeTo answers the tier a tentative balance reaches above the current one', () => {
  const tiers = TIERS.map((t, i) => ({ id: i + 1, name: t.name, minPoints: dec(t.minPoints), created: '' }));
  assert.equal(upgradeTo(tiers, null, dec(99)), null);
  assert.equal(upgradeTo(tiers, null, dec(100))?.name, 'Silver');
  assert.equal(upgradeTo(tiers, 'Silver', dec(650))?.name, 'Platinum');
  assert.equal(upgradeTo(tiers, 'Gold', dec(310)), null);
  assert.equal(upgradeTo(tiers, 'Platinum', dec(100)), null, 'never a downgrade');
});

test('pure: tier expiry per policy, in the program time zone', () => {
  const base = { tiers: [], tiersDowngradePolicy: 'one_down' as const, timezone: 'Europe/Berlin' };
  const start = tierRules({ ...base, tiersExpirationPolicy: 'tier_start_date', tiersExpireIn: '1M_U' }, null);
  assert.equal(tierExpiry(start, '2026-01-15T10:00:00Z', '2026-01-15T10:00:00Z'), '2026-02-28T22:59:59.000Z', 'end of February in Berlin');
  const cycle = tierRules({ ...base, tiersExpirationPolicy: 'absolute_expiration', tierCycleStartDate: '2025-01-01T00:00:00Z', tiersExpireIn: '6M' }, null);
  assert.equal(tierExpiry(cycle, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'), '2026-06-30T23:00:00.000Z', 'cycles of 6M in wall time: 1 July 01:00 in Berlin');
  const join = tierRules({ ...base, tiersExpirationPolicy: 'program_join_date', tiersExpireIn: '1Y' }, '2020-05-10T08:00:00Z');
  assert.equal(tierExpiry(join, '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z'), '2027-05-10T08:00:00.000Z');
  assert.equal(tierRules({ ...base, tiersExpirationPolicy: 'tier_start_date' }, null).expiry, null, 'no tiersExpireIn: no expiry');
  assert.equal(inZone('2026-07-01T10:00:00Z', 'Europe/Berlin'), '2026-07-01T12:00:00+02:00');
  assert.equal(inZone('2026-07-01T10:00:00.250Z', 'UTC'), '2026-07-01T10:00:00.250Z');
});

for (const kind of STORES) {
  describe(`loyalty tiers (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('without tier expiry: upgrade on add, downgrade at once on deduct and on expiry; includeTiers fields', (t) => {
      const c = clock('2026-03-01T12:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const x = await setup(s);
        await x.add('alice', { points: 50 });
        let b = await x.balances('alice');
        assert.equal(b.balance.currentTier, undefined, 'below the lowest tier: no tier');
        assert.equal(b.balance.nextTierName, 'Silver', 'no tier: the lowest tier is next');
        assert.equal(b.balance.pointsToNextTier, 50);
        assert.equal(b.balance.projectedTier, undefined, 'no tier expiry: nothing projected');

        c.set('2026-03-02T00:00:00Z');
        await x.add('alice', { points: 260.5, validityDuration: '10D' });
        b = await x.balances('alice');
        assert.deepEqual(b.balance.currentTier, { id: b.balance.currentTier.id, name: 'Gold', startDate: '2026-03-02T00:00:00Z' });
        assert.equal(b.balance.pointsToNextTier, 289.5);
        assert.equal(b.balance.nextTierName, 'Platinum');

        c.set('2026-03-03T00:00:00Z');
        await x.deduct('alice', { points: 20 });
        b = await x.balances('alice');
        assert.equal(tierName(b), 'Silver', '290.5 < 300: down at once');
        assert.equal(b.balance.currentTier.startDate, '2026-03-03T00:00:00Z');
        await assertReplayMatches(s, x.pid, 'profile', 'alice', c.now().toISOString());

        // the 10D points (240.5 left: deductions take the earliest expiry first) expire on 12 March: 50 left, below Silver
        assert.equal(tierName(await x.balances('alice', '&endDate=2026-03-12T00:00:00Z')), undefined, 'a future endDate sees the expiry, nothing written');
        assert.equal(tierName(await x.balances('alice', '&endDate=2026-03-02T12:00:00Z')), 'Gold', 'a past endDate replays the history');
        c.set('2026-03-20T00:00:00Z');
        b = await x.balances('alice');
        assert.equal(tierName(b), undefined);
        assert.equal(b.balance.activePoints, 50);
        await assertReplayMatches(s, x.pid, 'profile', 'alice', c.now().toISOString());

        c.set('2026-03-21T00:00:00Z');
        await x.add('alice', { points: 1000 });
        b = await x.balances('alice');
        assert.equal(tierName(b), 'Platinum');
        assert.equal(b.balance.pointsToNextTier, undefined, 'at the top tier: no next tier');
        assert.equal(b.balance.nextTierName, undefined);
        // without includeTiers nothing about tiers is answered
        const plain = (await s.mgmt('GET', `${x.base}/alice/ledger_balances`)).json();
        assert.deepEqual(Object.keys(plain.balance).sort(), ['activePoints', 'expiredPoints', 'negativePoints', 'pendingPoints', 'spentPoints']);
        await assertReplayMatches(s, x.pid, 'profile', 'alice', c.now().toISOString());
      }, c.now);
    });

    test('one_down at the tier expiry: one tier per re-evaluation, renewal while the balance qualifies; projected tier', (t) => {
      const c = clock('2026-01-01T00:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const x = await setup(s, { tiersExpirationPolicy: 'tier_start_date', tiersExpireIn: '30D', tiersDowngradePolicy: 'one_down' });
        await x.add('bob', { points: 700 });
        let b = await x.balances('bob');
        assert.deepEqual(b.balance.currentTier, { id: b.balance.currentTier.id, name: 'Platinum', startDate: '2026-01-01T00:00:00Z', expiryDate: '2026-01-31T00:00:00Z', downgradePolicy: 'one_down' });
        assert.deepEqual(b.balance.projectedTier, { projectedActivePoints: 700, projectedTierName: 'Platinum' });

        c.set('2026-01-02T00:00:00Z');
        await x.deduct('bob', { points: 650 });
        b = await x.balances('bob');
        assert.equal(tierName(b), 'Platinum', 'with tier expiry, no downgrade before it');
        assert.equal(b.balance.pointsToNextTier, undefined);
        assert.deepEqual(b.balance.projectedTier, { projectedActivePoints: 50, stayInTierPoints: 550, projectedTierName: 'Gold' });

        // reads at future instants: each expiry drops one tier
        assert.equal(tierName(await x.balances('bob', '&endDate=2026-01-31T00:00:00Z')), 'Gold');
        b = await x.balances('bob', '&endDate=2026-03-05T00:00:00Z');
        assert.equal(tierName(b), 'Silver');
        assert.equal(b.balance.currentTier.startDate, '2026-03-02T00:00:00Z');
        assert.equal(b.balance.currentTier.expiryDate, '2026-04-01T00:00:00Z');
        assert.equal(tierName(await x.balances('bob', '&endDate=2026-04-01T00:00:00Z')), undefined);

        // the clock reaches the first expiry: the read settles it
        c.set('2026-02-10T00:00:00Z');
        b = await x.balances('bob');
        assert.equal(tierName(b), 'Gold');
        assert.equal(b.balance.currentTier.startDate, '2026-01-31T00:00:00Z');
        assert.equal(b.balance.currentTier.expiryDate, '2026-03-02T00:00:00Z');
        await assertReplayMatches(s, x.pid, 'profile', 'bob', c.now().toISOString());
        assert.equal(tierName(await x.balances('bob', '&endDate=2026-01-15T00:00:00Z')), 'Platinum', 'a past endDate replays the history');

        // enough points again before the next expiry: the tier is renewed, its start kept
        await x.add('bob', { points: 300 });
        b = await x.balances('bob');
        assert.equal(tierName(b), 'Gold', '350 reaches Gold, not Platinum: no upgrade');
        c.set('2026-03-10T00:00:00Z');
        b = await x.balances('bob');
        assert.equal(tierName(b), 'Gold');
        assert.equal(b.balance.currentTier.startDate, '2026-01-31T00:00:00Z');
        assert.equal(b.balance.currentTier.expiryDate, '2026-04-01T00:00:00Z');
        // an upgrade sets a new start and expiry at once
        await x.add('bob', { points: 300 });
        b = await x.balances('bob');
        assert.equal(tierName(b), 'Platinum');
        assert.equal(b.balance.currentTier.startDate, '2026-03-10T00:00:00Z');
        assert.equal(b.balance.currentTier.expiryDate, '2026-04-09T00:00:00Z');
        await assertReplayMatches(s, x.pid, 'profile', 'bob', c.now().toISOString());
      }, c.now);
    });

    test('balance_based at the tier expiry: the tier the balance then reaches; points expiring before it count in the projection', (t) => {
      const c = clock('2026-01-01T00:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const x = await setup(s, { tiersExpireIn: '30D', tiersDowngradePolicy: 'balance_based' });
        await x.add('carol', { points: 650 });
        await x.add('carol', { points: 500, validityDuration: '20D' });
        let b = await x.balances('carol');
        assert.equal(tierName(b), 'Platinum');
        // at the expiry (31 January) the 500 have expired: 650 still reach Platinum
        assert.deepEqual(b.balance.projectedTier, { projectedActivePoints: 650, projectedTierName: 'Platinum' });
        c.set('2026-01-05T00:00:00Z');
        await x.deduct('carol', { points: 1080 });
        b = await x.balances('carol');
        // the 20D points are spent first (earliest expiry): 70 of the unlimited ones remain
        assert.equal(b.balance.activePoints, 70);
        assert.deepEqual(b.balance.projectedTier, { projectedActivePoints: 70, stayInTierPoints: 530 });
        c.set('2026-02-01T00:00:00Z');
        b = await x.balances('carol');
        assert.equal(tierName(b), undefined, 'balance_based: straight below Silver');
        assert.equal(b.balance.nextTierName, 'Silver');
        await assertReplayMatches(s, x.pid, 'profile', 'carol', c.now().toISOString());
        // a later write re-evaluates nothing more; an upgrade starts over
        await x.add('carol', { points: 30 });
        assert.equal(tierName(await x.balances('carol')), 'Silver');
        await assertReplayMatches(s, x.pid, 'profile', 'carol', c.now().toISOString());
      }, c.now);
    });

    test('subledgers have tiers of their own; getLoyaltyPoints shows each currentTier', (t) => {
      const c = clock('2026-05-01T00:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const x = await setup(s, { tiersExpirationPolicy: 'tier_start_date', tiersExpireIn: '1M_U', timezone: 'Europe/Berlin' });
        await x.add('dora', { points: 120 });
        await x.add('dora', { points: 400, subledgerId: 'fuel' });
        const b = await x.balances('dora');
        assert.equal(b.balance.currentTier.name, 'Silver');
        assert.equal(b.subledgerBalances.fuel.currentTier.name, 'Gold');
        assert.equal(b.subledgerBalances.fuel.currentTier.startDate, '2026-05-01T02:00:00+02:00', 'tier dates in the program time zone');
        assert.equal(b.subledgerBalances.fuel.currentTier.expiryDate, '2026-06-30T23:59:59+02:00');
        const only = await x.balances('dora', '&subledgerId=fuel');
        assert.equal(only.balance, undefined);
        assert.equal(only.subledgerBalances.fuel.currentTier.name, 'Gold');
        const none = await x.balances('dora', '&subledgerId=empty');
        assert.equal(none.subledgerBalances.empty.currentTier, undefined);
        assert.equal(none.subledgerBalances.empty.nextTierName, 'Silver');
        const l = await s.mgmt('GET', `${x.base}/dora`);
        assert.equal(l.statusCode, 200, l.body);
        conforms('LoyaltyLedger', l.json(), 'getLoyaltyPoints');
        assert.equal(l.json().ledger.currentTier.name, 'Silver');
        assert.equal(l.json().subLedgers.fuel.currentTier.name, 'Gold');
        await assertReplayMatches(s, x.pid, 'profile', 'dora', c.now().toISOString());
      }, c.now);
    });

    test('cards: LedgerInfo carries each (sub)ledger\'s tier, points to the next one and its name', (t) => {
      const c = clock('2026-06-01T00:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const app = await s.newApplication();
        const p = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { cardBased: true, tiers: TIERS, tiersExpireIn: '1Y', tiersDowngradePolicy: 'balance_based' }));
        assert.equal(p.statusCode, 201, p.body);
        const pid = p.json().id as number;
        const base = `/v1/loyalty_programs/${pid}/cards`;
        const card = (await s.integ(app.key, 'POST', base, { cardIdentifier: 'CARD-0001' })).json();
        assert.equal((await s.mgmt('PUT', `${base}/CARD-0001/add_points`, { points: 350 })).statusCode, 204);
        assert.equal((await s.mgmt('PUT', `${base}/CARD-0001/add_points`, { points: 100, subledgerId: 'fuel' })).statusCode, 204);
        assert.equal((await s.mgmt('PUT', `${base}/CARD-0001/deduct_points`, { points: 200 })).statusCode, 204);
        const r = await s.mgmt('GET', `${base}/CARD-0001`);
        assert.equal(r.statusCode, 200, r.body);
        const { ledger, subledgers } = conforms('LoyaltyCard', r.json(), 'getLoyaltyCard');
        assert.deepEqual(ledger.currentTier, { id: ledger.currentTier.id, name: 'Gold', startDate: '2026-06-01T00:00:00Z', expiryDate: '2027-06-01T00:00:00Z', downgradePolicy: 'balance_based' });
        assert.equal(ledger.pointsToNextTier, 450);
        assert.equal(ledger.nextTierName, 'Platinum');
        assert.equal(subledgers.fuel.currentTier.name, 'Silver');
        const empty = conforms('LoyaltyCard', (await s.integ(app.key, 'POST', base, { cardIdentifier: 'CARD-0002' })).json(), 'generateLoyaltyCard');
        assert.equal(empty.ledger.currentTier, undefined);
        assert.equal(empty.ledger.nextTierName, 'Silver');
        assert.equal(empty.ledger.pointsToNextTier, 100);
        await assertReplayMatches(s, pid, 'card', String(card.id), c.now().toISOString());
      }, c.now);
    });

    test('importLoyaltyCustomersTiers: assigns tiers (same tier: only the expiry), all or nothing with line numbers; exportCustomersTiers', (t) => {
      const c = clock('2026-04-01T00:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const x = await setup(s, { tiersExpireIn: '90D', tiersDowngradePolicy: 'one_down' });
        await x.add('gina', { points: 350 });
        await x.add('hugo', { points: 700 });
        c.set('2026-04-02T00:00:00Z');
        const ok = await uploadTiers(s, x.pid, [
          'subledgerid,customerprofileid,tiername,expirydate',
          ',gina,Gold,2026-12-31T23:00:00+01:00',
          'fuel,gina,Platinum,',
          ',ivan,Silver,2027-01-15T00:00:00Z',
          ',hugo,Silver,2026-06-01T00:00:00Z',
          '',
        ].join('\n'));
        assert.equal(ok.statusCode, 200, ok.body);
        assert.deepEqual({ ...ok.json<Json>(), id: 0, created: '' }, { id: 0, created: '', accountId: 1, userId: 1, entity: 'LoyaltyTiers', amount: 4 });
        let b = await x.balances('gina');
        assert.deepEqual(b.balance.currentTier, { id: b.balance.currentTier.id, name: 'Gold', startDate: '2026-04-01T00:00:00Z', expiryDate: '2026-12-31T22:00:00Z', downgradePolicy: 'one_down' },
          'already Gold: only the expiry changes');
        assert.equal(b.subledgerBalances.fuel.currentTier.name, 'Platinum', 'a new subledger takes the tier');
        assert.equal(b.subledgerBalances.fuel.currentTier.startDate, '2026-04-02T00:00:00Z');
        assert.equal(b.subledgerBalances.fuel.currentTier.expiryDate, '2026-07-01T00:00:00Z', 'no expirydate: the program\'s expiry from now');
        b = await x.balances('ivan');
        assert.equal(b.balance.currentTier.name, 'Silver', 'a missing profile is created');
        assert.equal(b.balance.activePoints, 0);
        assert.equal(tierName(await x.balances('hugo')), 'Platinum', 'a balance above the tier assigned upgrades at once (a new start)');
        // the assigned tier is re-evaluated at its expiry as any other
        assert.equal(tierName(await x.balances('ivan', '&endDate=2027-01-15T00:00:00Z')), undefined);

        const before = (await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/export_customers_tiers`)).body;
        for (const [csv, line, pointer] of [
          ['subledgerid,customerprofileid,tiername,expirydate\n,gina,Silver,2027-01-01T00:00:00Z\n,jack,Diamond,\n', 3, 'Diamond'],
          ['subledgerid,customerprofileid,tiername,expirydate\n,gina,Silver,2027-01-01T00:00:00Z\n\n,jack,Gold,2026-01-01T00:00:00Z\n', 4, 'future'],
          ['subledgerid,customerprofileid,tiername,expirydate\n,gina,Silver,tomorrow\n', 2, 'RFC 3339'],
          ['customerprofileid,tier\ngina,Gold\n', 1, 'Unknown column'],
          ['subledgerid,customerprofileid,expirydate\n,gina,\n', 1, 'tiername'],
        ] as const) {
          const bad = await uploadTiers(s, x.pid, csv);
          assert.equal(bad.statusCode, 400, bad.body);
          assert.equal(bad.json().errors[0].source.line, String(line), `${pointer}: ${bad.body}`);
          assert.match(bad.body, new RegExp(pointer));
        }
        assert.equal((await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/export_customers_tiers`)).body, before, 'nothing written by a rejected file');
        assert.equal((await s.mgmt('GET', `${x.base}/jack/ledger_balances`)).statusCode, 404, 'no profile left behind');

        const e = await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/export_customers_tiers`);
        assert.equal(e.statusCode, 200);
        assert.match(String(e.headers['content-type']), /^application\/csv/);
        assert.deepEqual(e.body.trim().split('\n'), [
          'programid,subledgerid,customerprofileid,tiername,startdate,expirydate',
          `${x.pid},,gina,Gold,2026-04-01T00:00:00Z,2026-12-31T22:00:00Z`,
          `${x.pid},,hugo,Platinum,2026-04-02T00:00:00Z,2026-07-01T00:00:00Z`,
          `${x.pid},fuel,gina,Platinum,2026-04-02T00:00:00Z,2026-07-01T00:00:00Z`,
          `${x.pid},,ivan,Silver,2026-04-02T00:00:00Z,2027-01-15T00:00:00Z`,
        ]);
        const filtered = await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/export_customers_tiers?subledgerIds=fuel,other&tierNames=Platinum`);
        assert.deepEqual(filtered.body.trim().split('\n').slice(1), [`${x.pid},fuel,gina,Platinum,2026-04-02T00:00:00Z,2026-07-01T00:00:00Z`]);
        const main = await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/export_customers_tiers?tierNames=Gold&tierNames=Silver`);
        assert.equal(main.body.trim().split('\n').length, 3);
        // exportLoyaltyBalances names each ledger's tier
        const balances = (await s.mgmt('GET', `/v1/loyalty_programs/${x.pid}/export_customer_balances`)).body.trim().split('\n');
        assert.ok(balances.includes(`${x.pid},,gina,350,0,0,0,Gold`), balances.join('\n'));
        assert.ok(balances.includes(`${x.pid},fuel,gina,0,0,0,0,Platinum`), balances.join('\n'));
        assert.equal((await s.mgmt('GET', '/v1/loyalty_programs/999999/export_customers_tiers')).statusCode, 404);
      }, c.now);
    });

    test('importLoyaltyCustomersTiers: programs whose tiers follow the balance, and card-based ones, are refused', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s);
      const r = await uploadTiers(s, x.pid, 'customerprofileid,tiername\nalice,Gold\n');
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /no tier expiry/);
      const app = await s.newApplication();
      const cards = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { cardBased: true, tiers: TIERS, tiersExpireIn: '1Y' }))).json().id as number;
      assert.match((await uploadTiers(s, cards, 'customerprofileid,tiername\nalice,Gold\n')).body, /card-based/);
      assert.equal((await uploadTiers(s, 999999, 'customerprofileid,tiername\nalice,Gold\n')).statusCode, 404);
    }));

    for (const policy of [{}, { tiersExpireIn: '7D', tiersDowngradePolicy: 'one_down' }, { tiersExpireIn: '5D', tiersDowngradePolicy: 'balance_based' }]) {
      test(`random adds, deducts and days passing: the stored tier always equals the replayed one (${JSON.stringify(policy)})`, (t) => {
        const c = clock('2026-01-01T00:00:00Z');
        let seed = 7;
        const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
        return withTestServer(kind, t, async (s) => {
          const x = await setup(s, policy);
          for (let step = 0; step < 40; step++) {
            const op = rnd(4);
            if (op === 0) await x.add('rita', { points: 50 * (1 + rnd(8)), ...(rnd(2) ? { validityDuration: `${1 + rnd(6)}D` } : {}), ...(rnd(4) === 0 ? { pendingDuration: '1D' } : {}) });
            else if (op === 1) {
              const active = (await x.balances('rita')).balance.activePoints as number;
              if (active > 0) await x.deduct('rita', { points: Math.min(active, 50 * (1 + rnd(6))) });
            } else c.set(new Date(c.now().getTime() + 86_400_000 * (1 + rnd(3))).toISOString());
            await x.balances('rita');
            await assertReplayMatches(s, x.pid, 'profile', 'rita', c.now().toISOString());
          }
        }, c.now);
      });
    }

    test('on-action points: the tier is reached at their activation, whichever write or read comes next', (t) => {
      const c = clock('2026-02-01T00:00:00Z');
      return withTestServer(kind, t, async (s) => {
        const x = await setup(s, { defaultPending: 'on_action', tiersExpireIn: '30D' });
        await x.add('otto', { points: 400 });
        assert.equal(tierName(await x.balances('otto')), undefined, 'pending points do not count');
        const uuid = (await s.integ(x.app.key, 'GET', `${x.base}/otto/transactions`)).json().data[0].transactionUUID as string;
        c.set('2026-02-02T00:00:00Z');
        const a = await s.integ(x.app.key, 'POST', `/v1/loyalty_programs/${x.pid}/activate_points`, { transactionUUIDs: [uuid] });
        assert.equal(a.statusCode, 200, a.body);
        c.set('2026-02-03T00:00:00Z');
        let b = await x.balances('otto');
        assert.equal(b.balance.currentTier.name, 'Gold');
        assert.equal(b.balance.currentTier.startDate, '2026-02-02T00:00:00Z', 'a read sees the tier from the activation');
        await x.add('otto', { points: 10, pendingDuration: 'immediate' });
        b = await x.balances('otto');
        assert.equal(b.balance.currentTier.startDate, '2026-02-02T00:00:00Z', 'and so does the next write');
        assert.equal(b.balance.currentTier.expiryDate, '2026-03-04T00:00:00Z');
        await assertReplayMatches(s, x.pid, 'profile', 'otto', c.now().toISOString());
      }, c.now);
    });

    test('a tier of minPoints 0 holds every member; its dates come with the first active point', (t) => withTestServer(kind, t, async (s) => {
      const x = await setup(s, { tiers: [{ name: 'Base', minPoints: 0 }, ...TIERS] });
      await x.add('erin', { points: 10, pendingDuration: '1D' });
      let b = await x.balances('erin');
      assert.deepEqual(b.balance.currentTier, { id: b.balance.currentTier.id, name: 'Base' });
      assert.equal(b.balance.nextTierName, 'Silver');
      await x.add('erin', { points: 5 });
      b = await x.balances('erin');
      assert.equal(b.balance.currentTier.name, 'Base');
      assert.ok(b.balance.currentTier.startDate);
    }));
  });
}
