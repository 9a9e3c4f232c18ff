import assert from 'node:assert/strict';
import { after, describe, test, type TestContext } from 'node:test';
import { withTestServer, type TestServer } from '../helpers/server.js';
import { STORES, type StoreKind } from '../helpers/stores.js';

const withServer = (kind: StoreKind, t: TestContext, fn: (s: TestServer) => Promise<void>) => withTestServer(kind, t, fn);

type Group = { id: number; applicationId: number; name: string; parentId?: number; evaluationMode: string; evaluationScope: string; locked: boolean; description?: string; members?: unknown[] };
type WireEffect = { campaignId: number; effectType: string; evaluationGroupID?: number; evaluationGroupMode?: string; props: Record<string, unknown> };

async function newGroup(s: TestServer, appId: number, body: Record<string, unknown>): Promise<Group> {
  const r = await s.mgmt('POST', `/v1/applications/${appId}/campaign_evaluation_groups`, { name: 'g', evaluationMode: 'stackable', ...body });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

/** A campaign (optionally in a group) whose one rule always gives `discount` off the session. */
async function discountCampaign(s: TestServer, appId: number, discount: number, evaluationGroupId?: number): Promise<number> {
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, {
    name: `${discount} off`, tags: [], features: [], limits: [], ...(evaluationGroupId !== undefined ? { evaluationGroupId } : {}),
  });
  assert.equal(c.statusCode, 201, c.body);
  const rs = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json().id}/rulesets`, {
    bindings: [], rules: [{ title: `rule ${discount}`, condition: ['and', true], effects: [['setDiscount', `${discount} off`, discount]] }], activate: true,
  });
  assert.equal(rs.statusCode, 201, rs.body);
  return c.json().id;
}

async function effectsOf(s: TestServer, key: string, sessionId: string): Promise<WireEffect[]> {
  const r = await s.integ(key, 'PUT', `/v2/customer_sessions/${sessionId}`, { customerSession: { cartItems: [{ sku: 'a', price: 100, quantity: 1 }] } });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().effects;
}

for (const kind of STORES) {
  describe(`campaign evaluation groups (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('create, read, list, update, delete; parents, cycles, references', async (t) => withServer(kind, t, async (s) => {
      const { id: appId } = await s.newApplication();
      const { id: otherApp } = await s.newApplication();
      const base = `/v1/applications/${appId}/campaign_evaluation_groups`;

      const top = await newGroup(s, appId, { name: 'Summer', evaluationMode: 'listOrder', description: 'summer deals' });
      assert.deepEqual(top, { id: top.id, applicationId: appId, name: 'Summer', evaluationMode: 'listOrder', evaluationScope: 'session', locked: false, description: 'summer deals' });
      const child = await newGroup(s, appId, { name: 'Child', evaluationMode: 'highestDiscount', parentId: top.id, evaluationScope: 'cartItem', locked: true });
      assert.equal(child.parentId, top.id);
      assert.equal(child.evaluationScope, 'cartItem');
      assert.equal(child.locked, true);
      const grandchild = await newGroup(s, appId, { name: 'Grandchild', parentId: child.id });
      const foreign = await newGroup(s, otherApp, { name: 'Foreign' });

      const badMode = await s.mgmt('POST', base, { name: 'x', evaluationMode: 'exclusive' });
      assert.equal(badMode.statusCode, 400);
      assert.equal(badMode.json().errors[0].source.pointer, '/evaluationMode');
      const noName = await s.mgmt('POST', base, { evaluationMode: 'stackable' });
      assert.equal(noName.statusCode, 400);
      const unknownParent = await s.mgmt('POST', base, { name: 'x', evaluationMode: 'stackable', parentId: foreign.id });
      assert.equal(unknownParent.statusCode, 400, "another Application's group is no parent");
      assert.equal(unknownParent.json().errors[0].source.pointer, '/parentId');

      const got = await s.mgmt('GET', `${base}/${child.id}`);
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), child);
      assert.equal((await s.mgmt('GET', `${base}/${foreign.id}`)).statusCode, 404);
      const list = await s.mgmt('GET', base);
      assert.equal(list.statusCode, 200);
      assert.equal(list.json().totalResultSize, 3);
      assert.deepEqual(list.json().data.map((g: Group) => g.id), [top.id, child.id, grandchild.id]);
      assert.deepEqual((await s.mgmt('GET', `${base}?pageSize=1&skip=1`)).json().data.map((g: Group) => g.id), [child.id]);

      // cycles: a group cannot move under itself or one of its descendants
      for (const parentId of [top.id, child.id, grandchild.id]) {
        const r = await s.mgmt('PUT', `${base}/${top.id}`, { name: 'Summer', evaluationMode: 'listOrder', parentId });
        assert.equal(r.statusCode, 400, `parent ${parentId}`);
        assert.equal(r.json().errors[0].source.pointer, '/parentId');
      }
      const put = await s.mgmt('PUT', `${base}/${grandchild.id}`, { name: 'Moved', evaluationMode: 'lowestDiscount', parentId: top.id });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(put.json(), { ...grandchild, name: 'Moved', evaluationMode: 'lowestDiscount', parentId: top.id });
      const toRoot = await s.mgmt('PUT', `${base}/${grandchild.id}`, { name: 'Moved', evaluationMode: 'lowestDiscount', parentId: null });
      assert.equal(toRoot.statusCode, 200, toRoot.body);
      assert.equal(toRoot.json().parentId, undefined);
      assert.equal((await s.mgmt('PUT', `${base}/${foreign.id}`, { name: 'x', evaluationMode: 'stackable' })).statusCode, 404);

      // delete is refused while child groups or campaigns reference the group
      const withChild = await s.mgmt('DELETE', `${base}/${top.id}`);
      assert.equal(withChild.statusCode, 400);
      assert.match(withChild.json().message, /child group/);
      const campaignId = await discountCampaign(s, appId, 1, child.id);
      const withCampaign = await s.mgmt('DELETE', `${base}/${child.id}`);
      assert.equal(withCampaign.statusCode, 400);
      assert.match(withCampaign.json().message, new RegExp(`campaign\\(s\\) ${campaignId}`));
      const unknownGroup = await s.mgmt('PUT', `/v1/applications/${appId}/campaigns/${campaignId}`, { name: 'c', tags: [], features: [], limits: [], evaluationGroupId: foreign.id });
      assert.equal(unknownGroup.statusCode, 400, 'campaigns join only groups of their Application');
      assert.equal((await s.mgmt('DELETE', `/v1/applications/${appId}/campaigns/${campaignId}`)).statusCode, 204);
      assert.equal((await s.mgmt('DELETE', `${base}/${child.id}`)).statusCode, 204);
      assert.equal((await s.mgmt('DELETE', `${base}/${top.id}`)).statusCode, 204);
      assert.equal((await s.mgmt('GET', `${base}/${top.id}`)).statusCode, 404);
      assert.equal((await s.mgmt('DELETE', `${base}/${top.id}`)).statusCode, 404);
      assert.equal((await s.mgmt('DELETE', `${base}/${foreign.id}`)).statusCode, 404);
    }));

    test('modes: listOrder, highestDiscount, lowestDiscount, stackable', async (t) => withServer(kind, t, async (s) => {
      const expected: Record<string, number[]> = { listOrder: [5], highestDiscount: [10], lowestDiscount: [5], stackable: [5, 10] };
      for (const [mode, values] of Object.entries(expected)) {
        const { id: appId, key } = await s.newApplication();
        const group = await newGroup(s, appId, { name: mode, evaluationMode: mode });
        const five = await discountCampaign(s, appId, 5, group.id);
        const ten = await discountCampaign(s, appId, 10, group.id);
        const effects = await effectsOf(s, key, `s-${mode}`);
        assert.deepEqual(effects.map((e) => e.props.value), values, mode);
        assert.deepEqual(effects.map((e) => e.campaignId), values.map((v) => (v === 5 ? five : ten)), mode);
        for (const e of effects) {
          assert.equal(e.effectType, 'setDiscount');
          assert.equal(e.evaluationGroupID, group.id, mode);
          assert.equal(e.evaluationGroupMode, mode);
        }
      }
    }));

    test('a campaign outside any group carries no group fields; a group change applies at once', async (t) => withServer(kind, t, async (s) => {
      const { id: appId, key } = await s.newApplication();
      const loose = await discountCampaign(s, appId, 3);
      const group = await newGroup(s, appId, { name: 'first wins', evaluationMode: 'listOrder' });
      const five = await discountCampaign(s, appId, 5, group.id);
      const ten = await discountCampaign(s, appId, 10, group.id);
      const before = await effectsOf(s, key, 's1');
      assert.deepEqual(before.map((e) => [e.campaignId, e.props.value]), [[loose, 3], [five, 5]]);
      assert.equal('evaluationGroupID' in before[0], false);
      assert.equal('evaluationGroupMode' in before[0], false);
      const put = await s.mgmt('PUT', `/v1/applications/${appId}/campaign_evaluation_groups/${group.id}`, { name: 'best wins', evaluationMode: 'highestDiscount' });
      assert.equal(put.statusCode, 200, put.body);
      const after = await effectsOf(s, key, 's2');
      assert.deepEqual(after.map((e) => [e.campaignId, e.props.value, e.evaluationGroupMode]), [[loose, 3, undefined], [ten, 10, 'highestDiscount']]);
    }));

    test('members (extension) order a listOrder group explicitly; nested groups', async (t) => withServer(kind, t, async (s) => {
      const { id: appId, key } = await s.newApplication();
      const base = `/v1/applications/${appId}/campaign_evaluation_groups`;
      const group = await newGroup(s, appId, { name: 'ordered', evaluationMode: 'listOrder' });
      const five = await discountCampaign(s, appId, 5, group.id);
      const ten = await discountCampaign(s, appId, 10, group.id);
      assert.deepEqual((await effectsOf(s, key, 's1')).map((e) => e.campaignId), [five], 'by campaign id without members');

      const put = await s.mgmt('PUT', `${base}/${group.id}`, { name: 'ordered', evaluationMode: 'listOrder', members: [{ campaignId: ten }, { campaignId: five }] });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(put.json().members, [{ campaignId: ten }, { campaignId: five }]);
      assert.deepEqual((await effectsOf(s, key, 's2')).map((e) => e.campaignId), [ten]);

      const both = await s.mgmt('PUT', `${base}/${group.id}`, { name: 'ordered', evaluationMode: 'listOrder', members: [{ campaignId: ten, groupId: group.id }] });
      assert.equal(both.statusCode, 400);
      assert.equal(both.json().errors[0].source.pointer, '/members/0');
      const unknown = await s.mgmt('PUT', `${base}/${group.id}`, { name: 'ordered', evaluationMode: 'listOrder', members: [{ campaignId: 999999 }] });
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json().errors[0].source.pointer, '/members/0/campaignId');
      const dup = await s.mgmt('PUT', `${base}/${group.id}`, { name: 'ordered', evaluationMode: 'listOrder', members: [{ campaignId: ten }, { campaignId: ten }] });
      assert.equal(dup.statusCode, 400);

      // a stackable sub-group listed first in a listOrder group: it fires, so the group stops there
      const sub = await newGroup(s, appId, { name: 'sub', evaluationMode: 'stackable', parentId: group.id });
      const one = await discountCampaign(s, appId, 1, sub.id);
      const two = await discountCampaign(s, appId, 2, sub.id);
      const put2 = await s.mgmt('PUT', `${base}/${group.id}`, { name: 'ordered', evaluationMode: 'listOrder', members: [{ groupId: sub.id }, { campaignId: ten }] });
      assert.equal(put2.statusCode, 200, put2.body);
      const nested = await effectsOf(s, key, 's3');
      assert.deepEqual(nested.map((e) => [e.campaignId, e.evaluationGroupID, e.evaluationGroupMode]), [[one, sub.id, 'stackable'], [two, sub.id, 'stackable']]);
    }));
  });
}
