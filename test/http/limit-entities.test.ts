/**
 * Limit buckets by entity and period (docs/campaigns.md, "Limit counters" and "Periods"): Identifier, Store,
 * Session, Coupon and compound keys, daily periods in the Application's timezone, partial discounts.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { insertCoupons } from '../../src/store/repos/coupons.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';
import { couponCount, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;
const cart = [{ sku: 'x', quantity: 1, price: 40 }];
const FIVE_OFF = { title: 'five', condition: ['and', true], effects: [['setDiscount', 'five', 5]] };

async function campaign(s: TestServer, appId: number, limits: unknown[], rule: unknown = FIVE_OFF): Promise<number> {
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'L', tags: [], features: ['coupons'], limits });
  assert.equal(c.statusCode, 201, c.body);
  const r = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json().id}/rulesets`, { bindings: [], rules: [rule], activate: true });
  assert.equal(r.statusCode, 201, r.body);
  return c.json().id;
}

const discount = (r: { json(): Json }) => r.json().effects.filter((e: Json) => e.effectType === 'setDiscount').map((e: Json) => e.props)[0];

for (const kind of STORES) {
  describe(`limit entities and periods (${kind.name})`, () => {
    after(() => kind.cleanup());
    let now = new Date('2030-03-10T10:00:00Z');
    let s: TestServer;
    const start = async (t: { skip(m: string): void }) => {
      const db = await openTestDatabase(kind);
      if (!db) { t.skip('PostgreSQL not available'); return false; }
      now = new Date('2030-03-10T10:00:00Z');
      s = await startTestServer(db, () => now);
      return true;
    };
    let n = 0;
    const close = (key: string, session: Json) => s.integ(key, 'PUT', `/v2/customer_sessions/le-${n++}`, { customerSession: { cartItems: cart, state: 'closed', ...session } });

    test('Identifier: every identifier of the session is checked and counted', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        await campaign(s, a.id, [{ action: 'setDiscountEffect', limit: 1, entities: ['Identifier'] }]);
        assert.ok(discount(await close(a.key, { identifiers: ['dev-1'] })));
        assert.equal(discount(await close(a.key, { identifiers: ['dev-1'] })), undefined);
        assert.equal(discount(await close(a.key, { identifiers: ['dev-2', 'dev-1'] })), undefined, 'one exhausted identifier is enough to fail');
        assert.ok(discount(await close(a.key, { identifiers: ['dev-3'] })));
        // without an identifier the bucket cannot be keyed: not limited
        assert.ok(discount(await close(a.key, {})));
      } finally { await s.close(); }
    });

    test('Store and Session buckets; a partial discount reports desiredValue', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication({ enablePartialDiscounts: true });
        await campaign(s, a.id, [
          { action: 'setDiscountEffect', limit: 1, entities: ['Store'] },
          { action: 'setDiscount', limit: 3, entities: ['Session'] },
        ]);
        const first = discount(await close(a.key, { storeIntegrationId: 'berlin' }));
        assert.deepEqual(first, { name: 'five', value: 3, desiredValue: 5 });
        assert.equal(discount(await close(a.key, { storeIntegrationId: 'berlin' })), undefined);
        assert.deepEqual(discount(await close(a.key, { storeIntegrationId: 'paris' })), { name: 'five', value: 3, desiredValue: 5 });
      } finally { await s.close(); }
    });

    test('Coupon and Profile+Coupon compound buckets reject with the matching reason', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const cid = await campaign(s, a.id, [
          { action: 'redeemCoupon', limit: 2, entities: ['Coupon'] },
          { action: 'redeemCoupon', limit: 1, entities: ['Profile', 'Coupon'] },
        ], { title: 'c', condition: ['and', ['couponValid']], effects: [['setDiscount', 'c', 1]] });
        await s.db.transaction((sql) => insertCoupons(sql, [{ applicationId: a.id, campaignId: cid, value: 'MULTI', usageLimit: 0, attributes: {}, limits: [], isReservationMandatory: false, implicitlyReserved: false, created: now.toISOString() }]));
        const reason = async (profileId: string) => {
          const r = await close(a.key, { profileId, couponCodes: ['MULTI'] });
          return r.json().effects.map((e: Json) => e.props.rejectionReason ?? e.effectType)[0];
        };
        assert.equal(await reason('p1'), 'acceptCoupon');
        assert.equal(await reason('p1'), 'ProfileLimitReached');
        assert.equal(await reason('p2'), 'acceptCoupon');
        assert.equal(await reason('p3'), 'CouponLimitReached');
        assert.equal(await reason(''), 'ProfileRequired');
      } finally { await s.close(); }
    });

    test('createCoupon limits count when the effect is applied (any non-dry update), not at close, and are kept on cancel', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        await campaign(s, a.id, [{ action: 'createCoupon', limit: 2, entities: [] }], { title: 'gift', condition: ['and', true], effects: [['createCoupon']] });
        const open = async (id: string) => (await s.integ(a.key, 'PUT', `/v2/customer_sessions/${id}`, { customerSession: { profileId: 'p', cartItems: cart } })).json();
        assert.equal((await open('cc1')).createdCoupons.length, 1);
        assert.equal((await open('cc2')).createdCoupons.length, 1);
        const third = await open('cc3');
        assert.deepEqual(third.createdCoupons, []);
        assert.equal(third.effects.some((e: Json) => e.effectType === 'couponCreated'), false);
        // a dry run neither creates nor counts
        const dry = await s.integ(a.key, 'PUT', '/v2/customer_sessions/cc1?dry=true', { customerSession: { profileId: 'p', cartItems: cart } });
        assert.deepEqual(dry.json().createdCoupons, []);
        await s.integ(a.key, 'PUT', '/v2/customer_sessions/cc1', { customerSession: { state: 'cancelled' } });
        assert.deepEqual((await open('cc4')).createdCoupons, [], 'creation budgets are not released by a cancel');
        assert.equal(await couponCount(s, a.id), 2);
      } finally { await s.close(); }
    });

    test('daily limits reset at midnight in the Application timezone', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication({ timezone: 'Europe/Berlin' });
        await campaign(s, a.id, [{ action: 'setDiscountEffect', limit: 1, period: 'daily', entities: ['Profile'] }]);
        assert.ok(discount(await close(a.key, { profileId: 'p' })));
        assert.equal(discount(await close(a.key, { profileId: 'p' })), undefined);
        now = new Date('2030-03-10T22:30:00Z'); // 23:30 in Berlin: still the same day
        assert.equal(discount(await close(a.key, { profileId: 'p' })), undefined);
        now = new Date('2030-03-10T23:30:00Z'); // 00:30 on the 11th in Berlin
        assert.ok(discount(await close(a.key, { profileId: 'p' })));
        const c = await s.db.transaction((sql) => sql.all<{ period_start: string; counter: string }>("SELECT period_start, counter FROM limit_counters WHERE action = 'setDiscountEffect' ORDER BY period_start"));
        assert.deepEqual(c.map((r) => [r.period_start, Number(r.counter)]), [['2030-03-10', 1], ['2030-03-11', 1]]);
      } finally { await s.close(); }
    });
  });
}
