import assert from 'node:assert/strict';
import { after, describe, test, type TestContext } from 'node:test';
import { ACCOUNT_ID } from '../../src/domain/application.js';
import { bumpConfigVersion } from '../../src/store/repos/configVersions.js';
import { insertAttribute } from '../../src/store/repos/definitions.js';
import { withTestServer, type TestServer } from '../helpers/server.js';
import { STORES, type StoreKind } from '../helpers/stores.js';

const withServer = (kind: StoreKind, t: TestContext, fn: (s: TestServer) => Promise<void>) => withTestServer(kind, t, fn);

async function newStore(s: TestServer, appId: number, integrationId: string, extra: Record<string, unknown> = {}) {
  const r = await s.mgmt('POST', `/v1/applications/${appId}/stores`, { name: `Store ${integrationId}`, description: 'd', integrationId, ...extra });
  assert.equal(r.statusCode, 201, r.body);
  return r.json<{ id: number; integrationId: string }>();
}

for (const kind of STORES) {
  describe(`stores (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('create, read, update, delete; integrationId unique per Application and immutable', async (t) => withServer(kind, t, async (s) => {
      const { id: appId } = await s.newApplication();
      const { id: otherApp } = await s.newApplication();
      const r = await s.mgmt('POST', `/v1/applications/${appId}/stores`, { name: 'South', description: 'south store', integrationId: 'STORE-001' });
      assert.equal(r.statusCode, 201, r.body);
      const store = r.json();
      assert.equal(typeof store.id, 'number');
      assert.equal(store.applicationId, appId);
      assert.equal(store.name, 'South');
      assert.equal(store.description, 'south store');
      assert.equal(store.integrationId, 'STORE-001');
      assert.deepEqual(store.attributes, {});
      assert.deepEqual(store.linkedCampaignIds, []);
      assert.ok(Date.parse(store.created) && Date.parse(store.updated));

      const dup = await s.mgmt('POST', `/v1/applications/${appId}/stores`, { name: 'Again', description: '', integrationId: 'STORE-001' });
      assert.equal(dup.statusCode, 409, dup.body);
      assert.equal(dup.json().StatusCode, 409);
      // the same integrationId in another Application is another store
      const other = await newStore(s, otherApp, 'STORE-001');

      const missing = await s.mgmt('POST', `/v1/applications/${appId}/stores`, { description: '', integrationId: 'X' });
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().errors[0].source.pointer, '/name');
      const long = await s.mgmt('POST', `/v1/applications/${appId}/stores`, { name: 'x'.repeat(201), description: '', integrationId: 'X' });
      assert.equal(long.statusCode, 400);
      const noApp = await s.mgmt('POST', '/v1/applications/99999/stores', { name: 'x', description: '', integrationId: 'X' });
      assert.equal(noApp.statusCode, 404);

      const got = await s.mgmt('GET', `/v1/applications/${appId}/stores/${store.id}`);
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), store);
      assert.equal((await s.mgmt('GET', `/v1/applications/${appId}/stores/${other.id}`)).statusCode, 404, "another Application's store");
      assert.equal((await s.mgmt('GET', `/v1/applications/${appId}/stores/424242`)).statusCode, 404);

      const put = await s.mgmt('PUT', `/v1/applications/${appId}/stores/${store.id}`, { name: 'South 2', description: 'renamed', integrationId: 'STORE-001' });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(put.json().name, 'South 2');
      assert.equal(put.json().description, 'renamed');
      assert.equal(put.json().integrationId, 'STORE-001');
      assert.equal(put.json().created, store.created);
      const putNoId = await s.mgmt('PUT', `/v1/applications/${appId}/stores/${store.id}`, { name: 'South 3', description: '' });
      assert.equal(putNoId.statusCode, 200, 'UpdateStore without integrationId');
      const changeId = await s.mgmt('PUT', `/v1/applications/${appId}/stores/${store.id}`, { name: 'x', description: '', integrationId: 'STORE-002' });
      assert.equal(changeId.statusCode, 400);
      assert.equal(changeId.json().errors[0].source.pointer, '/integrationId');
      assert.equal((await s.mgmt('PUT', `/v1/applications/${appId}/stores/${other.id}`, { name: 'x', description: '' })).statusCode, 404);

      assert.equal((await s.mgmt('DELETE', `/v1/applications/${appId}/stores/${other.id}`)).statusCode, 404);
      assert.equal((await s.mgmt('DELETE', `/v1/applications/${appId}/stores/${store.id}`)).statusCode, 204);
      assert.equal((await s.mgmt('GET', `/v1/applications/${appId}/stores/${store.id}`)).statusCode, 404);
      assert.equal((await s.mgmt('DELETE', `/v1/applications/${appId}/stores/${store.id}`)).statusCode, 404);
      // the integrationId is free again
      await newStore(s, appId, 'STORE-001');
    }));

    test('attributes are checked against Store attribute definitions', async (t) => withServer(kind, t, async (s) => {
      const { id: appId } = await s.newApplication();
      const unknown = await s.mgmt('POST', `/v1/applications/${appId}/stores`, { name: 'a', description: '', integrationId: 'A', attributes: { region: 'north' } });
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json().errors[0].source.pointer, '/attributes/region');
      await s.db.transaction(async (sql) => {
        await insertAttribute(sql, {
          accountId: ACCOUNT_ID, created: new Date().toISOString(), entity: 'Store', name: 'region', title: 'Region', type: 'string',
          description: '', suggestions: [], editable: true,
        });
        await bumpConfigVersion(sql, 'account');
      });
      const ok = await s.mgmt('POST', `/v1/applications/${appId}/stores`, { name: 'a', description: '', integrationId: 'A', attributes: { region: 'north' } });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.deepEqual(ok.json().attributes, { region: 'north' });
      const wrongType = await s.mgmt('PUT', `/v1/applications/${appId}/stores/${ok.json().id}`, { name: 'a', description: '', attributes: { region: 3 } });
      assert.equal(wrongType.statusCode, 400);
      assert.equal(wrongType.json().errors[0].source.pointer, '/attributes/region');
      const upd = await s.mgmt('PUT', `/v1/applications/${appId}/stores/${ok.json().id}`, { name: 'a', description: '', attributes: { region: 'south' } });
      assert.equal(upd.statusCode, 200, upd.body);
      assert.deepEqual(upd.json().attributes, { region: 'south' });
    }));

    test('list: paging, filters, sort, withTotalResultSize', async (t) => withServer(kind, t, async (s) => {
      const { id: appId } = await s.newApplication();
      const a = await newStore(s, appId, 'berlin-1', { name: 'Berlin Mitte' });
      const b = await newStore(s, appId, 'munich-1', { name: 'Munich' });
      const c = await newStore(s, appId, 'berlin-2', { name: 'Berlin Kreuzberg' });
      const camp = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'c', tags: [], features: [], limits: [], linkedStoreIds: [b.id] });
      assert.equal(camp.statusCode, 201, camp.body);

      const list = async (q = '') => {
        const r = await s.mgmt('GET', `/v1/applications/${appId}/stores${q}`);
        assert.equal(r.statusCode, 200, r.body);
        return r.json();
      };
      const all = await list();
      assert.equal(all.totalResultSize, 3);
      assert.deepEqual(all.data.map((x: { id: number }) => x.id), [a.id, b.id, c.id]);
      assert.deepEqual(all.data[1].linkedCampaignIds, [camp.json().id]);
      const page = await list('?pageSize=2&skip=1');
      assert.equal(page.totalResultSize, 3);
      assert.deepEqual(page.data.map((x: { id: number }) => x.id), [b.id, c.id]);
      assert.deepEqual((await list('?name=berlin')).data.map((x: { id: number }) => x.id), [a.id, c.id]);
      assert.deepEqual((await list('?integrationId=munich-1')).data.map((x: { id: number }) => x.id), [b.id]);
      assert.deepEqual((await list('?query=BERLIN-2')).data.map((x: { id: number }) => x.id), [c.id]);
      assert.deepEqual((await list(`?campaignId=${camp.json().id}`)).data.map((x: { id: number }) => x.id), [b.id]);
      assert.deepEqual((await list('?sort=-name')).data.map((x: { id: number }) => x.id), [b.id, a.id, c.id]);
      const noTotal = await list('?withTotalResultSize=false&pageSize=2');
      assert.deepEqual(noTotal, { hasMore: true, data: noTotal.data });
      assert.equal(noTotal.data.length, 2);
      assert.equal((await list('?withTotalResultSize=false&skip=2')).hasMore, false);
      const badSort = await s.mgmt('GET', `/v1/applications/${appId}/stores?sort=color`);
      assert.equal(badSort.statusCode, 400);
      assert.equal(badSort.json().errors[0].source.parameter, 'sort');
    }));

    test('a campaign linked to a store runs only for sessions of that store', async (t) => withServer(kind, t, async (s) => {
      const { id: appId, key } = await s.newApplication();
      const north = await newStore(s, appId, 'north');
      const south = await newStore(s, appId, 'south');
      const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'north only', tags: [], features: [], limits: [], linkedStoreIds: [north.id] });
      assert.equal(c.statusCode, 201, c.body);
      const campaignId = c.json().id as number;
      const rs = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${campaignId}/rulesets`, {
        bindings: [], rules: [{ title: 't', condition: ['and', true], effects: [['setDiscount', 'store deal', 5]] }], activate: true,
      });
      assert.equal(rs.statusCode, 201, rs.body);

      const session = async (id: string, storeIntegrationId?: string) => {
        const r = await s.integ(key, 'PUT', `/v2/customer_sessions/${id}`, {
          customerSession: { cartItems: [{ sku: 'a', price: 20, quantity: 1 }], ...(storeIntegrationId ? { storeIntegrationId } : {}) },
        });
        assert.equal(r.statusCode, 200, r.body);
        return r.json().effects as { campaignId: number; rulesetId: number; effectType: string; props: Record<string, unknown> }[];
      };
      const effects = await session('s-north', 'north');
      assert.equal(effects.length, 1);
      assert.equal(effects[0].campaignId, campaignId);
      assert.equal(effects[0].rulesetId, rs.json().id);
      assert.equal(effects[0].effectType, 'setDiscount');
      assert.equal(effects[0].props.name, 'store deal');
      assert.equal(effects[0].props.value, 5);
      assert.deepEqual(await session('s-south', 'south'), []);
      assert.deepEqual(await session('s-none'), []);
      assert.deepEqual(await session('s-unknown', 'nowhere'), [], 'an unknown store counts as no store (loyalty-experiments.md Q11)');

      const linked = await s.mgmt('GET', `/v1/applications/${appId}/stores/${north.id}`);
      assert.deepEqual(linked.json().linkedCampaignIds, [campaignId]);
      const del = await s.mgmt('DELETE', `/v1/applications/${appId}/stores/${north.id}`);
      assert.equal(del.statusCode, 400, 'a linked store cannot be deleted');

      // relinking to the other store takes effect at once (config version bump → new snapshot)
      const upd = await s.mgmt('PUT', `/v1/applications/${appId}/campaigns/${campaignId}`, { name: 'south only', tags: [], features: [], limits: [], linkedStoreIds: [south.id] });
      assert.equal(upd.statusCode, 200, upd.body);
      assert.deepEqual(await session('s-north-2', 'north'), []);
      assert.equal((await session('s-south-2', 'south')).length, 1);
      assert.equal((await s.mgmt('DELETE', `/v1/applications/${appId}/stores/${north.id}`)).statusCode, 204);
    }));
  });
}
