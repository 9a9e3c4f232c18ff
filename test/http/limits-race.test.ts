/** Issue #4's limit races in one process, on SQLite and PostgreSQL (the two-process run is test/multiprocess/limits.test.ts). */
import { after, describe, test } from 'node:test';
import { getCouponById, insertCoupons } from '../../src/store/repos/coupons.js';
import { budgetRace, couponRace, type RaceSetup } from '../helpers/races.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function setup(s: TestServer, key: () => string): RaceSetup {
  const call = (auth: () => string) => async (method: string, url: string, body?: unknown) => {
    const r = await s.app.inject({ method: method as 'GET', url, payload: body as object, headers: { authorization: auth() } });
    return { status: r.statusCode, json: r.body ? r.json() : {} };
  };
  return {
    mgmt: call(() => 'ManagementKey-v1 test-management-key'),
    integ: call(() => `ApiKey-v1 ${key()}`),
    nodes: 1,
    addCoupon: async (applicationId, campaignId, value, usageLimit) => {
      await s.db.transaction((sql) => insertCoupons(sql, [{ applicationId, campaignId, value, usageLimit, attributes: {}, limits: [], isReservationMandatory: false, implicitlyReserved: false, created: new Date().toISOString() }]));
    },
    usageCounter: async (applicationId, value) => {
      const row = await s.db.transaction((sql) => sql.get<{ id: number }>('SELECT id FROM coupons WHERE application_id = ? AND value = ?', [applicationId, value]));
      return (await s.db.transaction((sql) => getCouponById(sql, applicationId, Number(row!.id))))!.usageCounter;
    },
  };
}

for (const kind of STORES) {
  describe(`limits under concurrency, one process (${kind.name})`, () => {
    after(() => kind.cleanup());
    for (const [name, race] of [['a coupon with usageLimit 5 closed by 50 sessions at once', couponRace], ['a 100.00 discount budget spent by 60 sessions of 5.00 at once', budgetRace]] as const) {
      test(name, async (t) => {
        const db = await openTestDatabase(kind);
        if (!db) return t.skip('PostgreSQL not available');
        const s = await startTestServer(db);
        try {
          const app = await s.newApplication();
          await race(setup(s, () => app.key), app.id);
        } finally { await s.close(); }
      });
    }
  });
}
