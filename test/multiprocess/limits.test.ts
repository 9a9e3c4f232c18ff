/**
 * Issue #4: limits stay exact when sessions close at once through two OpenPromo processes sharing
 * one PostgreSQL — 50 closes for a 5-use coupon, 60 closes of 5.00 against a 100.00 budget.
 */
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/store/db.js';
import { openDatabase } from '../../src/store/open.js';
import { getCouponById, insertCoupons } from '../../src/store/repos/coupons.js';
import { MANAGEMENT_KEY, startNode, stopNode, type Node } from '../helpers/nodes.js';
import { budgetRace, couponRace, type RaceSetup } from '../helpers/races.js';
import { dropTestSchemas, freshPostgresUrl } from '../helpers/stores.js';

describe('limits under concurrency, two processes on one PostgreSQL', () => {
  const nodes: Node[] = [];
  let db: Database | undefined;
  before(async () => {
    const url = await freshPostgresUrl();
    if (!url) return;
    nodes.push(...await Promise.all([startNode(url), startNode(url)]));
    db = openDatabase(url);
  });
  after(async () => {
    await Promise.all(nodes.map(stopNode));
    await db?.close();
    await dropTestSchemas();
  });

  async function setup(): Promise<{ x: RaceSetup; appId: number }> {
    const call = (auth: () => string) => async (method: string, url: string, body?: unknown, node = 0) => {
      const r = await fetch(`${nodes[node % nodes.length].base}${url}`, {
        method, headers: { authorization: auth(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : {} };
    };
    const mgmt = call(() => `ManagementKey-v1 ${MANAGEMENT_KEY}`);
    const app = await mgmt('POST', '/v1/applications', { name: 'race', currency: 'EUR', timezone: 'UTC' });
    const key = await mgmt('POST', `/v1/applications/${app.json.id}/api_keys`, { title: 'race', expires: '2099-01-01T00:00:00Z' });
    const x: RaceSetup = {
      mgmt, integ: call(() => `ApiKey-v1 ${key.json.key}`), nodes: nodes.length,
      addCoupon: async (applicationId, campaignId, value, usageLimit) => {
        await db!.transaction((sql) => insertCoupons(sql, [{ applicationId, campaignId, value, usageLimit, attributes: {}, limits: [], isReservationMandatory: false, implicitlyReserved: false, created: new Date().toISOString() }]));
      },
      usageCounter: async (applicationId, value) => {
        const row = await db!.transaction((sql) => sql.get<{ id: number }>('SELECT id FROM coupons WHERE application_id = ? AND value = ?', [applicationId, value]));
        return (await db!.transaction((sql) => getCouponById(sql, applicationId, Number(row!.id))))!.usageCounter;
      },
    };
    return { x, appId: app.json.id };
  }

  test('a coupon with usageLimit 5 closed by 50 sessions at once: exactly 5 redeem; cancelling them returns the counter to 0', async (t) => {
    if (!db) return t.skip('PostgreSQL not available');
    const { x, appId } = await setup();
    await couponRace(x, appId);
  });

  test('a 100.00 discount budget spent by 60 sessions of 5.00 at once: exactly 20 get the discount', async (t) => {
    if (!db) return t.skip('PostgreSQL not available');
    const { x, appId } = await setup();
    await budgetRace(x, appId);
  });
});
