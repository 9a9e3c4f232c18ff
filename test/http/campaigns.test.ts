/**
 * Campaigns over HTTP (issue #3): management of campaigns and rulesets, rulesets rejected at save,
 * sessions evaluated against running campaigns, the worked examples of docs/rule-examples.md that need no coupons,
 * referrals or loyalty, persisted effects and their rollbacks, dry runs and schedules.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ACCOUNT_ID } from '../../src/domain/application.js';
import { bumpConfigVersion } from '../../src/store/repos/configVersions.js';
import { insertAdditionalCost, insertAttribute } from '../../src/store/repos/definitions.js';
import { STORES } from '../helpers/stores.js';
import { freshTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

async function campaignWithRules(s: TestServer, appId: number, rules: unknown[], extra: Json = {}): Promise<{ campaignId: number; rulesetId: number }> {
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'C', tags: [], features: [], limits: [], ...extra });
  assert.equal(c.statusCode, 201, c.body);
  const r = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json().id}/rulesets`, { bindings: [], rules, activate: true });
  assert.equal(r.statusCode, 201, r.body);
  return { campaignId: c.json().id, rulesetId: r.json().id };
}

const shape = (effects: Json[]) => effects.map((e) => ({ effectType: e.effectType, ruleIndex: e.ruleIndex, ruleName: e.ruleName, props: e.props }));

async function defineShippingAndCity(s: TestServer): Promise<void> {
  const now = new Date().toISOString();
  await s.db.transaction(async (sql) => {
    await insertAdditionalCost(sql, { accountId: ACCOUNT_ID, name: 'shipping', title: 'Shipping', description: '', type: 'session', created: now });
    await insertAttribute(sql, { accountId: ACCOUNT_ID, entity: 'CustomerSession', name: 'ShippingCity', title: 'Shipping city', type: 'string', description: '', suggestions: [], editable: true, created: now });
    await bumpConfigVersion(sql, 'account');
  });
}

const TEN_PERCENT = { title: '10% off above 100', condition: ['and', ['>', ['.', 'Session', 'Total'], 100]], effects: [['setDiscount', '10% off above 100', ['*', ['.', 'Session', 'Total'], ['/', 10, 100]]]] };
const SHOES = {
  title: '20% off shoes',
  bindings: [{ name: 'Shoes', type: 'cartItemFilter', expression: ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['catch', false, ['=', ['.', 'Item', 'Category'], 'Shoes']]]] }],
  condition: ['and', ['not', ['isEmpty', ['.', 'Shoes']]]],
  effects: [['map', ['.', 'Shoes'], [['Item'], ['setDiscountPerItem', '20% off shoes', ['*', ['.', 'Item', 'Price'], ['/', 20, 100]], ['.', 'Item']]]]],
};

for (const kind of STORES) {
  describe(`campaigns over HTTP (${kind.name})`, () => {
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

    test('campaign CRUD, derived frontendState, filters, isolation', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const b = await s.newApplication();
        const c1 = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { name: 'Summer sale', tags: ['summer'], features: [], limits: [] });
        assert.equal(c1.statusCode, 201, c1.body);
        assert.equal(c1.json().frontendState, 'running');
        assert.equal(c1.json().state, 'enabled');
        assert.equal(c1.json().applicationId, a.id);
        const c2 = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { name: 'Winter', tags: [], features: [], limits: [], startTime: '2031-01-01T00:00:00Z' });
        assert.equal(c2.json().frontendState, 'scheduled');
        const c3 = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { name: 'Old', tags: [], features: [], limits: [], endTime: '2029-01-01T00:00:00Z' });
        assert.equal(c3.json().frontendState, 'expired');

        const bad = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { name: 'x', tags: [], features: ['teleport'], limits: [] });
        assert.equal(bad.statusCode, 400);
        assert.equal(bad.json().errors[0].source.pointer, '/features/0');
        const noName = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { tags: [], features: [], limits: [] });
        assert.equal(noName.json().errors[0].source.pointer, '/name');
        const backwards = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { name: 'x', tags: [], features: [], limits: [], startTime: '2030-02-01T00:00:00Z', endTime: '2030-01-01T00:00:00Z' });
        assert.equal(backwards.json().errors[0].source.pointer, '/endTime');

        const list = await s.mgmt('GET', `/v1/applications/${a.id}/campaigns?campaignState=scheduled`);
        assert.deepEqual(list.json().data.map((c: Json) => c.name), ['Winter']);
        assert.deepEqual((await s.mgmt('GET', `/v1/applications/${a.id}/campaigns?tags=summer`)).json().data.map((c: Json) => c.name), ['Summer sale']);
        assert.deepEqual((await s.mgmt('GET', `/v1/applications/${a.id}/campaigns?name=OLD`)).json().data.map((c: Json) => c.name), ['Old']);
        assert.equal((await s.mgmt('GET', `/v1/applications/${a.id}/campaigns`)).json().totalResultSize, 3);

        // another application's campaign is not reachable through this application's path
        assert.equal((await s.mgmt('GET', `/v1/applications/${b.id}/campaigns/${c1.json().id}`)).statusCode, 404);

        const upd = await s.mgmt('PUT', `/v1/applications/${a.id}/campaigns/${c1.json().id}`, { name: 'Summer sale', tags: ['summer'], features: [], limits: [], state: 'disabled' });
        assert.equal(upd.statusCode, 200, upd.body);
        assert.equal(upd.json().frontendState, 'disabled');
        const del = await s.mgmt('DELETE', `/v1/applications/${a.id}/campaigns/${c1.json().id}`);
        assert.equal(del.statusCode, 204);
        assert.equal((await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c1.json().id}`)).statusCode, 404);
        const noAuth = await s.app.inject({ method: 'GET', url: `/v1/applications/${a.id}/campaigns` });
        assert.equal(noAuth.statusCode, 401);
      } finally { await s.close(); }
    });

    test('an invalid ruleset is rejected at save with the rule and position, and nothing is stored', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const c = await s.mgmt('POST', `/v1/applications/${a.id}/campaigns`, { name: 'C', tags: [], features: [], limits: [] });
        const url = `/v1/applications/${a.id}/campaigns/${c.json().id}/rulesets`;
        const cases: [unknown, string][] = [
          [{ title: 'ok', condition: ['and', true], effects: [] }, ''],
          [{ title: 'typo', condition: ['and', ['>', ['.', 'Session', 'Totl'], 1]], effects: [] }, '/rules/1/condition/1/1/2'],
          [{ title: 'fn', condition: ['and', ['frobnicate', 1]], effects: [] }, '/rules/1/condition/1'],
          [{ title: 'arity', condition: ['and', true], effects: [['setDiscount', 'x']] }, '/rules/1/effects/0'],
          [{ title: 'type', condition: ['and', ['>', ['.', 'Session', 'Total'], 'abc']], effects: [] }, '/rules/1/condition/1'],
          [{ title: 'attr', condition: ['and', ['=', ['.', 'Session', 'Attributes', 'Nope'], 'x']], effects: [] }, '/rules/1/condition/1/1'],
        ];
        for (const [rule, pointer] of cases.slice(1)) {
          const r = await s.mgmt('POST', url, { bindings: [], rules: [cases[0][0], rule], activate: true });
          assert.equal(r.statusCode, 400, `${JSON.stringify(rule)} → ${r.body}`);
          const e = r.json().errors[0];
          assert.equal(e.title, 'Invalid rule');
          assert.ok(e.source.pointer.startsWith(pointer), `${e.source.pointer} should start with ${pointer}`);
          assert.match(e.details, /^rule 1: /);
        }
        const list = await s.mgmt('GET', url);
        assert.equal(list.json().totalResultSize, 0);
        assert.equal((await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c.json().id}`)).json().activeRulesetId, undefined);
        const ok = await s.mgmt('POST', url, { bindings: [], rules: [cases[0][0]], activate: true });
        assert.equal(ok.statusCode, 201, ok.body);
        assert.equal((await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${c.json().id}`)).json().activeRulesetId, ok.json().id);
        assert.equal((await s.mgmt('GET', `${url}/${ok.json().id}`)).json().rules[0].title, 'ok');
      } finally { await s.close(); }
    });

    test('Example 1 — 10% off the session total above a threshold, with failure reasons and triggered campaigns', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const { campaignId, rulesetId } = await campaignWithRules(s, a.id, [TEN_PERCENT]);
        const A = await s.integ(a.key, 'PUT', '/v2/customer_sessions/A', {
          customerSession: { profileId: 'cust-1', cartItems: [{ name: 'Desk lamp', sku: 'LAMP-1', quantity: 2, price: 60, category: 'Lighting' }] },
          responseContent: ['triggeredCampaigns'],
        });
        assert.equal(A.statusCode, 200, A.body);
        assert.deepEqual(A.json().effects, [{ campaignId, rulesetId, ruleIndex: 0, ruleName: '10% off above 100', effectType: 'setDiscount', props: { name: '10% off above 100', value: 12 } }]);
        assert.deepEqual(A.json().triggeredCampaigns.map((c: Json) => c.id), [campaignId]);
        const B = await s.integ(a.key, 'PUT', '/v2/customer_sessions/B', {
          customerSession: { cartItems: [{ sku: 'LAMP-1', quantity: 1, price: 60 }] }, responseContent: ['ruleFailureReasons'],
        });
        assert.deepEqual(B.json().effects, []);
        const f = B.json().ruleFailureReasons[0];
        assert.deepEqual([f.campaignID, f.rulesetID, f.ruleIndex, f.ruleName, f.conditionIndex, f.details], [campaignId, rulesetId, 0, '10% off above 100', 0, 'condition evaluated to false']);
        // exact decimals, unrounded: 10 % of 166.65 = 16.665
        const C = await s.integ(a.key, 'PUT', '/v2/customer_sessions/C', { customerSession: { cartItems: [{ sku: 'x', quantity: 1, price: 66.66 }, { sku: 'y', quantity: 1, price: 99.99 }] } });
        assert.equal(C.json().effects[0].props.value, 16.665);
      } finally { await s.close(); }
    });

    test('Example 3 — per-item discounts on flattened units carry #position, position and subPosition', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        await campaignWithRules(s, a.id, [SHOES]);
        const r = await s.integ(a.key, 'PUT', '/v2/customer_sessions/shoes', {
          customerSession: { profileId: 'cust-2', cartItems: [
            { name: 'Runner', sku: 'SH-RUN', quantity: 2, price: 50, category: 'Shoes' }, { name: 'Socks', sku: 'SO-1', quantity: 1, price: 5, category: 'Socks' }, { name: 'Gift card', sku: 'GC-25', quantity: 1, price: 25 },
          ] },
        });
        assert.deepEqual(shape(r.json().effects), [
          { effectType: 'setDiscountPerItem', ruleIndex: 0, ruleName: '20% off shoes', props: { name: '20% off shoes#0', value: 10, position: 0, subPosition: 0, scope: 'price' } },
          { effectType: 'setDiscountPerItem', ruleIndex: 0, ruleName: '20% off shoes', props: { name: '20% off shoes#0', value: 10, position: 0, subPosition: 1, scope: 'price' } },
        ]);
      } finally { await s.close(); }
    });

    test('Examples 5 and 9 — additional cost discount and a notification from a custom attribute', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        await defineShippingAndCity(s);
        await campaignWithRules(s, a.id, [
          {
            title: 'Free shipping from 50',
            condition: ['and', ['>=', ['.', 'Session', 'CartItemTotal'], 50], ['catch', false, ['>', ['.', 'Session', 'AdditionalCosts', 'shipping', 'Price'], 0]]],
            effects: [['setDiscountPerAdditionalCost', 'Free shipping from 50', 'shipping', ['.', 'Session', 'AdditionalCosts', 'shipping', 'Price']]],
          },
          {
            title: 'Berlin delivery notice',
            condition: ['and', ['catch', false, ['=', ['.', 'Session', 'Attributes', 'ShippingCity'], 'Berlin']]],
            effects: [['showNotification', 'info', 'Free same-day delivery', 'Orders shipped to Berlin before 14:00 arrive today.']],
          },
        ]);
        const r = await s.integ(a.key, 'PUT', '/v2/customer_sessions/ship', {
          customerSession: { profileId: 'cust-3', cartItems: [{ sku: 'BOOK-7', quantity: 3, price: 20 }], additionalCosts: { shipping: { price: 4.99 } }, attributes: { ShippingCity: 'Berlin' } },
        });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.json().customerSession.total, 64.99);
        const [ship, note] = r.json().effects;
        assert.equal(ship.effectType, 'setDiscountPerAdditionalCost');
        assert.equal(ship.props.additionalCost, 'shipping');
        assert.equal(ship.props.value, 4.99);
        assert.equal(typeof ship.props.additionalCostId, 'number');
        assert.deepEqual(note.props, { notificationType: 'info', title: 'Free same-day delivery', body: 'Orders shipped to Berlin before 14:00 arrive today.' });
        const paris = await s.integ(a.key, 'PUT', '/v2/customer_sessions/ship', { customerSession: { attributes: { ShippingCity: 'Paris' }, cartItems: [{ sku: 'BOOK-7', quantity: 2, price: 20 }] } });
        assert.deepEqual(paris.json().effects, []);
      } finally { await s.close(); }
    });

    test('Example 8 — first-session-only discount', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        await campaignWithRules(s, a.id, [{ title: 'Welcome: 15% off the first order', condition: ['and', ['=', ['.', 'Session', 'FirstSession'], true]], effects: [['setDiscount', 'Welcome 15%', ['*', ['.', 'Session', 'Total'], ['/', 15, 100]]]] }]);
        const first = await s.integ(a.key, 'PUT', '/v2/customer_sessions/w1', { customerSession: { profileId: 'new-7', cartItems: [{ sku: 'X', quantity: 1, price: 80 }] } });
        assert.deepEqual(first.json().effects.map((e: Json) => e.props), [{ name: 'Welcome 15%', value: 12 }]);
        const second = await s.integ(a.key, 'PUT', '/v2/customer_sessions/w2', { customerSession: { profileId: 'new-7', cartItems: [{ sku: 'X', quantity: 1, price: 80 }] } });
        assert.equal(second.json().customerSession.firstSession, false);
        assert.deepEqual(second.json().effects, []);
      } finally { await s.close(); }
    });

    test('closing persists effects; GET shows them; cancelling rolls them back; a return rolls back returned units', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const { campaignId } = await campaignWithRules(s, a.id, [SHOES]);
        const cart = [{ sku: 'SH-RUN', quantity: 2, price: 50, category: 'Shoes' }];
        const closed = await s.integ(a.key, 'PUT', '/v2/customer_sessions/o1', { customerSession: { cartItems: cart, state: 'closed' } });
        assert.equal(closed.json().effects.length, 2);
        const got = await s.integ(a.key, 'GET', '/v2/customer_sessions/o1');
        assert.deepEqual(got.json().effects, closed.json().effects);
        const ret = await s.integ(a.key, 'POST', '/v2/customer_sessions/o1/returns', { return: { returnedCartItems: [{ position: 0, quantity: 1 }] } });
        assert.equal(ret.statusCode, 200, ret.body);
        assert.deepEqual(ret.json().effects.map((e: Json) => [e.effectType, e.campaignId, e.props]), [
          ['rollbackDiscount', campaignId, { name: '20% off shoes#0', value: 10, cartItemPosition: 0, cartItemSubPosition: 0, scope: 'price' }],
        ]);
        assert.deepEqual((await s.integ(a.key, 'GET', '/v2/customer_sessions/o1')).json().effects.map((e: Json) => e.props.subPosition), [1]);
        const cancel = await s.integ(a.key, 'PUT', '/v2/customer_sessions/o1', { customerSession: { state: 'cancelled' } });
        assert.equal(cancel.statusCode, 200, cancel.body);
        assert.deepEqual(cancel.json().effects.map((e: Json) => [e.effectType, e.props.cartItemPosition, e.props.cartItemSubPosition]), [['rollbackDiscount', 0, 1]]);
        assert.deepEqual((await s.integ(a.key, 'GET', '/v2/customer_sessions/o1')).json().effects, []);

        // reopen rolls back what the close committed and a second close commits again
        await s.integ(a.key, 'PUT', '/v2/customer_sessions/o2', { customerSession: { cartItems: cart, state: 'closed' } });
        const reopen = await s.integ(a.key, 'PUT', '/v2/customer_sessions/o2/reopen');
        assert.equal(reopen.statusCode, 200, reopen.body);
        assert.deepEqual(reopen.json().effects.map((e: Json) => e.effectType), ['rollbackDiscount', 'rollbackDiscount']);
        const again = await s.integ(a.key, 'PUT', '/v2/customer_sessions/o2', { customerSession: { state: 'closed' } });
        assert.equal(again.json().effects.length, 2);
      } finally { await s.close(); }
    });

    test('disabled and scheduled campaigns: dry runs with evaluableCampaignIds and now; changes apply at once', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const flat = (name: string) => [{ title: name, condition: ['and', true], effects: [['setDiscount', name, 1]] }];
        const disabled = await campaignWithRules(s, a.id, flat('disabled'), { state: 'disabled' });
        const scheduled = await campaignWithRules(s, a.id, flat('scheduled'), { startTime: '2030-07-01T00:00:00Z' });
        const body = { customerSession: { cartItems: [{ sku: 'x', quantity: 1, price: 10 }] } };
        assert.deepEqual((await s.integ(a.key, 'PUT', '/v2/customer_sessions/d', body)).json().effects, []);
        const dry = await s.integ(a.key, 'PUT', '/v2/customer_sessions/d?dry=true', { customerSession: { ...body.customerSession, evaluableCampaignIds: [disabled.campaignId] } });
        assert.deepEqual(dry.json().effects.map((e: Json) => e.props.name), ['disabled']);
        assert.deepEqual(dry.json().customerSession.evaluableCampaignIds, [disabled.campaignId]);
        const future = await s.integ(a.key, 'PUT', '/v2/customer_sessions/d?dry=true&now=2030-07-02T00:00:00Z', body);
        assert.deepEqual(future.json().effects.map((e: Json) => e.props.name), ['scheduled']);
        // a non-dry request ignores evaluableCampaignIds
        const ignored = await s.integ(a.key, 'PUT', '/v2/customer_sessions/d', { customerSession: { ...body.customerSession, evaluableCampaignIds: [disabled.campaignId] } });
        assert.deepEqual(ignored.json().effects, []);
        // enabling the campaign takes effect on the next request (snapshot cache follows the config version)
        const put = await s.mgmt('PUT', `/v1/applications/${a.id}/campaigns/${disabled.campaignId}`, { name: 'C', tags: [], features: [], limits: [], state: 'enabled' });
        assert.equal(put.statusCode, 200, put.body);
        assert.deepEqual((await s.integ(a.key, 'PUT', '/v2/customer_sessions/d', body)).json().effects.map((e: Json) => e.props.name), ['disabled']);
        now = new Date('2030-07-02T00:00:00Z');
        assert.deepEqual((await s.integ(a.key, 'PUT', '/v2/customer_sessions/d', body)).json().effects.map((e: Json) => e.props.name), ['disabled', 'scheduled']);
        assert.equal(scheduled.campaignId > disabled.campaignId, true);
      } finally { await s.close(); }
    });

    test('updateAttribute writes session and profile attributes on non-dry evaluations (effect `set`)', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const created = new Date().toISOString();
        await s.db.transaction(async (sql) => {
          for (const [entity, name] of [['CustomerProfile', 'LastPromo'], ['CustomerSession', 'Promo']]) {
            await insertAttribute(sql, { accountId: ACCOUNT_ID, entity, name, title: name, type: 'string', description: '', suggestions: [], editable: true, created });
          }
          await bumpConfigVersion(sql, 'account');
        });
        await campaignWithRules(s, a.id, [{ title: 'tag', condition: ['and', true], effects: [
          ['updateAttribute', 'Profile.Attributes.LastPromo', 'summer'], ['updateAttribute', 'Session.Attributes.Promo', 'summer'],
        ] }]);
        const cart = { cartItems: [{ sku: 'x', quantity: 1, price: 1 }] };
        const dry = await s.integ(a.key, 'PUT', '/v2/customer_sessions/u1?dry=true', { customerSession: { profileId: 'p-u', ...cart } });
        assert.deepEqual(dry.json().effects.map((e: Json) => [e.effectType, e.props]), [
          ['set', { path: 'Profile.Attributes.LastPromo', value: 'summer' }], ['set', { path: 'Session.Attributes.Promo', value: 'summer' }],
        ]);
        assert.deepEqual(dry.json().customerSession.attributes, {});
        const r = await s.integ(a.key, 'PUT', '/v2/customer_sessions/u1', { customerSession: { profileId: 'p-u', ...cart }, responseContent: ['customerProfile'] });
        assert.deepEqual(r.json().customerSession.attributes, { Promo: 'summer' });
        assert.deepEqual(r.json().customerProfile.attributes, { LastPromo: 'summer' });
        assert.deepEqual((await s.integ(a.key, 'GET', '/v2/customer_sessions/u1')).json().customerSession.attributes, { Promo: 'summer' });
      } finally { await s.close(); }
    });

    test('an unknown coupon code is rejected with CouponNotFound and campaignId -1', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        await campaignWithRules(s, a.id, [TEN_PERCENT]);
        const r = await s.integ(a.key, 'PUT', '/v2/customer_sessions/cp', { customerSession: { couponCodes: ['NOPE'], cartItems: [{ sku: 'x', quantity: 1, price: 10 }] } });
        assert.deepEqual(r.json().effects, [{ campaignId: -1, rulesetId: 0, ruleIndex: 0, ruleName: '', effectType: 'rejectCoupon', props: { value: 'NOPE', rejectionReason: 'CouponNotFound' } }]);
      } finally { await s.close(); }
    });

    test('another application never evaluates this application’s campaigns', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const b = await s.newApplication();
        await campaignWithRules(s, a.id, [TEN_PERCENT]);
        const cart = { customerSession: { cartItems: [{ sku: 'x', quantity: 1, price: 500 }] } };
        assert.equal((await s.integ(a.key, 'PUT', '/v2/customer_sessions/z', cart)).json().effects.length, 1);
        assert.deepEqual((await s.integ(b.key, 'PUT', '/v2/customer_sessions/z', cart)).json().effects, []);
      } finally { await s.close(); }
    });
  });
}
