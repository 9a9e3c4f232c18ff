import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { profileLockKey } from '../../src/services/profiles/lock.js';
import { getProfile } from '../../src/store/repos/profiles.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';
import { MANAGEMENT_KEY, startTestServer, type TestServer } from '../helpers/server.js';

function assertError(r: LightMyRequestResponse, status: number, source: { pointer?: string; parameter?: string } = {}, title?: string) {
  assert.equal(r.statusCode, status, r.body);
  assert.equal(r.json().StatusCode, status);
  if (status === 400) {
    assert.deepEqual(r.json().errors?.[0]?.source, source, r.body);
    if (title !== undefined) assert.equal(r.json().errors[0].title, title, r.body);
  }
}

const attr = (entity: string, name: string, type: string, eventType?: string) => ({
  entity, name, title: `${name} ${eventType ?? ''}`.trim(), type, description: '', suggestions: [], editable: true, ...(eventType ? { eventType } : {}),
});

interface EventRow { application_id: number; type: string; profile_integration_id: string; session_integration_id: string; store_integration_id: string | null; attributes: string }

for (const kind of STORES) {
  describe(`integration: customer profiles and events (${kind.name})`, () => {
    after(() => kind.cleanup());

    let clock = new Date('2025-06-01T09:00:00Z');
    async function withServer(t: { skip(m: string): void }, fn: (s: TestServer, key: string, appId: number) => Promise<void>) {
      const db = await openTestDatabase(kind);
      if (!db) return t.skip('PostgreSQL not available');
      clock = new Date('2025-06-01T09:00:00Z');
      const s = await startTestServer(db, () => clock);
      try {
        for (const a of [attr('CustomerProfile', 'Tier', 'string'), attr('CustomerProfile', 'Points', 'number'),
          attr('Event', 'url', 'string', 'pageViewed'), attr('Event', 'rating', 'number', 'reviewed')]) {
          const r = await s.mgmt('POST', '/v1/attributes', a);
          assert.equal(r.statusCode, 201, r.body);
        }
        const { id, key } = await s.newApplication();
        await fn(s, key, id);
      } finally {
        await s.close();
      }
    }
    const profile = (s: TestServer, id: string) => s.db.transaction((sql) => getProfile(sql, 1, id));
    const events = (s: TestServer) => s.db.transaction((sql) => sql.all<EventRow>('SELECT * FROM events ORDER BY id'));

    test('updateCustomerProfileV2 without the rule engine: creates, merges attributes by key, records no event', (t) => withServer(t, async (s, key) => {
      const r1 = await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { attributes: { Tier: 'gold' } });
      assert.equal(r1.statusCode, 200, r1.body);
      assert.deepEqual(r1.json(), { effects: [], createdCoupons: [], createdReferrals: [] });
      const p1 = (await profile(s, 'alice'))!;
      assert.deepEqual(p1.attributes, { Tier: 'gold' });
      assert.equal(p1.created, '2025-06-01T09:00:00.000Z');

      clock = new Date('2025-06-02T09:00:00Z');
      const r2 = await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { attributes: { Points: 12.5 } });
      assert.equal(r2.statusCode, 200, r2.body);
      const p2 = (await profile(s, 'alice'))!;
      assert.deepEqual(p2.attributes, { Tier: 'gold', Points: 12.5 });
      assert.equal(p2.lastActivity, '2025-06-01T09:00:00.000Z', 'no rule engine run, no activity');
      assert.equal(p2.id, p1.id);
      assert.deepEqual(await events(s), []);

      // empty body: the profile is created if new, nothing else
      assert.equal((await s.integ(key, 'PUT', '/v2/customer_profiles/bob', {})).statusCode, 200);
      assert.deepEqual((await profile(s, 'bob'))!.attributes, {});

      assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { responseContent: ['customerProfile'] }), 400, { pointer: '/responseContent' });
      assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice?runRuleEngine=false', { responseContent: ['event'] }), 400, { pointer: '/responseContent' });
      // dry only works with runRuleEngine=true: without it the change is kept
      assert.equal((await s.integ(key, 'PUT', '/v2/customer_profiles/alice?dry=true', { attributes: { Tier: 'silver' } })).statusCode, 200);
      assert.equal((await profile(s, 'alice'))!.attributes.Tier, 'silver');
    }));

    test('updateCustomerProfileV2 with the rule engine: profile events, responseContent, dry runs', (t) => withServer(t, async (s, key, appId) => {
      const r1 = await s.integ(key, 'PUT', '/v2/customer_profiles/carol?runRuleEngine=true', {
        attributes: { Tier: 'bronze' }, responseContent: ['customerProfile', 'event', 'triggeredCampaigns', 'ruleFailureReasons', 'loyalty', 'awardedGiveaways'],
        audiencesChanges: { adds: [1], deletes: [] },
      });
      assert.equal(r1.statusCode, 200, r1.body);
      const b1 = r1.json();
      assert.deepEqual(b1.effects, []);
      assert.deepEqual(b1.createdCoupons, []);
      assert.deepEqual(b1.createdReferrals, []);
      assert.deepEqual(b1.triggeredCampaigns, []);
      assert.deepEqual(b1.ruleFailureReasons, []);
      assert.deepEqual(b1.awardedGiveaways, []);
      assert.deepEqual(b1.loyalty, { programs: {} });
      assert.equal(b1.customerProfile.integrationId, 'carol');
      assert.deepEqual(b1.customerProfile.attributes, { Tier: 'bronze' });
      assert.equal(b1.customerProfile.accountId, 1);
      assert.equal(typeof b1.customerProfile.id, 'number');
      assert.equal(b1.event.type, 'talon_profile_created');
      assert.equal(b1.event.applicationId, appId);
      assert.equal(b1.event.profileId, 'carol');
      assert.equal(b1.event.sessionId, undefined);
      assert.ok(b1.event.id > 0);

      clock = new Date('2025-06-03T09:00:00Z');
      const r2 = await s.integ(key, 'PUT', '/v2/customer_profiles/carol?runRuleEngine=true', { attributes: { Points: 3 }, responseContent: ['customerProfile', 'event'] });
      assert.equal(r2.statusCode, 200, r2.body);
      assert.equal(r2.json().event.type, 'talon_profile_updated');
      assert.deepEqual(r2.json().customerProfile.attributes, { Tier: 'bronze', Points: 3 });
      assert.equal(r2.json().customerProfile.lastActivity, '2025-06-03T09:00:00.000Z');
      assert.deepEqual((await events(s)).map((e) => [e.type, e.profile_integration_id, e.session_integration_id]),
        [['talon_profile_created', 'carol', ''], ['talon_profile_updated', 'carol', '']]);

      // the profile is readable through the Management API
      const m = await s.mgmt('GET', `/v1/customers/${b1.customerProfile.id}`);
      assert.equal(m.statusCode, 200, m.body);
      assert.deepEqual(m.json().attributes, { Tier: 'bronze', Points: 3 });

      // dry: the response previews the merge, nothing is stored (neither a new profile nor an event)
      const d1 = await s.integ(key, 'PUT', '/v2/customer_profiles/carol?runRuleEngine=true&dry=true', { attributes: { Tier: 'gold' }, responseContent: ['customerProfile', 'event'] });
      assert.equal(d1.statusCode, 200, d1.body);
      assert.deepEqual(d1.json().customerProfile.attributes, { Tier: 'gold', Points: 3 });
      assert.equal(d1.json().event.type, 'talon_profile_updated');
      const d2 = await s.integ(key, 'PUT', '/v2/customer_profiles/dave?runRuleEngine=true&dry=true', { attributes: { Tier: 'gold' }, responseContent: ['event'] });
      assert.equal(d2.statusCode, 200, d2.body);
      assert.equal(d2.json().event.type, 'talon_profile_created');
      assert.equal((await profile(s, 'carol'))!.attributes.Tier, 'bronze');
      assert.equal(await profile(s, 'dave'), undefined);
      assert.equal((await events(s)).length, 2);
    }));

    test('updateCustomerProfileV2 validation and 409', (t) => withServer(t, async (s, key) => {
      assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { attributes: { Tier: 1 } }), 400, { pointer: '/attributes/Tier' }, 'Invalid type');
      assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { attributes: { Nickname: 'Al' } }), 400, { pointer: '/attributes/Nickname' }, 'Unknown');
      // an Event attribute is not a profile attribute
      assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { attributes: { url: 'x' } }), 400, { pointer: '/attributes/url' }, 'Unknown');
      assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { audiencesChanges: { adds: [] } }), 400, { pointer: '/audiencesChanges/deletes' });
      assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice?runRuleEngine=true', { responseContent: ['coupons'] }), 400, { pointer: '/responseContent/0' });
      assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { attributes: [] }), 400, { pointer: '/attributes' });
      assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice?runRuleEngine=maybe', {}), 400, { parameter: 'runRuleEngine' });
      assertError(await s.integ(key, 'PUT', `/v2/customer_profiles/${'x'.repeat(1001)}`, {}), 400, { parameter: 'integrationId' });
      assert.equal(await profile(s, 'alice'), undefined, 'rejected requests create nothing');

      // defining the attribute afterwards lets the same request through (cache invalidation)
      assert.equal((await s.mgmt('POST', '/v1/attributes', attr('CustomerProfile', 'Nickname', 'string'))).statusCode, 201);
      assert.equal((await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { attributes: { Nickname: 'Al' } })).statusCode, 200);

      // another request holds the profile: fail fast with 409, for the profile and for its events
      s.ctx.inflight.add(profileLockKey('alice'));
      try {
        assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { attributes: { Tier: 'gold' } }), 409);
        assertError(await s.integ(key, 'PUT', '/v2/customer_profiles/alice?runRuleEngine=true', {}), 409);
        assertError(await s.integ(key, 'POST', '/v2/events', { type: 'pageViewed', profileId: 'alice' }), 409);
        assert.equal((await s.integ(key, 'PUT', '/v2/customer_profiles/bob', {})).statusCode, 200, 'other profiles are not blocked');
      } finally {
        s.ctx.inflight.delete(profileLockKey('alice'));
      }
      assert.equal((await profile(s, 'alice'))!.attributes.Tier, undefined);
      assert.equal((await s.integ(key, 'PUT', '/v2/customer_profiles/alice', { attributes: { Tier: 'gold' } })).statusCode, 200);
    }));

    test('concurrent updates of one profile: each answers 200 or 409, and the accepted ones are all kept', (t) => withServer(t, async (s, key) => {
      const rs = await Promise.all([1, 2, 3, 4].map((n) => s.integ(key, 'PUT', '/v2/customer_profiles/erin?runRuleEngine=true', { attributes: { Points: n } })));
      const ok = rs.filter((r) => r.statusCode === 200).length;
      assert.ok(rs.every((r) => r.statusCode === 200 || r.statusCode === 409), rs.map((r) => r.statusCode).join());
      assert.ok(ok >= 1);
      const evs = (await events(s)).filter((e) => e.profile_integration_id === 'erin');
      assert.equal(evs.length, ok);
      assert.equal(evs[0].type, 'talon_profile_created');
    }));

    test('trackEventV2: silent by default, stores the event, creates the profile without a profile event', (t) => withServer(t, async (s, key, appId) => {
      const r = await s.integ(key, 'POST', '/v2/events', { type: 'pageViewed', profileId: 'frank', attributes: { url: '/shoes' }, storeIntegrationId: 'store-1' });
      assert.equal(r.statusCode, 204, r.body);
      assert.equal(r.body, '');
      const p = (await profile(s, 'frank'))!;
      assert.equal(p.integrationId, 'frank');
      const evs = await events(s);
      assert.equal(evs.length, 1, 'no talon_profile_created for auto-created profiles');
      assert.equal(evs[0].type, 'pageViewed');
      assert.equal(Number(evs[0].application_id), appId);
      assert.equal(evs[0].profile_integration_id, 'frank');
      assert.equal(evs[0].session_integration_id, '');
      assert.equal(evs[0].store_integration_id, 'store-1');
      assert.deepEqual(JSON.parse(evs[0].attributes), { url: '/shoes' });

      const v = await s.integ(key, 'POST', '/v2/events?silent=no', { type: 'reviewed', profileId: 'frank', attributes: { rating: 4.5 }, responseContent: ['customerProfile', 'event'] });
      assert.equal(v.statusCode, 200, v.body);
      const b = v.json();
      assert.deepEqual(b.effects, []);
      assert.deepEqual(b.createdCoupons, []);
      assert.deepEqual(b.createdReferrals, []);
      assert.equal(b.customerProfile.id, p.id);
      assert.deepEqual({ ...b.event, id: 0 }, {
        id: 0, created: '2025-06-01T09:00:00.000Z', applicationId: appId, profileId: 'frank', type: 'reviewed', attributes: { rating: 4.5 }, effects: [],
      });
      assert.ok(b.event.id > 0);
      const plain = await s.integ(key, 'POST', '/v2/events?silent=no', { type: 'reviewed', profileId: 'frank' });
      assert.deepEqual(plain.json(), { effects: [], createdCoupons: [], createdReferrals: [] });
      assert.equal((await events(s)).length, 3);

      // dry: nothing is stored, not even the new profile
      const d = await s.integ(key, 'POST', '/v2/events?dry=true&silent=no&forceCompleteEvaluation=true', { type: 'pageViewed', profileId: 'gina', responseContent: ['event', 'customerProfile'] });
      assert.equal(d.statusCode, 200, d.body);
      assert.equal(d.json().event.type, 'pageViewed');
      assert.equal(d.json().customerProfile.integrationId, 'gina');
      assert.equal(await profile(s, 'gina'), undefined);
      assert.equal((await events(s)).length, 3);
    }));

    test('trackEventV2 validation', (t) => withServer(t, async (s, key) => {
      assertError(await s.integ(key, 'POST', '/v2/events', { profileId: 'p' }), 400, { pointer: '/type' }, 'required');
      assertError(await s.integ(key, 'POST', '/v2/events', { type: '', profileId: 'p' }), 400, { pointer: '/type' });
      assertError(await s.integ(key, 'POST', '/v2/events', { type: 'talon_session_created', profileId: 'p' }), 400, { pointer: '/type' });
      assertError(await s.integ(key, 'POST', '/v2/events', { type: 'talon_profile_updated', profileId: 'p' }), 400, { pointer: '/type' });
      assertError(await s.integ(key, 'POST', '/v2/events', { type: 'pageViewed' }), 400, { pointer: '/profileId' }, 'required');
      assertError(await s.integ(key, 'POST', '/v2/events', { type: 'pageViewed', profileId: '' }), 400, { pointer: '/profileId' }, 'required');
      assertError(await s.integ(key, 'POST', '/v2/events', { type: 'pageViewed', profileId: 'p', attributes: { url: 5 } }), 400, { pointer: '/attributes/url' }, 'Invalid type');
      assertError(await s.integ(key, 'POST', '/v2/events', { type: 'pageViewed', profileId: 'p', attributes: { rating: 5 } }), 400, { pointer: '/attributes/rating' }, 'Unknown');
      assertError(await s.integ(key, 'POST', '/v2/events', { type: 'signedUp', profileId: 'p', attributes: { url: '/' } }), 400, { pointer: '/attributes/url' }, 'Unknown');
      assertError(await s.integ(key, 'POST', '/v2/events', { type: 'pageViewed', profileId: 'p', loyaltyCards: ['a', 'b'] }), 400, { pointer: '/loyaltyCards' });
      assertError(await s.integ(key, 'POST', '/v2/events', { type: 'pageViewed', profileId: 'p', storeIntegrationId: '' }), 400, { pointer: '/storeIntegrationId' });
      assertError(await s.integ(key, 'POST', '/v2/events?silent=maybe', { type: 'pageViewed', profileId: 'p' }), 400, { parameter: 'silent' });
      assertError(await s.integ(key, 'POST', '/v2/events?forceCompleteEvaluation=true', { type: 'pageViewed', profileId: 'p' }), 400, { parameter: 'forceCompleteEvaluation' });
      assert.equal(await profile(s, 'p'), undefined);
      assert.deepEqual(await events(s), []);
      // an event type without attributes of its own is fine
      assert.equal((await s.integ(key, 'POST', '/v2/events', { type: 'signedUp', profileId: 'p' })).statusCode, 204);
    }));

    test('401 without or with wrong credentials; profiles are deployment-wide', (t) => withServer(t, async (s, key) => {
      const calls: [string, string, unknown][] = [['PUT', '/v2/customer_profiles/x', {}], ['POST', '/v2/events', { type: 'pageViewed', profileId: 'x' }]];
      for (const [method, url, payload] of calls) {
        for (const headers of [{}, { authorization: 'ApiKey-v1 wrong' }, { authorization: `ManagementKey-v1 ${MANAGEMENT_KEY}` }, { authorization: `ApiKey-v1${key}` }]) {
          assertError(await s.app.inject({ method: method as 'PUT', url, payload: payload as object, headers }), 401);
        }
      }
      assert.equal(await profile(s, 'x'), undefined);

      const other = await s.newApplication({ name: 'Other' });
      assert.equal((await s.integ(key, 'PUT', '/v2/customer_profiles/hank', { attributes: { Tier: 'gold' } })).statusCode, 200);
      const seen = await s.integ(other.key, 'PUT', '/v2/customer_profiles/hank?runRuleEngine=true', { responseContent: ['customerProfile', 'event'] });
      assert.equal(seen.statusCode, 200, seen.body);
      assert.deepEqual(seen.json().customerProfile.attributes, { Tier: 'gold' });
      assert.equal(seen.json().event.type, 'talon_profile_updated');
      assert.equal(seen.json().event.applicationId, other.id);
    }));
  });
}
