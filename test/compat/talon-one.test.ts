/**
 * Wire compatibility with Talon.One's official JavaScript SDK (`talon_one` 4.3.0): the SDK talks
 * HTTP to a real listening OpenPromo server and parses our responses into its own models, so a
 * field we spell, type or format differently shows up here as a missing or mangled model field.
 *
 * What 4.3.0 is (read in node_modules/talon_one/dist, see docs/sessions.md "Talon.One SDK"):
 * - IntegrationApi has updateCustomerSessionV2 but no getCustomerSession, returnCartItems or
 *   reopenCustomerSession; those are driven through the SDK's own transport (ApiClient.callApi,
 *   the function every generated operation calls) with the path, method and auth newer SDKs use.
 * - Its CustomerSessionV2 model predates `id`, `updateCount`, `updated`, `loyaltyCards` and
 *   `storeIntegrationId`: it drops them while parsing, so those are asserted on the raw body.
 * - Numbers are parsed with parseFloat, dates with `new Date(String(v))`, booleans with
 *   `Boolean(v)`; errors reject with a plain object `{ status, statusText, body, response, error }`.
 * - Its ApiClient knows `api_key_v1` and `manager_auth` (Bearer) but not `management_key`.
 * - Rule.condition / Rule.effects / Binding.expression are typed `[Object]`: Talang passes through
 *   untouched. Its NewRuleset has `activate`. Its Campaign predates `frontendState`, `budgets`,
 *   `type`; its Coupon predates `limits`, `reservationCounter`, `isReservationMandatory`,
 *   `implicitlyReserved`, `profileRedemptionCount`; its Referral predates `attributes`: parsed away.
 * - Its createCoupons doc says "'yes' → 204, otherwise a list"; the current API (and we) default
 *   `silent` to 'yes', so the list needs `silent: 'no'`.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { ADMIN, listeningTestServer, MANAGEMENT_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';
import { recordSdkCalls } from './sdk-calls.js';

const require = createRequire(import.meta.url);
// CommonJS, generated code: typed loosely on purpose, the point is what it does at run time
 
const TalonOne: any = require('talon_one');

/** The rejection value of every SDK call that got an HTTP error status. */
interface SdkError { status?: number; statusText?: string; body?: Record<string, unknown>; response?: { text: string }; error?: Error }

 
type Any = any;

function clientFor(port: number, auth: { apiKey?: string; bearer?: string }): Any {
  const client = new TalonOne.ApiClient();
  client.basePath = `http://127.0.0.1:${port}`;
  if (auth.apiKey) {
    client.authentications.api_key_v1.apiKey = auth.apiKey;
    client.authentications.api_key_v1.apiKeyPrefix = 'ApiKey-v1';
  }
  if (auth.bearer) {
    client.authentications.manager_auth.apiKey = auth.bearer;
    client.authentications.manager_auth.apiKeyPrefix = 'Bearer';
  }
  return client;
}

/** An SDK call that must fail: returns its rejection value. */
async function rejection(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (err) {
    return err as SdkError;
  }
  assert.fail('expected the SDK call to reject');
}

function cart(): Any[] {
  // prices chosen so binary floating point would show (0.1 + 0.2, 19.99 × 3)
  const items = [
    new TalonOne.CartItem('Shirt', 'sku-shirt', 3, 19.99),
    new TalonOne.CartItem('Sock', 'sku-sock', 1, 0.1),
    new TalonOne.CartItem('Cap', 'sku-cap', 1, 0.2),
    new TalonOne.CartItem('Belt', 'sku-belt', 2, 24.5),
    new TalonOne.CartItem('Scarf', 'sku-scarf', 1, 12),
  ];
  items[0].category = 'tops';
  items[3].weight = 350;
  return items;
}
const CART_TOTAL = 121.27; // 19.99×3 + 0.1 + 0.2 + 24.5×2 + 12, exactly

/**
 * Integration endpoints that 4.3.0 has no method for, sent through the SDK's generic transport the
 * way later generated SDKs do (bodiless operations such as reopen declare no content type).
 */
function callIntegration(client: Any, method: string, path: string, body: unknown, returnType: unknown, headers: Record<string, string> = {}) {
  const contentTypes = body === null ? [] : ['application/json'];
  // the session id as a path parameter, as generated operations pass it (and as test/compat/sdk-calls.ts records it)
  const [, customerSessionId, rest] = /^\/v2\/customer_sessions\/([^/]+)(.*)$/.exec(path) ?? [];
  const template = customerSessionId === undefined ? path : `/v2/customer_sessions/{customerSessionId}${rest}`;
  return client.callApi(template, method, customerSessionId === undefined ? {} : { customerSessionId }, {}, headers, {}, body, ['api_key_v1'], contentTypes, ['application/json'], returnType, null) as
    Promise<{ data: Any; response: { status: number; body: Any } }>;
}

/** A Management API client logged in through the SDK (POST /v1/sessions → Bearer token). */
async function managementClient(port: number): Promise<Any> {
  const login = await new TalonOne.ManagementApi(clientFor(port, {})).createSession(new TalonOne.LoginParams(ADMIN.email, ADMIN.password));
  return new TalonOne.ManagementApi(clientFor(port, { bearer: login.token }));
}

