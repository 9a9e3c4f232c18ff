/**
 * Coupon reservations and the customer inventory over the Integration API (docs/coupons.md, "Reservations and inventory"): scoped to
 * the key's Application, codes normalised with its case setting, personal coupons reserved only by
 * their recipient, inventory states — on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { insertReferral, insertReferee } from '../../src/store/repos/referrals.js';
import { STORES } from '../helpers/stores.js';
import { freshTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

async function campaign(s: TestServer, appId: number, extra: Json = {}): Promise<number> {
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'C', tags: [], features: ['coupons'], limits: [], ...extra });
  assert.equal(c.statusCode, 201, c.body);
  return c.json().id;
}

async function coupons(s: TestServer, appId: number, campaignId: number, body: Json): Promise<Json[]> {
  const r = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${campaignId}/coupons?silent=no`, { numberOfCoupons: 1, usageLimit: 1, ...body });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().data;
}

for (const kind of STORES) {
  describe(`coupon reservations and inventory (${kind.name})`, () => {
    after(() => kind.cleanup());
    let s: TestServer;
    let now = new Date('2030-06-01T12:00:00Z');
    const start = async (t: { skip(m: string): void }) => {
      now = new Date('2030-06-01T12:00:00Z');
      const fresh = await freshTestServer(kind, t, () => now);
      if (!fresh) return false;
      s = fresh;
      return true;
    };

    test('reserve, list holders, unreserve; personal coupons; case; isolation', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication({ caseSensitivity: 'insensitive-uppercase' });
        const b = await s.newApplication();
        const c = await campaign(s, a.id);
        const [shared] = await coupons(s, a.id, c, { couponPattern: 'WALLET-%###', isReservationMandatory: true });
        const code = shared.value as string;
        const url = (v: string) => `/v1/coupon_reservations/${encodeURIComponent(v)}`;

        const r = await s.integ(a.key, 'POST', url(code.toLowerCase()), { integrationIDs: ['alice', 'bob', 'alice'] });
        assert.equal(r.statusCode, 201, r.body);
        assert.equal(r.json().value, code);
        assert.equal(r.json().reservationCounter, 2);
        assert.equal(r.json().isReservationMandatory, true);
        // again: idempotent per profile; the reservation limit is ignored by this endpoint
        await s.mgmt('PUT', `/v1/applications/${a.id}/campaigns/${c}/coupons/${shared.id}`, { reservationLimit: 1, usageLimit: 1 });
        const again = await s.integ(a.key, 'POST', url(code), { integrationIDs: ['bob', 'carol'] });
        assert.equal(again.json().reservationCounter, 3);

        const holders = await s.integ(a.key, 'GET', `/v1/coupon_reservations/customerprofiles/${encodeURIComponent(code)}`);
        assert.equal(holders.statusCode, 200, holders.body);
        assert.equal(holders.json().totalResultSize, 3);
        assert.deepEqual(holders.json().data.map((p: Json) => p.integrationId).sort(), ['alice', 'bob', 'carol']);
        assert.equal(typeof holders.json().data[0].id, 'number');

        const del = await s.integ(a.key, 'DELETE', url(code), { integrationIDs: ['bob', 'nobody'] });
        assert.equal(del.statusCode, 204);
        assert.deepEqual((await s.integ(a.key, 'GET', `/v1/coupon_reservations/customerprofiles/${encodeURIComponent(code)}`)).json().data
          .map((p: Json) => p.integrationId).sort(), ['alice', 'carol']);

        // personal coupons: only the recipient
        const [personal] = await coupons(s, a.id, c, { recipientIntegrationId: 'alice' });
        const other = await s.integ(a.key, 'POST', url(personal.value), { integrationIDs: ['alice', 'bob'] });
        assert.equal(other.statusCode, 400);
        assert.equal(other.json().errors[0].source.pointer, '/integrationIDs/1');
        assert.equal((await s.integ(a.key, 'POST', url(personal.value), { integrationIDs: ['alice'] })).statusCode, 201);

        // another Application's key, unknown codes, validation
        assert.equal((await s.integ(b.key, 'POST', url(code), { integrationIDs: ['x'] })).statusCode, 404);
        assert.equal((await s.integ(b.key, 'GET', `/v1/coupon_reservations/customerprofiles/${encodeURIComponent(code)}`)).statusCode, 404);
        assert.equal((await s.integ(b.key, 'DELETE', url(code), { integrationIDs: ['alice'] })).statusCode, 404);
        assert.equal((await s.integ(a.key, 'POST', url('NOPE-1'), { integrationIDs: ['x'] })).statusCode, 404);
        assert.equal((await s.integ(a.key, 'POST', url(code), {})).json().errors[0].source.pointer, '/integrationIDs');
        const tooMany = await s.integ(a.key, 'POST', url(code), { integrationIDs: Array.from({ length: 1001 }, (_, i) => `p${i}`) });
        assert.equal(tooMany.statusCode, 400);
        assert.equal((await s.mgmt('POST', url(code), { integrationIDs: ['x'] })).statusCode, 401, 'an Integration route');

        // a deleted coupon takes its reservations with it
        assert.equal((await s.mgmt('DELETE', `/v1/applications/${a.id}/campaigns/${c}/coupons/${shared.id}`)).statusCode, 204);
        assert.equal((await s.integ(a.key, 'GET', `/v1/coupon_reservations/customerprofiles/${encodeURIComponent(code)}`)).statusCode, 404);
      } finally { await s.close(); }
    });

    test('customer inventory: reserved, personal, implicitly reserved; states; referrals; profile', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const b = await s.newApplication();
        const running = await campaign(s, a.id);
        const disabled = await campaign(s, a.id, { state: 'disabled' });
        const scheduled = await campaign(s, a.id, { startTime: '2031-01-01T00:00:00Z' });
        const mk = async (campaignId: number, body: Json, reserve = true) => {
          const [c] = await coupons(s, a.id, campaignId, body);
          if (reserve) assert.equal((await s.integ(a.key, 'POST', `/v1/coupon_reservations/${encodeURIComponent(c.value)}`, { integrationIDs: ['alice'] })).statusCode, 201);
          return c;
        };
        const active = await mk(running, { couponPattern: 'ACT-####' });
        const pending = await mk(running, { couponPattern: 'PEN-####', startDate: '2030-07-01T00:00:00Z' });
        const expired = await mk(running, { couponPattern: 'EXP-####', expiryDate: '2030-05-01T00:00:00Z' });
        const used = await mk(running, { couponPattern: 'USE-####', usageLimit: 2 });
        const usedByAlice = await mk(running, { couponPattern: 'MIN-####', usageLimit: 5 });
        const off = await mk(disabled, { couponPattern: 'DIS-####' });
        const soon = await mk(scheduled, { couponPattern: 'SCH-####' });
        const personal = await mk(running, { couponPattern: 'PER-####', recipientIntegrationId: 'alice' }, false);
        const visible = await mk(running, { couponPattern: 'VIS-####', implicitlyReserved: true }, false);
        const notMine = await mk(running, { couponPattern: 'BOB-####', recipientIntegrationId: 'bob' }, false);
        await s.db.transaction(async (sql) => {
          await sql.run('UPDATE coupons SET usage_counter = 2 WHERE id = ?', [used.id]);
          await sql.run('UPDATE coupons SET usage_counter = 1 WHERE id = ?', [usedByAlice.id]);
          await sql.run("INSERT INTO coupon_redemptions (coupon_id, session_id, profile_integration_id, created) VALUES (?, 1, 'alice', '2030-06-01T00:00:00Z')", [usedByAlice.id]);
          const ref = await insertReferral(sql, { applicationId: a.id, campaignId: running, code: 'REF-ALICE', usageLimit: 0, advocateProfileIntegrationId: 'alice', attributes: {}, created: '2030-06-01T00:00:00Z' });
          await insertReferee(sql, { applicationId: a.id, referralId: ref.id, sessionIntegrationId: 's1', advocate: 'alice', friend: 'zoe', code: 'REF-ALICE', created: '2030-06-01T00:00:00Z' });
          await insertReferral(sql, { applicationId: b.id, campaignId: running, code: 'REF-OTHER', usageLimit: 0, advocateProfileIntegrationId: 'alice', attributes: {}, created: '2030-06-01T00:00:00Z' });
        });

        const r = await s.integ(a.key, 'GET', '/v1/customer_profiles/alice/inventory?coupons=true&referrals=true&profile=true&loyalty=true&giveaways=true');
        assert.equal(r.statusCode, 200, r.body);
        const inv = r.json();
        assert.equal(inv.profile.integrationId, 'alice');
        assert.deepEqual(inv.giveaways, []);
        const state = Object.fromEntries(inv.coupons.map((c: Json) => [c.value, c.state]));
        assert.deepEqual(state, {
          [active.value]: 'active', [pending.value]: 'pending', [expired.value]: 'expired', [used.value]: 'used', [usedByAlice.value]: 'used',
          [off.value]: 'disabled', [soon.value]: 'active', [personal.value]: 'active', [visible.value]: 'active',
        });
        assert.ok(!(notMine.value in state));
        const mine = inv.coupons.find((c: Json) => c.value === usedByAlice.value);
        assert.equal(mine.profileRedemptionCount, 1);
        assert.equal(inv.coupons.find((c: Json) => c.value === active.value).profileRedemptionCount, 0);
        assert.equal(inv.coupons.find((c: Json) => c.value === personal.value).reservation, false);
        assert.deepEqual(inv.referrals.map((x: Json) => [x.code, x.referredCustomers]), [['REF-ALICE', ['zoe']]]);

        // only what was asked for
        const bare = await s.integ(a.key, 'GET', '/v1/customer_profiles/alice/inventory');
        assert.deepEqual(bare.json(), {});
        // bob sees his personal coupon and the implicitly reserved one
        const bob = await s.integ(a.key, 'GET', '/v1/customer_profiles/bob/inventory?coupons=true');
        assert.equal(bob.statusCode, 404, 'no profile yet: coupons created for bob do not create his profile');
        assert.equal((await s.integ(a.key, 'POST', `/v1/coupon_reservations/${encodeURIComponent(notMine.value)}`, { integrationIDs: ['bob'] })).statusCode, 201);
        assert.deepEqual((await s.integ(a.key, 'GET', '/v1/customer_profiles/bob/inventory?coupons=true')).json().coupons.map((c: Json) => c.value).sort(),
          [visible.value, notMine.value].sort());
        // the other Application's key sees none of these coupons
        const other = await s.integ(b.key, 'GET', '/v1/customer_profiles/alice/inventory?coupons=true&referrals=true');
        assert.deepEqual(other.json().coupons, []);
        assert.deepEqual(other.json().referrals.map((x: Json) => x.code), ['REF-OTHER']);
        assert.equal((await s.integ(a.key, 'GET', '/v1/customer_profiles/nobody/inventory?coupons=true')).statusCode, 404);
      } finally { await s.close(); }
    });
  });
}
