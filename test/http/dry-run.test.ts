/**
 * Dry runs keep nothing, by construction: they take the real request's path — every write included —
 * inside Database.rehearse, which always rolls back (docs/sessions.md, "Dry runs"). Each dry request
 * here is one whose real twin writes a lot (coupons, a referral, limit counters and budgets, created
 * codes, reservations, attribute writes, events, returns), and the test proves both halves: the writes
 * are made (every statement of the rehearsal is watched) and none is kept (every table of the schema,
 * its row count and the text of every row, is the same before and after). On SQLite in memory, SQLite
 * on a file (WAL, group commit and the checkpointer's worker) and PostgreSQL.
 *
 * reopenCustomerSession has no `dry` in the Integration API; the dry revoke of a closed session below
 * takes the release path a reopen takes (rollbackForRevoke, releaseAll).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Database, Sql } from '../../src/store/db.js';
import { openDatabase } from '../../src/store/open.js';
import { insertCoupons } from '../../src/store/repos/coupons.js';
import { insertReferral } from '../../src/store/repos/referrals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { dropTestSchemas, freshPostgresUrl } from '../helpers/stores.js';

type Json = Record<string, any>;

const dirs: string[] = [];
const KINDS: { name: string; url(): Promise<string | null>; cleanup(): Promise<void> }[] = [
  { name: 'SQLite in memory', url: () => Promise.resolve('sqlite::memory:'), cleanup: () => Promise.resolve() },
  {
    name: 'SQLite file',
    url: () => {
      const dir = mkdtempSync(join(os.tmpdir(), 'openpromo-dry-'));
      dirs.push(dir);
      return Promise.resolve(`sqlite:${join(dir, 'db.sqlite')}`);
    },
    cleanup: () => {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
      return Promise.resolve();
    },
  },
  { name: 'PostgreSQL', url: freshPostgresUrl, cleanup: dropTestSchemas },
];

/** A database whose rehearsals report the tables they write (INSERT, UPDATE, DELETE, upserts). */
function watched(inner: Database): { db: Database; written: Set<string> } {
  const written = new Set<string>();
  const note = (q: string) => {
    const m = /^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)/i.exec(q);
    if (m) written.add(m[1]);
  };
  const watch = (sql: Sql): Sql => {
    const out = Object.create(sql) as Sql;
    out.all = (q, p) => { note(q); return sql.all(q, p); };
    out.get = (q, p) => { note(q); return sql.get(q, p); };
    out.run = (q, p) => { note(q); return sql.run(q, p); };
    out.insert = (q, p) => { note(q); return sql.insert(q, p); };
    return out;
  };
  const db: Database = {
    get dialect() { return inner.dialect; },
    transaction: (fn) => inner.transaction(fn),
    rehearse: (fn) => inner.rehearse((sql) => fn(watch(sql))),
    migrate: () => inner.migrate(),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { db, written };
}

