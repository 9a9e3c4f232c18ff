/**
 * Racing manual deductions on one profile, written once and driven in-process (test/loyalty/race.test.ts)
 * or over HTTP against two server processes on one PostgreSQL (test/multiprocess/loyalty.test.ts): the sum
 * deducted never exceeds the balance.
 */
import assert from 'node:assert/strict';
import { newProgram } from './helpers.js';

type Json = Record<string, any>;
export type Call = (method: string, url: string, body?: unknown, node?: number) => Promise<{ status: number; json: Json }>;

export async function deductionRace(mgmt: Call, nodes: number): Promise<void> {
  const app = await mgmt('POST', '/v1/applications', { name: 'loyalty race', currency: 'EUR', timezone: 'UTC' });
  assert.equal(app.status, 201, JSON.stringify(app.json));
  const p = await mgmt('POST', '/v1/loyalty_programs', newProgram([app.json.id]));
  assert.equal(p.status, 201, JSON.stringify(p.json));
  const base = `/v1/loyalty_programs/${p.json.id}/profile`;
  for (const [who, adds] of [['racer', [500]], ['splitter', [40, 35, 25]]] as const) {
    for (const points of adds) assert.equal((await mgmt('PUT', `${base}/${who}/add_points`, { points })).status, 204);
  }

  // twelve payments of 100 from 500: exactly five go through
  const big = await Promise.all(Array.from({ length: 12 }, (_, i) => mgmt('PUT', `${base}/racer/deduct_points`, { points: 100, name: `pay ${i}` }, i % nodes)));
  assert.deepEqual(big.filter((r) => r.status !== 204 && r.status !== 400), [], 'only 204s and 400s');
  assert.equal(big.filter((r) => r.status === 204).length, 5);
  assert.deepEqual((await mgmt('GET', `${base}/racer/ledger_balances`)).json.balance, { activePoints: 0, pendingPoints: 0, spentPoints: 500, expiredPoints: 0, negativePoints: 0 });

  // forty payments of 7.5 from three buckets holding 100: thirteen go through, 2.5 stay
  const small = await Promise.all(Array.from({ length: 40 }, (_, i) => mgmt('PUT', `${base}/splitter/deduct_points`, { points: 7.5 }, i % nodes)));
  assert.deepEqual(small.filter((r) => r.status !== 204 && r.status !== 400), [], 'only 204s and 400s');
  assert.equal(small.filter((r) => r.status === 204).length, 13);
  assert.deepEqual((await mgmt('GET', `${base}/splitter/ledger_balances`)).json.balance, { activePoints: 2.5, pendingPoints: 0, spentPoints: 97.5, expiredPoints: 0, negativePoints: 0 });
  const log = await mgmt('GET', `${base}/splitter/ledger_transactions?pageSize=1000`);
  assert.equal(log.json.data.filter((e: Json) => e.type === 'subtraction').length, 13, 'one entry per deduction that went through');
}
