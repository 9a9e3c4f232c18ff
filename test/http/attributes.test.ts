import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { STORES } from '../helpers/stores.js';
import { ADMIN, withTestServer, type TestServer } from '../helpers/server.js';

const attr = (over: Record<string, unknown> = {}) => ({
  entity: 'CustomerSession', name: 'ShippingCity', title: 'Shipping city', type: 'string', description: 'Where the order ships to',
  suggestions: [], editable: true, ...over,
});

/** The first error names this body pointer (or parameter) and has this title. */
function assertError(r: LightMyRequestResponse, status: number, source: { pointer?: string; parameter?: string }, title?: string) {
  assert.equal(r.statusCode, status, r.body);
  const body = r.json();
  assert.equal(body.StatusCode, status);
  assert.equal(typeof body.message, 'string');
  if (status === 400) {
    assert.ok(Array.isArray(body.errors) && body.errors.length > 0, r.body);
    assert.deepEqual(body.errors[0].source, source, r.body);
    if (title !== undefined) assert.equal(body.errors[0].title, title, r.body);
  }
}

for (const kind of STORES) {
  describe(`custom attributes (${kind.name})`, () => {
    after(() => kind.cleanup());

    const withServer = (t: { skip(m: string): void }, fn: (s: TestServer) => Promise<void>) => withTestServer(kind, t, fn, () => new Date('2025-03-01T10:00:00Z'));

    test('create, get and list with filters, sorting and paging', (t) => withServer(t, async (s) => {
      const r = await s.mgmt('POST', '/v1/attributes', attr({ suggestions: ['Berlin', 'Paris'] }));
      assert.equal(r.statusCode, 201, r.body);
      const a = r.json();
      assert.equal(typeof a.id, 'number');
      assert.equal(a.accountId, 1);
      assert.equal(a.created, '2025-03-01T10:00:00.000Z');
      assert.equal(a.entity, 'CustomerSession');
      assert.equal(a.name, 'ShippingCity');
      assert.equal(a.type, 'string');
      assert.deepEqual(a.suggestions, ['Berlin', 'Paris']);
      assert.equal(a.hasAllowedList, false);
      assert.equal(a.restrictedBySuggestions, false);
      assert.equal(a.editable, true);
      assert.equal(a.eventType, undefined);

      const g = await s.mgmt('GET', `/v1/attributes/${a.id}`);
      assert.equal(g.statusCode, 200, g.body);
      assert.deepEqual(g.json(), a);

      assert.equal((await s.mgmt('POST', '/v1/attributes', attr({ entity: 'CustomerProfile', name: 'Tier', title: 'Loyalty tier', description: 'gold or silver' }))).statusCode, 201);
      assert.equal((await s.mgmt('POST', '/v1/attributes', attr({ entity: 'CartItem', name: 'Color', title: 'Color', type: '(list string)', subscribedApplicationsIds: [7] }))).statusCode, 201);
      const ev = await s.mgmt('POST', '/v1/attributes', attr({ entity: 'Event', eventType: 'pageViewed', name: 'url', title: 'Page URL', description: 'viewed page' }));
      assert.equal(ev.statusCode, 201, ev.body);
      assert.equal(ev.json().eventType, 'pageViewed');

      const all = (await s.mgmt('GET', '/v1/attributes')).json();
      assert.equal(all.totalResultSize, 4);
      assert.deepEqual(all.data.map((x: { name: string }) => x.name), ['ShippingCity', 'Tier', 'Color', 'url']);

      const byEntity = (await s.mgmt('GET', '/v1/attributes?entity=CustomerProfile')).json();
      assert.equal(byEntity.totalResultSize, 1);
      assert.equal(byEntity.data[0].name, 'Tier');
      const byType = (await s.mgmt('GET', `/v1/attributes?type=${encodeURIComponent('(list string)')}`)).json();
      assert.deepEqual(byType.data.map((x: { name: string }) => x.name), ['Color']);
      // search: case-insensitive through name, description and type
      assert.deepEqual((await s.mgmt('GET', '/v1/attributes?search=GOLD')).json().data.map((x: { name: string }) => x.name), ['Tier']);
      assert.deepEqual((await s.mgmt('GET', '/v1/attributes?search=shipping')).json().data.map((x: { name: string }) => x.name), ['ShippingCity']);
      assert.deepEqual((await s.mgmt('GET', '/v1/attributes?applicationIds=3,7')).json().data.map((x: { name: string }) => x.name), ['Color']);
      assert.equal((await s.mgmt('GET', '/v1/attributes?kind=builtin')).json().totalResultSize, 0);
      assert.equal((await s.mgmt('GET', '/v1/attributes?kind=custom')).json().totalResultSize, 4);

      const page = (await s.mgmt('GET', '/v1/attributes?pageSize=2&skip=1')).json();
      assert.equal(page.totalResultSize, 4);
      assert.deepEqual(page.data.map((x: { name: string }) => x.name), ['Tier', 'Color']);
      const sorted = (await s.mgmt('GET', '/v1/attributes?sort=-name')).json();
      assert.deepEqual(sorted.data.map((x: { name: string }) => x.name), ['url', 'Tier', 'ShippingCity', 'Color']);

      assertError(await s.mgmt('GET', '/v1/attributes?sort=colour'), 400, { parameter: 'sort' });
      assertError(await s.mgmt('GET', '/v1/attributes?pageSize=0'), 400, { parameter: 'pageSize' });
      assertError(await s.mgmt('GET', '/v1/attributes?pageSize=1001'), 400, { parameter: 'pageSize' });
      assertError(await s.mgmt('GET', '/v1/attributes?kind=other'), 400, { parameter: 'kind' });
      assertError(await s.mgmt('GET', '/v1/attributes?applicationIds=a,b'), 400, { parameter: 'applicationIds' });
    }));

    test('validation: patterns, enums, required fields, uniqueness', (t) => withServer(t, async (s) => {
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ name: '1city' })), 400, { pointer: '/name' });
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ name: 'ship-city' })), 400, { pointer: '/name' });
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ title: '#city' })), 400, { pointer: '/title' });
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ entity: 'Account' })), 400, { pointer: '/entity' });
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ type: 'text' })), 400, { pointer: '/type' });
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ suggestions: [''] })), 400, { pointer: '/suggestions/0' });
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ editable: 'yes' })), 400, { pointer: '/editable' }, 'Invalid type');
      const { description: _d, ...noDescription } = attr();
      assertError(await s.mgmt('POST', '/v1/attributes', noDescription), 400, { pointer: '/description' }, 'required');
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ entity: 'Event' })), 400, { pointer: '/eventType' }, 'required');

      assert.equal((await s.mgmt('POST', '/v1/attributes', attr())).statusCode, 201);
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ title: 'Other title' })), 400, { pointer: '/name' }, 'Duplicate');
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ name: 'OtherName' })), 400, { pointer: '/title' }, 'Duplicate');
      // the same name on another entity, and on events of different types, is a different attribute
      assert.equal((await s.mgmt('POST', '/v1/attributes', attr({ entity: 'CustomerProfile' }))).statusCode, 201);
      assert.equal((await s.mgmt('POST', '/v1/attributes', attr({ entity: 'Event', eventType: 'a' }))).statusCode, 201);
      assert.equal((await s.mgmt('POST', '/v1/attributes', attr({ entity: 'Event', eventType: 'b' }))).statusCode, 201);
      assertError(await s.mgmt('POST', '/v1/attributes', attr({ entity: 'Event', eventType: 'b', title: 'New' })), 400, { pointer: '/name' }, 'Duplicate');
      assert.equal((await s.mgmt('GET', '/v1/attributes')).json().totalResultSize, 4);
    }));

    test('update: descriptive fields change, identity fields are immutable', (t) => withServer(t, async (s) => {
      const a = (await s.mgmt('POST', '/v1/attributes', attr({ subscribedApplicationsIds: [1] }))).json();
      const u = await s.mgmt('PUT', `/v1/attributes/${a.id}`, attr({ title: 'Ship-to city', description: 'new text', suggestions: ['Rome'], restrictedBySuggestions: true }));
      assert.equal(u.statusCode, 200, u.body);
      const b = u.json();
      assert.equal(b.id, a.id);
      assert.equal(b.created, a.created);
      assert.equal(b.title, 'Ship-to city');
      assert.equal(b.description, 'new text');
      assert.deepEqual(b.suggestions, ['Rome']);
      assert.equal(b.restrictedBySuggestions, true);
      assert.deepEqual(b.subscribedApplicationsIds, [1], 'omitted optional properties keep their value');
      assert.deepEqual((await s.mgmt('GET', `/v1/attributes/${a.id}`)).json(), b);

      assertError(await s.mgmt('PUT', `/v1/attributes/${a.id}`, attr({ name: 'City' })), 400, { pointer: '/name' }, 'Immutable');
      assertError(await s.mgmt('PUT', `/v1/attributes/${a.id}`, attr({ type: 'number' })), 400, { pointer: '/type' }, 'Immutable');
      assertError(await s.mgmt('PUT', `/v1/attributes/${a.id}`, attr({ entity: 'CustomerProfile' })), 400, { pointer: '/entity' }, 'Immutable');
      const e = (await s.mgmt('POST', '/v1/attributes', attr({ entity: 'Event', eventType: 'x', title: 'E' }))).json();
      assertError(await s.mgmt('PUT', `/v1/attributes/${e.id}`, attr({ entity: 'Event', eventType: 'y', title: 'E' })), 400, { pointer: '/eventType' }, 'Immutable');
      const other = (await s.mgmt('POST', '/v1/attributes', attr({ name: 'Other', title: 'Other' }))).json();
      assertError(await s.mgmt('PUT', `/v1/attributes/${other.id}`, attr({ name: 'Other', title: 'Ship-to city' })), 400, { pointer: '/title' }, 'Duplicate');

      assertError(await s.mgmt('PUT', '/v1/attributes/9999', attr()), 404, {});
      assertError(await s.mgmt('GET', '/v1/attributes/9999'), 404, {});
      assertError(await s.mgmt('GET', '/v1/attributes/abc'), 400, { parameter: 'attributeId' });
    }));

    test('401 without or with wrong credentials; Bearer tokens work', (t) => withServer(t, async (s) => {
      const { key } = await s.newApplication();
      const none = await s.app.inject({ method: 'GET', url: '/v1/attributes' });
      assertError(none, 401, {});
      const wrong = await s.app.inject({ method: 'GET', url: '/v1/attributes', headers: { authorization: 'ManagementKey-v1 nope' } });
      assertError(wrong, 401, {});
      const integrationKey = await s.app.inject({ method: 'POST', url: '/v1/attributes', payload: attr(), headers: { authorization: `ApiKey-v1 ${key}` } });
      assertError(integrationKey, 401, {});
      assert.equal((await s.mgmt('GET', '/v1/attributes')).json().totalResultSize, 0, 'nothing was created');

      const login = await s.app.inject({ method: 'POST', url: '/v1/sessions', payload: ADMIN });
      assert.equal(login.statusCode, 201, login.body);
      const r = await s.app.inject({ method: 'POST', url: '/v1/attributes', payload: attr(), headers: { authorization: `Bearer ${login.json().token}` } });
      assert.equal(r.statusCode, 201, r.body);
    }));

    test('sessions: defined attributes are accepted, wrong types and unknown names rejected', (t) => withServer(t, async (s) => {
      const { key } = await s.newApplication();
      assert.equal((await s.mgmt('POST', '/v1/attributes', attr())).statusCode, 201);
      assert.equal((await s.mgmt('POST', '/v1/attributes', attr({ entity: 'CartItem', name: 'Size', title: 'Size', type: 'number' }))).statusCode, 201);

      const ok = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', {
        customerSession: { attributes: { ShippingCity: 'Berlin' }, cartItems: [{ sku: 'a', price: 1, quantity: 1, attributes: { Size: 42 } }] },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json().customerSession.attributes, { ShippingCity: 'Berlin' });

      assertError(await s.integ(key, 'PUT', '/v2/customer_sessions/s2', { customerSession: { attributes: { ShippingCity: 5 } } }),
        400, { pointer: '/customerSession/attributes/ShippingCity' }, 'Invalid type');
      assertError(await s.integ(key, 'PUT', '/v2/customer_sessions/s2', { customerSession: { attributes: { Gate: 'B' } } }),
        400, { pointer: '/customerSession/attributes/Gate' }, 'Unknown');
      assertError(await s.integ(key, 'PUT', '/v2/customer_sessions/s2', { customerSession: { cartItems: [{ sku: 'a', price: 1, quantity: 1, attributes: { Size: 'XL' } }] } }),
        400, { pointer: '/customerSession/cartItems/0/attributes/Size' }, 'Invalid type');
      // a session attribute is not a cart item attribute
      assertError(await s.integ(key, 'PUT', '/v2/customer_sessions/s2', { customerSession: { cartItems: [{ sku: 'a', price: 1, quantity: 1, attributes: { ShippingCity: 'x' } }] } }),
        400, { pointer: '/customerSession/cartItems/0/attributes/ShippingCity' }, 'Unknown');
      // a rejected request stores nothing
      assert.equal((await s.integ(key, 'GET', '/v2/customer_sessions/s2')).statusCode, 404);
    }));

    test('the definitions cache follows creation at once (config version bump)', (t) => withServer(t, async (s) => {
      const { key } = await s.newApplication();
      const body = { customerSession: { attributes: { Gate: 'B' } } };
      assertError(await s.integ(key, 'PUT', '/v2/customer_sessions/s1', body), 400, { pointer: '/customerSession/attributes/Gate' }, 'Unknown');
      assert.equal((await s.mgmt('POST', '/v1/attributes', attr({ name: 'Gate', title: 'Gate' }))).statusCode, 201);
      const r = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', body);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().customerSession.attributes, { Gate: 'B' });
    }));

    test('time-typed attributes are times to the rules (Session, Profile, CartItem, Campaign, Event; lists)', (t) => withServer(t, async (s) => {
      const { id, key } = await s.newApplication();
      for (const a of [
        attr({ name: 'Deadline', title: 'Deadline', type: 'time' }), attr({ name: 'Slots', title: 'Slots', type: '(list time)' }),
        attr({ entity: 'CustomerProfile', name: 'Birthday', title: 'Birthday', type: 'time' }),
        attr({ entity: 'CartItem', name: 'BestBefore', title: 'Best before', type: 'time' }),
        attr({ entity: 'Campaign', name: 'Ends', title: 'Ends', type: 'time' }),
        attr({ entity: 'Event', eventType: 'reviewed', name: 'At', title: 'At', type: 'time' }),
      ]) assert.equal((await s.mgmt('POST', '/v1/attributes', a)).statusCode, 201);
      const c = await s.mgmt('POST', `/v1/applications/${id}/campaigns`, { name: 'Times', tags: [], features: [], limits: [], attributes: { Ends: '2025-12-31T00:00:00Z' } });
      assert.equal(c.statusCode, 201, c.body);
      const note = (title: string) => [['showNotification', 'Info', title, title]];
      const P = (...k: string[]) => ['.', ...k];
      const rules = [
        { title: 'deadline ahead', condition: ['and', ['after', P('Session', 'Attributes', 'Deadline'), ['now']]], effects: note('deadline ahead') },
        { title: 'born before', condition: ['and', ['before', P('Profile', 'Attributes', 'Birthday'), ['parseTime', '2000-01-01T00:00:00Z']]], effects: note('born before') },
        { title: 'fresh item', condition: ['and', ['exists', P('Session', 'CartItems'), [['Item'], ['after', P('Item', 'Attributes', 'BestBefore'), ['now']]]]], effects: note('fresh item') },
        { title: 'campaign running', condition: ['and', ['after', P('Campaign', 'Attributes', 'Ends'), ['now']]], effects: note('campaign running') },
        { title: 'a slot ahead', condition: ['and', ['exists', P('Session', 'Attributes', 'Slots'), [['T'], ['after', P('T'), ['now']]]]], effects: note('a slot ahead') },
        { title: 'reviewed lately', condition: ['and', ['=', P('Event', 'Type'), 'reviewed'], ['after', P('Event', 'Attributes', 'At'), ['parseTime', '2025-01-01T00:00:00Z']]], effects: note('reviewed lately') },
      ];
      const rs = await s.mgmt('POST', `/v1/applications/${id}/campaigns/${c.json().id}/rulesets`, { rules, bindings: [], activate: true });
      assert.equal(rs.statusCode, 201, rs.body);
      const fired = (r: LightMyRequestResponse) => r.json().effects.map((e: { ruleName: string }) => e.ruleName);

      assert.equal((await s.integ(key, 'PUT', '/v2/customer_profiles/p1', { attributes: { Birthday: '1990-05-01T00:00:00+02:00' } })).statusCode, 200);
      const r = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', { customerSession: {
        profileId: 'p1', attributes: { Deadline: '2025-03-02T00:00:00Z', Slots: ['2025-02-01T00:00:00Z', '2025-04-01T09:30:00Z'] },
        cartItems: [{ sku: 'MILK', quantity: 1, price: 1.2, attributes: { BestBefore: '2025-03-05T00:00:00Z' } }],
      }, responseContent: ['ruleFailureReasons'] });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(fired(r), ['deadline ahead', 'born before', 'fresh item', 'campaign running', 'a slot ahead']);
      assert.deepEqual(r.json().ruleFailureReasons.map((f: { ruleName: string }) => f.ruleName), ['reviewed lately']);
      // the stored and returned attributes stay the RFC 3339 text the client sent
      const got = await s.integ(key, 'GET', '/v2/customer_sessions/s1');
      assert.equal(got.json().customerSession.attributes.Deadline, '2025-03-02T00:00:00Z');

      const past = await s.integ(key, 'PUT', '/v2/customer_sessions/s2', { customerSession: { attributes: { Deadline: '2025-02-28T00:00:00Z', Slots: ['2025-01-01T00:00:00Z'] } } });
      assert.deepEqual(fired(past), ['campaign running']);

      const ev = await s.integ(key, 'POST', '/v2/events?silent=no', { type: 'reviewed', profileId: 'p1', attributes: { At: '2025-02-15T12:00:00Z' } });
      assert.equal(ev.statusCode, 200, ev.body);
      assert.deepEqual(fired(ev), ['born before', 'campaign running', 'reviewed lately']);
    }));
  });
}
