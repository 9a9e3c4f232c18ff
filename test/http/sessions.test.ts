/**
 * Integration API customer sessions (docs/sessions.md), everything that needs no campaign or
 * coupon: create, merge, totals, the state machine, profiles, dry runs, responseContent, validation,
 * GET, returns, reopen, authentication, Application isolation and in-process concurrency.
 * Every suite runs on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { ACCOUNT_ID } from '../../src/domain/application.js';
import type { CustomerProfile } from '../../src/domain/profile.js';
import type { AttributeDef, AttributeType } from '../../src/domain/records.js';
import type { Database, Sql } from '../../src/store/db.js';
import { bumpConfigVersion } from '../../src/store/repos/configVersions.js';
import { insertAdditionalCost, insertAttribute } from '../../src/store/repos/definitions.js';
import { listReturns, listSessionEvents } from '../../src/store/repos/events.js';
import { getProfile } from '../../src/store/repos/profiles.js';
import { getSession, type StoredSession } from '../../src/store/repos/sessions.js';
import { MANAGEMENT_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';

const START = Date.parse('2025-06-01T10:00:00.000Z');

/** A clock the tests move forward by hand. */
function manualClock() {
  let ms = START;
  return {
    now: () => new Date(ms),
    iso: () => new Date(ms).toISOString(),
    advance(byMs: number) { ms += byMs; },
  };
}

