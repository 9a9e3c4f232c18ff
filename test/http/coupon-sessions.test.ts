/**
 * Coupons, referrals and limits inside sessions (issue #4): accept/reject with the spec's reasons,
 * redemption at close, release on cancel/reopen, limit counters and budgets, rule-created coupons.
 * Codes are inserted through the store so this suite does not depend on the management endpoints.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { getCouponById, insertCoupons } from '../../src/store/repos/coupons.js';
import { insertReferral } from '../../src/store/repos/referrals.js';
import { persistCreated, type Creations } from '../../src/services/sessions/created.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';
import { couponCount, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

async function campaign(s: TestServer, appId: number, rules: unknown[], extra: Json = {}): Promise<number> {
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'C', tags: [], features: ['coupons', 'referrals'], limits: [], ...extra });
  assert.equal(c.statusCode, 201, c.body);
  const r = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json().id}/rulesets`, { bindings: [], rules, activate: true });
  assert.equal(r.statusCode, 201, r.body);
  return c.json().id;
}

async function coupon(s: TestServer, appId: number, campaignId: number, value: string, extra: Json = {}): Promise<number> {
  await s.db.transaction((sql) => insertCoupons(sql, [{
    applicationId: appId, campaignId, value, usageLimit: 1, attributes: {}, limits: [], isReservationMandatory: false, implicitlyReserved: false,
    created: new Date().toISOString(), ...extra,
  }]));
  const row = await s.db.transaction((sql) => sql.get<{ id: number }>('SELECT id FROM coupons WHERE application_id = ? AND value = ?', [appId, value]));
  return Number(row!.id);
}

const COUPON_RULE = { title: 'SAVE5: 5 off', condition: ['and', ['couponValid']], effects: [['setDiscount', '5 off', 5]] };
const cart = [{ sku: 'MUG-01', quantity: 1, price: 40 }];
const kinds = (effects: Json[]) => effects.map((e) => [e.effectType, e.props.rejectionReason ?? e.props.value]);

for (const kind of STORES) {
  describe(`coupons, referrals and limits in sessions (${kind.name})`, () => {
    after(() => kind.cleanup());
    let s: TestServer;
    const start = async (t: { skip(m: string): void }) => {
      const db = await openTestDatabase(kind);
      if (!db) { t.skip('PostgreSQL not available'); return false; }
      s = await startTestServer(db);
      return true;
    };

    test('a coupon is accepted, redeemed at close, exhausted for the next session and released by a cancel', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const cid = await campaign(s, a.id, [COUPON_RULE]);
        const id = await coupon(s, a.id, cid, 'SAVE5');
        const open = await s.integ(a.key, 'PUT', '/v2/customer_sessions/s1', { customerSession: { profileId: 'p1', couponCodes: ['SAVE5'], cartItems: cart }, responseContent: ['coupons'] });
        assert.deepEqual(kinds(open.json().effects), [['acceptCoupon', 'SAVE5'], ['setDiscount', 5]]);
        assert.equal(open.json().effects[0].triggeredByCoupon, id);
        assert.equal(open.json().coupons[0].usageCounter, 0);
        // an open session does not redeem: another open session may still use the code
        const other = await s.integ(a.key, 'PUT', '/v2/customer_sessions/s2', { customerSession: { profileId: 'p2', couponCodes: ['SAVE5'], cartItems: cart } });
        assert.deepEqual(kinds(other.json().effects), [['acceptCoupon', 'SAVE5'], ['setDiscount', 5]]);

        const closed = await s.integ(a.key, 'PUT', '/v2/customer_sessions/s1', { customerSession: { state: 'closed' }, responseContent: ['coupons'] });
        assert.deepEqual(kinds(closed.json().effects), [['acceptCoupon', 'SAVE5'], ['setDiscount', 5]]);
        assert.equal(closed.json().coupons[0].usageCounter, 1);
        assert.equal(closed.json().coupons[0].profileRedemptionCount, 1);

        // Q4: the other session closing later gets the code rejected; the close still succeeds
        const late = await s.integ(a.key, 'PUT', '/v2/customer_sessions/s2', { customerSession: { state: 'closed' } });
        assert.equal(late.statusCode, 200, late.body);
        assert.deepEqual(kinds(late.json().effects), [['rejectCoupon', 'CouponLimitReached']]);
        assert.equal((await s.db.transaction((sql) => getCouponById(sql, a.id, id)))!.usageCounter, 1);

        const cancel = await s.integ(a.key, 'PUT', '/v2/customer_sessions/s1', { customerSession: { state: 'cancelled' } });
        assert.deepEqual(cancel.json().effects.map((e: Json) => e.effectType).sort(), ['rollbackCoupon', 'rollbackDiscount']);
        assert.equal((await s.db.transaction((sql) => getCouponById(sql, a.id, id)))!.usageCounter, 0);
        const again = await s.integ(a.key, 'PUT', '/v2/customer_sessions/s3', { customerSession: { couponCodes: ['SAVE5'], cartItems: cart, state: 'closed' } });
        assert.deepEqual(kinds(again.json().effects), [['acceptCoupon', 'SAVE5'], ['setDiscount', 5]]);
      } finally { await s.close(); }
    });

    test('rejection reasons: not found, expired, not started, recipient, profile required, reservation, disabled campaign, conditions', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication({ caseSensitivity: 'insensitive-uppercase' });
        const cid = await campaign(s, a.id, [{ title: 'big carts', condition: ['and', ['couponValid'], ['>', ['.', 'Session', 'Total'], 100]], effects: [['setDiscount', 'd', 5]] }]);
        await coupon(s, a.id, cid, 'EXPIRED', { expiryDate: '2020-01-01T00:00:00.000Z' });
        await coupon(s, a.id, cid, 'FUTURE', { startDate: '2099-01-01T00:00:00.000Z' });
        await coupon(s, a.id, cid, 'PERSONAL', { recipientIntegrationId: 'alice' });
        await coupon(s, a.id, cid, 'WALLET', { isReservationMandatory: true });
        await coupon(s, a.id, cid, 'PLAIN');
        const off = await campaign(s, a.id, [COUPON_RULE], { state: 'disabled' });
        await coupon(s, a.id, off, 'OFFCODE');
        const reason = async (code: string, profileId = 'bob', items = cart) => {
          const r = await s.integ(a.key, 'PUT', `/v2/customer_sessions/r-${code}-${profileId}`, { customerSession: { profileId, couponCodes: [code], cartItems: items } });
          assert.equal(r.statusCode, 200, r.body);
          return r.json().effects.filter((e: Json) => e.effectType === 'rejectCoupon').map((e: Json) => e.props.rejectionReason)[0] ?? 'accepted';
        };
        assert.equal(await reason('NOPE'), 'CouponNotFound');
        assert.equal(await reason('expired'), 'CouponExpired');   // matched case-insensitively
        assert.equal(await reason('FUTURE'), 'CouponStartDateInFuture');
        assert.equal(await reason('PERSONAL'), 'CouponRecipientDoesNotMatch');
        assert.equal(await reason('PERSONAL', 'alice', [{ sku: 'x', quantity: 1, price: 500 }]), 'accepted');
        assert.equal(await reason('WALLET', ''), 'ProfileRequired');
        assert.equal(await reason('WALLET'), 'CouponReservationRequired');
        assert.equal(await reason('OFFCODE'), 'CouponPartOfNotRunningCampaign');
        assert.equal(await reason('PLAIN'), 'CouponRejectedByCondition');
        assert.equal(await reason('PLAIN', 'bob', [{ sku: 'x', quantity: 1, price: 500 }]), 'accepted');
      } finally { await s.close(); }
    });

    test('campaign limits: redeemCoupon per profile and a setDiscount budget, consumed at close and released on reopen', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const cid = await campaign(s, a.id, [COUPON_RULE], { limits: [
          { action: 'redeemCoupon', limit: 1, entities: ['Profile'] },
          { action: 'setDiscount', limit: 12, entities: [] },
        ] });
        for (const code of ['A1', 'A2', 'A3']) await coupon(s, a.id, cid, code);
        const close = (id: string, profileId: string, code: string) =>
          s.integ(a.key, 'PUT', `/v2/customer_sessions/${id}`, { customerSession: { profileId, couponCodes: [code], cartItems: cart, state: 'closed' } });
        assert.deepEqual(kinds((await close('l1', 'p1', 'A1')).json().effects), [['acceptCoupon', 'A1'], ['setDiscount', 5]]);
        assert.deepEqual(kinds((await close('l2', 'p1', 'A2')).json().effects), [['rejectCoupon', 'ProfileLimitReached']]);
        assert.deepEqual(kinds((await close('l3', 'p2', 'A2')).json().effects), [['acceptCoupon', 'A2'], ['setDiscount', 5]]);
        // 10 of 12 used: the next 5.00 does not fit and partial discounts are off → the rule fails, the code is rejected
        assert.deepEqual(kinds((await close('l4', 'p3', 'A3')).json().effects), [['rejectCoupon', 'EffectCouldNotBeApplied']]);
        const reopen = await s.integ(a.key, 'PUT', '/v2/customer_sessions/l3/reopen');
        assert.deepEqual(reopen.json().effects.map((e: Json) => e.effectType).sort(), ['rollbackCoupon', 'rollbackDiscount']);
        assert.deepEqual(kinds((await close('l5', 'p3', 'A3')).json().effects), [['acceptCoupon', 'A3'], ['setDiscount', 5]]);
        const counters = await s.db.transaction((sql) => sql.all<{ action: string; bucket: string; counter: string }>('SELECT action, bucket, counter FROM limit_counters WHERE campaign_id = ? ORDER BY action, bucket', [cid]));
        assert.deepEqual(counters.map((c) => [c.action, c.bucket, Number(c.counter)]), [
          ['redeemCoupon', 'Profile=p1', 1], ['redeemCoupon', 'Profile=p2', 0], ['redeemCoupon', 'Profile=p3', 1], ['setDiscount', '', 10],
        ]);
      } finally { await s.close(); }
    });

    test('referrals: accepted for a friend, redeemed at close, rejected for the advocate and for a second use', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const cid = await campaign(s, a.id, [{ title: 'friend gets 10', condition: ['and', ['referralValid']], effects: [['setDiscount', 'friend', 10]] }]);
        await s.integ(a.key, 'PUT', '/v2/customer_sessions/adv', { customerSession: { profileId: 'advocate' } });
        await s.db.transaction((sql) => insertReferral(sql, { applicationId: a.id, campaignId: cid, code: 'REF-1', usageLimit: 1, advocateProfileIntegrationId: 'advocate', attributes: {}, created: new Date().toISOString() }));
        const self = await s.integ(a.key, 'PUT', '/v2/customer_sessions/f0', { customerSession: { profileId: 'advocate', referralCode: 'REF-1', cartItems: cart } });
        assert.deepEqual(kinds(self.json().effects), [['rejectReferral', 'ReferralRecipientIdSameAsAdvocate']]);
        const friend = await s.integ(a.key, 'PUT', '/v2/customer_sessions/f1', { customerSession: { profileId: 'friend', referralCode: 'REF-1', cartItems: cart, state: 'closed' }, responseContent: ['referral'] });
        assert.deepEqual(kinds(friend.json().effects), [['acceptReferral', 'REF-1'], ['setDiscount', 10]]);
        assert.equal(friend.json().referral.usageCounter, 1);
        assert.deepEqual(friend.json().referral.referredCustomers, ['friend']);
        const second = await s.integ(a.key, 'PUT', '/v2/customer_sessions/f2', { customerSession: { profileId: 'friend2', referralCode: 'REF-1', cartItems: cart } });
        assert.deepEqual(kinds(second.json().effects), [['rejectReferral', 'ReferralLimitReached']]);
        const cancel = await s.integ(a.key, 'PUT', '/v2/customer_sessions/f1', { customerSession: { state: 'cancelled' } });
        assert.ok(cancel.json().effects.some((e: Json) => e.effectType === 'rollbackReferral'));
        const third = await s.integ(a.key, 'PUT', '/v2/customer_sessions/f3', { customerSession: { profileId: 'friend3', referralCode: 'REF-1', cartItems: cart } });
        assert.deepEqual(kinds(third.json().effects), [['acceptReferral', 'REF-1'], ['setDiscount', 10]]);
      } finally { await s.close(); }
    });

    test('a coupon discountLimit is a gift-card value spent across sessions; a cancel gives it back', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication({ enablePartialDiscounts: true });
        const cid = await campaign(s, a.id, [{ title: 'gift card', condition: ['and', ['couponValid']], effects: [['setDiscount', 'gift card', 30]] }]);
        const { dec } = await import('../../src/domain/money.js');
        const id = await coupon(s, a.id, cid, 'GIFT50', { usageLimit: 0, discountLimit: dec(50) });
        const close = (sid: string) => s.integ(a.key, 'PUT', `/v2/customer_sessions/${sid}`, { customerSession: { couponCodes: ['GIFT50'], cartItems: [{ sku: 'x', quantity: 1, price: 100 }], state: 'closed' } });
        const first = await close('g1');
        assert.deepEqual(first.json().effects.find((e: Json) => e.effectType === 'setDiscount').props, { name: 'gift card', value: 30 });
        const second = await close('g2');
        assert.deepEqual(second.json().effects.find((e: Json) => e.effectType === 'setDiscount').props, { name: 'gift card', value: 20, desiredValue: 30 });
        const c = (await s.db.transaction((sql) => getCouponById(sql, a.id, id)))!;
        assert.equal(c.discountCounter.toString(), '50');
        const third = await close('g3');
        assert.equal(third.json().effects.find((e: Json) => e.effectType === 'setDiscount'), undefined);
        await s.integ(a.key, 'PUT', '/v2/customer_sessions/g1', { customerSession: { state: 'cancelled' } });
        assert.equal((await s.db.transaction((sql) => getCouponById(sql, a.id, id)))!.discountCounter.toString(), '20');
        const fourth = await close('g4');
        assert.equal(fourth.json().effects.find((e: Json) => e.effectType === 'setDiscount').props.value, 30);
      } finally { await s.close(); }
    });

    test('rules create coupons on non-dry evaluations (createdCoupons, couponCreated) and dry runs create nothing', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        await campaign(s, a.id, [{ title: 'reward', condition: ['and', ['=', ['.', 'Session', 'State'], 'closed']], effects: [['createCoupon']] }],
          { couponSettings: { couponPattern: 'THX-####', validCharacters: ['A', 'B', 'C'] } });
        const dry = await s.integ(a.key, 'PUT', '/v2/customer_sessions/c1?dry=true', { customerSession: { profileId: 'p1', cartItems: cart, state: 'closed' } });
        assert.equal(dry.json().effects[0].effectType, 'couponCreated');
        assert.deepEqual(dry.json().createdCoupons, []);
        const r = await s.integ(a.key, 'PUT', '/v2/customer_sessions/c1', { customerSession: { profileId: 'p1', cartItems: cart, state: 'closed' } });
        const created = r.json().createdCoupons;
        assert.equal(created.length, 1);
        assert.match(created[0].value, /^THX-[ABC]{4}$/);
        assert.equal(created[0].recipientIntegrationId, 'p1');
        assert.deepEqual(r.json().effects.map((e: Json) => [e.effectType, e.props.value, e.props.profileId]), [['couponCreated', created[0].value, 'p1']]);
        assert.equal(await couponCount(s, a.id), 1);
      } finally { await s.close(); }
    });

    test('a created code that exists already is drawn again, and its effect says the stored code; no free code left is a 409', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        // a code space of two: 'XYA' is taken, so the rule's coupon can only be 'XYB' (20 draws: 2^-20 to miss it)
        const c = await campaign(s, a.id, [{ title: 'reward', condition: ['and', ['=', ['.', 'Session', 'State'], 'closed']], effects: [['createCoupon']] }],
          { couponSettings: { couponPattern: 'XY#', validCharacters: ['A', 'B'] } });
        await coupon(s, a.id, c, 'XYA');
        const r = await s.integ(a.key, 'PUT', '/v2/customer_sessions/d1', { customerSession: { profileId: 'p1', cartItems: cart, state: 'closed' } });
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json().createdCoupons.map((x: Json) => x.value), ['XYB']);
        assert.deepEqual(r.json().effects.map((e: Json) => [e.effectType, e.props.value, e.props.profileId]), [['couponCreated', 'XYB', 'p1']]);
        // the stored effects (the event's, which the session row points at) carry the stored code too
        const got = await s.integ(a.key, 'GET', '/v2/customer_sessions/d1');
        assert.deepEqual(got.json().effects.map((e: Json) => e.props.value), ['XYB']);

        const full = await s.integ(a.key, 'PUT', '/v2/customer_sessions/d2', { customerSession: { profileId: 'p2', cartItems: cart, state: 'closed' } });
        assert.equal(full.statusCode, 409, full.body);
        assert.match(full.json().message, /Could not generate an unused coupon code for campaign \d+ in 20 draws/);
        // nothing of the failed request is kept
        assert.equal((await s.integ(a.key, 'GET', '/v2/customer_sessions/d2')).statusCode, 404);
        assert.equal(await couponCount(s, a.id), 2);
      } finally { await s.close(); }
    });

    test('persistCreated: a colliding coupon or referral code is drawn again and its own effect renamed', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const c = await campaign(s, a.id, [{ title: 'r', condition: ['and', false], effects: [] }]);
        await coupon(s, a.id, c, 'TAKEN');
        await s.db.transaction((sql) => insertReferral(sql, {
          applicationId: a.id, campaignId: c, code: 'REF-TAKEN', usageLimit: 1, advocateProfileIntegrationId: 'adv', attributes: {}, created: new Date().toISOString(),
        }));
        // the redraw's code space is the taken code and one free code, so the free one is the only answer
        const asked: [string, number][] = [];
        const spaces = { coupon: ['TAKEN', 'FRESH'], referral: ['REF-TAKEN', 'REF-FRESH'] };
        const envelope = { campaignId: c, rulesetId: 1, ruleIndex: 0, ruleName: 'r' };
        const evaluation = {
          effects: [
            { ...envelope, effectType: 'couponCreated', props: { value: 'TAKEN', profileId: 'p1' } },
            { ...envelope, effectType: 'couponCreated', props: { value: 'TAKEN', profileId: 'p2' } },
            { ...envelope, effectType: 'referralCreated', props: { value: 'REF-TAKEN' } },
          ],
          created: {
            coupons: [{ campaignId: c, value: 'OWN', recipientIntegrationId: 'p0' }, { campaignId: c, value: 'TAKEN', recipientIntegrationId: 'p2' }],
            referrals: [{ campaignId: c, code: 'REF-TAKEN', advocateProfileIntegrationId: 'adv2' }],
            codes: {
              ids: { uuid: () => 'u', couponCode: () => 'UNUSED', referralCode: () => 'UNUSED' },
              spec: (kind: 'coupon' | 'referral', campaignId: number) => { asked.push([kind, campaignId]); return { pattern: '#', validCharacters: spaces[kind] }; },
            },
          },
          createdCoupons: [], createdReferrals: [],
        };
        await s.db.transaction((sql) => persistCreated(sql, a.id, evaluation as unknown as Creations, new Date()));
        // the second created coupon's TAKEN is drawn again from its campaign's code space: FRESH; only its own effect (p2) changed
        assert.deepEqual(evaluation.effects.map((e) => [e.props.value, e.props.profileId]), [['TAKEN', 'p1'], ['FRESH', 'p2'], ['REF-FRESH', undefined]]);
        assert.deepEqual(evaluation.createdCoupons.map((x: Json) => [x.value, x.recipientIntegrationId]).sort(), [['FRESH', 'p2'], ['OWN', 'p0']]);
        assert.deepEqual(evaluation.createdReferrals.map((x: Json) => [x.code, x.advocateProfileIntegrationId]), [['REF-FRESH', 'adv2']]);
        assert.deepEqual(asked, [['coupon', c], ['referral', c]]);
      } finally { await s.close(); }
    });

    test('a return with runRuleEngine re-evaluates campaigns with reevaluateOnReturn on the remaining units; counters follow', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const reeval = await campaign(s, a.id, [
          { title: 'ten', condition: ['and', ['>', ['.', 'Session', 'Total'], 100]], effects: [['setDiscount', 'ten', ['*', ['.', 'Session', 'Total'], ['/', 10, 100]]]] },
          { title: 'shoe', condition: ['and', true], effects: [['map', ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['catch', false, ['=', ['.', 'Item', 'Category'], 'Shoes']]]],
            [['Item'], ['setDiscountPerItem', 'shoe', 1, ['.', 'Item']]]]] },
        ], { reevaluateOnReturn: true, limits: [{ action: 'setDiscount', limit: 1000, entities: [] }] });
        const fixed = await campaign(s, a.id, [{ title: 'flat', condition: ['and', true], effects: [['setDiscount', 'flat', 5]] }],
          { limits: [{ action: 'setDiscount', limit: 1000, entities: [] }] });
        const counter = async (cid: number) => Number((await s.db.transaction((sql) => sql.get<{ counter: string }>(
          "SELECT counter FROM limit_counters WHERE campaign_id = ? AND action = 'setDiscount'", [cid])))?.counter);
        const list = (effects: Json[]) => effects.map((e) => [e.effectType, e.campaignId, e.props.name, e.props.value, e.props.subPosition ?? e.props.cartItemSubPosition]);
        const cart = [{ sku: 'SH', quantity: 3, price: 50, category: 'Shoes' }, { sku: 'TEE', quantity: 1, price: 30 }];
        const closed = await s.integ(a.key, 'PUT', '/v2/customer_sessions/r1', { customerSession: { cartItems: cart, state: 'closed' } });
        assert.deepEqual(list(closed.json().effects), [
          ['setDiscount', reeval, 'ten', 18, undefined], ['setDiscountPerItem', reeval, 'shoe#0', 1, 0], ['setDiscountPerItem', reeval, 'shoe#0', 1, 1],
          ['setDiscountPerItem', reeval, 'shoe#0', 1, 2], ['setDiscount', fixed, 'flat', 5, undefined],
        ]);
        assert.equal(await counter(reeval), 21);

        // one shoe back: its own discount is rolled back as always; the campaign that asks for it is evaluated
        // again on 2 × 50 + 30 = 130 — its committed effects rolled back, the new ones on the units that remain
        // (sub-positions 1 and 2: a line's lowest units are the returned ones); the other campaign is untouched
        const ret = { return: { returnedCartItems: [{ position: 0, quantity: 1 }] } };
        const first = await s.integ(a.key, 'POST', '/v2/customer_sessions/r1/returns?runRuleEngine=true', ret);
        assert.equal(first.statusCode, 200, first.body);
        assert.deepEqual(list(first.json().effects), [
          ['rollbackDiscount', reeval, 'shoe#0', 1, 0],
          ['rollbackDiscount', reeval, 'ten', 18, undefined], ['rollbackDiscount', reeval, 'shoe#0', 1, 1], ['rollbackDiscount', reeval, 'shoe#0', 1, 2],
          ['setDiscount', reeval, 'ten', 13, undefined], ['setDiscountPerItem', reeval, 'shoe#0', 1, 1], ['setDiscountPerItem', reeval, 'shoe#0', 1, 2],
        ]);
        const stored = (await s.integ(a.key, 'GET', '/v2/customer_sessions/r1')).json().effects;
        assert.deepEqual(list(stored), [
          ['setDiscount', fixed, 'flat', 5, undefined],
          ['setDiscount', reeval, 'ten', 13, undefined], ['setDiscountPerItem', reeval, 'shoe#0', 1, 1], ['setDiscountPerItem', reeval, 'shoe#0', 1, 2],
        ]);
        assert.deepEqual([await counter(reeval), await counter(fixed)], [15, 5]);

        // a dry run answers what the next return would do and changes nothing
        const dry = await s.integ(a.key, 'POST', '/v2/customer_sessions/r1/returns?runRuleEngine=true&dry=true', ret);
        assert.equal(dry.statusCode, 200, dry.body);
        const expected = [
          ['rollbackDiscount', reeval, 'shoe#0', 1, 1],
          ['rollbackDiscount', reeval, 'ten', 13, undefined], ['rollbackDiscount', reeval, 'shoe#0', 1, 2],
          ['setDiscountPerItem', reeval, 'shoe#0', 1, 2],
        ];
        assert.deepEqual(list(dry.json().effects), expected);
        assert.deepEqual((await s.integ(a.key, 'GET', '/v2/customer_sessions/r1')).json().effects, stored);
        assert.equal(await counter(reeval), 15);

        // the second shoe: 50 + 30 = 80, the 10 % rule no longer fires
        const second = await s.integ(a.key, 'POST', '/v2/customer_sessions/r1/returns?runRuleEngine=true', ret);
        assert.deepEqual(list(second.json().effects), expected);
        assert.equal(await counter(reeval), 1);
        // a campaign that no longer runs is not re-evaluated: it keeps what it granted but the returned units' own effects
        const off = await s.mgmt('PUT', `/v1/applications/${a.id}/campaigns/${reeval}`, { name: 'C', tags: [], features: [], limits: [{ action: 'setDiscount', limit: 1000, entities: [] }], state: 'disabled', reevaluateOnReturn: true });
        assert.equal(off.statusCode, 200, off.body);
        const third = await s.integ(a.key, 'POST', '/v2/customer_sessions/r1/returns?runRuleEngine=true', { return: { returnedCartItems: [{ position: 1 }] } });
        assert.equal(third.statusCode, 200, third.body);
        assert.deepEqual(third.json().effects, []);
        assert.deepEqual(list((await s.integ(a.key, 'GET', '/v2/customer_sessions/r1')).json().effects), [
          ['setDiscount', fixed, 'flat', 5, undefined], ['setDiscountPerItem', reeval, 'shoe#0', 1, 2],
        ]);
        assert.equal(await counter(reeval), 1);
      } finally { await s.close(); }
    });

    test('a return with runRuleEngine re-evaluates a coupon: kept while the rule holds, released when it no longer does', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const cid = await campaign(s, a.id, [{ title: 'BIG', condition: ['and', ['couponValid'], ['>', ['.', 'Session', 'Total'], 100]], effects: [['setDiscount', 'big', 10]] }],
          { reevaluateOnReturn: true });
        const id = await coupon(s, a.id, cid, 'BIG');
        const usage = async () => (await s.db.transaction((sql) => getCouponById(sql, a.id, id)))!.usageCounter;
        const closed = await s.integ(a.key, 'PUT', '/v2/customer_sessions/c1', { customerSession: { profileId: 'p1', couponCodes: ['BIG'], cartItems: [{ sku: 'X', quantity: 4, price: 60 }], state: 'closed' } });
        assert.deepEqual(kinds(closed.json().effects), [['acceptCoupon', 'BIG'], ['setDiscount', 10]]);
        assert.equal(await usage(), 1);
        // 180 left: the coupon is released and redeemed again in the same transaction (its only use is this session's)
        const first = await s.integ(a.key, 'POST', '/v2/customer_sessions/c1/returns?runRuleEngine=true', { return: { returnedCartItems: [{ position: 0, quantity: 1 }] } });
        assert.deepEqual(kinds(first.json().effects), [['rollbackCoupon', 'BIG'], ['rollbackDiscount', 10], ['acceptCoupon', 'BIG'], ['setDiscount', 10]]);
        assert.equal(await usage(), 1);
        // 60 left: the rule no longer holds, the coupon is given back
        const ret = { return: { returnedCartItems: [{ position: 0, quantity: 2 }] } };
        const second = await s.integ(a.key, 'POST', '/v2/customer_sessions/c1/returns?runRuleEngine=true', ret);
        assert.deepEqual(kinds(second.json().effects), [['rollbackCoupon', 'BIG'], ['rollbackDiscount', 10], ['rejectCoupon', 'CouponRejectedByCondition']]);
        assert.equal(await usage(), 0);
        // the session keeps the rejection as its latest word on the code, once however often it is re-evaluated
        assert.deepEqual(kinds((await s.integ(a.key, 'GET', '/v2/customer_sessions/c1')).json().effects), [['rejectCoupon', 'CouponRejectedByCondition']]);
        const third = await s.integ(a.key, 'POST', '/v2/customer_sessions/c1/returns?runRuleEngine=true', { return: { returnedCartItems: [{ position: 0, quantity: 1 }] } });
        assert.deepEqual(kinds(third.json().effects), [['rejectCoupon', 'CouponRejectedByCondition']]);
        assert.deepEqual(kinds((await s.integ(a.key, 'GET', '/v2/customer_sessions/c1')).json().effects), [['rejectCoupon', 'CouponRejectedByCondition']]);
        const again = await s.integ(a.key, 'PUT', '/v2/customer_sessions/c2', { customerSession: { profileId: 'p2', couponCodes: ['BIG'], cartItems: [{ sku: 'X', quantity: 2, price: 60 }] } });
        assert.deepEqual(kinds(again.json().effects), [['acceptCoupon', 'BIG'], ['setDiscount', 10]]);
      } finally { await s.close(); }
    });
  });
}
