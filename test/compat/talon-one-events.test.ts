/**
 * Rules on custom events and profile updates through Talon.One's official JavaScript SDK
 * (`talon_one` 4.3.0) against a real listening server.
 *
 * 4.3.0 predates trackEventV2: its IntegrationApi only has the v1 `trackEvent` (`POST /v1/events`,
 * session-bound, IntegrationState). So `POST /v2/events` is sent through the SDK's own transport
 * (`ApiClient.callApi`, which every generated operation calls) with the path, method, query and auth
 * that later SDKs' `trackEventV2` use, and parsed into 4.3.0's `IntegrationStateV2` — the model
 * holding the same fields as IntegrationEventV2Response (`effects`, `createdCoupons`,
 * `createdReferrals`, `event`, `customerProfile`, `triggeredCampaigns`, `ruleFailureReasons`).
 * `updateCustomerProfileV2` with `runRuleEngine` is a real 4.3.0 method, and so is the v1 `trackEvent`:
 * served on the same service as trackEventV2, answered in the v1 shapes (201 `IntegrationState` holding
 * `Event`, `CustomerProfile` and, when the named session exists, `CustomerSession`).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { listeningTestServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { recordSdkCalls } from './sdk-calls.js';

const require = createRequire(import.meta.url);
// CommonJS, generated code: typed loosely on purpose, the point is what it does at run time
 
type Any = any;
const TalonOne: Any = require('talon_one');

function clientFor(port: number, apiKey: string): Any {
  const client = new TalonOne.ApiClient();
  client.basePath = `http://127.0.0.1:${port}`;
  client.authentications.api_key_v1.apiKey = apiKey;
  client.authentications.api_key_v1.apiKeyPrefix = 'ApiKey-v1';
  return client;
}

/** trackEventV2 as later generated SDKs send it. */
function trackEventV2(client: Any, body: Record<string, unknown>, opts: { silent?: string; dry?: boolean } = {}) {
  const query = { silent: opts.silent, dry: opts.dry };
  return client.callApi('/v2/events', 'POST', {}, query, {}, {}, body, ['api_key_v1'], ['application/json'], ['application/json'], TalonOne.IntegrationStateV2, null) as
    Promise<{ data: Any; response: { status: number; body: Any } }>;
}

function effectRows(effects: Any[]): Any[] {
  return effects.map((e) => {
    assert.ok(e instanceof TalonOne.Effect, "each effect is parsed into the SDK's Effect model");
    return { campaignId: e.campaignId, rulesetId: e.rulesetId, ruleIndex: e.ruleIndex, ruleName: e.ruleName, effectType: e.effectType, props: e.props };
  });
}

/** An SDK call that must fail: its rejection value (`{ status, body, … }`). */
async function rejection(p: Promise<unknown>): Promise<{ status?: number; body?: Any }> {
  try {
    await p;
  } catch (err) {
    return err as { status?: number; body?: Any };
  }
  assert.fail('expected the SDK call to reject');
}

const attr = (entity: string, name: string, type: string, eventType?: string) => ({
  entity, name, title: name, type, description: '', suggestions: [], editable: true, ...(eventType ? { eventType } : {}),
});