/** Every table of the schema: its row count and the text of each row (rows sorted, as a table has no order). */
async function contents(db: Database): Promise<Record<string, { count: number; rows: string[] }>> {
  return db.transaction(async (sql) => {
    const names = sql.dialect === 'sqlite'
      ? await sql.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      : await sql.all<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name");
    const out: Record<string, { count: number; rows: string[] }> = {};
    for (const { name } of names) {
      const count = await sql.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM "${name}"`);
      const rows = await sql.all(`SELECT * FROM "${name}"`);
      out[name] = { count: Number(count!.n), rows: rows.map((r) => JSON.stringify(r)).sort() };
    }
    return out;
  });
}

const P = (path: string): unknown[] => ['.', ...path.split('.')];
const cart = [{ sku: 'SH', quantity: 3, price: 50, category: 'Shoes' }, { sku: 'TEE', quantity: 1, price: 30 }];
const RESPONSE = ['customerSession', 'customerProfile', 'coupons', 'referral', 'triggeredCampaigns', 'event', 'previousReturns'];

async function campaign(s: TestServer, appId: number, name: string, rules: unknown[], extra: Json = {}): Promise<number> {
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name, tags: [], features: ['coupons', 'referrals'], limits: [], ...extra });
  assert.equal(c.statusCode, 201, c.body);
  const r = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json().id}/rulesets`, { bindings: [], rules, activate: true });
  assert.equal(r.statusCode, 201, r.body);
  return c.json().id as number;
}

for (const kind of KINDS) {
  describe(`dry runs keep nothing (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('session create, update, close, cancel and revoke, returns, profile updates and events: written, rolled back', async (t) => {
      const url = await kind.url();
      if (!url) return t.skip('PostgreSQL not available');
      const inner = openDatabase(url);
      await inner.migrate();
      const { db, written } = watched(inner);
      let clock = new Date('2030-01-01T10:00:00Z');
      const s = await startTestServer(db, () => clock);
      try {
        for (const [entity, name] of [['CustomerSession', 'Note'], ['CustomerProfile', 'Tier']]) {
          const r = await s.mgmt('POST', '/v1/attributes', { entity, name, title: name, type: 'string', description: '', suggestions: [], editable: true });
          assert.equal(r.statusCode, 201, r.body);
        }
        const a = await s.newApplication({ enablePartialDiscounts: true });
        const coupons = await campaign(s, a.id, 'coupons', [{ title: 'five', condition: ['and', ['couponValid']], effects: [['setDiscount', 'five', 5], ['reserveCoupon']] }], {
          limits: [{ action: 'redeemCoupon', limit: 5, entities: ['Profile'] }, { action: 'setDiscount', limit: 1000, entities: [] }, { action: 'reserveCoupon', limit: 100, entities: [] }],
        });
        const referrals = await campaign(s, a.id, 'referrals', [{ title: 'friend', condition: ['and', ['referralValid']], effects: [['setDiscount', 'friend', 10]] }], {
          limits: [{ action: 'redeemReferral', limit: 10, entities: [] }],
        });
        await campaign(s, a.id, 'on return', [
          { title: 'ten', condition: ['and', ['>', P('Session.Total'), 100]], effects: [['setDiscount', 'ten', ['*', P('Session.Total'), ['/', 10, 100]]]] },
          { title: 'shoe', condition: ['and', true], effects: [['map', ['filter', P('Session.CartItems'), [['Item'], ['catch', false, ['=', P('Item.Category'), 'Shoes']]]],
            [['Item'], ['setDiscountPerItem', 'shoe', 1, ['.', 'Item']]]]] },
        ], { reevaluateOnReturn: true, limits: [{ action: 'setDiscount', limit: 1000, entities: [] }, { action: 'setDiscountEffect', limit: 1000, entities: ['Profile'] }] });
        await campaign(s, a.id, 'at close', [{
          title: 'thanks', condition: ['and', ['=', P('Session.State'), 'closed']],
          effects: [['updateAttribute', 'Session.Attributes.Note', 'closed'], ['updateAttribute', 'Profile.Attributes.Tier', 'gold'], ['createCoupon'], ['createReferral']],
        }], { limits: [{ action: 'createCoupon', limit: 100, entities: [] }, { action: 'createReferral', limit: 100, entities: ['Profile'] }] });
        await campaign(s, a.id, 'on events', ['talon_profile_created', 'talon_profile_updated', 'signup'].map((type) => ({
          title: type, condition: ['and', ['=', P('Event.Type'), type]], effects: [['updateAttribute', 'Profile.Attributes.Tier', 'silver'], ['createCoupon']],
        })), { limits: [{ action: 'createCoupon', limit: 10, entities: ['Profile'] }] });
        await s.db.transaction((sql) => insertCoupons(sql, ['SAVE1', 'SAVE2', 'SAVE3'].map((value) => ({
          applicationId: a.id, campaignId: coupons, value, usageLimit: 5, attributes: {}, limits: [], isReservationMandatory: false, implicitlyReserved: false,
          created: '2029-12-01T00:00:00.000Z',
        }))));
        const put = async (id: string, customerSession: Json, query = '') => {
          clock = new Date(clock.getTime() + 60_000);
          const r = await s.integ(a.key, 'PUT', `/v2/customer_sessions/${id}${query}`, { customerSession, responseContent: RESPONSE });
          assert.equal(r.statusCode, 200, r.body);
          return r.json<Json>();
        };
        const ret = async (id: string, items: Json[], query = '', headers: Record<string, string> = {}) => {
          clock = new Date(clock.getTime() + 60_000);
          const r = await s.integ(a.key, 'POST', `/v2/customer_sessions/${id}/returns${query}`, { return: { returnedCartItems: items }, responseContent: RESPONSE }, headers);
          assert.equal(r.statusCode, 200, r.body);
          return r.json<Json>();
        };
        const profile = async (id: string, query: string) => {
          clock = new Date(clock.getTime() + 60_000);
          const r = await s.integ(a.key, 'PUT', `/v2/customer_profiles/${id}${query}`, { attributes: { Tier: 'bronze' }, responseContent: ['customerProfile', 'event'] });
          assert.equal(r.statusCode, 200, r.body);
          return r.json<Json>();
        };
        const track = async (profileId: string, query: string) => {
          clock = new Date(clock.getTime() + 60_000);
          const r = await s.integ(a.key, 'POST', `/v2/events?silent=no${query}`, { type: 'signup', profileId, responseContent: ['customerProfile', 'event'] });
          assert.equal(r.statusCode, 200, r.body);
          return r.json<Json>();
        };
        const kinds = (r: Json) => (r.effects as Json[]).map((e) => e.effectType as string);

        // what the dry runs start from: an open session, a closed one, a partially returned one, codes in use
        await put('advocate', { profileId: 'advocate' });
        await s.db.transaction((sql) => insertReferral(sql, {
          applicationId: a.id, campaignId: referrals, code: 'REF-1', usageLimit: 5, advocateProfileIntegrationId: 'advocate', attributes: {}, created: '2029-12-01T00:00:00.000Z',
        }));
        const withCodes = (profileId: string, coupon: string) => ({ profileId, couponCodes: [coupon], referralCode: 'REF-1', cartItems: cart, attributes: { Note: 'n' } });
        await put('open', withCodes('p1', 'SAVE1'));
        assert.deepEqual(kinds(await put('closed', { ...withCodes('p2', 'SAVE2'), state: 'closed' })).filter((k) => k.endsWith('Created')), ['couponCreated', 'referralCreated']);
        await put('returned', { ...withCodes('p3', 'SAVE3'), state: 'closed' });
        await ret('returned', [{ position: 0, quantity: 1 }], '?runRuleEngine=true', { 'idempotency-key': 'kept-key' });
        await profile('p1', '?runRuleEngine=true');
        await track('p1', '');

        const before = await contents(s.db);
        assert.deepEqual([before.coupon_redemptions.count, before.referees.count, before.returns.count, before.idempotency.count], [2, 2, 1, 1]);
        /** Runs one dry request: it answers, it wrote at least `writes`, and it kept nothing. */
        const dry = async <T>(what: string, writes: string[], request: () => Promise<T>): Promise<T> => {
          written.clear();
          const answer = await request();
          const missing = writes.filter((w) => !written.has(w));
          assert.deepEqual(missing, [], `${what}: the rehearsal wrote ${[...written].sort().join(', ')}`);
          assert.deepEqual(await contents(s.db), before, `${what} kept something`);
          return answer;
        };

        const closes = ['sessions', 'events', 'profiles', 'coupons', 'coupon_redemptions', 'coupon_reservations', 'referrals', 'referees', 'limit_counters'];
        let r = await dry('a new session created closed, for a new profile', closes, () => put('new', { ...withCodes('p-new', 'SAVE1'), state: 'closed' }, '?dry=true'));
        assert.deepEqual(kinds(r).filter((k) => k.startsWith('accept') || k.endsWith('Created')), ['acceptCoupon', 'acceptReferral', 'couponCreated', 'referralCreated']);
        assert.equal(r.customerSession.id, 0);
        assert.deepEqual(r.createdCoupons, []);
        r = await dry('a new open session', ['sessions', 'events', 'profiles', 'coupon_reservations'], () => put('new', withCodes('p1', 'SAVE2'), '?dry=true'));
        assert.equal(r.customerSession.updateCount, 0);
        await dry('an update of an open session', ['sessions', 'events', 'profiles'], () => put('open', withCodes('p1', 'SAVE1'), '?dry=true'));
        r = await dry('the close of an open session', closes, () => put('open', { ...withCodes('p1', 'SAVE1'), state: 'closed' }, '?dry=true'));
        assert.equal(r.customerSession.attributes.Note, 'n', 'the rules\' attribute writes are not answered');
        await dry('the cancellation of an open session', ['sessions', 'events'], () => put('open', { state: 'cancelled' }, '?dry=true'));
        const releases = ['sessions', 'events', 'profiles', 'coupons', 'coupon_redemptions', 'referrals', 'referees', 'limit_counters'];
        r = await dry('the revoke of a closed session', releases, () => put('closed', { state: 'cancelled' }, '?dry=true'));
        assert.ok(kinds(r).includes('rollbackCoupon') && kinds(r).includes('rollbackReferral'));
        await dry('the revoke of a partially returned session', releases, () => put('returned', { state: 'cancelled' }, '?dry=true'));
        const returns = ['sessions', 'events', 'returns', 'profiles', 'limit_counters'];
        r = await dry('a return', returns, () => ret('closed', [{ position: 0, quantity: 1 }], '?dry=true'));
        assert.equal(r.return.id, 0);
        r = await dry('a return with runRuleEngine', returns, () => ret('closed', [{ position: 0, quantity: 1 }], '?dry=true&runRuleEngine=true'));
        assert.ok(kinds(r).includes('setDiscount'), 'the re-evaluated campaign discounts again');
        await dry('a return of a partially returned session, with runRuleEngine', returns, () => ret('returned', [{ sku: 'SH' }], '?dry=true&runRuleEngine=true'));
        await dry('a return with an Idempotency-Key', ['sessions', 'events', 'returns', 'profiles'], () => ret('closed', [{ sku: 'TEE' }], '?dry=true', { 'idempotency-key': 'kept-key' }));
        const evaluated = ['profiles', 'events', 'coupons', 'limit_counters'];
        r = await dry('a profile update of a new profile', evaluated, () => profile('p-dry', '?runRuleEngine=true&dry=true'));
        assert.deepEqual([r.customerProfile.id, r.event.id, r.createdCoupons], [0, 0, []]);
        await dry('a profile update', evaluated, () => profile('p1', '?runRuleEngine=true&dry=true'));
        await dry('an event of a new profile', evaluated, () => track('p-dry', '&dry=true'));
        await dry('an event', evaluated, () => track('p1', '&dry=true'));

        // the same requests for real do change what the snapshot sees
        await put('open', { state: 'closed' });
        assert.notDeepEqual(await contents(s.db), before);
      } finally {
        await s.close();
      }
    });
  });
}
