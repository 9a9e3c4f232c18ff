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
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { ADMIN, startTestServer, type TestServer } from '../helpers/server.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';

const require = createRequire(import.meta.url);
// CommonJS, generated code: typed loosely on purpose, the point is what it does at run time
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const TalonOne: any = require('talon_one');

/** The rejection value of every SDK call that got an HTTP error status. */
interface SdkError { status?: number; statusText?: string; body?: Record<string, unknown>; response?: { text: string }; error?: Error }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
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
  return client.callApi(path, method, {}, {}, headers, {}, body, ['api_key_v1'], contentTypes, ['application/json'], returnType, null) as
    Promise<{ data: Any; response: { status: number; body: Any } }>;
}

for (const kind of STORES) {
  describe(`talon_one 4.3.0 SDK against OpenPromo (${kind.name})`, () => {
    let server: TestServer | undefined;
    after(async () => {
      await server?.close();
      await kind.cleanup();
    });

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
      // additionalCosts not re-sent: kept (sessions.md OQ-9)
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
  });
}
