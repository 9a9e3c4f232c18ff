/**
 * Rules on custom events (trackEventV2) and profile updates (updateCustomerProfileV2 with
 * runRuleEngine): Event / Profile bound, Session unbound, effects stored with the event, profile
 * attribute writes, rule-created coupons, limits committed at once, dry runs, stores, isolation.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { getProfile } from '../../src/store/repos/profiles.js';
import { STORES } from '../helpers/stores.js';
import { freshTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const attr = (entity: string, name: string, type: string, eventType?: string) => ({
  entity, name, title: name, type, description: '', suggestions: [], editable: true, ...(eventType ? { eventType } : {}),
});

const SIGNUP = ['=', ['.', 'Event', 'Type'], 'newsletter_signup'];
const NOTICE = { title: 'Signup notice', condition: ['and', SIGNUP], effects: [['showNotification', 'info', 'Thanks', ['+', 'Subscribed via ', ['.', 'Event', 'Attributes', 'source']]]] };

async function campaign(s: TestServer, appId: number, rules: unknown[], extra: Json = {}): Promise<{ campaignId: number; rulesetId: number }> {
  const c = await s.mgmt('POST', `/v1/applications/${appId}/campaigns`, { name: 'Events', tags: [], features: ['coupons'], limits: [], ...extra });
  assert.equal(c.statusCode, 201, c.body);
  const r = await s.mgmt('POST', `/v1/applications/${appId}/campaigns/${c.json().id}/rulesets`, { bindings: [], rules, activate: true });
  assert.equal(r.statusCode, 201, r.body);
  return { campaignId: c.json().id, rulesetId: r.json().id };
}

const kinds = (effects: Json[]) => effects.map((e) => e.effectType);

for (const kind of STORES) {
  describe(`rules on events and profile updates (${kind.name})`, () => {
    after(() => kind.cleanup());
    let s: TestServer;
    let now = new Date('2030-05-01T10:00:00Z');
    const start = async (t: { skip(m: string): void }) => {
      now = new Date('2030-05-01T10:00:00Z');
      const fresh = await freshTestServer(kind, t, () => now);
      if (!fresh) return false;
      s = fresh;
      for (const a of [attr('Event', 'source', 'string', 'newsletter_signup'), attr('CustomerProfile', 'Tier', 'string'), attr('CustomerProfile', 'Subscribed', 'boolean')]) {
        const r = await s.mgmt('POST', '/v1/attributes', a);
        assert.equal(r.statusCode, 201, r.body);
      }
      return true;
    };
    const track = (key: string, body: Json, query = 'silent=no') => s.integ(key, 'POST', `/v2/events?${query}`, body);
    const events = () => s.db.transaction((sql) => sql.all<{ application_id: number; type: string; profile_integration_id: string; effects: unknown }>('SELECT * FROM events ORDER BY id'));
    const storedEffects = (e: { effects: unknown }) => (typeof e.effects === 'string' ? JSON.parse(e.effects) : e.effects) as Json[];
    const profile = (id: string) => s.db.transaction((sql) => getProfile(sql, 1, id));
    const count = async (table: string) => Number((await s.db.transaction((sql) => sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)))!.n);

    test('a custom-event rule fires with the session effect shape; the event row stores the effects', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const { campaignId, rulesetId } = await campaign(s, a.id, [NOTICE]);
        const r = await track(a.key, { type: 'newsletter_signup', profileId: 'p1', attributes: { source: 'footer' }, responseContent: ['event', 'triggeredCampaigns', 'ruleFailureReasons'] });
        assert.equal(r.statusCode, 200, r.body);
        const body = r.json();
        const effect = {
          campaignId, rulesetId, ruleIndex: 0, ruleName: 'Signup notice', effectType: 'showNotification',
          props: { notificationType: 'info', title: 'Thanks', body: 'Subscribed via footer' },
        };
        assert.deepEqual(body.effects, [effect]);
        assert.deepEqual(body.createdCoupons, []);
        assert.deepEqual(body.createdReferrals, []);
        assert.deepEqual(body.ruleFailureReasons, []);
        assert.deepEqual(body.triggeredCampaigns.map((c: Json) => [c.id, c.name, c.frontendState]), [[campaignId, 'Events', 'running']]);
        assert.deepEqual(body.event.effects, [effect]);
        const rows = await events();
        assert.equal(rows.length, 1);
        assert.deepEqual(storedEffects(rows[0]), [effect]);

        // another event type: nothing fires, the failure says why
        const other = await track(a.key, { type: 'page_viewed', profileId: 'p1', responseContent: ['ruleFailureReasons', 'triggeredCampaigns'] });
        assert.equal(other.statusCode, 200, other.body);
        assert.deepEqual(other.json().effects, []);
        assert.deepEqual(other.json().triggeredCampaigns, []);
        assert.deepEqual(other.json().ruleFailureReasons, [{
          campaignID: campaignId, campaignName: 'Events', rulesetID: rulesetId, ruleIndex: 0, ruleName: 'Signup notice', conditionIndex: 0, details: 'condition evaluated to false',
        }]);
        assert.deepEqual(storedEffects((await events())[1]), []);
      } finally { await s.close(); }
    });

    test('a rule reading Session fails its condition with a reason, never an error effect; Event and Profile attributes are readable', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const { campaignId } = await campaign(s, a.id, [
          { title: 'Cart rule', condition: ['and', SIGNUP, ['>', ['.', 'Session', 'Total'], 0]], effects: [['showNotification', 'info', 'cart', 'x']] },
          { title: 'Gold', condition: ['and', SIGNUP, ['=', ['.', 'Profile', 'Attributes', 'Tier'], 'gold'], ['=', ['.', 'Event', 'Attributes', 'source'], 'app']],
            effects: [['showNotification', 'info', 'gold', ['.', 'Profile', 'IntegrationId']]] },
        ]);
        assert.equal((await s.integ(a.key, 'PUT', '/v2/customer_profiles/g1', { attributes: { Tier: 'gold' } })).statusCode, 200);
        const r = await track(a.key, { type: 'newsletter_signup', profileId: 'g1', attributes: { source: 'app' }, responseContent: ['ruleFailureReasons'] });
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json().effects.map((e: Json) => [e.ruleName, e.effectType, e.props.body]), [['Gold', 'showNotification', 'g1']]);
        const reasons = r.json().ruleFailureReasons;
        assert.equal(reasons.length, 1);
        assert.deepEqual([reasons[0].campaignID, reasons[0].ruleIndex, reasons[0].conditionIndex], [campaignId, 0, 1]);
        assert.match(reasons[0].details, /^error: .*Session/);
        // another source: the Gold rule fails on its third condition
        const web = await track(a.key, { type: 'newsletter_signup', profileId: 'g1', attributes: { source: 'web' }, responseContent: ['ruleFailureReasons'] });
        assert.deepEqual(web.json().effects, []);
        assert.deepEqual(web.json().ruleFailureReasons.map((f: Json) => [f.ruleIndex, f.conditionIndex]), [[0, 1], [1, 2]]);
        // an *effect* reading Session is an evaluation error of a rule that fired, as for any unbound root: an error effect
        const b = await s.newApplication();
        const { campaignId: ec, rulesetId: er } = await campaign(s, b.id, [{ title: 'Cart discount', condition: ['and', SIGNUP], effects: [['setDiscount', 'ten', ['*', ['.', 'Session', 'Total'], 0.1]]] }]);
        const err = await track(b.key, { type: 'newsletter_signup', profileId: 'g1' });
        assert.equal(err.statusCode, 200, err.body);
        assert.deepEqual(err.json().effects.map((e: Json) => [e.campaignId, e.rulesetId, e.effectType]), [[ec, er, 'error']]);
        assert.match(err.json().effects[0].props.message, /Session/);
      } finally { await s.close(); }
    });

    test('profile updates with runRuleEngine: created vs updated event types, Profile after the merge; runRuleEngine=false runs nothing', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const { campaignId } = await campaign(s, a.id, [
          { title: 'Welcome', condition: ['and', ['=', ['.', 'Event', 'Type'], 'talon_profile_created']], effects: [['showNotification', 'info', 'Welcome', ['.', 'Profile', 'IntegrationId']]] },
          { title: 'Went gold', condition: ['and', ['=', ['.', 'Event', 'Type'], 'talon_profile_updated'], ['=', ['.', 'Profile', 'Attributes', 'Tier'], 'gold']],
            effects: [['showNotification', 'info', 'Gold', 'now gold']] },
        ]);
        const url = (q: string) => `/v2/customer_profiles/ann${q}`;
        const created = await s.integ(a.key, 'PUT', url('?runRuleEngine=true'), { attributes: { Tier: 'silver' }, responseContent: ['event', 'triggeredCampaigns'] });
        assert.equal(created.statusCode, 200, created.body);
        assert.deepEqual(created.json().effects.map((e: Json) => [e.campaignId, e.ruleName, e.props.body]), [[campaignId, 'Welcome', 'ann']]);
        assert.equal(created.json().event.type, 'talon_profile_created');
        assert.deepEqual(created.json().event.effects, created.json().effects);
        assert.deepEqual(created.json().triggeredCampaigns.map((c: Json) => c.id), [campaignId]);

        const silver = await s.integ(a.key, 'PUT', url('?runRuleEngine=true'), { attributes: { Tier: 'silver' } });
        assert.deepEqual(silver.json().effects, []);
        const gold = await s.integ(a.key, 'PUT', url('?runRuleEngine=true'), { attributes: { Tier: 'gold' }, responseContent: ['event'] });
        assert.deepEqual(gold.json().effects.map((e: Json) => e.ruleName), ['Went gold']);
        assert.equal(gold.json().event.type, 'talon_profile_updated');

        // without the rule engine: no effects, no event, even though the rule would match
        const quiet = await s.integ(a.key, 'PUT', url(''), { attributes: { Tier: 'gold' } });
        assert.deepEqual(quiet.json(), { effects: [], createdCoupons: [], createdReferrals: [] });
        const rows = await events();
        assert.deepEqual(rows.map((e) => [e.type, storedEffects(e).map((x) => x.ruleName)]), [
          ['talon_profile_created', ['Welcome']], ['talon_profile_updated', []], ['talon_profile_updated', ['Went gold']],
        ]);
        // custom events never match the built-in profile types
        assert.deepEqual((await track(a.key, { type: 'profile_updated', profileId: 'ann' })).json().effects, []);
      } finally { await s.close(); }
    });

    test('set effects on Profile.Attributes are written (events and profile updates); Session writes are ignored', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        assert.equal((await s.mgmt('POST', '/v1/attributes', attr('CustomerSession', 'Promo', 'string'))).statusCode, 201);
        await campaign(s, a.id, [
          { title: 'Subscribe', condition: ['and', SIGNUP], effects: [['updateAttribute', 'Profile.Attributes.Subscribed', true], ['updateAttribute', 'Session.Attributes.Promo', 'x']] },
          { title: 'Tier on create', condition: ['and', ['=', ['.', 'Event', 'Type'], 'talon_profile_created']], effects: [['updateAttribute', 'Profile.Attributes.Tier', 'bronze']] },
        ]);
        const r = await track(a.key, { type: 'newsletter_signup', profileId: 'sub1', responseContent: ['customerProfile'] });
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json().effects.map((e: Json) => [e.effectType, e.props]), [
          ['set', { path: 'Profile.Attributes.Subscribed', value: true }], ['set', { path: 'Session.Attributes.Promo', value: 'x' }],
        ]);
        assert.deepEqual(r.json().customerProfile.attributes, { Subscribed: true });
        assert.deepEqual((await profile('sub1'))!.attributes, { Subscribed: true });
        assert.equal((await profile('sub1'))!.lastActivity, now.toISOString());

        // the profile update's own attributes are merged first, the rule's writes on top
        const p = await s.integ(a.key, 'PUT', '/v2/customer_profiles/sub2?runRuleEngine=true', { attributes: { Tier: 'gold', Subscribed: false }, responseContent: ['customerProfile'] });
        assert.equal(p.statusCode, 200, p.body);
        assert.deepEqual(p.json().customerProfile.attributes, { Tier: 'bronze', Subscribed: false });
        assert.deepEqual((await profile('sub2'))!.attributes, { Tier: 'bronze', Subscribed: false });
        // a dry run previews the effect and writes nothing
        const dry = await s.integ(a.key, 'POST', '/v2/events?silent=no&dry=true', { type: 'newsletter_signup', profileId: 'sub2' });
        assert.equal(dry.json().effects[0].effectType, 'set');
        assert.deepEqual((await profile('sub2'))!.attributes, { Tier: 'bronze', Subscribed: false });
      } finally { await s.close(); }
    });

    test('rule-created coupons are persisted and returned in createdCoupons; a campaign limit is counted by events and then drops the effect', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const { campaignId } = await campaign(s, a.id, [{ title: 'Signup gift', condition: ['and', SIGNUP], effects: [['createCoupon']] }],
          { limits: [{ action: 'createCoupon', limit: 2, entities: [] }], // 2^16 codes: rule-created codes are not regenerated on a collision (409), so the space must not be tiny
          couponSettings: { couponPattern: 'HELLO-################', validCharacters: ['A', 'B'] } });
        const first = await track(a.key, { type: 'newsletter_signup', profileId: 'c1', responseContent: ['ruleFailureReasons'] });
        assert.equal(first.statusCode, 200, first.body);
        const coupons = first.json().createdCoupons;
        assert.equal(coupons.length, 1);
        assert.match(coupons[0].value, /^HELLO-[AB]{16}$/);
        assert.equal(coupons[0].recipientIntegrationId, 'c1');
        assert.equal(coupons[0].campaignId, campaignId);
        assert.equal(coupons[0].usageLimit, 1);
        assert.equal(typeof coupons[0].id, 'number');
        assert.equal(coupons[0].discountCounter, 0);
        assert.deepEqual(first.json().effects.map((e: Json) => [e.effectType, e.props]), [['couponCreated', { value: coupons[0].value, profileId: 'c1' }]]);
        // the code is real: it shows in the Management API list
        const listed = await s.mgmt('GET', `/v1/applications/${a.id}/campaigns/${campaignId}/coupons/no_total`);
        assert.deepEqual(listed.json().data.map((c: Json) => c.value), [coupons[0].value]);

        // silent (204) still evaluates and commits
        const silent = await s.integ(a.key, 'POST', '/v2/events', { type: 'newsletter_signup', profileId: 'c2' });
        assert.equal(silent.statusCode, 204);
        assert.equal(silent.body, '');
        assert.equal(await count('coupons'), 2);
        assert.deepEqual(kinds(storedEffects((await events())[1])), ['couponCreated']);

        const third = await track(a.key, { type: 'newsletter_signup', profileId: 'c3', responseContent: ['ruleFailureReasons'] });
        assert.deepEqual(third.json().effects, []);
        assert.deepEqual(third.json().createdCoupons, []);
        assert.equal(third.json().ruleFailureReasons[0].details, 'budget exhausted: createCoupon');
        assert.equal(await count('coupons'), 2);
        const counters = await s.db.transaction((sql) => sql.all<{ action: string; counter: string }>('SELECT action, counter FROM limit_counters WHERE campaign_id = ?', [campaignId]));
        assert.deepEqual(counters.map((c) => [c.action, Number(c.counter)]), [['createCoupon', 2]]);
      } finally { await s.close(); }
    });

    test('a per-profile customEffect limit is committed by the event itself (events are final)', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const ce = await s.mgmt('POST', '/v1/custom_effects', {
          applicationIds: [a.id], name: 'SendVoucher', title: 'Send voucher', description: '', enabled: true, payload: '{"channel":"${channel}"}',
          params: [{ name: 'channel', type: 'string', title: 'Channel' }],
        });
        assert.equal(ce.statusCode, 201, ce.body);
        const { campaignId, rulesetId } = await campaign(s, a.id, [{ title: 'Voucher', condition: ['and', SIGNUP],
          effects: [['customEffect', 'SendVoucher', ['kv', ['channel', ['.', 'Event', 'Attributes', 'source']]]]] }],
        { limits: [{ action: 'customEffect', limit: 1, entities: ['Profile'] }] });
        const send = (profileId: string) => track(a.key, { type: 'newsletter_signup', profileId, attributes: { source: 'mail' } });
        const r = await send('v1');
        assert.deepEqual(r.json().effects, [{
          campaignId, rulesetId, ruleIndex: 0, ruleName: 'Voucher', effectType: 'customEffect', props: { effectId: ce.json().id, name: 'SendVoucher', payload: { channel: 'mail' } },
        }]);
        assert.deepEqual((await send('v1')).json().effects, []);
        assert.deepEqual(kinds((await send('v2')).json().effects), ['customEffect']);
        const counters = await s.db.transaction((sql) => sql.all<{ bucket: string; counter: string }>('SELECT bucket, counter FROM limit_counters WHERE campaign_id = ? ORDER BY bucket', [campaignId]));
        assert.deepEqual(counters.map((c) => [c.bucket, Number(c.counter)]), [['Profile=v1', 1], ['Profile=v2', 1]]);
      } finally { await s.close(); }
    });

    test('concurrent events from many profiles never exceed a campaign-wide limit', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const { campaignId } = await campaign(s, a.id, [{ title: 'first seven', condition: ['and', SIGNUP], effects: [['createCoupon']] }],
          { limits: [{ action: 'createCoupon', limit: 7, entities: [] }] });
        const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => track(a.key, { type: 'newsletter_signup', profileId: `race-${i}` })));
        for (const r of rs) assert.equal(r.statusCode, 200, r.body);
        assert.equal(rs.filter((r) => r.json().createdCoupons.length === 1).length, 7);
        assert.equal(await count('coupons'), 7);
        const c = await s.db.transaction((sql) => sql.get<{ counter: string }>("SELECT counter FROM limit_counters WHERE campaign_id = ? AND action = 'createCoupon'", [campaignId]));
        assert.equal(Number(c!.counter), 7);
      } finally { await s.close(); }
    });

    test('dry runs persist nothing and honour evaluableCampaignIds on a disabled campaign', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const gift = await campaign(s, a.id, [{ title: 'gift', condition: ['and', SIGNUP], effects: [['createCoupon'], ['updateAttribute', 'Profile.Attributes.Subscribed', true]] }],
          { limits: [{ action: 'createCoupon', limit: 5, entities: [] }] });
        const off = await campaign(s, a.id, [{ title: 'off', condition: ['and', true], effects: [['showNotification', 'info', 'disabled', 'x']] }], { name: 'Off', state: 'disabled' });

        const dry = await track(a.key, { type: 'newsletter_signup', profileId: 'd1', responseContent: ['event', 'customerProfile'] }, 'silent=no&dry=true');
        assert.equal(dry.statusCode, 200, dry.body);
        assert.deepEqual(kinds(dry.json().effects), ['couponCreated', 'set']);
        assert.deepEqual(dry.json().createdCoupons, []);
        assert.equal(dry.json().event.id, 0);
        assert.deepEqual(dry.json().customerProfile.attributes, {});
        assert.equal(await profile('d1'), undefined);
        assert.deepEqual(await events(), []);
        assert.equal(await count('coupons'), 0);
        const counters = await s.db.transaction((sql) => sql.all<{ counter: string }>("SELECT counter FROM limit_counters WHERE counter <> '0'"));
        assert.deepEqual(counters, []);

        // exactly the listed campaigns, even a disabled one
        const only = await track(a.key, { type: 'newsletter_signup', profileId: 'd1', evaluableCampaignIds: [off.campaignId] }, 'silent=no&dry=true');
        assert.deepEqual(only.json().effects.map((e: Json) => [e.campaignId, e.props.title]), [[off.campaignId, 'disabled']]);
        const pDry = await s.integ(a.key, 'PUT', '/v2/customer_profiles/d2?runRuleEngine=true&dry=true', { evaluableCampaignIds: [off.campaignId] });
        assert.deepEqual(pDry.json().effects.map((e: Json) => e.campaignId), [off.campaignId]);
        assert.equal(await profile('d2'), undefined);
        // not dry: evaluableCampaignIds is ignored and the disabled campaign does not run
        const real = await track(a.key, { type: 'newsletter_signup', profileId: 'd1', evaluableCampaignIds: [off.campaignId] });
        assert.deepEqual(real.json().effects.map((e: Json) => e.campaignId), [gift.campaignId, gift.campaignId]);
        assert.equal(await count('coupons'), 1);
      } finally { await s.close(); }
    });

    test('store-linked campaigns run only for events naming a linked store; never on profile updates', async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const st = await s.mgmt('POST', `/v1/applications/${a.id}/stores`, { name: 'Berlin', description: '', integrationId: 'berlin' });
        assert.equal(st.statusCode, 201, st.body);
        assert.equal((await s.mgmt('POST', `/v1/applications/${a.id}/stores`, { name: 'Paris', description: '', integrationId: 'paris' })).statusCode, 201);
        await campaign(s, a.id, [{ title: 'store', condition: ['and', true], effects: [['showNotification', 'info', 'store', ['.', 'Store', 'Name']]] }], { linkedStoreIds: [st.json().id] });
        const body = (storeIntegrationId?: string) => track(a.key, { type: 'visit', profileId: 's1', ...(storeIntegrationId ? { storeIntegrationId } : {}) });
        assert.deepEqual((await body('berlin')).json().effects.map((e: Json) => e.props.body), ['Berlin']);
        assert.deepEqual((await body('paris')).json().effects, []);
        assert.deepEqual((await body('unknown')).json().effects, []);
        assert.deepEqual((await body()).json().effects, []);
        assert.deepEqual((await s.integ(a.key, 'PUT', '/v2/customer_profiles/s1?runRuleEngine=true', {})).json().effects, []);
      } finally { await s.close(); }
    });

    test("one Application's campaigns never run for another Application's events", async (t) => {
      if (!(await start(t))) return;
      try {
        const a = await s.newApplication();
        const b = await s.newApplication({ name: 'Other' });
        const { campaignId } = await campaign(s, a.id, [NOTICE]);
        const rb = await track(b.key, { type: 'newsletter_signup', profileId: 'x1', attributes: { source: 'b' }, responseContent: ['triggeredCampaigns'] });
        assert.deepEqual(rb.json().effects, []);
        assert.deepEqual(rb.json().triggeredCampaigns, []);
        assert.deepEqual((await s.integ(b.key, 'PUT', '/v2/customer_profiles/x1?runRuleEngine=true', {})).json().effects, []);
        const ra = await track(a.key, { type: 'newsletter_signup', profileId: 'x1', attributes: { source: 'a' } });
        assert.deepEqual(ra.json().effects.map((e: Json) => e.campaignId), [campaignId]);
        assert.deepEqual((await events()).map((e) => [Number(e.application_id), storedEffects(e).length]), [[b.id, 0], [b.id, 0], [a.id, 1]]);
      } finally { await s.close(); }
    });
  });
}