/** Delegates to a real database, optionally holding every transaction open a while before it commits. */
function slowable(inner: Database) {
  const state = { delayMs: 0 };
  const db: Database = {
    get dialect() { return inner.dialect; },
    transaction: (fn) => inner.transaction(async (sql) => {
      const result = await fn(sql);
      if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
      return result;
    }),
    rehearse: (fn) => inner.rehearse(fn),
    migrate: () => inner.migrate(),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { db, state };
}

const uid = (() => { let n = 0; return (p: string) => `${p}-${++n}`; })();

type Json = Record<string, any>;  

function assertError(res: LightMyRequestResponse, status: number, source?: { pointer?: string; parameter?: string }, title?: string): Json {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json<Json>();
  assert.equal(typeof body.message, 'string', res.body);
  if (source) {
    assert.ok(Array.isArray(body.errors) && body.errors.length > 0, `errors expected: ${res.body}`);
    assert.deepEqual(body.errors[0].source, source, res.body);
    assert.equal(typeof body.errors[0].title, 'string');
  }
  if (title) assert.equal(body.errors[0].title, title, res.body);
  return body;
}

for (const kind of STORES) {
  describe(`Integration API customer sessions (${kind.name})`, () => {
    const clock = manualClock();
    let s: TestServer | undefined;
    let slow: ReturnType<typeof slowable>;
    let A: { id: number; key: string };
    let B: { id: number; key: string };

    before(async () => {
      const real = await openTestDatabase(kind);
      if (!real) return;
      slow = slowable(real);
      s = await startTestServer(slow.db, clock.now);
      A = await s.newApplication();
      B = await s.newApplication({ name: 'Other shop' });
      await s.db.transaction(async (sql) => {
        const created = clock.iso();
        const cost = (name: string, type: 'session' | 'item' | 'both') =>
          insertAdditionalCost(sql, { accountId: ACCOUNT_ID, name, title: name, description: '', type, created });
        await cost('shipping', 'session');
        await cost('packaging', 'item');
        await cost('fee', 'both');
        const attr = (entity: string, name: string, type: AttributeType) => insertAttribute(sql, {
          accountId: ACCOUNT_ID, entity, name, title: name, type, description: '', suggestions: [], editable: true, created,
        } satisfies Omit<AttributeDef, 'id'>);
        await attr('CustomerSession', 'ShippingCity', 'string');
        await attr('CustomerSession', 'Channel', 'string');
        await attr('CustomerSession', 'Score', 'number');
        await attr('CustomerSession', 'Tags', '(list string)');
        await attr('CartItem', 'color', 'string');
        await bumpConfigVersion(sql, 'account');
      });
    });

    after(async () => {
      if (s) {
        slow.state.delayMs = 0;
        await s.close();
      }
      await kind.cleanup();
    });

    /** A test that needs the server (skipped when PostgreSQL is unavailable locally). */
    const it = (name: string, fn: (s: TestServer) => Promise<void>): void => {
      test(name, async (t) => {
        if (!s) return t.skip('PostgreSQL not available');
        await fn(s);
      });
    };

    const url = (id: string, suffix = '', query = '') => `/v2/customer_sessions/${encodeURIComponent(id)}${suffix}${query ? `?${query}` : ''}`;
    const put = (id: string, customerSession: unknown, opts: { key?: string; query?: string; responseContent?: unknown[] } = {}) =>
      s!.integ(opts.key ?? A.key, 'PUT', url(id, '', opts.query),
        opts.responseContent ? { customerSession, responseContent: opts.responseContent } : { customerSession });
    const ok = async (id: string, customerSession: unknown, opts: Parameters<typeof put>[2] = {}): Promise<Json> => {
      const res = await put(id, customerSession, opts);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const get = (id: string, key = A.key) => s!.integ(key, 'GET', url(id));
    const ret = (id: string, returnedCartItems: unknown[], opts: { key?: string; query?: string; responseContent?: unknown[]; headers?: Record<string, string> } = {}) =>
      s!.integ(opts.key ?? A.key, 'POST', url(id, '/returns', opts.query),
        { return: { returnedCartItems }, ...(opts.responseContent ? { responseContent: opts.responseContent } : {}) }, opts.headers);
    const reopen = (id: string, key = A.key) => s!.integ(key, 'PUT', url(id, '/reopen'));
    const read = <T>(fn: (sql: Sql) => Promise<T>) => s!.db.transaction(fn);
    const stored = (id: string, app = A.id): Promise<StoredSession | undefined> => read((sql) => getSession(sql, app, id));
    const profile = (id: string): Promise<CustomerProfile | undefined> => read((sql) => getProfile(sql, ACCOUNT_ID, id));
    const events = async (id: string, app = A.id) => (await read((sql) => listSessionEvents(sql, app, id))).map((e) => e.type);
    /** GET body of a session, for "nothing changed" comparisons */
    const snapshot = async (id: string) => {
      const r = await get(id);
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    const sales = (p: CustomerProfile | undefined) => p && { closedSessions: p.closedSessions, totalSales: p.totalSales.toString() };
    const cart = [{ sku: 'a', name: 'A', price: 10, quantity: 2, attributes: { color: 'red' } }, { sku: 'b', price: 5, quantity: 1 }];

    // -------------------------------------------------------------------------------------------
    describe('create', () => {
      it('creates an open session with server fields, positions and a new profile (scenario 1)', async () => {
        const id = uid('create');
        const pid = uid('p');
        const t0 = clock.iso();
        const body = await ok(id, {
          profileId: pid, cartItems: cart, additionalCosts: { shipping: { price: 4 } },
        }, { responseContent: ['customerSession', 'event'] });
        assert.deepEqual(body.effects, []);
        assert.deepEqual(body.createdCoupons, []);
        assert.deepEqual(body.createdReferrals, []);
        const cs = body.customerSession;
        assert.equal(typeof cs.id, 'number');
        assert.ok(cs.id > 0);
        assert.equal(cs.integrationId, id);
        assert.equal(cs.applicationId, A.id);
        assert.equal(cs.profileId, pid);
        assert.equal(cs.state, 'open');
        assert.equal(cs.updateCount, 1);
        assert.equal(cs.firstSession, true);
        assert.equal(cs.created, t0);
        assert.equal(cs.updated, t0);
        assert.equal(cs.cartItemTotal, 25);
        assert.equal(cs.additionalCostTotal, 4);
        assert.equal(cs.total, 29);
        assert.deepEqual(cs.couponCodes, []);
        assert.equal(cs.referralCode, '');
        assert.deepEqual(cs.loyaltyCards, []);
        assert.deepEqual(cs.identifiers, []);
        assert.deepEqual(cs.attributes, {});
        assert.deepEqual(cs.additionalCosts, { shipping: { price: 4 } });
        assert.equal('storeIntegrationId' in cs, false);
        assert.equal('evaluableCampaignIds' in cs, false);
        assert.equal('experimentVariantAllocations' in cs, false);
        assert.deepEqual(cs.cartItems, [
          { name: 'A', sku: 'a', quantity: 2, price: 10, attributes: { color: 'red' }, returnedQuantity: 0, remainingQuantity: 2, position: 0 },
          { sku: 'b', quantity: 1, price: 5, returnedQuantity: 0, remainingQuantity: 1, position: 1 },
        ]);
        assert.equal(body.event.type, 'talon_session_created');
        assert.equal(body.event.sessionId, id);
        assert.equal(body.event.applicationId, A.id);
        assert.deepEqual(body.event.effects, []);
        const p = await profile(pid);
        assert.ok(p, 'profile auto-created');
        assert.deepEqual(p.attributes, {});
        assert.deepEqual(sales(p), { closedSessions: 0, totalSales: '0' });
        assert.deepEqual(await events(id), ['talon_session_created']);
      });

      it('computes totals exactly: 0.1 + 0.2, 19.99 × 3, per-item costs × quantity', async () => {
        let cs = (await ok(uid('tot'), { cartItems: [{ sku: 'x', price: 0.1, quantity: 1 }, { sku: 'y', price: 0.2, quantity: 1 }] })).customerSession;
        assert.equal(cs.cartItemTotal, 0.3);
        assert.equal(cs.total, 0.3);
        assert.equal(cs.additionalCostTotal, 0);
        cs = (await ok(uid('tot'), { cartItems: [{ sku: 'x', price: 19.99, quantity: 3 }] })).customerSession;
        assert.equal(cs.cartItemTotal, 59.97);
        cs = (await ok(uid('tot'), {
          cartItems: [
            { sku: 'x', price: 19.99, quantity: 3, additionalCosts: { packaging: { price: 0.7 }, fee: { price: 0.1 } } },
            { sku: 'y', price: 0.1, quantity: 2, additionalCosts: { packaging: { price: 0.2 } } },
          ],
          additionalCosts: { shipping: { price: 4.99 }, fee: { price: 0.01 } },
        })).customerSession;
        assert.equal(cs.cartItemTotal, 60.17); // 59.97 + 0.2
        assert.equal(cs.additionalCostTotal, 7.8); // 4.99 + 0.01 + (0.7 + 0.1) × 3 + 0.2 × 2
        assert.equal(cs.total, 67.97);
        cs = (await ok(uid('tot'), { cartItems: [{ sku: 'x', price: 0.000001, quantity: 3 }, { sku: 'y', price: 1e15, quantity: 7 }] })).customerSession;
        assert.equal(cs.cartItemTotal, 7e15 /* the double nearest 7000000000000000.000003 */);
        const st = await stored(cs.integrationId);
        assert.equal(st!.session.cartItemTotal.toString(), '7000000000000000.000003');
      });

      it('firstSession: true for the first session of a profile and for anonymous sessions, false afterwards', async () => {
        const pid = uid('p');
        assert.equal((await ok(uid('fs'), { profileId: pid })).customerSession.firstSession, true);
        assert.equal((await ok(uid('fs'), { profileId: pid })).customerSession.firstSession, false);
        // sessions are per Application: the same profile's first session in B
        assert.equal((await ok(uid('fs'), { profileId: pid }, { key: B.key })).customerSession.firstSession, true);
        const anon = (await ok(uid('fs'), { cartItems: [] })).customerSession;
        assert.equal(anon.firstSession, true);
        assert.equal(anon.profileId, '');
        assert.equal((await ok(uid('fs'), { profileId: '' })).customerSession.profileId, '');
      });

      it('updates: updateCount +1, created kept, updated moves with the clock', async () => {
        const id = uid('upd');
        const c1 = (await ok(id, { cartItems: cart })).customerSession;
        clock.advance(60_000);
        const c2 = (await ok(id, {}, { responseContent: ['event'] }));
        assert.equal(c2.customerSession.updateCount, 2);
        assert.equal(c2.customerSession.created, c1.created);
        assert.equal(c2.customerSession.updated, clock.iso());
        assert.equal(c2.customerSession.id, c1.id);
        assert.equal(c2.event.type, 'talon_session_updated');
        clock.advance(1000);
        assert.equal((await ok(id, { state: 'open' })).customerSession.updateCount, 3);
      });

      it('ignores server-managed fields sent by the client', async () => {
        const id = uid('srv');
        const cs = (await ok(id, {
          id: 999999, updateCount: 50, total: 1, cartItemTotal: 1, firstSession: false, created: '2000-01-01T00:00:00Z',
          cartItems: [{ sku: 'a', price: 2, quantity: 2, position: 9, returnedQuantity: 1, remainingQuantity: 0 }],
        })).customerSession;
        assert.notEqual(cs.id, 999999);
        assert.equal(cs.updateCount, 1);
        assert.equal(cs.total, 4);
        assert.equal(cs.firstSession, true);
        assert.equal(cs.created, clock.iso());
        assert.deepEqual(cs.cartItems[0], { sku: 'a', price: 2, quantity: 2, position: 0, returnedQuantity: 0, remainingQuantity: 2 });
      });

      it('accepts an integration id of 1000 characters, including encoded ones', async () => {
        const long = 'x'.repeat(1000);
        assert.equal((await ok(long, {})).customerSession.integrationId, long);
        const unicode = 'é/ü ?#'.repeat(166) + 'ab'; // 998 + 2 characters, ~5000 once percent-encoded
        assert.equal(unicode.length, 998);
        const cs = (await ok(unicode, {})).customerSession;
        assert.equal(cs.integrationId, unicode);
        assert.equal((await get(unicode)).json().customerSession.id, cs.id);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('merge rules', () => {
      it('omitted properties keep their stored value; present ones replace it', async () => {
        const id = uid('merge');
        const full = {
          profileId: uid('p'), storeIntegrationId: 'store-1', couponCodes: ['C1', 'C2'], referralCode: 'REF', loyaltyCards: ['card-1'],
          cartItems: cart, additionalCosts: { shipping: { price: 3 } }, identifiers: ['dev-1', 'dev-2'],
          attributes: { ShippingCity: 'Berlin', Channel: 'web' }, experimentVariantAllocations: [{ experimentID: 1, variantID: 2 }],
        };
        const c1 = (await ok(id, full)).customerSession;
        const c2 = (await ok(id, {})).customerSession;
        const { updateCount: u1, updated: _1, ...rest1 } = c1;
        const { updateCount: u2, updated: _2, ...rest2 } = c2;
        assert.deepEqual(rest2, rest1);
        assert.equal(u2, u1 + 1);
        assert.equal(c2.storeIntegrationId, 'store-1');
        assert.deepEqual(c2.experimentVariantAllocations, [{ experimentID: 1, variantID: 2 }]);

        const c3 = (await ok(id, { storeIntegrationId: 'store-2', identifiers: ['dev-3'], loyaltyCards: [], additionalCosts: { fee: { price: 1 } } })).customerSession;
        assert.equal(c3.storeIntegrationId, 'store-2');
        assert.deepEqual(c3.identifiers, ['dev-3']);
        assert.deepEqual(c3.loyaltyCards, []);
        assert.deepEqual(c3.additionalCosts, { fee: { price: 1 } }, 'additionalCosts map replaced whole');
        assert.equal(c3.additionalCostTotal, 1);
        assert.deepEqual(c3.couponCodes, ['C1', 'C2']);
        assert.equal(c3.referralCode, 'REF');

        const c4 = (await ok(id, { couponCodes: [], referralCode: '', additionalCosts: {} })).customerSession;
        assert.deepEqual(c4.couponCodes, [], 'couponCodes [] clears');
        assert.equal(c4.referralCode, '', 'referralCode "" clears');
        assert.deepEqual(c4.additionalCosts, {});
        assert.equal(c4.total, 25);
        const st = await stored(id);
        assert.deepEqual(st!.session.couponCodes, []);
        assert.equal(st!.session.referralCode, '');
      });

      it('cartItems are replaced whole: positions and totals recomputed, old attributes gone (scenario 3)', async () => {
        const id = uid('cart');
        await ok(id, { cartItems: [{ sku: 'a', price: 1, quantity: 1 }, ...cart] });
        const cs = (await ok(id, { cartItems: [{ sku: 'a', price: 10, quantity: 1 }] })).customerSession;
        assert.deepEqual(cs.cartItems, [{ sku: 'a', price: 10, quantity: 1, returnedQuantity: 0, remainingQuantity: 1, position: 0 }]);
        assert.equal(cs.cartItemTotal, 10);
        const cs2 = (await ok(id, { cartItems: [] })).customerSession;
        assert.deepEqual(cs2.cartItems, []);
        assert.equal(cs2.total, 0);
      });

      it('attributes merge by key: sent keys overwrite, unsent keys survive', async () => {
        const id = uid('attr');
        await ok(id, { attributes: { ShippingCity: 'Berlin', Channel: 'web' } });
        let cs = (await ok(id, { attributes: { ShippingCity: 'Paris', Score: 1.5 } })).customerSession;
        assert.deepEqual(cs.attributes, { ShippingCity: 'Paris', Channel: 'web', Score: 1.5 });
        cs = (await ok(id, { attributes: {} })).customerSession;
        assert.deepEqual(cs.attributes, { ShippingCity: 'Paris', Channel: 'web', Score: 1.5 });
        cs = (await ok(id, { attributes: { Tags: ['x', 'y'] } })).customerSession;
        assert.deepEqual(cs.attributes.Tags, ['x', 'y']);
      });

      it('null for any property is treated as absent', async () => {
        const id = uid('null');
        const c1 = (await ok(id, {
          profileId: uid('p'), storeIntegrationId: 's', couponCodes: ['C'], referralCode: 'R', loyaltyCards: ['L1'], cartItems: cart,
          additionalCosts: { shipping: { price: 1 } }, identifiers: ['i'], attributes: { Channel: 'web' }, experimentVariantAllocations: [{ experimentID: 3, variantID: 4 }],
        })).customerSession;
        const c2 = (await ok(id, {
          profileId: null, storeIntegrationId: null, couponCodes: null, referralCode: null, loyaltyCards: null, cartItems: null, state: null,
          additionalCosts: null, identifiers: null, attributes: null, experimentVariantAllocations: null, evaluableCampaignIds: null,
        })).customerSession;
        const { updateCount: _u1, updated: _d1, ...rest1 } = c1;
        const { updateCount: u2, updated: _d2, ...rest2 } = c2;
        assert.deepEqual(rest2, rest1);
        assert.equal(u2, 2);
        const anon = (await ok(uid('null'), { profileId: null, cartItems: null })).customerSession;
        assert.equal(anon.profileId, '');
        assert.deepEqual(anon.cartItems, []);
      });

      it('profileId may change while open (firstSession recomputed) but not once closed', async () => {
        const id = uid('prof');
        const p1 = uid('p');
        const p2 = uid('p');
        await ok(uid('other'), { profileId: p2 });
        let cs = (await ok(id, {})).customerSession;
        assert.equal(cs.profileId, '');
        assert.equal(cs.firstSession, true);
        cs = (await ok(id, { profileId: p2 })).customerSession;
        assert.equal(cs.profileId, p2);
        assert.equal(cs.firstSession, false);
        cs = (await ok(id, { profileId: p1 })).customerSession;
        assert.equal(cs.profileId, p1);
        assert.equal(cs.firstSession, true);
        await ok(id, { state: 'closed' });
        cs = (await ok(id, { state: 'cancelled', profileId: p2 })).customerSession;
        assert.equal(cs.profileId, p1, 'a revoke ignores the payload');
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('state machine', () => {
      /** a session in `state`, reached through the public API */
      async function sessionIn(state: 'open' | 'closed' | 'partially_returned' | 'cancelled', pid = ''): Promise<string> {
        const id = uid(`sm-${state}`);
        await ok(id, { profileId: pid, cartItems: cart });
        if (state === 'open') return id;
        if (state === 'cancelled') {
          await ok(id, { state: 'cancelled' });
          return id;
        }
        await ok(id, { state: 'closed' });
        if (state === 'partially_returned') assert.equal((await ret(id, [{ position: 1 }])).statusCode, 200);
        return id;
      }

      it('allows every transition of the state machine with the right event (docs/sessions.md, "States and transitions")', async () => {
        const id = uid('tr');
        let r = await ok(id, { cartItems: cart }, { responseContent: ['event'] });
        assert.equal(r.event.type, 'talon_session_created');
        r = await ok(id, { state: 'open' }, { responseContent: ['event'] });
        assert.equal(r.event.type, 'talon_session_updated');
        r = await ok(id, { state: 'closed' }, { responseContent: ['event'] });
        assert.equal(r.event.type, 'talon_session_closed');
        assert.equal(r.customerSession.state, 'closed');
        assert.equal((await reopen(id)).statusCode, 200);
        assert.equal((await get(id)).json().customerSession.state, 'open');
        await ok(id, { state: 'closed' });
        assert.equal((await ret(id, [{ position: 0, quantity: 1 }])).json().customerSession.state, 'partially_returned');
        assert.equal((await ret(id, [{ position: 0, quantity: 1 }])).json().customerSession.state, 'partially_returned');
        r = await ok(id, { state: 'cancelled' }, { responseContent: ['event'] });
        assert.equal(r.event.type, 'talon_session_revoked');
        assert.equal(r.customerSession.state, 'cancelled');
        assert.deepEqual(await events(id), [
          'talon_session_created', 'talon_session_updated', 'talon_session_closed', 'talon_session_reopened', 'talon_session_closed',
          'talon_session_partially_returned', 'talon_session_partially_returned', 'talon_session_revoked',
        ]);

        const closedId = uid('tr');
        r = await ok(closedId, { cartItems: cart, state: 'closed' }, { responseContent: ['event'] });
        assert.equal(r.customerSession.state, 'closed');
        assert.equal(r.customerSession.updateCount, 1);
        assert.equal(r.event.type, 'talon_session_created');
        r = await ok(closedId, { state: 'cancelled' }, { responseContent: ['event'] });
        assert.equal(r.customerSession.state, 'cancelled');
        assert.equal(r.event.type, 'talon_session_revoked');
        assert.deepEqual(r.effects, []);

        const openId = uid('tr');
        await ok(openId, { cartItems: cart });
        r = await ok(openId, { state: 'cancelled', cartItems: [{ sku: 'z', price: 1, quantity: 1 }] }, { responseContent: ['event'] });
        assert.equal(r.event.type, 'talon_session_cancelled');
        assert.deepEqual(r.effects, []);
        assert.equal(r.customerSession.state, 'cancelled');
        assert.equal(r.customerSession.cartItemTotal, 1, 'open → cancelled merges the payload first');
      });

      const disallowed: [string, 'none' | 'open' | 'closed' | 'partially_returned' | 'cancelled', string | undefined][] = [
        ['create as cancelled', 'none', 'cancelled'],
        ['create as partially_returned', 'none', 'partially_returned'],
        ['open → partially_returned', 'open', 'partially_returned'],
        ['closed → closed', 'closed', 'closed'],
        ['closed → open', 'closed', 'open'],
        ['closed → omitted state (open)', 'closed', undefined],
        ['closed → partially_returned', 'closed', 'partially_returned'],
        ['partially_returned → open', 'partially_returned', 'open'],
        ['partially_returned → omitted state (open)', 'partially_returned', undefined],
        ['partially_returned → closed', 'partially_returned', 'closed'],
        ['partially_returned → partially_returned', 'partially_returned', 'partially_returned'],
        ['cancelled → open', 'cancelled', 'open'],
        ['cancelled → omitted state (open)', 'cancelled', undefined],
        ['cancelled → closed', 'cancelled', 'closed'],
        ['cancelled → cancelled', 'cancelled', 'cancelled'],
        ['cancelled → partially_returned', 'cancelled', 'partially_returned'],
      ];
      for (const [name, from, to] of disallowed) {
        it(`rejects ${name} with 400 and changes nothing`, async () => {
          const pid = uid('p');
          const id = from === 'none' ? uid('sm-new') : await sessionIn(from, pid);
          const before = from === 'none' ? null : await snapshot(id);
          const profileBefore = sales(await profile(pid));
          const eventsBefore = await events(id);
          clock.advance(1000);
          const payload: Json = { cartItems: [{ sku: 'q', price: 99, quantity: 1 }], profileId: pid, attributes: { Channel: 'changed' } };
          if (to !== undefined) payload.state = to;
          const res = await put(id, payload);
          assertError(res, 400, { pointer: '/customerSession/state' }, 'Invalid transition');
          if (before === null) {
            assert.equal((await get(id)).statusCode, 404);
            assert.equal(await profile(pid), undefined, 'no profile created by a rejected request');
          } else {
            assert.deepEqual(await snapshot(id), before);
          }
          assert.deepEqual(sales(await profile(pid)), profileBefore);
          assert.deepEqual(await events(id), eventsBefore);
        });
      }

      it('rejects an unknown state value by schema', async () => {
        assertError(await put(uid('sm'), { state: 'archived' }), 400, { pointer: '/customerSession/state' });
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('profiles', () => {
      it('counts closed sessions and total sales exactly through close, revoke, return and reopen', async () => {
        const pid = uid('p');
        const s1 = uid('ps');
        const s2 = uid('ps');
        const s3 = uid('ps');
        await ok(s1, { profileId: pid, cartItems: [{ sku: 'x', price: 0.1, quantity: 1 }] });
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 0, totalSales: '0' }, 'open sessions do not count');
        const r1 = await ok(s1, { state: 'closed' }, { responseContent: ['customerProfile'] });
        assert.equal(r1.customerProfile.closedSessions, 1);
        assert.equal(r1.customerProfile.totalSales, 0.1);
        assert.equal(r1.customerProfile.integrationId, pid);
        await ok(s2, { profileId: pid, state: 'closed', cartItems: [{ sku: 'y', price: 0.2, quantity: 1 }] });
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 2, totalSales: '0.3' });
        await ok(s3, { profileId: pid, state: 'closed', cartItems: [{ sku: 'z', price: 19.99, quantity: 3 }], additionalCosts: { shipping: { price: 4.01 } } });
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 3, totalSales: '64.28' });
        // return one unit of s3 (19.99) → totalSales −19.99
        assert.equal((await ret(s3, [{ position: 0, quantity: 1 }])).statusCode, 200);
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 3, totalSales: '44.29' });
        // revoke s3 (partially returned): −(total − already returned) → 0.3 left
        await ok(s3, { state: 'cancelled' });
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 2, totalSales: '0.3' });
        // reopen s2 → −1, −0.2
        assert.equal((await reopen(s2)).statusCode, 200);
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 1, totalSales: '0.1' });
        // close s2 again with a new cart → +1, +0.25
        await ok(s2, { state: 'closed', cartItems: [{ sku: 'y', price: 0.05, quantity: 5 }] });
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 2, totalSales: '0.35' });
        // revoke s1 (closed) → −1, −0.1
        await ok(s1, { state: 'cancelled' });
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 1, totalSales: '0.25' });
        // cancelling an open session changes nothing
        const s4 = uid('ps');
        await ok(s4, { profileId: pid, cartItems: cart });
        await ok(s4, { state: 'cancelled' });
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 1, totalSales: '0.25' });
      });

      it('lastActivity follows non-dry updates', async () => {
        const pid = uid('p');
        const id = uid('la');
        await ok(id, { profileId: pid });
        const created = (await profile(pid))!;
        clock.advance(5000);
        await ok(id, {});
        const after = (await profile(pid))!;
        assert.equal(after.created, created.created);
        assert.equal(after.lastActivity, clock.iso());
        clock.advance(5000);
        await ok(id, {}, { query: 'dry=true' });
        assert.equal((await profile(pid))!.lastActivity, after.lastActivity, 'dry runs do not touch the profile');
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('dry runs and now', () => {
      it('dry=true on a new id persists nothing but still answers', async () => {
        const id = uid('dry');
        const pid = uid('p');
        const r = await ok(id, { profileId: pid, cartItems: cart, state: 'closed' }, { query: 'dry=true', responseContent: ['customerSession', 'customerProfile', 'event'] });
        assert.deepEqual(r.effects, []);
        assert.equal(r.customerSession.cartItemTotal, 25);
        assert.equal(r.customerSession.state, 'closed');
        assert.equal(r.customerSession.profileId, pid);
        assert.equal(r.customerProfile.integrationId, pid);
        assert.equal(r.event.type, 'talon_session_created');
        assert.equal((await get(id)).statusCode, 404);
        assert.equal(await stored(id), undefined);
        assert.equal(await profile(pid), undefined, 'dry runs never create profiles');
        assert.deepEqual(await events(id), []);
      });

      it('dry=true on a stored session evaluates the payload alone and changes nothing (scenario 5)', async () => {
        const id = uid('dry');
        const pid = uid('p');
        await ok(id, { profileId: pid, cartItems: cart, couponCodes: ['KEEP'] });
        await ok(id, { state: 'closed' });
        const before = await snapshot(id);
        const profileBefore = await profile(pid);
        clock.advance(1000);
        const r = await ok(id, { cartItems: [{ sku: 'n', price: 3, quantity: 3 }], state: 'closed' }, { query: 'dry=true' });
        assert.equal(r.customerSession.cartItemTotal, 9);
        assert.deepEqual(r.customerSession.couponCodes, [], 'dry uses the payload alone');
        assert.equal(r.customerSession.updateCount, before.customerSession.updateCount);
        assert.equal(r.customerSession.updated, before.customerSession.updated);
        assert.deepEqual(await snapshot(id), before);
        assert.deepEqual(await profile(pid), profileBefore);
        assert.deepEqual(await events(id), ['talon_session_created', 'talon_session_closed']);
      });

      it('now: 400 without dry, in the past or at server time, or malformed; accepted in the future with dry', async () => {
        const id = uid('now');
        await ok(id, { cartItems: cart });
        const before = await snapshot(id);
        const future = new Date(clock.now().getTime() + 86_400_000).toISOString();
        const past = new Date(clock.now().getTime() - 1000).toISOString();
        assertError(await put(id, {}, { query: `now=${future}` }), 400, { parameter: 'now' });
        assertError(await put(id, {}, { query: `dry=false&now=${future}` }), 400, { parameter: 'now' });
        assertError(await put(id, {}, { query: `dry=true&now=${past}` }), 400, { parameter: 'now' });
        assertError(await put(id, {}, { query: `dry=true&now=${clock.iso()}` }), 400, { parameter: 'now' });
        assertError(await put(id, {}, { query: 'dry=true&now=tomorrow' }), 400, { parameter: 'now' });
        assertError(await put(uid('now'), {}, { query: `now=${future}` }), 400, { parameter: 'now' });
        const r = await ok(id, { cartItems: [{ sku: 'z', price: 1, quantity: 1 }] }, { query: `dry=true&now=${encodeURIComponent(future)}` });
        assert.equal(r.customerSession.cartItemTotal, 1);
        assert.deepEqual(await snapshot(id), before);
      });

      it('evaluableCampaignIds are echoed only in the dry customerSession', async () => {
        const id = uid('ecid');
        let r = await ok(id, { evaluableCampaignIds: [1, 2] });
        assert.equal('evaluableCampaignIds' in r.customerSession, false);
        r = await ok(id, { evaluableCampaignIds: [3, 4] }, { query: 'dry=true' });
        assert.deepEqual(r.customerSession.evaluableCampaignIds, [3, 4]);
        const g = (await get(id)).json();
        assert.equal('evaluableCampaignIds' in g.customerSession, false);
        assert.equal(g.customerSession.updateCount, 1);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('responseContent', () => {
      const base = ['createdCoupons', 'createdReferrals', 'customerSession', 'effects'];
      const extra: Record<string, string | null> = {
        customerSession: null, customerProfile: 'customerProfile', coupons: 'coupons', triggeredCampaigns: 'triggeredCampaigns',
        referral: null, loyalty: 'loyalty', event: 'event', awardedGiveaways: 'awardedGiveaways',
        ruleFailureReasons: 'ruleFailureReasons', previousReturns: 'previousReturns',
      };

      it('adds exactly the requested entities', async () => {
        const pid = uid('p');
        const id = uid('rc');
        assert.deepEqual(Object.keys(await ok(id, { profileId: pid })).sort(), base);
        assert.deepEqual(Object.keys(await ok(id, {}, { responseContent: [] })).sort(), base);
        for (const [value, key] of Object.entries(extra)) {
          const body = await ok(id, {}, { responseContent: [value] });
          assert.deepEqual(Object.keys(body).sort(), [...base, ...(key ? [key] : [])].sort(), `responseContent [${value}]`);
        }
        const all = await ok(id, {}, { responseContent: Object.keys(extra) });
        const expected = [...new Set([...base, ...Object.values(extra).filter((v): v is string => v !== null)])].sort();
        assert.deepEqual(Object.keys(all).sort(), expected);
        assert.deepEqual(all.coupons, []);
        assert.deepEqual(all.triggeredCampaigns, []);
        assert.deepEqual(all.awardedGiveaways, []);
        assert.deepEqual(all.ruleFailureReasons, []);
        assert.deepEqual(all.previousReturns, []);
        assert.equal(all.customerProfile.integrationId, pid);
        assert.equal(all.customerProfile.closedSessions, 0);
        assert.equal(all.customerProfile.totalSales, 0);
        assert.equal(all.event.type, 'talon_session_updated');
      });

      it('customerProfile is absent for anonymous sessions even when requested (scenario 13)', async () => {
        const r = await ok(uid('rc'), { profileId: '' }, { responseContent: ['customerProfile', 'customerSession'] });
        assert.equal('customerProfile' in r, false);
        assert.equal(r.customerSession.firstSession, true);
      });

      it('an unknown value is a 400 naming its index, with no side effects', async () => {
        const id = uid('rc');
        assertError(await put(id, {}, { responseContent: ['campaignEligibility'] }), 400, { pointer: '/responseContent/0' });
        assertError(await put(id, {}, { responseContent: ['customerSession', 'bogus'] }), 400, { pointer: '/responseContent/1' });
        assert.equal((await get(id)).statusCode, 404);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('validation', () => {
      const item = (extra: Json = {}) => ({ sku: 'a', price: 1, quantity: 1, ...extra });
      const cases: [string, unknown, string, string?][] = [
        ['1001 cart items', { cartItems: Array.from({ length: 1001 }, () => item()) }, '/customerSession/cartItems'],
        ['Σ quantity 10 001', { cartItems: [item({ quantity: 5000 }), item({ quantity: 5001 })] }, '/customerSession/cartItems'],
        ['6 identifiers', { identifiers: ['1', '2', '3', '4', '5', '6'] }, '/customerSession/identifiers'],
        ['2 loyalty cards', { loyaltyCards: ['c1', 'c2'] }, '/customerSession/loyaltyCards'],
        ['quantity 0', { cartItems: [item(), item({ quantity: 0 })] }, '/customerSession/cartItems/1/quantity'],
        ['quantity 1.5', { cartItems: [item({ quantity: 1.5 })] }, '/customerSession/cartItems/0/quantity'],
        ['quantity missing', { cartItems: [{ sku: 'a', price: 1 }] }, '/customerSession/cartItems/0/quantity'],
        ['sku ""', { cartItems: [item({ sku: '' })] }, '/customerSession/cartItems/0/sku'],
        ['sku missing', { cartItems: [{ price: 1, quantity: 1 }] }, '/customerSession/cartItems/0/sku'],
        ['price as a string', { cartItems: [item({ price: '10' })] }, '/customerSession/cartItems/0/price', 'Invalid type'],
        ['price missing', { cartItems: [item(), { sku: 'b', quantity: 1 }] }, '/customerSession/cartItems/1/price'],
        ['couponCodes item > 100 chars', { couponCodes: ['ok', 'c'.repeat(101)] }, '/customerSession/couponCodes/1'],
        ['referralCode > 100 chars', { referralCode: 'r'.repeat(101) }, '/customerSession/referralCode'],
        ['storeIntegrationId ""', { storeIntegrationId: '' }, '/customerSession/storeIntegrationId'],
        ['storeIntegrationId > 1000 chars', { storeIntegrationId: 's'.repeat(1001) }, '/customerSession/storeIntegrationId'],
        ['unknown session attribute', { attributes: { Foo: 1 } }, '/customerSession/attributes/Foo', 'Unknown'],
        ['session attribute of the wrong type', { attributes: { ShippingCity: 5 } }, '/customerSession/attributes/ShippingCity', 'Invalid type'],
        ['unknown cart item attribute', { cartItems: [item({ attributes: { size: 'L' } })] }, '/customerSession/cartItems/0/attributes/size', 'Unknown'],
        ['unknown additional cost', { additionalCosts: { gift: { price: 1 } } }, '/customerSession/additionalCosts/gift', 'Unknown'],
        ['item-only cost on the session', { additionalCosts: { packaging: { price: 1 } } }, '/customerSession/additionalCosts/packaging'],
        ['unknown item additional cost', { cartItems: [item({ additionalCosts: { gift: { price: 1 } } })] }, '/customerSession/cartItems/0/additionalCosts/gift'],
        ['additional cost without price', { additionalCosts: { shipping: {} } }, '/customerSession/additionalCosts/shipping/price'],
        ['cart total beyond the number range', { cartItems: [item({ price: 1e308, quantity: 2 })] }, '/customerSession/cartItems', 'maximum'],
        ['additional costs beyond the number range', { additionalCosts: { shipping: { price: 1e308 }, fee: { price: 1e308 } } }, '/customerSession/additionalCosts', 'maximum'],
        ['couponCodes not an array', { couponCodes: 'C1' }, '/customerSession/couponCodes'],
        ['attributes not an object', { attributes: ['x'] }, '/customerSession/attributes'],
        ['customerSession an array', [], '/customerSession'],
        ['customerSession a string', 'x', '/customerSession'],
      ];

      for (const [name, customerSession, pointer, title] of cases) {
        it(`${name} → 400 at ${pointer}, nothing changed`, async () => {
          const id = uid('val');
          const pid = uid('p');
          await ok(id, { cartItems: cart, attributes: { Channel: 'web' } });
          const before = await snapshot(id);
          clock.advance(1000);
          // on the stored session and on a new id (which must stay absent)
          assertError(await put(id, customerSession), 400, { pointer }, title);
          const fresh = uid('val');
          const withProfile = customerSession && typeof customerSession === 'object' && !Array.isArray(customerSession)
            ? { ...customerSession, profileId: pid } : customerSession;
          assertError(await put(fresh, withProfile), 400, { pointer }, title);
          assert.deepEqual(await snapshot(id), before);
          assert.equal((await get(fresh)).statusCode, 404);
          assert.equal(await profile(pid), undefined);
        });
      }

      it('a body without customerSession → 400 at /customerSession', async () => {
        const id = uid('val');
        assertError(await s!.integ(A.key, 'PUT', url(id), { responseContent: [] }), 400, { pointer: '/customerSession' });
        assertError(await s!.integ(A.key, 'PUT', url(id), { customerSession: null }), 400, { pointer: '/customerSession' });
        assert.equal((await get(id)).statusCode, 404);
      });

      it('an integration id over 1000 characters → 400 parameter customerSessionId', async () => {
        const id = 'y'.repeat(1001);
        assertError(await put(id, {}), 400, { parameter: 'customerSessionId' });
        assertError(await get(id), 400, { parameter: 'customerSessionId' });
        assertError(await put('é'.repeat(1001), {}), 400, { parameter: 'customerSessionId' });
        assertError(await put('z'.repeat(20_000), {}), 414);
        assertError(await s!.integ(A.key, 'GET', '/v2/customer_sessions/%E0%A4%A'), 400);
      });

      it('malformed JSON, wrong content type, empty and oversized bodies → 4xx ErrorResponse', async () => {
        const id = uid('val');
        await ok(id, { cartItems: cart });
        const before = await snapshot(id);
        const raw = (payload: string | Buffer, contentType: string) => s!.app.inject({
          method: 'PUT', url: url(id), payload, headers: { authorization: `ApiKey-v1 ${A.key}`, 'content-type': contentType },
        });
        let res = await raw('{"customerSession": {', 'application/json');
        assertError(res, 400, { pointer: '/' });
        res = await raw('<customerSession/>', 'application/xml');
        assertError(res, 415, { parameter: 'Content-Type' });
        res = await raw('{"customerSession": {}}', 'text/plain');
        assert.ok(res.statusCode === 400 || res.statusCode === 415, res.body);
        assertError(res, res.statusCode);
        res = await raw('', 'application/json');
        assertError(res, 400);
        const big = JSON.stringify({ customerSession: { attributes: { Channel: 'x'.repeat(8 * 1024 * 1024) } } });
        res = await raw(big, 'application/json');
        assertError(res, 413, { pointer: '/' });
        assert.deepEqual(await snapshot(id), before);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('GET /v2/customer_sessions/{id}', () => {
      it('404 for an unknown session', async () => {
        const body = assertError(await get(uid('nope')), 404);
        assert.match(body.message, /not found/i);
      });

      it('returns the session and its effects, without side effects', async () => {
        const id = uid('get');
        const pid = uid('p');
        const put1 = await ok(id, { profileId: pid, cartItems: cart, storeIntegrationId: 'st' });
        clock.advance(1000);
        const res = await get(id);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.deepEqual(Object.keys(body).sort(), ['customerSession', 'effects']);
        assert.deepEqual(body.effects, []);
        assert.deepEqual(body.customerSession, put1.customerSession);
        assert.deepEqual(await events(id), ['talon_session_created']);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('returns', () => {
      async function closedSession(pid = uid('p')) {
        const id = uid('ret');
        await ok(id, { profileId: pid, cartItems: cart, additionalCosts: { shipping: { price: 4 } } });
        await ok(id, { state: 'closed' });
        return { id, pid };
      }

      it('returns units by position (scenario 8): state, quantities, return record, event, profile', async () => {
        const { id, pid } = await closedSession();
        const before = await snapshot(id);
        clock.advance(60_000);
        const res = await ret(id, [{ position: 0, quantity: 1 }], { responseContent: ['customerSession', 'event'] });
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.deepEqual(body.effects, []);
        const cs = body.customerSession;
        assert.equal(cs.state, 'partially_returned');
        assert.equal(cs.cartItems[0].returnedQuantity, 1);
        assert.equal(cs.cartItems[0].remainingQuantity, 1);
        assert.equal(cs.cartItems[0].quantity, 2);
        assert.equal(cs.cartItems[1].returnedQuantity, 0);
        assert.equal(cs.cartItems[1].remainingQuantity, 1);
        assert.equal(cs.updateCount, before.customerSession.updateCount, 'returns do not count as updates');
        assert.equal(cs.updated, clock.iso());
        assert.equal(cs.created, before.customerSession.created);
        assert.equal(cs.total, 29, 'totals stay as sold');
        const r = body.return;
        assert.deepEqual(r.returnedCartItems, [{ position: 0, quantity: 1, sku: 'a' }]);
        assert.equal(r.sessionId, cs.id);
        assert.equal(r.sessionIntegrationId, id);
        assert.equal(r.applicationId, A.id);
        assert.equal(r.accountId, ACCOUNT_ID);
        assert.equal(r.profileIntegrationId, pid);
        assert.equal(r.profileId, (await profile(pid))!.id);
        assert.equal(r.created, clock.iso());
        assert.equal(typeof r.id, 'number');
        assert.equal(body.event.type, 'talon_session_partially_returned');
        assert.equal(r.eventId, body.event.id);
        assert.deepEqual(await events(id), ['talon_session_created', 'talon_session_closed', 'talon_session_partially_returned']);
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 1, totalSales: '19' });
        // GET agrees
        const g = (await get(id)).json();
        assert.deepEqual(g.customerSession, cs);
        // returning quantity 2 of line 0 now exceeds what remains
        const snap = await snapshot(id);
        assertError(await ret(id, [{ position: 0, quantity: 2 }]), 400, { pointer: '/return/returnedCartItems/0/quantity' });
        assertError(await ret(id, [{ position: 0, quantity: 1 }, { position: 0, quantity: 1 }]), 400, { pointer: '/return/returnedCartItems/1/quantity' });
        assert.deepEqual(await snapshot(id), snap);
        // the rest, by SKU with the default quantity (all remaining units), and previousReturns oldest first
        const res2 = await ret(id, [{ sku: 'a' }, { sku: 'b' }], { responseContent: ['previousReturns'] });
        assert.equal(res2.statusCode, 200, res2.body);
        const b2 = res2.json();
        assert.deepEqual(b2.return.returnedCartItems, [{ position: 0, quantity: 1, sku: 'a' }, { position: 1, quantity: 1, sku: 'b' }]);
        assert.deepEqual(b2.previousReturns.map((x: Json) => x.id), [r.id]);
        assert.equal(b2.customerSession.state, 'partially_returned', 'stays partially_returned when everything is returned');
        assert.deepEqual(b2.customerSession.cartItems.map((i: Json) => [i.returnedQuantity, i.remainingQuantity]), [[2, 0], [1, 0]]);
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 1, totalSales: '4' });
        assertError(await ret(id, [{ sku: 'a' }]), 400, { pointer: '/return/returnedCartItems/0/sku' });
        assert.equal((await read((sql) => listReturns(sql, cs.id))).length, 2);
      });

      it('rejects bad line references', async () => {
        const { id } = await closedSession();
        const snap = await snapshot(id);
        assertError(await ret(id, [{ position: 2 }]), 400, { pointer: '/return/returnedCartItems/0/position' });
        assertError(await ret(id, [{ position: 0, sku: 'b' }]), 400, { pointer: '/return/returnedCartItems/0/sku' });
        assertError(await ret(id, [{ sku: 'zzz' }]), 400, { pointer: '/return/returnedCartItems/0/sku' });
        assertError(await ret(id, [{ quantity: 1 }]), 400, { pointer: '/return/returnedCartItems/0' });
        assertError(await ret(id, []), 400, { pointer: '/return/returnedCartItems' });
        assertError(await ret(id, [{ position: 0, quantity: 0 }]), 400, { pointer: '/return/returnedCartItems/0/quantity' });
        assertError(await ret(id, [{ position: -1 }]), 400, { pointer: '/return/returnedCartItems/0/position' });
        assertError(await s!.integ(A.key, 'POST', url(id, '/returns'), {}), 400, { pointer: '/return' });
        assertError(await ret(id, [{ position: 0 }], { responseContent: ['awardedGiveaways'] }), 400, { pointer: '/responseContent/0' });
        assert.deepEqual(await snapshot(id), snap);
      });

      it('only closed or partially returned sessions accept returns; unknown → 404', async () => {
        const open = uid('ret');
        await ok(open, { cartItems: cart });
        const snap = await snapshot(open);
        assertError(await ret(open, [{ position: 0 }]), 400);
        assert.deepEqual(await snapshot(open), snap);
        const cancelled = uid('ret');
        await ok(cancelled, { cartItems: cart });
        await ok(cancelled, { state: 'cancelled' });
        assertError(await ret(cancelled, [{ position: 0 }]), 400);
        assertError(await ret(uid('nope'), [{ position: 0 }]), 404);
      });

      it('dry=true returns nothing for real', async () => {
        const { id, pid } = await closedSession();
        const snap = await snapshot(id);
        const res = await ret(id, [{ position: 0, quantity: 2 }], { query: 'dry=true' });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().customerSession.cartItems[0].returnedQuantity, 2);
        assert.deepEqual(await snapshot(id), snap);
        assert.equal((await read((sql) => listReturns(sql, snap.customerSession.id))).length, 0);
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 1, totalSales: '29' });
      });

      it('Idempotency-Key replays the stored response without a second return', async () => {
        const { id, pid } = await closedSession();
        const headers = { 'idempotency-key': '0f6c7c1e-7e4b-4f7c-9d1e-2b8d3f0c5a11' };
        const r1 = await ret(id, [{ position: 0, quantity: 1 }], { headers, responseContent: ['customerSession', 'previousReturns'] });
        assert.equal(r1.statusCode, 200, r1.body);
        clock.advance(60_000);
        const r2 = await ret(id, [{ position: 0, quantity: 1 }], { headers, responseContent: ['customerSession', 'previousReturns'] });
        assert.equal(r2.statusCode, 200, r2.body);
        assert.equal(r2.body, r1.body, 'identical body');
        const r3 = await ret(id, [{ position: 1 }], { headers }); // a different body with the same key still replays (docs/sessions.md, "Idempotency-Key (returns)")
        assert.equal(r3.statusCode, 200);
        assert.deepEqual(r3.json().return, r1.json().return);
        assert.equal((await read((sql) => listReturns(sql, r1.json().customerSession.id))).length, 1);
        const g = (await get(id)).json().customerSession;
        assert.deepEqual(g.cartItems.map((i: Json) => i.returnedQuantity), [1, 0]);
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 1, totalSales: '19' });
        // a new key is a new return; its previousReturns lists the first
        const r4 = await ret(id, [{ position: 0, quantity: 1 }], { headers: { 'idempotency-key': 'k2' }, responseContent: ['previousReturns'] });
        assert.equal(r4.statusCode, 200, r4.body);
        assert.equal(r4.json().previousReturns.length, 1);
        // keys are per Application: B's use of the same key is not a replay of A's return (B has no such session → 404)
        assertError(await ret(id, [{ position: 0, quantity: 1 }], { key: B.key, headers }), 404);
      });

      it('failed keyed requests are not stored; a key over 255 characters → 400', async () => {
        const { id } = await closedSession();
        const headers = { 'idempotency-key': 'retry-me' };
        assertError(await ret(id, [{ position: 0, quantity: 5 }], { headers }), 400);
        const ok2 = await ret(id, [{ position: 0, quantity: 1 }], { headers });
        assert.equal(ok2.statusCode, 200, ok2.body);
        const snap = await snapshot(id);
        const res = await ret(id, [{ position: 0, quantity: 1 }], { headers: { 'idempotency-key': 'k'.repeat(256) } });
        const body = assertError(res, 400);
        assert.equal(String(body.errors[0].source.parameter).toLowerCase(), 'idempotency-key');
        assert.deepEqual(await snapshot(id), snap);
        assert.equal((await ret(id, [{ position: 0, quantity: 1 }], { headers: { 'idempotency-key': 'k'.repeat(255) } })).statusCode, 200);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('reopen', () => {
      it('closed → open: rollback effects, event, profile counters; closing again re-commits (scenario 10)', async () => {
        const pid = uid('p');
        const id = uid('ro');
        await ok(id, { profileId: pid, cartItems: cart });
        const closed = (await ok(id, { state: 'closed' })).customerSession;
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 1, totalSales: '25' });
        clock.advance(60_000);
        const res = await reopen(id);
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json(), { effects: [] });
        const g = (await get(id)).json().customerSession;
        assert.equal(g.state, 'open');
        assert.equal(g.updateCount, closed.updateCount, 'reopen does not count as an update');
        assert.equal(g.updated, clock.iso());
        assert.deepEqual(g.cartItems, closed.cartItems);
        assert.deepEqual(await events(id), ['talon_session_created', 'talon_session_closed', 'talon_session_reopened']);
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 0, totalSales: '0' });
        const again = (await ok(id, { state: 'closed', cartItems: [{ sku: 'a', price: 10, quantity: 1 }] })).customerSession;
        assert.equal(again.state, 'closed');
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 1, totalSales: '10' });
      });

      it('only closed sessions reopen; unknown → 404', async () => {
        const open = uid('ro');
        await ok(open, { cartItems: cart });
        const snap = await snapshot(open);
        assertError(await reopen(open), 400);
        assert.deepEqual(await snapshot(open), snap);
        const pr = uid('ro');
        await ok(pr, { cartItems: cart, state: 'closed' });
        assert.equal((await ret(pr, [{ position: 1 }])).statusCode, 200);
        assertError(await reopen(pr), 400);
        const cancelled = uid('ro');
        await ok(cancelled, { state: 'closed' });
        await ok(cancelled, { state: 'cancelled' });
        assertError(await reopen(cancelled), 400);
        assertError(await reopen(uid('nope')), 404);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('authentication', () => {
      const endpoints = (id: string): [string, string, unknown][] => [
        ['PUT', url(id), { customerSession: { cartItems: cart } }],
        ['GET', url(id), undefined],
        ['POST', url(id, '/returns'), { return: { returnedCartItems: [{ position: 0 }] } }],
        ['PUT', url(id, '/reopen'), undefined],
      ];
      const call = (method: string, path: string, payload: unknown, authorization?: string) => s!.app.inject({
        method: method as 'GET', url: path, ...(payload !== undefined ? { payload: payload as object } : {}),
        headers: authorization === undefined ? {} : { authorization },
      });
      const assert401 = (res: LightMyRequestResponse) => {
        assert.equal(res.statusCode, 401, res.body);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        const body = res.json();
        assert.equal(body.StatusCode, 401);
        assert.equal(typeof body.message, 'string');
      };

      it('401 ErrorResponseWithStatus for missing, malformed, management, unknown, expired and revoked credentials', async () => {
        const id = uid('auth');
        await ok(id, { cartItems: cart, state: 'closed' });
        const snap = await snapshot(id);
        const expired = await s!.mgmt('POST', `/v1/applications/${A.id}/api_keys`, { title: 'old', expires: '2020-01-01T00:00:00Z' });
        assert.equal(expired.statusCode, 201, expired.body);
        const revoked = await s!.mgmt('POST', `/v1/applications/${A.id}/api_keys`, { title: 'gone', expires: '2099-01-01T00:00:00Z' });
        assert.equal(revoked.statusCode, 201, revoked.body);
        assert.equal((await get(id, revoked.json().key)).statusCode, 200, 'works before revocation (and is now cached)');
        assert.equal((await s!.mgmt('DELETE', `/v1/applications/${A.id}/api_keys/${revoked.json().id}`)).statusCode, 204);
        const bad: (string | undefined)[] = [
          undefined, '', A.key, `Bearer ${A.key}`, `apikey-v1 ${A.key}`, `ApiKey-v1`, `ApiKey-v1 `, `ApiKey-v1  ${A.key}`, `ApiKey-v2 ${A.key}`,
          `ManagementKey-v1 ${MANAGEMENT_KEY}`, `ApiKey-v1 ${MANAGEMENT_KEY}`, `ApiKey-v1 ${'0'.repeat(64)}`,
          `ApiKey-v1 ${expired.json().key}`, `ApiKey-v1 ${revoked.json().key}`,
        ];
        for (const authorization of bad) {
          for (const [method, path, payload] of endpoints(id)) {
            const res = await call(method, path, payload, authorization);
            assert401(res);
          }
        }
        assert.deepEqual(await snapshot(id), snap);
      });

      it('a key stops working when it expires (injected clock)', async () => {
        const expires = new Date(clock.now().getTime() + 3_600_000).toISOString();
        const k = await s!.mgmt('POST', `/v1/applications/${A.id}/api_keys`, { title: 'short', expires });
        assert.equal(k.statusCode, 201, k.body);
        const id = uid('auth');
        assert.equal((await put(id, {}, { key: k.json().key })).statusCode, 200);
        clock.advance(3_600_000 - 1);
        assert.equal((await get(id, k.json().key)).statusCode, 200);
        clock.advance(1);
        assert401(await get(id, k.json().key));
        assert401(await put(id, {}, { key: k.json().key }));
        assert.equal((await get(id)).json().customerSession.updateCount, 1);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('Application isolation', () => {
      it("a key of Application B cannot see or change A's session; the same id in B is independent (scenario 11)", async () => {
        const id = uid('iso');
        const a = (await ok(id, { cartItems: cart, profileId: uid('p') })).customerSession;
        await ok(id, { state: 'closed' });
        const snap = await snapshot(id);
        assertError(await get(id, B.key), 404);
        assertError(await ret(id, [{ position: 0 }], { key: B.key }), 404);
        assertError(await reopen(id, B.key), 404);
        const b = (await ok(id, { cartItems: [{ sku: 'z', price: 1, quantity: 1 }] }, { key: B.key })).customerSession;
        assert.equal(b.applicationId, B.id);
        assert.equal(b.updateCount, 1);
        assert.equal(b.state, 'open');
        assert.notEqual(b.id, a.id);
        assert.equal(b.cartItemTotal, 1);
        assert.equal((await get(id, B.key)).json().customerSession.id, b.id);
        assert.deepEqual(await snapshot(id), snap);
        assert.deepEqual(await events(id, B.id), ['talon_session_created']);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('in-process concurrency', () => {
      it('two simultaneous PUTs on one session: exactly one 409 ErrorResponse, the other 200', async () => {
        const id = uid('cc');
        await ok(id, { cartItems: cart });
        slow.state.delayMs = 150;
        try {
          const [r1, r2] = await Promise.all([put(id, { cartItems: [{ sku: 'a', price: 1, quantity: 1 }] }), put(id, { attributes: { Channel: 'app' } })]);
          const codes = [r1.statusCode, r2.statusCode].sort();
          assert.deepEqual(codes, [200, 409], `${r1.body} / ${r2.body}`);
          const loser = r1.statusCode === 409 ? r1 : r2;
          const body = assertError(loser, 409);
          assert.equal('StatusCode' in body ? body.StatusCode : 409, 409);
          // the same for a session that does not exist yet (the first write of a new id)
          const fresh = uid('cc');
          const rs = await Promise.all([put(fresh, {}), put(fresh, {})]);
          assert.deepEqual(rs.map((r) => r.statusCode).sort(), [200, 409]);
        } finally {
          slow.state.delayMs = 0;
        }
        const g = (await get(id)).json().customerSession;
        assert.equal(g.updateCount, 2, 'exactly one of the two updates was applied');
      });

      it('PUTs on different sessions of the same profile both succeed', async () => {
        const pid = uid('p');
        slow.state.delayMs = 100;
        let rs: LightMyRequestResponse[];
        try {
          rs = await Promise.all([1, 2, 3].map(() => put(uid('cc'), { profileId: pid, state: 'closed', cartItems: [{ sku: 'x', price: 0.1, quantity: 1 }] })));
        } finally {
          slow.state.delayMs = 0;
        }
        for (const r of rs) assert.equal(r.statusCode, 200, r.body);
        assert.equal(rs.filter((r) => r.json().customerSession.firstSession).length, 1, 'exactly one first session');
        assert.deepEqual(sales(await profile(pid)), { closedSessions: 3, totalSales: '0.3' });
      });
    });
  });
}
