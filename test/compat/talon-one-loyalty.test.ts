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
  });
}

recordSdkCalls(TalonOne, 'test/compat/talon-one-loyalty.test.ts');
