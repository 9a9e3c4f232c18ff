/**
 * Loyalty through Talon.One's official JavaScript SDK (`talon_one` 4.3.0, the older API's client): programs
 * read and points added, deducted, listed and exported, parsed into the SDK's own models. 4.3.0's
 * LoyaltyPoints body spells the subledger `subLedgerID` (accepted as an alias, docs/loyalty.md); its
 * LoyaltyProgram predates `tiers`.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { ADMIN, listeningTestServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { newProgram } from '../loyalty/helpers.js';
import { recordSdkCalls } from './sdk-calls.js';

const require = createRequire(import.meta.url);
// CommonJS, generated code: typed loosely on purpose, the point is what it does at run time
const TalonOne: any = require('talon_one');

for (const kind of STORES) {
  describe(`talon_one 4.3.0 SDK, loyalty (${kind.name})`, () => {
    const servers: TestServer[] = [];
    after(async () => {
      for (const s of servers) await s.close();
      await kind.cleanup();
    });

    test('programs, points, the ledger and its export', async (t) => {
      const up = await listeningTestServer(kind, t, servers);
      if (!up) return;
      const { s, port } = up;
      const app = await s.newApplication();
      const created = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { name: 'sdk', tiers: [{ name: 'Gold', minPoints: 100 }] }));
      assert.equal(created.statusCode, 201, created.body);
      const pid = created.json().id as number;

      const client = new TalonOne.ApiClient();
      client.basePath = `http://127.0.0.1:${port}`;
      const login = await new TalonOne.ManagementApi(client).createSession(new TalonOne.LoginParams(ADMIN.email, ADMIN.password));
      client.authentications.manager_auth.apiKey = login.token;
      client.authentications.manager_auth.apiKeyPrefix = 'Bearer';
      const mgmt = new TalonOne.ManagementApi(client);

      const program = await mgmt.getLoyaltyProgram(pid);
      assert.ok(program instanceof TalonOne.LoyaltyProgram);
      assert.deepEqual([program.id, program.name, program.title, program.subscribedApplications, program.defaultValidity, program.defaultPending, program.allowSubledger, program.accountID],
        [pid, 'sdk', 'Points', [app.id], 'unlimited', 'immediate', true, 1]);
      // 4.3.0's LoyaltyProgram predates tiers: parsed away
      const programs = await mgmt.getLoyaltyPrograms();
      assert.equal(programs.totalResultSize, 1);
      assert.ok(programs.data[0] instanceof TalonOne.LoyaltyProgram);

      await mgmt.addLoyaltyPoints(String(pid), 'sdk-profile', new TalonOne.LoyaltyPoints(110.5));
      await mgmt.addLoyaltyPoints(String(pid), 'sdk-profile', Object.assign(new TalonOne.LoyaltyPoints(20), { name: 'fuel', subLedgerID: 'fuel', validityDuration: '30D' }));
      await mgmt.removeLoyaltyPoints(String(pid), 'sdk-profile', Object.assign(new TalonOne.LoyaltyPoints(10.25), { name: 'spent' }));
      const refused = await mgmt.removeLoyaltyPoints(String(pid), 'sdk-profile', new TalonOne.LoyaltyPoints(1000)).then(() => undefined, (e: any) => e);
      assert.equal(refused?.status, 400);

      const ledger = await mgmt.getLoyaltyPoints(String(pid), 'sdk-profile');
      assert.ok(ledger instanceof TalonOne.LoyaltyLedger);
      assert.ok(ledger.ledger instanceof TalonOne.LoyaltySubLedger);
      assert.deepEqual([ledger.ledger.total, ledger.ledger.totalActivePoints, ledger.ledger.totalSpentPoints], [100.25, 100.25, 10.25]);
      assert.ok(ledger.ledger.transactions[0] instanceof TalonOne.LoyaltyLedgerEntry);
      assert.deepEqual(ledger.ledger.transactions.map((e: any) => [e.type, e.amount, e.name]), [['subtraction', 10.25, 'spent'], ['addition', 110.5, '']]);
      assert.ok(ledger.ledger.transactions[0].created instanceof Date);
      assert.equal(ledger.subLedgers.fuel.totalActivePoints, 20);
      assert.ok(ledger.subLedgers.fuel.activePoints[0].expiryDate instanceof Date);

      const csv = await mgmt.exportLoyaltyLedger(new Date('2000-01-01T00:00:00Z'), new Date('2100-01-01T00:00:00Z'), String(pid), 'sdk-profile', { dateFormat: 'ISO8601' });
      const text = typeof csv === 'string' ? csv : Buffer.from(csv as Uint8Array).toString('utf8');
      const lines = text.trim().split('\n');
      assert.equal(lines.length, 4, text);
      assert.ok(lines[0].startsWith('customerprofileid,'));
      assert.deepEqual(lines.slice(1).map((l) => l.split(',')[5]), ['addition', 'addition', 'subtraction']);
    });

    test('a session that earns and spends, with responseContent loyalty, parsed by the SDK models', async (t) => {
      const up = await listeningTestServer(kind, t, servers);
      if (!up) return;
      const { s, port } = up;
      const app = await s.newApplication();
      const created = await s.mgmt('POST', '/v1/loyalty_programs', newProgram([app.id], { name: 'sdk-session' }));
      const pid = created.json().id as number;
      const c = await s.mgmt('POST', `/v1/applications/${app.id}/campaigns`, { name: 'Loyalty', tags: [], features: ['loyalty'], limits: [] });
      const rules = [
        { title: 'earn', condition: ['and', true], effects: [['addLoyaltyPoints', pid, '', ['.', 'Session', 'Total'], 'earn']] },
        { title: 'spend', condition: ['and', ['loyaltyPointsCanBeRedeemed', pid, 100]], effects: [['deductLoyaltyPoints', pid, '', 100, 'spend'], ['setDiscount', 'points', 10]] },
      ];
      assert.equal((await s.mgmt('POST', `/v1/applications/${app.id}/campaigns/${c.json().id}/rulesets`, { bindings: [], rules, activate: true })).statusCode, 201);
      assert.equal((await s.mgmt('PUT', `/v1/loyalty_programs/${pid}/profile/sdk-shopper/add_points`, { points: 150 })).statusCode, 204);

      const client = new TalonOne.ApiClient();
      client.basePath = `http://127.0.0.1:${port}`;
      client.authentications.api_key_v1.apiKey = app.key;
      client.authentications.api_key_v1.apiKeyPrefix = 'ApiKey-v1';
      const api = new TalonOne.IntegrationApi(client);
      const session = Object.assign(new TalonOne.NewCustomerSessionV2(), { profileId: 'sdk-shopper', state: 'closed', cartItems: [new TalonOne.CartItem('Tea', 'TEA', 1, 20.5)] });
      const req = Object.assign(new TalonOne.IntegrationRequest(session), { responseContent: ['customerSession', 'loyalty'] });
      const state = await api.updateCustomerSessionV2('sdk-loyalty-1', req);
      assert.ok(state instanceof TalonOne.IntegrationStateV2);
      const types = state.effects.map((e: any) => e.effectType);
      assert.deepEqual(types.filter((x: string) => /Loyalty|Discount/.test(x)).sort(), ['addLoyaltyPoints', 'deductLoyaltyPoints', 'setDiscount']);
      const add = state.effects.find((e: any) => e.effectType === 'addLoyaltyPoints');
      const props = TalonOne.AddLoyaltyPointsEffectProps.constructFromObject(add.props);
      assert.deepEqual([props.programId, props.subLedgerId, props.value, props.recipientIntegrationId, props.name], [pid, '', 20.5, 'sdk-shopper', 'earn']);
      assert.ok(state.loyalty instanceof TalonOne.Loyalty);
      const ledgers = state.loyalty.programs[String(pid)];
      assert.ok(ledgers instanceof TalonOne.LoyaltyProgramLedgers);
      assert.ok(ledgers.ledger instanceof TalonOne.LoyaltyProgramBalance);
      assert.deepEqual([ledgers.id, ledgers.name, ledgers.ledger.currentBalance, ledgers.ledger.tentativeCurrentBalance], [pid, 'sdk-session', 70.5, 70.5]);
    });
  });
}

recordSdkCalls(TalonOne, 'test/compat/talon-one-loyalty.test.ts');
