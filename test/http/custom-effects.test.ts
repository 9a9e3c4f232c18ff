import assert from 'node:assert/strict';
import { after, describe, test, type TestContext } from 'node:test';
import { withTestServer, type TestServer } from '../helpers/server.js';
import { STORES, type StoreKind } from '../helpers/stores.js';

const withServer = (kind: StoreKind, t: TestContext, fn: (s: TestServer) => Promise<void>) => withTestServer(kind, t, fn);

const giftWrap = (applicationIds: number[], extra: Record<string, unknown> = {}) => ({
  applicationIds, name: 'GiftWrap', title: 'Gift wrap', description: 'wrap the parcel', enabled: true,
  payload: '{"wrap":"${color}","count":"${count}","label":"${count} x ${color}","fixed":true}',
  params: [
    { name: 'color', type: 'string', title: 'Colour', description: 'paper colour' },
    { key: 'count', type: 'number', title: 'Count' },
  ],
  ...extra,
});

const ruleset = (effects: unknown[]) => ({ bindings: [], rules: [{ title: 'wrap it', condition: ['and', true], effects }], activate: true });

for (const kind of STORES) {
  describe(`custom effects (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('create, read, list, update, delete; names unique; payload and params checked', async (t) => withServer(kind, t, async (s) => {
      const { id: appId } = await s.newApplication();
      const { id: app2 } = await s.newApplication();
      const r = await s.mgmt('POST', '/v1/custom_effects', giftWrap([appId]));
      assert.equal(r.statusCode, 201, r.body);
      const e = r.json();
      assert.equal(typeof e.id, 'number');
      assert.equal(e.accountId, 1);
      assert.equal(e.createdBy, 1);
      assert.ok(Date.parse(e.created) && Date.parse(e.modified));
      assert.deepEqual(e.applicationIds, [appId]);
      assert.equal(e.name, 'GiftWrap');
      assert.equal(e.title, 'Gift wrap');
      assert.equal(e.description, 'wrap the parcel');
      assert.equal(e.enabled, true);
      assert.equal(e.payload, giftWrap([]).payload);
      assert.deepEqual(e.params, [
        { name: 'color', type: 'string', title: 'Colour', description: 'paper colour' },
        { name: 'count', key: 'count', type: 'number', title: 'Count' },
      ]);

      const dup = await s.mgmt('POST', '/v1/custom_effects', giftWrap([appId]));
      assert.equal(dup.statusCode, 409, dup.body);
      const cases: [Record<string, unknown>, string][] = [
        [{ name: '1st' }, '/name'],
        [{ title: ' leading space' }, '/title'],
        [{ applicationIds: [] }, '/applicationIds'],
        [{ applicationIds: [999999] }, '/applicationIds/0'],
        [{ payload: '{"a":' }, '/payload'],
        [{ payload: '[1]' }, '/payload'],
        [{ payload: '{"a":"${size}"}' }, '/payload'],
        [{ params: [{ type: 'string', title: 'no name' }] }, '/params/0/name'],
        [{ params: [{ name: 'a', type: 'string', title: 'A' }, { key: 'a', type: 'number', title: 'A again' }], payload: '{}' }, '/params/1/name'],
        [{ params: [{ name: 'a', type: 'money', title: 'A' }], payload: '{}' }, '/params/0/type'],
        [{ enabled: undefined }, '/enabled'],
      ];
      for (const [patch, pointer] of cases) {
        const bad = await s.mgmt('POST', '/v1/custom_effects', giftWrap([appId], { name: 'Other', ...patch }));
        assert.equal(bad.statusCode, 400, `${JSON.stringify(patch)}: ${bad.body}`);
        assert.equal(bad.json().errors[0].source.pointer, pointer, JSON.stringify(patch));
      }

      const second = await s.mgmt('POST', '/v1/custom_effects', { applicationIds: [app2], name: 'Confetti here', title: 'Confetti', payload: '', enabled: false });
      assert.equal(second.statusCode, 201, second.body);
      assert.deepEqual(second.json().params, []);

      assert.deepEqual((await s.mgmt('GET', `/v1/custom_effects/${e.id}`)).json(), e);
      assert.equal((await s.mgmt('GET', '/v1/custom_effects/999999')).statusCode, 404);
      const list = (await s.mgmt('GET', '/v1/custom_effects')).json();
      assert.equal(list.totalResultSize, 2);
      assert.deepEqual(list.data.map((x: { id: number }) => x.id), [e.id, second.json().id]);
      assert.deepEqual((await s.mgmt('GET', `/v1/custom_effects?applicationId=${app2}`)).json().data.map((x: { id: number }) => x.id), [second.json().id]);
      assert.deepEqual((await s.mgmt('GET', '/v1/custom_effects?pageSize=1&skip=1')).json().data.map((x: { id: number }) => x.id), [second.json().id]);

      const put = await s.mgmt('PUT', `/v1/custom_effects/${e.id}`, giftWrap([appId, app2], { title: 'Gift wrapping', isPerItem: true }));
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(put.json().title, 'Gift wrapping');
      assert.equal(put.json().isPerItem, true);
      assert.deepEqual(put.json().applicationIds, [appId, app2]);
      assert.equal(put.json().created, e.created);
      assert.equal(put.json().modifiedBy, 1);
      const rename = await s.mgmt('PUT', `/v1/custom_effects/${e.id}`, giftWrap([appId], { name: 'Confetti here' }));
      assert.equal(rename.statusCode, 409, 'renaming onto an existing name');
      assert.equal((await s.mgmt('PUT', '/v1/custom_effects/999999', giftWrap([appId]))).statusCode, 404);

      assert.equal((await s.mgmt('DELETE', `/v1/custom_effects/${second.json().id}`)).statusCode, 204);
      assert.equal((await s.mgmt('GET', `/v1/custom_effects/${second.json().id}`)).statusCode, 404);
      assert.equal((await s.mgmt('DELETE', `/v1/custom_effects/${second.json().id}`)).statusCode, 404);
    }));

    test('rulesets may call a custom effect only once it exists; sessions receive the rendered payload', async (t) => withServer(kind, t, async (s) => {
      const { id: appId, key } = await s.newApplication();
      const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'wrap', tags: [], features: [], limits: [] });
      assert.equal(c.statusCode, 201, c.body);
      const campaignId = c.json().id as number;
      const call = ['customEffect', 'GiftWrap', ['kv', ['color', ['+', 'dark ', 'red']], ['count', 2]]];
      const early = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${campaignId}/rulesets`, ruleset([call]));
      assert.equal(early.statusCode, 400, early.body);
      assert.equal(early.json().errors[0].source.pointer, '/rules/0/effects/0/1');
      assert.match(early.json().errors[0].details, /custom effect "GiftWrap" is not defined/);

      const created = await s.mgmt('POST', '/v1/custom_effects', giftWrap([appId], { payload: '{"wrap":"${color}","count":"${count}","label":"${count} x ${color}","fixed":true}' }));
      assert.equal(created.statusCode, 201, created.body);
      const effectId = created.json().id as number;
      const wrongParam = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${campaignId}/rulesets`, ruleset([['customEffect', 'GiftWrap', ['kv', ['colour', 'red'], ['count', 1]]]]));
      assert.equal(wrongParam.statusCode, 400);
      assert.match(wrongParam.json().errors[0].details, /has no parameter "colour"/);
      const rs = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${campaignId}/rulesets`, ruleset([call]));
      assert.equal(rs.statusCode, 201, rs.body);

      const r = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', { customerSession: { cartItems: [{ sku: 'a', price: 10, quantity: 1 }] } });
      assert.equal(r.statusCode, 200, r.body);
      // the effect envelope + CustomEffectProps {effectId, name, payload (object)} (docs/custom-effects.md)
      assert.deepEqual(r.json().effects, [{
        campaignId, rulesetId: rs.json().id, ruleIndex: 0, ruleName: 'wrap it', effectType: 'customEffect',
        props: { effectId, name: 'GiftWrap', payload: { wrap: 'dark red', count: 2, label: '2 x dark red', fixed: true } },
      }]);

      // in use: no delete, no rename, no dropping the Application
      const del = await s.mgmt('DELETE', `/v1/custom_effects/${effectId}`);
      assert.equal(del.statusCode, 400);
      assert.match(del.json().message, new RegExp(`campaign\\(s\\) ${campaignId}`));
      const rename = await s.mgmt('PUT', `/v1/custom_effects/${effectId}`, giftWrap([appId], { name: 'Wrap' }));
      assert.equal(rename.statusCode, 400);
      assert.equal(rename.json().errors[0].source.pointer, '/name');
      const { id: app2 } = await s.newApplication();
      const drop = await s.mgmt('PUT', `/v1/custom_effects/${effectId}`, giftWrap([app2]));
      assert.equal(drop.statusCode, 400);
      assert.equal(drop.json().errors[0].source.pointer, '/applicationIds');

      // a payload change reaches the next evaluation (account config version)
      const put = await s.mgmt('PUT', `/v1/custom_effects/${effectId}`, giftWrap([appId], { payload: '{"paper":"${color}"}' }));
      assert.equal(put.statusCode, 200, put.body);
      const r2 = await s.integ(key, 'PUT', '/v2/customer_sessions/s2', { customerSession: {} });
      assert.deepEqual(r2.json().effects.map((e: { props: unknown }) => e.props), [{ effectId, name: 'GiftWrap', payload: { paper: 'dark red' } }]);

      assert.equal((await s.mgmt('DELETE', `/v1/applications/${appId}/campaigns/${campaignId}`)).statusCode, 204);
      assert.equal((await s.mgmt('DELETE', `/v1/custom_effects/${effectId}`)).statusCode, 204, 'free once no active ruleset calls it');
    }));

    test('per-item custom effects carry the item position', async (t) => withServer(kind, t, async (s) => {
      const { id: appId, key } = await s.newApplication();
      const created = await s.mgmt('POST', '/v1/custom_effects', {
        applicationIds: [appId], name: 'Engrave', title: 'Engrave', isPerItem: true, enabled: true,
        payload: '{"sku":"${sku}"}', params: [{ name: 'sku', type: 'string', title: 'SKU' }],
      });
      assert.equal(created.statusCode, 201, created.body);
      const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'engrave', tags: [], features: [], limits: [] });
      const rs = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json().id}/rulesets`, ruleset([
        ['map', ['.', 'Session', 'CartItems'], [['Item'], ['customEffect', 'Engrave', ['kv', ['sku', ['.', 'Item', 'Sku']]], ['.', 'Item']]]],
      ]));
      assert.equal(rs.statusCode, 201, rs.body);
      const r = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', { customerSession: { cartItems: [{ sku: 'ring', price: 10, quantity: 1 }, { sku: 'pen', price: 5, quantity: 2 }] } });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().effects.map((e: { props: unknown }) => e.props), [
        { effectId: created.json().id, name: 'Engrave', payload: { sku: 'ring' }, cartItemPosition: 0, cartItemSubPosition: 0 },
        { effectId: created.json().id, name: 'Engrave', payload: { sku: 'pen' }, cartItemPosition: 1, cartItemSubPosition: 0 },
        { effectId: created.json().id, name: 'Engrave', payload: { sku: 'pen' }, cartItemPosition: 1, cartItemSubPosition: 1 },
      ]);
    }));
  });
}
