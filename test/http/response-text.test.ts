/**
 * The session update stores its effects once, with its event, and answers with the effects' stored JSON text spliced into the serializer's output
 * (http/shape.ts integrationStateText); dry runs keep nothing (the text they store is rolled back) and take the serializer's own path. The
 * two texts of the same effects must be the same bytes, for every kind of value an effect carries.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { STORES } from '../helpers/stores.js';
import { withTestServer, type TestServer } from '../helpers/server.js';

const RULES = [
  { title: 'cart "quoted" \\ ünïcödé \u2028', condition: ['and', ['>', ['.', 'Session', 'Total'], 1]], effects: [
    ['setDiscount', 'ten "%" \\ off', ['*', ['.', 'Session', 'Total'], ['/', 10, 100]]],
    ['showNotification', 'info', 'tab\there', ['+', 'line\nbreak ', ['.', 'Session', 'IntegrationId']]],
    ['addFreeItem', 'MUG-01', 'Free mug'],
  ] },
  {
    title: 'items',
    bindings: [{ name: 'All', type: 'cartItemFilter', expression: ['filter', ['.', 'Session', 'CartItems'], [['Item'], true]] }],
    condition: ['and', true],
    effects: [['map', ['.', 'All'], [['Item'], ['setDiscountPerItem', 'a third', ['/', ['.', 'Item', 'Price'], 3], ['.', 'Item']]]]],
  },
];

async function campaign(s: TestServer, appId: number): Promise<void> {
  // in an evaluation group, so that effects carry the optional envelope fields too
  const g = await s.mgmt('POST', `/v1/applications/${appId}/campaign_evaluation_groups`, { name: 'g', evaluationMode: 'stackable' });
  assert.equal(g.statusCode, 201, g.body);
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'C', tags: [], features: [], limits: [], evaluationGroupId: g.json().id });
  assert.equal(c.statusCode, 201, c.body);
  const r = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json().id}/rulesets`, { bindings: [], rules: RULES, activate: true });
  assert.equal(r.statusCode, 201, r.body);
}

/** The raw text of the top-level effects list (it is the first property, createdCoupons the second). */
function effectsText(body: string): string {
  assert.ok(body.startsWith('{"effects":['), body.slice(0, 40));
  const end = body.indexOf(',"createdCoupons":');
  assert.ok(end > 0);
  return body.slice('{"effects":'.length, end);
}

for (const kind of STORES) {
  describe(`session update response text (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('the stored effects text sent with the response is the serializer\'s text', async (t) => withTestServer(kind, t, async (s) => {
      const { id, key } = await s.newApplication({ enablePartialDiscounts: true });
      await campaign(s, id);
      const attr = await s.mgmt('POST', '/v1/attributes', {
        entity: 'CustomerSession', name: 'note', title: 'Note', type: 'string', description: '', suggestions: [], editable: true,
      });
      assert.equal(attr.statusCode, 201, attr.body);
      const payload = {
        customerSession: {
          profileId: 'p1', attributes: { note: '{"effects":[]' },
          cartItems: [
            { sku: 'A', quantity: 1, price: 0.1 }, { sku: 'B', quantity: 2, price: 0.2 }, { sku: 'C "q"', quantity: 1, price: 66.66 },
          ],
        },
        responseContent: ['customerSession', 'customerProfile', 'event', 'triggeredCampaigns'],
      };
      const dry = await s.integ(key, 'PUT', '/v2/customer_sessions/s1?dry=true', payload);
      assert.equal(dry.statusCode, 200, dry.body);
      const real = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', payload);
      assert.equal(real.statusCode, 200, real.body);
      assert.match(String(real.headers['content-type']), /^application\/json; charset=utf-8$/);

      const text = effectsText(real.body);
      assert.equal(text, effectsText(dry.body));
      const effects = real.json().effects;
      assert.equal(effects.length, 7);
      assert.deepEqual(effects.map((e: { effectType: string }) => e.effectType),
        ['setDiscount', 'showNotification', 'addFreeItem', 'setDiscountPerItem', 'setDiscountPerItem', 'setDiscountPerItem', 'setDiscountPerItem']);
      // exact decimals, unrounded: 10 % of 67.16 and a third of 0.2
      assert.equal(effects[0].props.value, 6.716);
      assert.equal(effects[4].props.value, 0.06666666666666667);
      assert.equal(effects[0].props.name, 'ten "%" \\ off');
      assert.equal(typeof effects[0].evaluationGroupID, 'number');
      assert.equal(effects[0].evaluationGroupMode, 'stackable');
      // the rest of the body is the serializer's: the event carries the same effects, the attribute
      // that mimics the list's opening stays data
      const body = real.json();
      assert.deepEqual(body.event.effects, effects);
      assert.deepEqual(body.customerSession.attributes, { note: '{"effects":[]' });
      assert.equal(body.createdCoupons.length, 0);
      assert.equal(body.triggeredCampaigns.length, 1);
      assert.equal(body.customerProfile.integrationId, 'p1');

      // the event stores the list; the session row points at it instead of keeping a second copy
      const row = async () => s.db.transaction((sql) => sql.get<{ effects: string; effects_event_id: number | string | null }>(
        "SELECT effects, effects_event_id FROM sessions WHERE integration_id = 's1'"));
      const pointing = await row();
      assert.equal(pointing?.effects, '');
      assert.equal(Number(pointing?.effects_event_id), body.event.id);
      // GET answers the stored list, parsed and serialised again: the same text
      const got = await s.integ(key, 'GET', '/v2/customer_sessions/s1');
      assert.equal(got.statusCode, 200, got.body);
      assert.deepEqual(got.json().effects, effects);
      const cancelled = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', { customerSession: { state: 'cancelled' } });
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.equal(effectsText(cancelled.body), '[]');
      // the cancellation's own event (with its empty list) is what the row points at now
      const after = await row();
      assert.equal(after?.effects, '');
      assert.ok(Number(after?.effects_event_id) > body.event.id, JSON.stringify(after));
      assert.deepEqual((await s.integ(key, 'GET', '/v2/customer_sessions/s1')).json().effects, []);
    }));
  });
}