/** Talang as the SDK carries it: Rule.condition / Rule.effects / Binding.expression are `[Object]`. */
const TEN_PERCENT_ABOVE_100 = () => new TalonOne.Rule(
  '10% off above 100',
  ['and', ['>', ['.', 'Session', 'Total'], 100]],
  [['setDiscount', '10% off above 100', ['*', ['.', 'Session', 'Total'], ['/', 10, 100]]]],
);
const SHOES_20_PERCENT = () => Object.assign(new TalonOne.Rule(
  '20% off shoes',
  ['and', ['not', ['isEmpty', ['.', 'Shoes']]]],
  [['map', ['.', 'Shoes'], [['Item'], ['setDiscountPerItem', '20% off shoes', ['*', ['.', 'Item', 'Price'], ['/', 20, 100]], ['.', 'Item']]]]],
), {
  bindings: [Object.assign(
    new TalonOne.Binding('Shoes', ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['catch', false, ['=', ['.', 'Item', 'Category'], 'Shoes']]]]),
    { type: 'cartItemFilter' },
  )],
});

/** Effects as the SDK parsed them, reduced to what the wire carries (class instances checked separately). */
function effectRows(effects: Any[]): Any[] {
  return effects.map((e) => {
    assert.ok(e instanceof TalonOne.Effect, 'each effect is parsed into the SDK\'s Effect model');
    return { campaignId: e.campaignId, rulesetId: e.rulesetId, ruleIndex: e.ruleIndex, ruleName: e.ruleName, effectType: e.effectType, props: e.props };
  });
}

