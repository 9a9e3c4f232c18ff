/**
 * The v1 trackEvent (`POST /v1/events`, talon_one 4.3.0's IntegrationApi.trackEvent) over HTTP: the
 * NewEvent body's validation, the event stored with its session id and store, the shared service's
 * checks, `dry`, and the 201 IntegrationState answer (docs/profiles-and-events.md, "trackEvent v1") —
 * on SQLite and PostgreSQL. The rules and the SDK parsing: test/compat/talon-one-events.test.ts.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { STORES } from '../helpers/stores.js';
import { freshTestServer, type TestServer } from '../helpers/server.js';

function pointerOf(r: LightMyRequestResponse): string | undefined {
  assert.equal(r.statusCode, 400, r.body);
  return r.json().errors?.[0]?.source?.pointer;
}

interface EventRow { type: string; profile_integration_id: string; session_integration_id: string; store_integration_id: string | null; attributes: string }

for (const kind of STORES) {
  describe(`integration: the v1 trackEvent (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('NewEvent validated; stored with its session id; 201 IntegrationState; dry keeps nothing', async (t) => {
      const s: TestServer | null = await freshTestServer(kind, t, () => new Date('2025-06-01T09:00:00Z'));
      if (!s) return;
      try {
        const { key, id: applicationId } = await s.newApplication();
        const post = (body: unknown, query = '') => s.integ(key, 'POST', `/v1/events${query}`, body);
        const events = () => s.db.transaction((sql) => sql.all<EventRow>('SELECT * FROM events ORDER BY id'));

        assert.equal(pointerOf(await post({ type: 'viewed', profileId: 'p1', attributes: {} })), '/sessionId');
        assert.equal(pointerOf(await post({ type: 'viewed', profileId: 'p1', attributes: {}, sessionId: '' })), '/sessionId');
        assert.equal(pointerOf(await post({ type: 'viewed', profileId: 'p1', sessionId: 's1' })), '/attributes');
        assert.equal(pointerOf(await post({ type: '', profileId: 'p1', sessionId: 's1', attributes: {} })), '/type');
        assert.equal(pointerOf(await post({ type: 'talon_custom', profileId: 'p1', sessionId: 's1', attributes: {} })), '/type');
        assert.equal(pointerOf(await post({ type: 'viewed', sessionId: 's1', attributes: {} })), '/profileId');
        assert.equal(pointerOf(await post({ type: 'viewed', profileId: 'p1', sessionId: 's1', attributes: { undefinedAttr: 1 } })), '/attributes/undefinedAttr');
        assert.equal(pointerOf(await post({ type: 'viewed', profileId: 'p1', sessionId: 's1', attributes: {}, storeIntegrationId: '' })), '/storeIntegrationId');
        assert.equal((await s.integ('wrong-key', 'POST', '/v1/events', { type: 'viewed', profileId: 'p1', sessionId: 's1', attributes: {} })).statusCode, 401);
        assert.deepEqual(await events(), [], 'nothing recorded by a refused request');

        const dry = await post({ type: 'viewed', profileId: 'p1', sessionId: 's1', attributes: {} }, '?dry=true');
        assert.equal(dry.statusCode, 201, dry.body);
        assert.equal(dry.json().event.id, 0);
        assert.equal(dry.json().profile.id, 0, 'a new profile previewed, not kept');
        assert.deepEqual(await events(), []);

        const r = await post({ type: 'viewed', profileId: 'p1', sessionId: 's1', attributes: {}, storeIntegrationId: 'store-9' });
        assert.equal(r.statusCode, 201, r.body);
        const body = r.json();
        assert.deepEqual(Object.keys(body), ['profile', 'event'], 'no session: s1 does not exist and is not created');
        assert.deepEqual(body.event, {
          id: body.event.id, created: '2025-06-01T09:00:00.000Z', applicationId, profileId: 'p1', storeIntegrationId: 'store-9',
          type: 'viewed', attributes: {}, sessionId: 's1', effects: [], ledgerEntries: [],
        });
        assert.ok(body.event.id > 0);
        assert.equal(body.profile.integrationId, 'p1');
        assert.ok(body.profile.id > 0);
        const rows = await events();
        assert.deepEqual(rows.map((e) => [e.type, e.profile_integration_id, e.session_integration_id, e.store_integration_id]), [['viewed', 'p1', 's1', 'store-9']]);
        assert.equal((await s.integ(key, 'GET', '/v2/customer_sessions/s1')).statusCode, 404);

        // a session of another profile is refused; the owner's is answered as CustomerSession
        const made = await s.integ(key, 'PUT', '/v2/customer_sessions/s2', { customerSession: { profileId: 'owner', couponCodes: [], cartItems: [{ sku: 'a', quantity: 2, price: 2.5 }] } });
        assert.equal(made.statusCode, 200, made.body);
        assert.equal(pointerOf(await post({ type: 'viewed', profileId: 'p1', sessionId: 's2', attributes: {} })), '/sessionId');
        const owned = await post({ type: 'viewed', profileId: 'owner', sessionId: 's2', attributes: {} });
        assert.equal(owned.statusCode, 201, owned.body);
        const sess = owned.json().session;
        assert.deepEqual({ ...sess, created: 'x', updated: 'x', cartItems: sess.cartItems.length }, {
          integrationId: 's2', created: 'x', applicationId, profileId: 'owner', coupon: '', referral: '', state: 'open', cartItems: 1,
          identifiers: [], total: 5, attributes: {}, firstSession: true, updateCount: 1, discounts: {}, updated: 'x',
        });
        assert.equal((await events()).length, 3, 'p1 and the owner\'s two: the session update\'s and the custom event');
      } finally { await s.close(); }
    });
  });
}