for (const kind of STORES) {
  describe(`talon_one 4.3.0 SDK: rules on events and profile updates (${kind.name})`, () => {
    const servers: TestServer[] = [];
    after(async () => {
      for (const s of servers) await s.close();
      await kind.cleanup();
    });

    test('trackEventV2 and updateCustomerProfileV2 effects, created coupons, failure reasons and events parse into the SDK models', async (t) => {
      const up = await listeningTestServer(kind, t, servers);
      if (!up) return;
      const { s, port } = up;
      const { id: applicationId, key } = await s.newApplication();
      for (const a of [attr('Event', 'source', 'string', 'newsletter_signup'), attr('CustomerProfile', 'Subscribed', 'boolean')]) {
        assert.equal((await s.mgmt('POST', '/v1/attributes', a)).statusCode, 201);
      }
      const c = await s.mgmt('POST', `/v1/applications/${applicationId}/campaigns`, { name: 'Newsletter', tags: [], features: ['coupons'], limits: [] });
      assert.equal(c.statusCode, 201, c.body);
      const campaignId = c.json().id as number;
      const rs = await s.mgmt('POST', `/v1/applications/${applicationId}/campaigns/${campaignId}/rulesets`, { activate: true, bindings: [], rules: [
        { title: 'Signup', condition: ['and', ['=', ['.', 'Event', 'Type'], 'newsletter_signup']], effects: [
          ['showNotification', 'info', 'Thanks', ['+', 'via ', ['.', 'Event', 'Attributes', 'source']]],
          ['updateAttribute', 'Profile.Attributes.Subscribed', true],
          ['createCoupon'],
        ] },
        { title: 'Cart', condition: ['and', ['>', ['.', 'Session', 'Total'], 0]], effects: [['setDiscount', 'never', 5]] },
        { title: 'Welcome', condition: ['and', ['=', ['.', 'Event', 'Type'], 'talon_profile_created']], effects: [['showNotification', 'info', 'Welcome', ['.', 'Profile', 'IntegrationId']]] },
      ] });
      assert.equal(rs.statusCode, 201, rs.body);
      const rulesetId = rs.json().id as number;
      const client = clientFor(port, key);
      const api = new TalonOne.IntegrationApi(client);

      // --- trackEventV2, silent=no
      const tracked = await trackEventV2(client, {
        type: 'newsletter_signup', profileId: 'sdk-p1', attributes: { source: 'footer' },
        responseContent: ['customerProfile', 'event', 'triggeredCampaigns', 'ruleFailureReasons'],
      }, { silent: 'no' });
      assert.equal(tracked.response.status, 200);
      const state = tracked.data;
      assert.ok(state instanceof TalonOne.IntegrationStateV2);
      const coupon = state.createdCoupons[0];
      assert.ok(coupon instanceof TalonOne.Coupon);
      assert.equal(state.createdCoupons.length, 1);
      assert.equal(coupon.campaignId, campaignId);
      assert.equal(coupon.recipientIntegrationId, 'sdk-p1');
      assert.equal(coupon.usageLimit, 1);
      assert.ok(coupon.created instanceof Date && !Number.isNaN(coupon.created.getTime()));
      const ids = { campaignId, rulesetId, ruleIndex: 0, ruleName: 'Signup' };
      assert.deepEqual(effectRows(state.effects), [
        { ...ids, effectType: 'showNotification', props: { notificationType: 'info', title: 'Thanks', body: 'via footer' } },
        { ...ids, effectType: 'set', props: { path: 'Profile.Attributes.Subscribed', value: true } },
        { ...ids, effectType: 'couponCreated', props: { value: coupon.value, profileId: 'sdk-p1' } },
      ]);
      assert.deepEqual(state.createdReferrals, []);
      assert.ok(state.customerProfile instanceof TalonOne.CustomerProfile);
      assert.deepEqual(state.customerProfile.attributes, { Subscribed: true });
      assert.ok(state.event instanceof TalonOne.Event);
      assert.equal(state.event.type, 'newsletter_signup');
      assert.equal(state.event.profileId, 'sdk-p1');
      assert.equal(state.event.applicationId, applicationId);
      assert.deepEqual(state.event.attributes, { source: 'footer' });
      assert.equal(state.event.effects.length, 3);
      assert.equal(state.triggeredCampaigns.length, 1);
      assert.ok(state.triggeredCampaigns[0] instanceof TalonOne.Campaign);
      assert.equal(state.triggeredCampaigns[0].id, campaignId);
      // the Session rule and the profile rule did not fire: reasons, not error effects
      assert.deepEqual(state.ruleFailureReasons.map((f: Any) => {
        assert.ok(f instanceof TalonOne.RuleFailureReason);
        return [f.campaignID, f.rulesetID, f.ruleIndex, f.ruleName, f.conditionIndex];
      }), [[campaignId, rulesetId, 1, 'Cart', 0], [campaignId, rulesetId, 2, 'Welcome', 0]]);
      assert.match(state.ruleFailureReasons[0].details, /^error: .*Session/);

      // --- silent (the default) answers 204: the SDK resolves with null data, the rules still ran
      const silent = await trackEventV2(client, { type: 'newsletter_signup', profileId: 'sdk-p2', attributes: { source: 'app' } });
      assert.equal(silent.response.status, 204);
      assert.equal(silent.data, null);
      const inventory = await s.integ(key, 'GET', '/v1/customer_profiles/sdk-p2/inventory?coupons=true');
      assert.equal(inventory.json().coupons.length, 1, inventory.body);

      // --- dry run through the SDK: effects previewed, nothing created
      const dry = await trackEventV2(client, { type: 'newsletter_signup', profileId: 'sdk-p3', attributes: { source: 'web' } }, { silent: 'no', dry: true });
      assert.deepEqual(effectRows(dry.data.effects).map((e) => e.effectType), ['showNotification', 'set', 'couponCreated']);
      assert.deepEqual(dry.data.createdCoupons, []);

      // --- updateCustomerProfileV2 (a 4.3.0 method) with runRuleEngine
      const body = Object.assign(new TalonOne.CustomerProfileIntegrationRequestV2(), { attributes: {}, responseContent: ['event'] });
      const profiled = await api.updateCustomerProfileV2WithHttpInfo('sdk-new', body, { runRuleEngine: true });
      assert.equal(profiled.response.status, 200);
      assert.ok(profiled.data instanceof TalonOne.IntegrationStateV2);
      assert.deepEqual(effectRows(profiled.data.effects), [
        { campaignId, rulesetId, ruleIndex: 2, ruleName: 'Welcome', effectType: 'showNotification', props: { notificationType: 'info', title: 'Welcome', body: 'sdk-new' } },
      ]);
      assert.equal(profiled.data.event.type, 'talon_profile_created');
      const again = await api.updateCustomerProfileV2('sdk-new', new TalonOne.CustomerProfileIntegrationRequestV2(), { runRuleEngine: true });
      assert.deepEqual(again.effects, []);
      const off = await api.updateCustomerProfileV2('sdk-other', new TalonOne.CustomerProfileIntegrationRequestV2());
      assert.deepEqual(off.effects, [], 'runRuleEngine defaults to false: no rules');

      // --- the v1 trackEvent (4.3.0's IntegrationApi.trackEvent): NewEvent in, 201 IntegrationState out, the same rules
      const newEvent = (profileId: string | undefined, sessionId: string, source: string) =>
        Object.assign(new TalonOne.NewEvent('newsletter_signup', { source }, sessionId), profileId === undefined ? {} : { profileId });
      const v1 = await api.trackEventWithHttpInfo(newEvent('sdk-v1', 'sdk-v1-session', 'v1'));
      assert.equal(v1.response.status, 201);
      assert.ok(v1.data instanceof TalonOne.IntegrationState);
      const event = v1.data.event;
      assert.ok(event instanceof TalonOne.Event);
      assert.ok(Number.isInteger(event.id) && event.id > 0);
      assert.ok(event.created instanceof Date && !Number.isNaN(event.created.getTime()));
      assert.equal(event.applicationId, applicationId);
      assert.equal(event.profileId, 'sdk-v1');
      assert.equal(event.type, 'newsletter_signup');
      assert.equal(event.sessionId, 'sdk-v1-session');
      assert.deepEqual(event.attributes, { source: 'v1' });
      assert.deepEqual(event.ledgerEntries, []);
      // 4.3.0 types Event.effects as plain objects: the v2 effect envelope passes through untouched
      assert.deepEqual(event.effects.map((e: Any) => [e.campaignId, e.rulesetId, e.ruleIndex, e.ruleName, e.effectType]),
        ['showNotification', 'set', 'couponCreated'].map((type) => [campaignId, rulesetId, 0, 'Signup', type]));
      assert.deepEqual(event.effects[0].props, { notificationType: 'info', title: 'Thanks', body: 'via v1' });
      const v1Coupon = event.effects[2].props.value as string;
      assert.ok(v1.data.profile instanceof TalonOne.CustomerProfile);
      assert.equal(v1.data.profile.integrationId, 'sdk-v1');
      assert.deepEqual(v1.data.profile.attributes, { Subscribed: true }, 'the rule\'s updateAttribute is written');
      assert.equal(v1.data.session, undefined, 'the named session does not exist and is not created');
      const v1Inventory = (await s.integ(key, 'GET', '/v1/customer_profiles/sdk-v1/inventory?coupons=true')).json();
      assert.deepEqual(v1Inventory.coupons.map((x: Any) => x.value), [v1Coupon], 'the created coupon is stored');
      assert.equal((await s.integ(key, 'GET', '/v2/customer_sessions/sdk-v1-session')).statusCode, 404);

      // ?dry=true: the same effects, nothing kept (the event unrecorded: id 0)
      const v1Dry = await api.trackEvent(newEvent('sdk-v1-dry', 'sdk-v1-session', 'dry'), { dry: true });
      assert.equal(v1Dry.event.id, 0);
      assert.deepEqual(v1Dry.event.effects.map((e: Any) => e.effectType), ['showNotification', 'set', 'couponCreated']);
      assert.equal((await s.integ(key, 'GET', '/v1/customer_profiles/sdk-v1-dry/inventory')).statusCode, 404, 'no profile kept');

      // an existing session: answered as the v1 CustomerSession; it must be the event's profile's
      const ns = Object.assign(new TalonOne.NewCustomerSessionV2(), { profileId: 'sdk-owner', cartItems: [new TalonOne.CartItem('Mug', 'MUG-01', 2, 7.5)] });
      await api.updateCustomerSessionV2('sdk-s1', new TalonOne.IntegrationRequest(ns));
      const owned = await api.trackEvent(newEvent('sdk-owner', 'sdk-s1', 'cart'));
      assert.ok(owned.session instanceof TalonOne.CustomerSession);
      assert.equal(owned.session.integrationId, 'sdk-s1');
      assert.equal(owned.session.profileId, 'sdk-owner');
      assert.equal(owned.session.state, 'open');
      assert.equal(owned.session.total, 15);
      assert.equal(owned.session.coupon, '');
      assert.deepEqual(owned.session.discounts, { never: 5 }, 'the session\'s own discount, by effect name');
      assert.equal(owned.event.sessionId, 'sdk-s1');
      assert.deepEqual(owned.event.effects.map((e: Any) => e.effectType), ['showNotification', 'set', 'couponCreated'], 'the event\'s rules see no Session');
      const foreign = await rejection(api.trackEvent(newEvent('sdk-stranger', 'sdk-s1', 'x')));
      assert.equal(foreign.status, 400);
      assert.equal(foreign.body?.errors?.[0]?.source?.pointer, '/sessionId');
      const anonymous = await rejection(api.trackEvent(newEvent(undefined, 'sdk-s2', 'x')));
      assert.equal(anonymous.status, 400);
      assert.equal(anonymous.body?.errors?.[0]?.source?.pointer, '/profileId');
      const reserved = await rejection(api.trackEvent(Object.assign(new TalonOne.NewEvent('talon_session_created', {}, 'sdk-s2'), { profileId: 'sdk-v1' })));
      assert.equal(reserved.status, 400);
      assert.equal(reserved.body?.errors?.[0]?.source?.pointer, '/type');
    });
  });
}

recordSdkCalls(TalonOne, 'test/compat/talon-one-events.test.ts');
