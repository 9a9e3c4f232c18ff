/**
 * The store contract: what every service relies on from the Database and the repositories,
 * checked identically on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACCOUNT_ID, withDefaults } from '../../src/domain/application.js';
import { dec, Decimal } from '../../src/domain/money.js';
import { computeTotals, normaliseCart, type CustomerSession } from '../../src/domain/session.js';
import type { Database, Sql } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations.js';
import { deleteToken, findKey, findToken, insertApiKey, insertToken, listApiKeys, revokeApiKey } from '../../src/store/repos/apiKeys.js';
import { getApplication, insertApplication, listApplications, updateApplication } from '../../src/store/repos/applications.js';
import { bumpConfigVersion, configVersion } from '../../src/store/repos/configVersions.js';
import {
  insertAdditionalCost, insertAttribute, listAdditionalCosts, listAttributes, updateAdditionalCost, updateAttributeDef,
} from '../../src/store/repos/definitions.js';
import { findIdempotent, insertEvent, insertReturn, listReturns, listSessionEvents, saveIdempotent } from '../../src/store/repos/events.js';
import { addToProfileCounters, ensureProfile, getProfile, saveProfileAttributes, touchProfile } from '../../src/store/repos/profiles.js';
import { getSession, getSessionById, insertSession, listSessions, profileHasOtherSession, updateSession } from '../../src/store/repos/sessions.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';

const T = (n: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();

function newSession(applicationId: number, integrationId: string, extra: Partial<CustomerSession> = {}): Omit<CustomerSession, 'id'> {
  const cartItems = normaliseCart([{ sku: 'a', price: 0.1, quantity: 1 }, { sku: 'b', price: 0.2, quantity: 1 }]);
  const content = {
    profileId: '', couponCodes: [], referralCode: '', loyaltyCards: [], cartItems, additionalCosts: {}, identifiers: [], attributes: {},
  };
  return {
    ...content, ...computeTotals(content), integrationId, applicationId, state: 'open', firstSession: true, updateCount: 1,
    created: T(0), updated: T(0), ...extra,
  };
}

const effect = (n: number) => ({ campaignId: n, rulesetId: 1, ruleIndex: 0, ruleName: `r${n}`, effectType: 'showNotification', props: { title: `t${n}` } });

for (const kind of STORES) {
  describe(`store contract (${kind.name})`, () => {
    let db: Database | null = null;
    let appId = 0;
    let otherAppId = 0;

    before(async () => {
      db = await openTestDatabase(kind);
      if (!db) return;
      await db.transaction(async (sql) => {
        appId = (await insertApplication(sql, ACCOUNT_ID, withDefaults({ name: 'A', currency: 'EUR', timezone: 'UTC' }), T(0))).id;
        otherAppId = (await insertApplication(sql, ACCOUNT_ID, withDefaults({ name: 'B', currency: 'USD', timezone: 'UTC' }), T(0))).id;
      });
    });
    after(async () => {
      await db?.close();
      await kind.cleanup();
    });

    const it = (name: string, fn: (db: Database) => Promise<void>): void => {
      test(name, async (t) => {
        if (!db) return t.skip('PostgreSQL not available');
        await fn(db);
      });
    };
    const tx = <T>(fn: (sql: Sql) => Promise<T>) => db!.transaction(fn);

    it('migrations are idempotent and versioned', async (d) => {
      assert.equal(await d.migrate(), 0, 'second migrate applies nothing');
      assert.equal(await d.migrate(), 0);
      const versions = await tx((sql) => sql.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'));
      assert.deepEqual(versions.map((v) => Number(v.version)), migrations(d.dialect).map((m) => m.version));
      await d.ping();
      assert.equal(d.dialect, kind.name);
    });

    it('applications round-trip, update and page', async () => {
      const created = await tx(async (sql) => {
        const a = await insertApplication(sql, ACCOUNT_ID, withDefaults({ name: 'Round trip', currency: 'JPY', timezone: 'Asia/Tokyo', description: 'ü' }), T(1));
        return a;
      });
      assert.equal(created.name, 'Round trip');
      assert.equal(created.accountId, ACCOUNT_ID);
      assert.equal(created.created, T(1));
      assert.equal(created.enableFlattenedCartItems, true);
      const read = await tx((sql) => getApplication(sql, created.id));
      assert.deepEqual(read, created);
      const upd = await tx((sql) => updateApplication(sql, created.id, { name: 'Renamed', currency: 'JPY', timezone: 'UTC' }, T(2)));
      assert.equal(upd!.name, 'Renamed');
      assert.equal(upd!.modified, T(2));
      assert.equal(upd!.created, T(1));
      assert.equal(await tx((sql) => updateApplication(sql, 999_999, { name: 'x', currency: 'x', timezone: 'x' }, T(2))), undefined);
      assert.equal(await tx((sql) => getApplication(sql, 999_999)), undefined);
      const all = await tx((sql) => listApplications(sql, ACCOUNT_ID, { skip: 0, limit: 1000 }));
      const page = await tx((sql) => listApplications(sql, ACCOUNT_ID, { skip: 1, limit: 1 }));
      assert.equal(page.total, all.total);
      assert.ok(all.total >= 3);
      assert.deepEqual(page.data.map((a) => a.id), [all.data[1].id]);
      assert.deepEqual(all.data.map((a) => a.id), [...all.data.map((a) => a.id)].sort((x, y) => x - y));
    });

    it('API keys: lookup by hash, expiry, revocation, per-Application listing; tokens', async () => {
      const rec = (title: string, expires: string, app = appId) => ({
        title, expires, createdBy: 1, accountID: ACCOUNT_ID, applicationID: app, created: T(0),
      });
      const k1 = await tx((sql) => insertApiKey(sql, 'hash-1', rec('one', T(100))));
      const k2 = await tx((sql) => insertApiKey(sql, 'hash-2', { ...rec('two', T(100)), platform: 'segment', timeOffset: 5 }));
      await tx((sql) => insertApiKey(sql, 'hash-3', rec('other', T(100), otherAppId)));
      assert.equal(k1.title, 'one');
      assert.equal(k2.platform, 'segment');
      assert.equal(k2.timeOffset, 5);
      assert.deepEqual(await tx((sql) => findKey(sql, 'hash-1', T(99))), { applicationId: appId, expires: T(100) });
      assert.equal(await tx((sql) => findKey(sql, 'hash-1', T(100))), undefined, 'expired at its expiry instant');
      assert.equal(await tx((sql) => findKey(sql, 'nope', T(1))), undefined);
      await assert.rejects(tx((sql) => insertApiKey(sql, 'hash-1', rec('dup', T(100)))), 'key hashes are unique');
      assert.deepEqual((await tx((sql) => listApiKeys(sql, appId))).map((k) => k.title), ['one', 'two']);
      assert.equal(await tx((sql) => revokeApiKey(sql, otherAppId, k1.id)), false, 'only the owning Application revokes');
      assert.equal(await tx((sql) => revokeApiKey(sql, appId, k1.id)), true);
      assert.equal(await tx((sql) => revokeApiKey(sql, appId, k1.id)), false, 'second revocation is a no-op');
      assert.equal(await tx((sql) => findKey(sql, 'hash-1', T(1))), undefined);
      assert.deepEqual((await tx((sql) => listApiKeys(sql, appId))).map((k) => k.title), ['two']);

      await tx((sql) => insertToken(sql, 'tok', 7, T(0), T(50)));
      assert.deepEqual(await tx((sql) => findToken(sql, 'tok', T(10))), { userId: 7 });
      assert.equal(await tx((sql) => findToken(sql, 'tok', T(50))), undefined);
      await tx((sql) => deleteToken(sql, 'tok'));
      assert.equal(await tx((sql) => findToken(sql, 'tok', T(10))), undefined);
    });

    it('profiles: ensureProfile creates once, also under concurrency; counters are exact', async (d) => {
      const p = await tx((sql) => ensureProfile(sql, ACCOUNT_ID, 'prof-1', T(1)));
      assert.equal(p.integrationId, 'prof-1');
      assert.deepEqual(p.attributes, {});
      assert.equal(p.closedSessions, 0);
      assert.equal(p.totalSales.toString(), '0');
      assert.equal(p.created, T(1));
      const again = await tx((sql) => ensureProfile(sql, ACCOUNT_ID, 'prof-1', T(2)));
      assert.deepEqual(again, p, 'a second ensure returns the stored profile unchanged');

      // many transactions racing to create the same new profile
      const racers = await Promise.all(Array.from({ length: 12 }, (_, i) => d.transaction(async (sql) => {
        const r = await ensureProfile(sql, ACCOUNT_ID, 'prof-race', T(i));
        await addToProfileCounters(sql, r.id, 1, dec('0.1'));
        return r.id;
      })));
      assert.equal(new Set(racers).size, 1);
      const n = await tx((sql) => sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM profiles WHERE integration_id = 'prof-race'"));
      assert.equal(Number(n!.n), 1);
      const raced = (await tx((sql) => getProfile(sql, ACCOUNT_ID, 'prof-race')))!;
      assert.equal(raced.closedSessions, 12);
      assert.equal(raced.totalSales.toString(), '1.2', 'no lost update, no float drift');

      await tx(async (sql) => {
        await addToProfileCounters(sql, p.id, 1, dec(0.1));
        await addToProfileCounters(sql, p.id, 1, dec(0.2));
      });
      let got = (await tx((sql) => getProfile(sql, ACCOUNT_ID, 'prof-1')))!;
      assert.equal(got.totalSales.toString(), '0.3');
      assert.equal(got.closedSessions, 2);
      await tx((sql) => addToProfileCounters(sql, p.id, -2, dec('-0.3')));
      got = (await tx((sql) => getProfile(sql, ACCOUNT_ID, 'prof-1')))!;
      assert.equal(got.totalSales.toString(), '0');
      assert.equal(got.closedSessions, 0);
      await tx((sql) => addToProfileCounters(sql, p.id, 0, dec('0.00000000000000000001')));
      got = (await tx((sql) => getProfile(sql, ACCOUNT_ID, 'prof-1')))!;
      assert.equal(got.totalSales.toString(), '0.00000000000000000001');
      assert.ok(got.totalSales.equals(new Decimal('0.00000000000000000001')));

      await tx((sql) => saveProfileAttributes(sql, p.id, { Name: 'Zoë', tags: ['a'] }, T(5)));
      got = (await tx((sql) => getProfile(sql, ACCOUNT_ID, 'prof-1')))!;
      assert.deepEqual(got.attributes, { Name: 'Zoë', tags: ['a'] });
      assert.equal(got.lastActivity, T(5));
      await tx((sql) => touchProfile(sql, p.id, T(6)));
      assert.equal((await tx((sql) => getProfile(sql, ACCOUNT_ID, 'prof-1')))!.lastActivity, T(6));
      assert.equal(await tx((sql) => getProfile(sql, ACCOUNT_ID, 'nobody')), undefined);
      assert.equal(await tx((sql) => getProfile(sql, ACCOUNT_ID + 1, 'prof-1')), undefined, 'profiles are per account');
    });

    it('sessions: insert, get, update, per-Application uniqueness', async () => {
      const s = newSession(appId, 'sess-1', { profileId: 'prof-s', couponCodes: ['C'], storeIntegrationId: 'st', experimentVariantAllocations: [{ experimentID: 1, variantID: 2 }] });
      const id = await tx((sql) => insertSession(sql, s, [effect(1)]));
      assert.ok(id > 0);
      const got = (await tx((sql) => getSession(sql, appId, 'sess-1')))!;
      assert.deepEqual(got.session, { ...s, id });
      assert.deepEqual(got.effects, [effect(1)]);
      assert.equal(got.session.cartItemTotal.toString(), '0.3');
      assert.deepEqual((await tx((sql) => getSessionById(sql, appId, id)))!.session, got.session);
      assert.equal(await tx((sql) => getSessionById(sql, otherAppId, id)), undefined);
      assert.equal(await tx((sql) => getSession(sql, otherAppId, 'sess-1')), undefined);

      await assert.rejects(tx((sql) => insertSession(sql, newSession(appId, 'sess-1'), [])), 'integration id unique per Application');
      const otherId = await tx((sql) => insertSession(sql, newSession(otherAppId, 'sess-1'), []));
      assert.notEqual(otherId, id);

      const changed: CustomerSession = {
        ...got.session, state: 'closed', updateCount: 2, updated: T(9), firstSession: false, couponCodes: [], referralCode: 'R',
        cartItems: normaliseCart([{ sku: 'z', price: 19.99, quantity: 3 }]), cartItemTotal: dec('59.97'), additionalCostTotal: dec(0), total: dec('59.97'),
      };
      delete changed.storeIntegrationId;
      await tx((sql) => updateSession(sql, changed, []));
      const after = (await tx((sql) => getSession(sql, appId, 'sess-1')))!;
      assert.deepEqual(after.session, changed);
      assert.deepEqual(after.effects, []);
      assert.equal(after.session.total.toString(), '59.97');
      assert.equal((await tx((sql) => getSession(sql, otherAppId, 'sess-1')))!.session.state, 'open', 'the other Application is untouched');

      assert.equal(await tx((sql) => profileHasOtherSession(sql, appId, 'prof-s', 'sess-1')), false);
      await tx((sql) => insertSession(sql, newSession(appId, 'sess-2', { profileId: 'prof-s' }), []));
      assert.equal(await tx((sql) => profileHasOtherSession(sql, appId, 'prof-s', 'sess-1')), true);
      assert.equal(await tx((sql) => profileHasOtherSession(sql, otherAppId, 'prof-s', 'x')), false);
    });

    it('sessions: list with filters, sorting and paging', async () => {
      const app = await tx((sql) => insertApplication(sql, ACCOUNT_ID, withDefaults({ name: 'List', currency: 'EUR', timezone: 'UTC' }), T(0)));
      for (let i = 0; i < 7; i++) {
        await tx((sql) => insertSession(sql, newSession(app.id, `l-${i}`, {
          profileId: i % 2 ? 'odd' : 'even', state: i < 3 ? 'closed' : 'open', created: T(10 + i), updated: T(10 + i),
        }), []));
      }
      const ids = async (f: Parameters<typeof listSessions>[2]) => {
        const r = await tx((sql) => listSessions(sql, app.id, f));
        return { total: r.total, ids: r.data.map((x) => x.session.integrationId) };
      };
      assert.deepEqual(await ids({ skip: 0, limit: 100 }), { total: 7, ids: ['l-6', 'l-5', 'l-4', 'l-3', 'l-2', 'l-1', 'l-0'] });
      assert.deepEqual(await ids({ skip: 0, limit: 100, sort: 'created' }), { total: 7, ids: ['l-0', 'l-1', 'l-2', 'l-3', 'l-4', 'l-5', 'l-6'] });
      assert.deepEqual(await ids({ skip: 2, limit: 2, sort: 'created' }), { total: 7, ids: ['l-2', 'l-3'] });
      assert.deepEqual(await ids({ skip: 0, limit: 100, profile: 'odd' }), { total: 3, ids: ['l-5', 'l-3', 'l-1'] });
      assert.deepEqual(await ids({ skip: 0, limit: 100, state: 'closed' }), { total: 3, ids: ['l-2', 'l-1', 'l-0'] });
      assert.deepEqual(await ids({ skip: 0, limit: 100, integrationId: 'l-4' }), { total: 1, ids: ['l-4'] });
      assert.deepEqual(await ids({ skip: 0, limit: 100, createdAfter: T(12), createdBefore: T(15), sort: 'created' }), { total: 2, ids: ['l-3', 'l-4'] });
      assert.deepEqual(await ids({ skip: 0, limit: 100, state: 'closed', profile: 'even' }), { total: 2, ids: ['l-2', 'l-0'] });
      assert.deepEqual(await ids({ skip: 50, limit: 10 }), { total: 7, ids: [] });
    });

    it('events, returns and idempotency records round-trip', async () => {
      const sid = await tx((sql) => insertSession(sql, newSession(appId, 'ev-1'), []));
      const e1 = await tx((sql) => insertEvent(sql, {
        applicationId: appId, type: 'talon_session_created', profileId: 'p', sessionId: 'ev-1', storeIntegrationId: 'st', attributes: { a: 1 }, effects: [effect(1)], created: T(1),
      }));
      const e2 = await tx((sql) => insertEvent(sql, {
        applicationId: appId, type: 'talon_session_closed', profileId: 'p', sessionId: 'ev-1', attributes: {}, effects: [], created: T(2),
      }));
      await tx((sql) => insertEvent(sql, { applicationId: otherAppId, type: 'x', profileId: '', sessionId: 'ev-1', attributes: {}, effects: [], created: T(3) }));
      assert.ok(e2.id > e1.id);
      const evs = await tx((sql) => listSessionEvents(sql, appId, 'ev-1'));
      assert.deepEqual(evs, [e1, e2]);

      const r1 = await tx((sql) => insertReturn(sql, {
        created: T(4), applicationId: appId, accountId: ACCOUNT_ID, returnedCartItems: [{ position: 0, quantity: 1, sku: 'a' }], eventId: e2.id,
        sessionId: sid, sessionIntegrationId: 'ev-1', profileId: 3, profileIntegrationId: 'p',
      }));
      const r2 = await tx((sql) => insertReturn(sql, {
        created: T(5), applicationId: appId, accountId: ACCOUNT_ID, returnedCartItems: [{ position: 1, quantity: 1, sku: 'b' }], eventId: e2.id,
        sessionId: sid, sessionIntegrationId: 'ev-1',
      }));
      assert.deepEqual(await tx((sql) => listReturns(sql, sid)), [r1, r2]);
      await assert.rejects(tx((sql) => insertReturn(sql, { ...r1, sessionId: 987_654 })), 'a return must belong to a stored session');

      const body = { effects: [], nested: { price: 0.1, text: 'ü' } };
      await tx((sql) => saveIdempotent(sql, appId, 'returnCartItems', 'key-1', 200, body, T(10)));
      assert.deepEqual(await tx((sql) => findIdempotent(sql, appId, 'returnCartItems', 'key-1', T(9))), { status: 200, body });
      assert.equal(await tx((sql) => findIdempotent(sql, appId, 'returnCartItems', 'key-1', T(10))), undefined, 'older than the window');
      assert.equal(await tx((sql) => findIdempotent(sql, otherAppId, 'returnCartItems', 'key-1', T(0))), undefined);
      assert.equal(await tx((sql) => findIdempotent(sql, appId, 'other', 'key-1', T(0))), undefined);
      await tx((sql) => saveIdempotent(sql, appId, 'returnCartItems', 'key-1', 201, { v: 2 }, T(20)));
      assert.deepEqual(await tx((sql) => findIdempotent(sql, appId, 'returnCartItems', 'key-1', T(15))), { status: 201, body: { v: 2 } });
    });

    it('config versions count per scope', async () => {
      assert.equal(await tx((sql) => configVersion(sql, 'scope-x')), 0);
      await tx((sql) => bumpConfigVersion(sql, 'scope-x'));
      await tx((sql) => bumpConfigVersion(sql, 'scope-x'));
      await tx((sql) => bumpConfigVersion(sql, 'scope-y'));
      assert.equal(await tx((sql) => configVersion(sql, 'scope-x')), 2);
      assert.equal(await tx((sql) => configVersion(sql, 'scope-y')), 1);
    });

    it('definitions: additional costs and attributes round-trip and update', async () => {
      const c = await tx((sql) => insertAdditionalCost(sql, { accountId: ACCOUNT_ID, name: 'ship-c', title: 'Shipping', description: 'd', type: 'session', created: T(0) }));
      assert.equal(c.name, 'ship-c');
      await assert.rejects(tx((sql) => insertAdditionalCost(sql, { accountId: ACCOUNT_ID, name: 'ship-c', title: 'x', description: '', type: 'item', created: T(0) })));
      assert.equal(await tx((sql) => updateAdditionalCost(sql, { ...c, title: 'Shipping 2', type: 'both' })), true);
      const costs = await tx((sql) => listAdditionalCosts(sql, ACCOUNT_ID));
      assert.deepEqual(costs.find((x) => x.id === c.id), { ...c, title: 'Shipping 2', type: 'both' });
      const a = await tx((sql) => insertAttribute(sql, {
        accountId: ACCOUNT_ID, entity: 'CustomerSession', name: 'City', title: 'City', type: 'string', description: '', suggestions: ['Berlin'], editable: true, created: T(0),
      }));
      // the same name on another entity or event type is a different attribute
      await tx((sql) => insertAttribute(sql, { ...a, entity: 'Event', eventType: 'click' }));
      await tx((sql) => insertAttribute(sql, { ...a, entity: 'Event', eventType: 'view' }));
      await assert.rejects(tx((sql) => insertAttribute(sql, { ...a, title: 'dup' })));
      assert.equal(await tx((sql) => updateAttributeDef(sql, { ...a, description: 'updated' })), true);
      const attrs = await tx((sql) => listAttributes(sql, ACCOUNT_ID));
      assert.deepEqual(attrs.find((x) => x.id === a.id), { ...a, description: 'updated' });
      assert.equal(attrs.filter((x) => x.name === 'City').length, 3);
    });

    it('money is stored exactly: 0.1 + 0.2, tiny and huge scales', async () => {
      const values = ['0.3', '0.00000000000000000001', '123456789012345678901234567.123456789', '-42.5', '0'];
      for (const [i, v] of values.entries()) {
        const d = new Decimal(v);
        await tx((sql) => insertSession(sql, newSession(appId, `money-${i}`, { cartItemTotal: d, additionalCostTotal: d.times(2), total: d.times(3) }), []));
        const got = (await tx((sql) => getSession(sql, appId, `money-${i}`)))!.session;
        assert.ok(got.cartItemTotal.equals(d), `${v} → ${got.cartItemTotal.toString()}`);
        assert.ok(got.additionalCostTotal.equals(d.times(2)));
        assert.ok(got.total.equals(d.times(3)));
      }
      const sum = dec(0.1).plus(dec(0.2));
      await tx((sql) => insertSession(sql, newSession(appId, 'money-sum', { total: sum }), []));
      assert.equal((await tx((sql) => getSession(sql, appId, 'money-sum')))!.session.total.toString(), '0.3');
    });

    it('unicode and __proto__ keys in JSON survive as plain data', async () => {
      const attributes = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}, "город": "Київ", "emoji": "🎉\\u0000end", "k\\"q": "\'"}') as Record<string, unknown>;
      assert.ok(Object.prototype.hasOwnProperty.call(attributes, '__proto__'));
      const integrationId = 'セッション/🎉 ?#%';
      await tx((sql) => insertSession(sql, newSession(appId, integrationId, {
        profileId: 'профиль', attributes,
        cartItems: normaliseCart([{ sku: 'ü-1', name: '✓', price: 1, quantity: 1, attributes }]),
      }), [{ ...effect(1), props: attributes }]));
      const got = (await tx((sql) => getSession(sql, appId, integrationId)))!;
      for (const a of [got.session.attributes, got.session.cartItems[0].attributes!, got.effects[0].props]) {
        assert.deepEqual(Object.keys(a), Object.keys(attributes));
        assert.ok(Object.prototype.hasOwnProperty.call(a, '__proto__'), '__proto__ stays an own key');
        assert.equal(Object.getPrototypeOf(a), Object.prototype, 'the prototype is not replaced');
        assert.deepEqual(a.__proto__, { polluted: true });  
        assert.equal(a['город'], 'Київ');
        assert.equal(a.emoji, '🎉\u0000end');
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
      assert.equal(got.session.profileId, 'профиль');
      assert.equal(got.session.cartItems[0].sku, 'ü-1');
      const p = await tx(async (sql) => {
        const prof = await ensureProfile(sql, ACCOUNT_ID, 'профиль 🎉', T(0));
        await saveProfileAttributes(sql, prof.id, attributes, T(1));
        return getProfile(sql, ACCOUNT_ID, 'профиль 🎉');
      });
      assert.ok(Object.prototype.hasOwnProperty.call(p!.attributes, '__proto__'));
      assert.equal(Object.getPrototypeOf(p!.attributes), Object.prototype);
    });

    it('a failed transaction leaves nothing behind, and the store keeps working', async (d) => {
      const boom = new Error('boom');
      await assert.rejects(d.transaction(async (sql) => {
        const app = await insertApplication(sql, ACCOUNT_ID, withDefaults({ name: 'Ghost', currency: 'EUR', timezone: 'UTC' }), T(0));
        await insertSession(sql, newSession(app.id, 'ghost'), []);
        await ensureProfile(sql, ACCOUNT_ID, 'ghost-profile', T(0));
        await bumpConfigVersion(sql, 'ghost-scope');
        await insertEvent(sql, { applicationId: app.id, type: 'x', profileId: '', sessionId: 'ghost', attributes: {}, effects: [], created: T(0) });
        throw boom;
      }), (err) => err === boom);
      // a database error inside a transaction rolls back the earlier statements too
      await assert.rejects(d.transaction(async (sql) => {
        await ensureProfile(sql, ACCOUNT_ID, 'ghost-profile-2', T(0));
        await sql.run('INSERT INTO no_such_table VALUES (1)');
      }));
      await tx(async (sql) => {
        assert.equal((await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM applications WHERE name = 'Ghost'"))!.n, 0);
        assert.equal((await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM sessions WHERE integration_id = 'ghost'"))!.n, 0);
        assert.equal((await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE session_integration_id = 'ghost'"))!.n, 0);
        assert.equal(await getProfile(sql, ACCOUNT_ID, 'ghost-profile'), undefined);
        assert.equal(await getProfile(sql, ACCOUNT_ID, 'ghost-profile-2'), undefined);
        assert.equal(await configVersion(sql, 'ghost-scope'), 0);
      });
      assert.equal(await d.transaction(() => Promise.resolve(42)), 42);
    });

    it('transactions are isolated: a running transaction is invisible to others until it commits', async (d) => {
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      let inserted!: () => void;
      const insertedP = new Promise<void>((r) => { inserted = r; });
      const writer = d.transaction(async (sql) => {
        await ensureProfile(sql, ACCOUNT_ID, 'iso-profile', T(0));
        inserted();
        await gate;
      });
      await insertedP;
      if (d.dialect === 'postgres') {
        // SQLite runs one transaction at a time, so only PostgreSQL can look in while the writer is open
        assert.equal(await d.transaction((sql) => getProfile(sql, ACCOUNT_ID, 'iso-profile')), undefined);
      }
      release();
      await writer;
      assert.ok(await d.transaction((sql) => getProfile(sql, ACCOUNT_ID, 'iso-profile')));
    });

    it('tryLock is exclusive across transactions until the holder ends', async (d) => {
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      let locked!: () => void;
      const lockedP = new Promise<void>((r) => { locked = r; });
      const holder = d.transaction(async (sql) => {
        assert.equal(await sql.tryLock('session:1:lock-me'), true);
        assert.equal(await sql.tryLock('session:1:lock-me'), true, 're-entrant within the holder');
        locked();
        await gate;
      });
      await lockedP;
      if (d.dialect === 'postgres') {
        assert.equal(await d.transaction((sql) => sql.tryLock('session:1:lock-me')), false, 'held by another transaction');
        assert.equal(await d.transaction((sql) => sql.tryLock('session:1:other')), true, 'other keys are free');
      }
      release();
      await holder;
      assert.equal(await d.transaction((sql) => sql.tryLock('session:1:lock-me')), true, 'released at the end of the holder');
      // a rolled-back holder releases too
      await assert.rejects(d.transaction(async (sql) => {
        await sql.tryLock('session:1:rollback');
        throw new Error('x');
      }));
      assert.equal(await d.transaction((sql) => sql.tryLock('session:1:rollback')), true);
    });
  });
}