for (const kind of STORES) {
  describe(`talon_one 4.3.0 SDK against OpenPromo (${kind.name})`, () => {
    let server: TestServer | undefined;
    const servers: TestServer[] = [];
    after(async () => {
      await server?.close();
      for (const s of servers) await s.close();
      await kind.cleanup();
    });

    /** A listening server on a fresh database, an Application, and SDK clients for both APIs. */
    async function boot(t: { skip(m: string): void }) {
      const up = await listeningTestServer(kind, t, servers);
      if (!up) return undefined;
      const { s, port } = up;
      const { id: applicationId, key } = await s.newApplication();
      const client = clientFor(port, { apiKey: key });
      return { s, port, applicationId, key, client, api: new TalonOne.IntegrationApi(client), mgmt: await managementClient(port) };
    }

    test('session lifecycle, models and errors', async (t) => {
      const db = await openTestDatabase(kind);
      if (!db) return t.skip('PostgreSQL not available');
      server = await startTestServer(db);
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (server.app.server.address() as AddressInfo).port;
      const { id: applicationId, key } = await server.newApplication();

      // --- Management API through the SDK: log in (Bearer), then define an additional cost if we can
      const anon = clientFor(port, {});
      const login = await new TalonOne.ManagementApi(anon).createSession(new TalonOne.LoginParams(ADMIN.email, ADMIN.password));
      assert.ok(login instanceof TalonOne.Session);
      assert.equal(typeof login.token, 'string');
      assert.ok(login.created instanceof Date && !Number.isNaN(login.created.getTime()));
      const mgmt = new TalonOne.ManagementApi(clientFor(port, { bearer: login.token }));
      let costs = false;
      try {
        await mgmt.createAdditionalCost(Object.assign(new TalonOne.NewAdditionalCost('shipping', 'Shipping', 'Delivery'), { type: 'session' }));
        costs = true;
      } catch (err) {
        const e = err as SdkError;
        if (e.status !== 404) throw err;
        t.diagnostic('POST /v1/additional_costs is not implemented yet: session costs skipped');
      }

      const client = clientFor(port, { apiKey: key });
      const api = new TalonOne.IntegrationApi(client);

      // --- create (new session with a cart of 5 lines and a profile)
      const session = new TalonOne.NewCustomerSessionV2();
      session.profileId = 'compat-p1';
      session.cartItems = cart();
      if (costs) session.additionalCosts = { shipping: new TalonOne.AdditionalCost(4.95) };
      const req = new TalonOne.IntegrationRequest(session);
      req.responseContent = ['customerSession', 'customerProfile', 'event'];
      const created = await api.updateCustomerSessionV2WithHttpInfo('compat-s1', req);
      assert.equal(created.response.status, 200);
      const state = created.data;
      assert.ok(state instanceof TalonOne.IntegrationStateV2);
      const cs = state.customerSession;
      assert.ok(cs instanceof TalonOne.CustomerSessionV2);
      assert.equal(cs.integrationId, 'compat-s1');
      assert.equal(cs.applicationId, applicationId);
      assert.equal(cs.profileId, 'compat-p1');
      assert.equal(cs.state, 'open');
      assert.equal(cs.firstSession, true);
      assert.equal(cs.cartItemTotal, CART_TOTAL);
      assert.equal(cs.additionalCostTotal, costs ? 4.95 : 0);
      assert.equal(cs.total, costs ? 126.22 : CART_TOTAL);
      assert.deepEqual(cs.couponCodes, []);
      assert.equal(cs.referralCode, '');
      assert.deepEqual(cs.attributes, {});
      assert.ok(cs.created instanceof Date);
      assert.equal(cs.created.toISOString(), created.response.body.customerSession.created, 'created round-trips through the SDK Date parse');
      assert.equal(cs.cartItems.length, 5);
      cs.cartItems.forEach((item: Any, i: number) => {
        assert.ok(item instanceof TalonOne.CartItem);
        assert.equal(item.position, i);
        assert.equal(item.sku, session.cartItems[i].sku);
        assert.equal(item.price, session.cartItems[i].price);
        assert.equal(item.quantity, session.cartItems[i].quantity);
      });
      assert.equal(cs.cartItems[0].category, 'tops');
      assert.equal(cs.cartItems[3].weight, 350);
      // fields newer than 4.3.0's model: present on the wire, dropped by the SDK
      const raw = created.response.body.customerSession;
      assert.equal(raw.updateCount, 1);
      assert.equal(typeof raw.id, 'number');
      assert.equal(typeof raw.updated, 'string');
      assert.deepEqual(raw.cartItems.map((i: Any) => [i.returnedQuantity, i.remainingQuantity]), [[0, 3], [0, 1], [0, 1], [0, 2], [0, 1]]);
      assert.equal(cs.updateCount, undefined, '4.3.0 does not know updateCount');
      assert.deepEqual(state.effects, []);
      assert.deepEqual(state.createdCoupons, []);
      assert.deepEqual(state.createdReferrals, []);
      assert.ok(state.customerProfile instanceof TalonOne.CustomerProfile);
      assert.equal(state.customerProfile.integrationId, 'compat-p1');
      assert.equal(state.customerProfile.closedSessions, 0);
      assert.equal(state.customerProfile.totalSales, 0);
      assert.ok(state.customerProfile.lastActivity instanceof Date);
      assert.ok(state.event instanceof TalonOne.Event);
      assert.equal(state.event.type, 'talon_session_created');
      assert.equal(state.event.sessionId, 'compat-s1');

      // --- update: omitted fields keep, the cart is replaced as a whole, positions recomputed
      const patch = new TalonOne.NewCustomerSessionV2();
      patch.cartItems = [new TalonOne.CartItem('Belt', 'sku-belt', 1, 24.5), new TalonOne.CartItem('Shirt', 'sku-shirt', 2, 19.99)];
      patch.identifiers = ['device-1'];
      const updated = await api.updateCustomerSessionV2WithHttpInfo('compat-s1', new TalonOne.IntegrationRequest(patch));
      const us = updated.data.customerSession;
      assert.equal(us.profileId, 'compat-p1');
      assert.deepEqual(us.cartItems.map((i: Any) => [i.position, i.sku]), [[0, 'sku-belt'], [1, 'sku-shirt']]);
      assert.equal(us.cartItemTotal, 64.48);
      // additionalCosts not re-sent: kept (docs/sessions.md: an omitted field keeps its value)
      const total = costs ? 69.43 : 64.48;
      assert.equal(us.total, total);
      assert.deepEqual(us.identifiers, ['device-1']);
      assert.equal(updated.response.body.customerSession.updateCount, 2);
      assert.equal(updated.data.customerProfile, undefined, 'customerProfile only when asked for');

      // --- dry: the SDK's `dry` option reaches the server as ?dry=true; nothing persists
      const dryPatch = new TalonOne.NewCustomerSessionV2();
      dryPatch.cartItems = [new TalonOne.CartItem('Cap', 'sku-cap', 10, 0.2)];
      const dry = await api.updateCustomerSessionV2WithHttpInfo('compat-s1', new TalonOne.IntegrationRequest(dryPatch), { dry: true });
      assert.equal(dry.data.customerSession.cartItemTotal, 2);
      assert.equal(dry.response.body.customerSession.updateCount, 2);

      // --- close
      const close = new TalonOne.NewCustomerSessionV2();
      close.state = 'closed';
      const closeReq = new TalonOne.IntegrationRequest(close);
      closeReq.responseContent = ['customerProfile'];
      const closed = await api.updateCustomerSessionV2('compat-s1', closeReq);
      assert.equal(closed.customerSession.state, 'closed');
      assert.equal(closed.customerSession.cartItemTotal, 64.48);
      assert.equal(closed.customerProfile.closedSessions, 1);
      assert.equal(closed.customerProfile.totalSales, total);

      // --- GET, returns and reopen: not in 4.3.0's IntegrationApi, sent through ApiClient.callApi
      // (4.3.0 has no IntegrationCustomerSessionResponse model: the envelope is parsed by hand)
      const got = await callIntegration(client, 'GET', '/v2/customer_sessions/compat-s1', null, Object);
      assert.equal(got.response.status, 200);
      const gotSession = TalonOne.CustomerSessionV2.constructFromObject(got.data.customerSession);
      assert.equal(gotSession.state, 'closed');
      assert.equal(gotSession.total, total);
      assert.equal(gotSession.created.getTime(), cs.created.getTime());
      assert.deepEqual(TalonOne.ApiClient.convertToType(got.data.effects, [TalonOne.Effect]), []);

      const returnBody = { return: { returnedCartItems: [{ position: 1, quantity: 1 }] }, responseContent: ['customerSession', 'customerProfile'] };
      const returned = await callIntegration(client, 'POST', '/v2/customer_sessions/compat-s1/returns', returnBody, TalonOne.IntegrationStateV2, { 'Idempotency-Key': 'compat-return-1' });
      assert.ok(returned.data instanceof TalonOne.IntegrationStateV2);
      assert.equal(returned.data.customerSession.state, 'partially_returned');
      assert.equal(returned.data.customerProfile.totalSales, costs ? 49.44 : 44.49); // minus one shirt, 19.99
      assert.equal(returned.response.body.return.returnedCartItems[0].sku, 'sku-shirt');
      assert.deepEqual(returned.response.body.customerSession.cartItems[1], { ...returned.response.body.customerSession.cartItems[1], returnedQuantity: 1, remainingQuantity: 1 });
      const replay = await callIntegration(client, 'POST', '/v2/customer_sessions/compat-s1/returns', returnBody, TalonOne.IntegrationStateV2, { 'Idempotency-Key': 'compat-return-1' });
      assert.deepEqual(replay.response.body, returned.response.body, 'same Idempotency-Key replays the stored response');

      // reopen needs a closed session: a second one, closed at creation
      const s2 = new TalonOne.NewCustomerSessionV2();
      s2.profileId = 'compat-p1';
      s2.state = 'closed';
      s2.cartItems = [new TalonOne.CartItem('Scarf', 'sku-scarf', 1, 12)];
      const s2Created = await api.updateCustomerSessionV2('compat-s2', new TalonOne.IntegrationRequest(s2));
      assert.equal(s2Created.customerSession.state, 'closed');
      assert.equal(s2Created.customerSession.firstSession, false);
      const reopened = await callIntegration(client, 'PUT', '/v2/customer_sessions/compat-s2/reopen', null, Object);
      assert.equal(reopened.response.status, 200);
      assert.deepEqual(reopened.data, { effects: [] });

      // --- cancel: an open session (nothing to roll back) and a partially returned one (revoke)
      const cancel = new TalonOne.NewCustomerSessionV2();
      cancel.state = 'cancelled';
      const cancelledOpen = await api.updateCustomerSessionV2('compat-s2', new TalonOne.IntegrationRequest(cancel));
      assert.equal(cancelledOpen.customerSession.state, 'cancelled');
      assert.deepEqual(cancelledOpen.effects, []);
      const revoked = await api.updateCustomerSessionV2('compat-s1', Object.assign(new TalonOne.IntegrationRequest(cancel), { responseContent: ['customerProfile'] }));
      assert.equal(revoked.customerSession.state, 'cancelled');
      assert.equal(revoked.customerProfile.closedSessions, 0);
      assert.equal(revoked.customerProfile.totalSales, 0);

      // --- errors: the SDK rejects with { status, body } and the body parses as ErrorResponse
      const invalid = await rejection(api.updateCustomerSessionV2('compat-s1', new TalonOne.IntegrationRequest(close)));
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body?.StatusCode, 400);
      const invalidParsed = TalonOne.ErrorResponse.constructFromObject(invalid.body);
      assert.equal(typeof invalidParsed.message, 'string');
      assert.equal(invalidParsed.errors[0].title, 'Invalid transition');
      assert.equal(invalidParsed.errors[0].source.pointer, '/customerSession/state');

      const bad = new TalonOne.NewCustomerSessionV2();
      bad.cartItems = [new TalonOne.CartItem('Zero', 'sku-zero', 0, 1)];
      const schemaError = await rejection(api.updateCustomerSessionV2('compat-s3', new TalonOne.IntegrationRequest(bad)));
      assert.equal(schemaError.status, 400);
      assert.equal(TalonOne.ErrorResponse.constructFromObject(schemaError.body).errors[0].source.pointer, '/customerSession/cartItems/0/quantity');
      assert.deepEqual(JSON.parse(schemaError.response!.text), schemaError.body);

      const wrongKey = new TalonOne.IntegrationApi(clientFor(port, { apiKey: 'not-a-key' }));
      const unauthorized = await rejection(wrongKey.updateCustomerSessionV2('compat-s1', new TalonOne.IntegrationRequest(new TalonOne.NewCustomerSessionV2())));
      assert.equal(unauthorized.status, 401);
      assert.equal(unauthorized.body?.StatusCode, 401);
      assert.equal(typeof unauthorized.body?.message, 'string');

      const missing = await rejection(callIntegration(client, 'GET', '/v2/customer_sessions/nope', null, TalonOne.CustomerSessionV2));
      assert.equal(missing.status, 404);
      assert.equal(missing.body?.StatusCode, 404);
    });

    test('issue 3: createCampaign, createRuleset, updateCampaign and the effects a session sees', async (t) => {
      const b = await boot(t);
      if (!b) return;
      const { applicationId, api, mgmt } = b;

      // --- createCampaign with the SDK's NewCampaign (name, state, tags, features, limits required)
      const newCampaign = Object.assign(new TalonOne.NewCampaign('Compat sale', 'enabled', ['compat'], [], []), { description: 'SDK-made' });
      const createdCampaign = await mgmt.createCampaignWithHttpInfo(applicationId, newCampaign);
      assert.equal(createdCampaign.response.status, 201);
      const campaign = createdCampaign.data;
      assert.ok(campaign instanceof TalonOne.Campaign);
      assert.equal(typeof campaign.id, 'number');
      assert.equal(campaign.applicationId, applicationId);
      assert.equal(typeof campaign.userId, 'number');
      assert.equal(campaign.name, 'Compat sale');
      assert.equal(campaign.description, 'SDK-made');
      assert.equal(campaign.state, 'enabled');
      assert.deepEqual([campaign.tags, campaign.features, campaign.limits], [['compat'], [], []]);
      assert.ok(campaign.created instanceof Date && !Number.isNaN(campaign.created.getTime()));
      assert.equal(campaign.activeRulesetId, undefined);
      assert.equal(createdCampaign.response.body.frontendState, 'running', 'newer than 4.3.0: on the wire only');

      // --- createRuleset with NewRuleset(rules, bindings) and activate: true (4.3.0 has `activate`)
      const newRuleset = new TalonOne.NewRuleset([TEN_PERCENT_ABOVE_100(), SHOES_20_PERCENT()], []);
      newRuleset.activate = true;
      const createdRuleset = await mgmt.createRulesetWithHttpInfo(applicationId, campaign.id, newRuleset);
      assert.equal(createdRuleset.response.status, 201);
      const ruleset = createdRuleset.data;
      assert.ok(ruleset instanceof TalonOne.Ruleset);
      assert.equal(typeof ruleset.id, 'number');
      assert.equal(ruleset.campaignId, campaign.id);
      assert.equal(typeof ruleset.userId, 'number');
      assert.ok(ruleset.created instanceof Date);
      assert.ok(ruleset.activatedAt instanceof Date && !Number.isNaN(ruleset.activatedAt.getTime()));
      assert.equal(ruleset.rules.length, 2);
      assert.ok(ruleset.rules.every((r: Any) => r instanceof TalonOne.Rule));
      assert.deepEqual(ruleset.rules[0].condition, TEN_PERCENT_ABOVE_100().condition, 'Talang round-trips as [Object]');
      assert.deepEqual(ruleset.rules[0].effects, TEN_PERCENT_ABOVE_100().effects);
      const binding = ruleset.rules[1].bindings[0];
      assert.ok(binding instanceof TalonOne.Binding);
      assert.deepEqual([binding.name, binding.type, binding.expression], ['Shoes', 'cartItemFilter', SHOES_20_PERCENT().bindings[0].expression]);

      // --- getCampaign: the ruleset is active; getRulesets: one page
      const got = await mgmt.getCampaign(applicationId, campaign.id);
      assert.ok(got instanceof TalonOne.Campaign);
      assert.equal(got.activeRulesetId, ruleset.id);
      assert.equal(got.created.getTime(), campaign.created.getTime());
      const rulesets = await mgmt.getRulesets(applicationId, campaign.id);
      assert.ok(rulesets instanceof TalonOne.InlineResponse2003);
      assert.equal(rulesets.totalResultSize, 1);
      assert.ok(rulesets.data[0] instanceof TalonOne.Ruleset);
      assert.equal(rulesets.data[0].id, ruleset.id);
      assert.deepEqual(rulesets.data[0].rules.map((r: Any) => r.title), ['10% off above 100', '20% off shoes']);

      // --- a session: 2 shoes at 50 and a 20 belt: total 120 → 12 off; each shoe unit 20% → 10
      const session = new TalonOne.NewCustomerSessionV2();
      session.profileId = 'compat-effects';
      const shoes = Object.assign(new TalonOne.CartItem('Runner', 'SH-RUN', 2, 50), { category: 'Shoes' });
      const belt = Object.assign(new TalonOne.CartItem('Belt', 'BELT-1', 1, 20), { category: 'Accessories' });
      session.cartItems = [shoes, belt];
      const req = new TalonOne.IntegrationRequest(session);
      req.responseContent = ['triggeredCampaigns'];
      const state = await api.updateCustomerSessionV2('compat-e1', req);
      assert.ok(state instanceof TalonOne.IntegrationStateV2);
      const ids = { campaignId: campaign.id, rulesetId: ruleset.id };
      assert.deepEqual(effectRows(state.effects), [
        { ...ids, ruleIndex: 0, ruleName: '10% off above 100', effectType: 'setDiscount', props: { name: '10% off above 100', value: 12 } },
        { ...ids, ruleIndex: 1, ruleName: '20% off shoes', effectType: 'setDiscountPerItem', props: { name: '20% off shoes#0', value: 10, position: 0, subPosition: 0, scope: 'price' } },
        { ...ids, ruleIndex: 1, ruleName: '20% off shoes', effectType: 'setDiscountPerItem', props: { name: '20% off shoes#0', value: 10, position: 0, subPosition: 1, scope: 'price' } },
      ]);
      assert.equal(state.effects[0].triggeredByCoupon, undefined);
      assert.equal(state.triggeredCampaigns.length, 1);
      assert.ok(state.triggeredCampaigns[0] instanceof TalonOne.Campaign);
      assert.equal(state.triggeredCampaigns[0].id, campaign.id);
      assert.equal(state.triggeredCampaigns[0].activeRulesetId, ruleset.id);

      // --- below the threshold, no shoes: no effects; the failure reasons parse as RuleFailureReason
      const small = new TalonOne.NewCustomerSessionV2();
      small.cartItems = [belt];
      const smallReq = Object.assign(new TalonOne.IntegrationRequest(small), { responseContent: ['ruleFailureReasons'] });
      const none = await api.updateCustomerSessionV2('compat-e2', smallReq);
      assert.deepEqual(none.effects, []);
      assert.deepEqual(none.ruleFailureReasons.map((f: Any) => {
        assert.ok(f instanceof TalonOne.RuleFailureReason);
        return [f.campaignID, f.campaignName, f.rulesetID, f.ruleIndex, f.ruleName, f.conditionIndex, f.details];
      }), [
        [campaign.id, 'Compat sale', ruleset.id, 0, '10% off above 100', 0, 'condition evaluated to false'],
        [campaign.id, 'Compat sale', ruleset.id, 1, '20% off shoes', 0, 'condition evaluated to false'],
      ]);

      // --- a second ruleset, not activated, switched on with updateCampaign(activeRulesetId)
      const flat = new TalonOne.NewRuleset([new TalonOne.Rule('5 off everything', ['and', true], [['setDiscount', '5 off', 5]])], []);
      const second = await mgmt.createRuleset(applicationId, campaign.id, flat);
      assert.equal(second.activatedAt, undefined);
      assert.equal((await mgmt.getCampaign(applicationId, campaign.id)).activeRulesetId, ruleset.id, 'not activated: the first stays active');
      const update = Object.assign(new TalonOne.UpdateCampaign('Compat sale', ['compat'], [], []), { state: 'enabled', activeRulesetId: second.id });
      const updated = await mgmt.updateCampaign(applicationId, campaign.id, update);
      assert.ok(updated instanceof TalonOne.Campaign);
      assert.equal(updated.activeRulesetId, second.id);
      const switched = await api.updateCustomerSessionV2('compat-e2', new TalonOne.IntegrationRequest(new TalonOne.NewCustomerSessionV2()));
      assert.deepEqual(effectRows(switched.effects), [
        { campaignId: campaign.id, rulesetId: second.id, ruleIndex: 0, ruleName: '5 off everything', effectType: 'setDiscount', props: { name: '5 off', value: 5 } },
      ]);
      assert.equal((await mgmt.getRulesets(applicationId, campaign.id)).totalResultSize, 2);

      // --- an invalid ruleset: 400, ErrorResponse with the rule and the JSON pointer into it
      const typo = new TalonOne.NewRuleset([new TalonOne.Rule('typo', ['and', ['>', ['.', 'Session', 'Totl'], 1]], [])], []);
      typo.activate = true;
      const invalid = await rejection(mgmt.createRuleset(applicationId, campaign.id, typo));
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body?.StatusCode, 400);
      const parsed = TalonOne.ErrorResponse.constructFromObject(invalid.body);
      assert.ok(parsed instanceof TalonOne.ErrorResponse);
      assert.equal(typeof parsed.message, 'string');
      assert.ok(parsed.errors[0] instanceof TalonOne.APIError);
      assert.equal(parsed.errors[0].title, 'Invalid rule');
      assert.match(parsed.errors[0].details, /^rule 0: /);
      assert.ok(parsed.errors[0].source instanceof TalonOne.ErrorSource);
      assert.equal(parsed.errors[0].source.pointer, '/rules/0/condition/1/1/2');
      assert.equal((await mgmt.getCampaign(applicationId, campaign.id)).activeRulesetId, second.id, 'a rejected ruleset changes nothing');
      assert.equal((await mgmt.getRulesets(applicationId, campaign.id)).totalResultSize, 2);

      const unknown = await rejection(mgmt.getCampaign(applicationId, campaign.id + 1000));
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body?.StatusCode, 404);
    });

    test('issue 4: createCoupons, coupon codes in sessions (accepted, unknown, exhausted) and a referral round trip', async (t) => {
      const b = await boot(t);
      if (!b) return;
      const { applicationId, api, mgmt } = b;

      const campaign = await mgmt.createCampaign(applicationId, new TalonOne.NewCampaign('Coupon codes', 'enabled', [], ['coupons'], []));
      assert.deepEqual(campaign.features, ['coupons']);
      const rule = new TalonOne.Rule('Coupon: 5 off', ['and', ['couponValid']], [['setDiscount', 'Coupon 5 off', 5]]);
      const ruleset = await mgmt.createRuleset(applicationId, campaign.id, Object.assign(new TalonOne.NewRuleset([rule], []), { activate: true }));

      // --- createCoupons: silent=no answers 200 with the generated codes (InlineResponse2004 of Coupon)
      const newCoupons = Object.assign(new TalonOne.NewCoupons(1, 3), { couponPattern: 'SDK-####', attributes: {} });
      const created = await mgmt.createCouponsWithHttpInfo(applicationId, campaign.id, newCoupons, { silent: 'no' });
      assert.equal(created.response.status, 200);
      assert.ok(created.data instanceof TalonOne.InlineResponse2004);
      assert.equal(created.data.totalResultSize, 3);
      const coupons = created.data.data;
      assert.equal(coupons.length, 3);
      for (const c of coupons) {
        assert.ok(c instanceof TalonOne.Coupon);
        assert.match(c.value, /^SDK-[A-Z0-9]{4}$/);
        assert.equal(typeof c.id, 'number');
        assert.equal(c.campaignId, campaign.id);
        assert.equal(c.usageLimit, 1);
        assert.equal(c.usageCounter, 0);
        assert.ok(c.created instanceof Date && !Number.isNaN(c.created.getTime()));
      }
      assert.equal(new Set(coupons.map((c: Any) => c.value)).size, 3);
      // without `silent` the answer is 204 and the SDK resolves with null data. 4.3.0's doc comment
      // says "if set to 'yes' … 204, otherwise a list"; we follow the current API, where the
      // default is 'yes' (docs/coupons.md, "Creating coupons"): an old integration must pass silent: 'no' to see codes
      const silent = await mgmt.createCouponsWithHttpInfo(applicationId, campaign.id, new TalonOne.NewCoupons(1, 1));
      assert.equal(silent.response.status, 204);
      assert.equal(silent.data, null);
      // getCouponsWithoutTotalCount lists all four (InlineResponse2005: hasMore, data)
      const listed = await mgmt.getCouponsWithoutTotalCount(applicationId, campaign.id, { pageSize: 10 });
      assert.ok(listed instanceof TalonOne.InlineResponse2005);
      assert.equal(listed.hasMore, false);
      assert.equal(listed.data.length, 4);
      assert.ok(listed.data.every((c: Any) => c instanceof TalonOne.Coupon));
      assert.deepEqual(listed.data.filter((c: Any) => c.value.startsWith('SDK-')).map((c: Any) => c.id).sort(), coupons.map((c: Any) => c.id).sort());
      // getCoupons (InlineResponse2004: totalResultSize, data): the same filters, the total counts every match, not the page
      const counted = await mgmt.getCoupons(applicationId, campaign.id, { pageSize: 2, sort: '-id', value: 'sdk-' });
      assert.ok(counted instanceof TalonOne.InlineResponse2004);
      assert.equal(counted.totalResultSize, 3);
      assert.deepEqual(counted.data.map((c: Any) => c.id), coupons.map((c: Any) => c.id).sort((a: number, b: number) => b - a).slice(0, 2));
      assert.ok(counted.data.every((c: Any) => c instanceof TalonOne.Coupon && c.created instanceof Date));
      const everything = await mgmt.getCoupons(applicationId, campaign.id);
      assert.equal(everything.totalResultSize, 4);
      assert.equal(everything.data.length, 4);
      // a Management API key instead of a login: 4.3.0 has no `management_key` scheme, `manager_auth` carries it
      const keyClient = new TalonOne.ApiClient();
      keyClient.basePath = `http://127.0.0.1:${b.port}`;
      keyClient.authentications.manager_auth.apiKey = MANAGEMENT_KEY;
      keyClient.authentications.manager_auth.apiKeyPrefix = 'ManagementKey-v1';
      assert.equal((await new TalonOne.ManagementApi(keyClient).getCoupons(applicationId, campaign.id, { pageSize: 1 })).totalResultSize, 4);

      const [good, spent] = coupons;
      const ids = { campaignId: campaign.id, rulesetId: ruleset.id, ruleIndex: 0, ruleName: 'Coupon: 5 off' };
      const withCode = (code: string, state?: string) => {
        const ns = new TalonOne.NewCustomerSessionV2();
        ns.profileId = 'compat-coupons';
        ns.couponCodes = [code];
        ns.cartItems = [new TalonOne.CartItem('Mug', 'MUG-01', 1, 40)];
        if (state) ns.state = state;
        return Object.assign(new TalonOne.IntegrationRequest(ns), { responseContent: ['coupons'] });
      };

      // --- a valid code: acceptCoupon, then the discount, both triggered by the coupon
      const accepted = await api.updateCustomerSessionV2('compat-c1', withCode(good.value));
      assert.deepEqual(effectRows(accepted.effects), [
        { ...ids, effectType: 'acceptCoupon', props: { value: good.value } },
        { ...ids, effectType: 'setDiscount', props: { name: 'Coupon 5 off', value: 5 } },
      ]);
      assert.deepEqual(accepted.effects.map((e: Any) => e.triggeredByCoupon), [good.id, good.id]);
      assert.deepEqual(accepted.customerSession.couponCodes, [good.value]);
      assert.ok(accepted.coupons[0] instanceof TalonOne.Coupon);
      assert.equal(accepted.coupons[0].value, good.value);

      // --- an unknown code: rejectCoupon CouponNotFound from no campaign (-1)
      const unknown = await api.updateCustomerSessionV2('compat-c2', withCode('NO-SUCH-CODE'));
      assert.deepEqual(effectRows(unknown.effects), [
        { campaignId: -1, rulesetId: 0, ruleIndex: 0, ruleName: '', effectType: 'rejectCoupon', props: { value: 'NO-SUCH-CODE', rejectionReason: 'CouponNotFound' } },
      ]);

      // --- an exhausted code: usageLimit 1 used by a closed session, then CouponLimitReached
      const closed = await api.updateCustomerSessionV2('compat-c3', withCode(spent.value, 'closed'));
      assert.deepEqual(closed.effects.map((e: Any) => e.effectType), ['acceptCoupon', 'setDiscount']);
      assert.equal(closed.coupons[0].usageCounter, 1);
      const exhausted = await api.updateCustomerSessionV2('compat-c4', withCode(spent.value));
      // a rejection comes from the campaign, not from a rule: ruleIndex 0, ruleName "" (docs/engine.md)
      assert.deepEqual(effectRows(exhausted.effects), [
        { ...ids, ruleName: '', effectType: 'rejectCoupon', props: { value: spent.value, rejectionReason: 'CouponLimitReached' } },
      ]);
      const after = await mgmt.getCouponsWithoutTotalCount(applicationId, campaign.id, { value: spent.value, exactMatch: true });
      assert.deepEqual(after.data.map((c: Any) => [c.value, c.usageCounter]), [[spent.value, 1]]);

      // --- referral round trip: IntegrationApi.createReferral, then a friend's session redeems the code
      const refCampaign = await mgmt.createCampaign(applicationId, new TalonOne.NewCampaign('Refer a friend', 'enabled', [], ['referrals'], []));
      const refRule = new TalonOne.Rule('Friend gets 10', ['and', ['referralValid']], [['setDiscount', 'Friend 10 off', 10]]);
      const refRuleset = await mgmt.createRuleset(applicationId, refCampaign.id, Object.assign(new TalonOne.NewRuleset([refRule], []), { activate: true }));
      const createdReferral = await api.createReferralWithHttpInfo(new TalonOne.NewReferral(refCampaign.id, 'compat-advocate'));
      assert.equal(createdReferral.response.status, 201);
      const referral = createdReferral.data;
      assert.ok(referral instanceof TalonOne.Referral);
      assert.equal(typeof referral.id, 'number');
      assert.equal(referral.campaignId, refCampaign.id);
      assert.equal(referral.advocateProfileIntegrationId, 'compat-advocate');
      assert.match(referral.code, /^[A-Z0-9]{12}$/);
      assert.equal(referral.usageLimit, 1);
      assert.equal(referral.usageCounter, 0);
      assert.ok(referral.created instanceof Date);

      const friend = new TalonOne.NewCustomerSessionV2();
      friend.profileId = 'compat-friend';
      friend.referralCode = referral.code;
      friend.cartItems = [new TalonOne.CartItem('Mug', 'MUG-01', 1, 40)];
      friend.state = 'closed';
      const refIds = { campaignId: refCampaign.id, rulesetId: refRuleset.id, ruleIndex: 0, ruleName: 'Friend gets 10' };
      // codes are issued without creating the advocate's profile; until it exists the code is rejected
      const early = await api.updateCustomerSessionV2('compat-r1', new TalonOne.IntegrationRequest(friend), { dry: true });
      assert.deepEqual(effectRows(early.effects), [
        { ...refIds, ruleName: '', effectType: 'rejectReferral', props: { value: referral.code, rejectionReason: 'AdvocateNotFound' } },
      ]);
      const advocate = Object.assign(new TalonOne.CustomerProfileIntegrationRequestV2(), { attributes: {} });
      const advocateState = await api.updateCustomerProfileV2('compat-advocate', advocate);
      assert.ok(advocateState instanceof TalonOne.IntegrationStateV2);
      const redeemed = await api.updateCustomerSessionV2('compat-r1', new TalonOne.IntegrationRequest(friend));
      assert.deepEqual(effectRows(redeemed.effects), [
        { ...refIds, effectType: 'acceptReferral', props: { value: referral.code } },
        { ...refIds, effectType: 'setDiscount', props: { name: 'Friend 10 off', value: 10 } },
      ]);
      assert.equal(redeemed.customerSession.referralCode, referral.code);
      const listedReferrals = await mgmt.getReferralsWithoutTotalCount(applicationId, refCampaign.id, {});
      assert.ok(listedReferrals instanceof TalonOne.InlineResponse2007);
      assert.ok(listedReferrals.data[0] instanceof TalonOne.Referral);
      assert.deepEqual(listedReferrals.data.map((r: Any) => [r.code, r.usageCounter]), [[referral.code, 1]]);
      const again = Object.assign(new TalonOne.NewCustomerSessionV2(), { profileId: 'compat-friend-2', referralCode: referral.code });
      const second = await api.updateCustomerSessionV2('compat-r2', new TalonOne.IntegrationRequest(again));
      assert.deepEqual(effectRows(second.effects), [
        { ...refIds, ruleName: '', effectType: 'rejectReferral', props: { value: referral.code, rejectionReason: 'ReferralLimitReached' } },
      ]);

      // createReferral for a campaign without the referrals feature: 400 naming /campaignId
      const wrong = await rejection(api.createReferral(new TalonOne.NewReferral(campaign.id, 'compat-advocate')));
      assert.equal(wrong.status, 400);
      assert.equal(TalonOne.ErrorResponse.constructFromObject(wrong.body).errors[0].source.pointer, '/campaignId');
    });
  });
}

recordSdkCalls(TalonOne, 'test/compat/talon-one.test.ts');
