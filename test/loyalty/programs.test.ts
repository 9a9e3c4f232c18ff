/** Loyalty programs: create, update, get, list (our create/update extensions and 25.17's reads), on both stores. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { repoRoot } from '../compat/sdk-calls.js';
import { withTestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { newProgram } from './helpers.js';

/** Talon.One's 25.17 LoyaltyProgram and LoyaltyTier schemas (test/fixtures/talon-one-25.17-schemas.json). */
function referenceValidator() {
  const fixture = JSON.parse(readFileSync(new URL('test/fixtures/talon-one-25.17-schemas.json', repoRoot()), 'utf8')) as { schemas: Record<string, object> };
  const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default; // CommonJS, function on `default`
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const f of ['int64', 'int32', 'double', 'float']) ajv.addFormat(f, true);
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', 'ref:') : rewrite(v)]));
  };
  for (const [name, schema] of Object.entries(fixture.schemas)) ajv.addSchema({ ...(rewrite(schema) as object), $id: `ref:${name}` });
  return ajv.getSchema('ref:LoyaltyProgram')!;
}

for (const kind of STORES) {
  describe(`loyalty programs (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('create answers the LoyaltyProgram; get and list return it', (t) => withTestServer(kind, t, async (s) => {
      const app = await s.newApplication();
      const r = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], {
        name: 'gold', description: 'our program', defaultValidity: '1Y_U', defaultPending: '14D', programJoinPolicy: 'points_earned',
        returnPolicy: 'within_balance', timezone: 'Europe/Berlin', tiers: [{ name: 'Silver', minPoints: 100 }, { name: 'Gold', minPoints: 500.5 }],
        cardCodeSettings: { validCharacters: ['A', 'B'], couponPattern: 'CARD-####' }, tiersExpirationPolicy: 'tier_start_date', tiersExpireIn: '1Y', tiersDowngradePolicy: 'one_down',
      }));
      assert.equal(r.statusCode, 201, r.body);
      const p = r.json();
      assert.equal(typeof p.id, 'number');
      assert.deepEqual({ ...p, id: 0, created: '', tiers: p.tiers.map((x: any) => ({ ...x, id: 0, created: '' })) }, {
        id: 0, created: '', title: 'Points', description: 'our program', subscribedApplications: [app.id], defaultValidity: '1Y_U', defaultPending: '14D',
        allowSubledger: true, sandbox: false, programJoinPolicy: 'points_earned', returnPolicy: 'within_balance', timezone: 'Europe/Berlin', cardBased: false,
        name: 'gold', accountID: 1, cardCodeSettings: { validCharacters: ['A', 'B'], couponPattern: 'CARD-####' },
        tiersExpirationPolicy: 'tier_start_date', tiersExpireIn: '1Y', tiersDowngradePolicy: 'one_down',
        tiers: [
          { id: 0, created: '', programID: p.id, programName: 'gold', programTitle: 'Points', name: 'Silver', minPoints: 100 },
          { id: 0, created: '', programID: p.id, programName: 'gold', programTitle: 'Points', name: 'Gold', minPoints: 500.5 },
        ],
        canUpdateTiers: true, canUpdateTierExpirationPolicy: true, canUpgradeToAdvancedTiers: false, canUpdateSubledgers: true,
      });
      assert.deepEqual((await s.mgmt('GET', `/v1/loyalty_programs/${p.id}`)).json(), p);
      const conforms = referenceValidator();
      assert.ok(conforms(p), JSON.stringify(conforms.errors));
      assert.equal(conforms({ ...p, tiers: [{ name: 'x' }] }), false, 'the check is not vacuous');
      const list = await s.mgmt('GET', '/v1/loyalty_programs');
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json(), { totalResultSize: 1, data: [p] });
      assert.equal((await s.mgmt('GET', '/v1/loyalty_programs/999')).statusCode, 404);
      const dup = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { name: 'gold' }));
      assert.equal(dup.statusCode, 409, dup.body);
    }));

    test('malformed settings are 400s naming the field', (t) => withTestServer(kind, t, async (s) => {
      const app = await s.newApplication();
      const sandboxApp = await s.newApplication({ sandbox: true });
      const cases: [Record<string, unknown>, string][] = [
        [{ defaultValidity: '30d' }, '/defaultValidity'],
        [{ defaultValidity: 'on_action' }, '/defaultValidity'],
        [{ defaultPending: 'unlimited' }, '/defaultPending'],
        [{ defaultPending: '1M_D' }, '/defaultPending'],
        [{ tiersExpireIn: 'forever' }, '/tiersExpireIn'],
        [{ timezone: 'Mars/Olympus' }, '/timezone'],
        [{ subscribedApplications: [app.id, sandboxApp.id] }, '/subscribedApplications/1'],
        [{ subscribedApplications: [9999] }, '/subscribedApplications/0'],
        [{ tiers: [{ name: 'A', minPoints: 1 }, { name: 'A', minPoints: 2 }] }, '/tiers/1/name'],
        [{ tiersExpirationPolicy: 'absolute_expiration' }, '/tierCycleStartDate'],
      ];
      for (const [extra, pointer] of cases) {
        const r = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], extra));
        assert.equal(r.statusCode, 400, `${JSON.stringify(extra)}: ${r.body}`);
        assert.equal(r.json().errors[0].source.pointer, pointer, r.body);
      }
      const missing = await s.mgmt('POST', '/v1/loyalty_programs', { title: 'x' });
      assert.equal(missing.statusCode, 400);
      const sandboxed = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([sandboxApp.id], { sandbox: true }));
      assert.equal(sandboxed.statusCode, 201, sandboxed.body);
    }));

    test('update changes what it names; tiers and subledger settings are fixed once transactions exist', (t) => withTestServer(kind, t, async (s) => {
      const app = await s.newApplication();
      const app2 = await s.newApplication();
      const p = (await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { tiers: [{ name: 'Silver', minPoints: 100 }] }))).json();
      const u = await s.mgmt('PUT', `/v1/loyalty_programs/${p.id}`, { title: 'Renamed', subscribedApplications: [app.id, app2.id], tiers: [{ name: 'Bronze', minPoints: 50 }], defaultValidity: '30D' });
      assert.equal(u.statusCode, 200, u.body);
      assert.deepEqual([u.json().title, u.json().subscribedApplications, u.json().tiers.map((x: any) => x.name), u.json().defaultValidity, u.json().name],
        ['Renamed', [app.id, app2.id], ['Bronze'], '30D', p.name]);
      const bad = await s.mgmt('PUT', `/v1/loyalty_programs/${p.id}`, { defaultPending: 'later' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].source.pointer, '/defaultPending');
      assert.equal((await s.mgmt('PUT', '/v1/loyalty_programs/999', { title: 'x' })).statusCode, 404);

      assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${p.id}/profile/alice/add_points`, { points: 10 })).statusCode, 204);
      const after = (await s.mgmt('GET', `/v1/loyalty_programs/${p.id}`)).json();
      assert.deepEqual([after.canUpdateTiers, after.canUpdateTierExpirationPolicy, after.canUpdateSubledgers], [false, false, false]);
      for (const [body, pointer] of [[{ tiers: [{ name: 'Gold', minPoints: 500 }] }, '/tiers'], [{ allowSubledger: false }, '/allowSubledger'], [{ tiersExpireIn: '1Y' }, '/tiersExpireIn']] as const) {
        const r = await s.mgmt('PUT', `/v1/loyalty_programs/${p.id}`, body);
        assert.equal(r.statusCode, 400, r.body);
        assert.equal(r.json().errors[0].source.pointer, pointer);
        assert.equal(r.json().errors[0].title, 'Immutable');
      }
      // the same tiers again, and other settings, still go through
      const same = await s.mgmt('PUT', `/v1/loyalty_programs/${p.id}`, { tiers: [{ name: 'Bronze', minPoints: 50 }], allowSubledger: true, title: 'Again' });
      assert.equal(same.statusCode, 200, same.body);
      assert.equal(same.json().title, 'Again');
      assert.deepEqual(same.json().tiers.map((x: any) => [x.id, x.created]), after.tiers.map((x: any) => [x.id, x.created]), 'unchanged tiers keep their rows');
    }));
  });
}
