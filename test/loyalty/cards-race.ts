/**
 * Races on one loyalty card, written once and driven over HTTP against two server processes on one PostgreSQL
 * (test/multiprocess/loyalty-cards.test.ts; in one process: test/loyalty/cards.test.ts): links never exceed
 * usersPerCardLimit, deductions never exceed the active balance.
 */
import assert from 'node:assert/strict';
import { newProgram } from './helpers.js';

type Json = Record<string, any>;
export type Call = (method: string, url: string, body?: unknown, node?: number, key?: string) => Promise<{ status: number; json: Json }>;

/** `call` sends a Management request without `key`, an Integration one with it. */
export async function cardRace(call: Call, nodes: number): Promise<void> {
  const app = await call('POST', '/v1/applications', { name: 'card race', currency: 'EUR', timezone: 'UTC' });
  assert.equal(app.status, 201, JSON.stringify(app.json));
  const key = await call('POST', `/v1/applications/${app.json.id}/api_keys`, { title: 'race', expires: '2099-01-01T00:00:00Z' });
  assert.equal(key.status, 201, JSON.stringify(key.json));
  const p = await call('POST', '/v1/loyalty_programs', newProgram([app.json.id], { cardBased: true, usersPerCardLimit: 3 }));
  assert.equal(p.status, 201, JSON.stringify(p.json));
  const card = await call('POST', `/v1/loyalty_programs/${p.json.id}/cards`, {}, 0, key.json.key);
  assert.equal(card.status, 200, JSON.stringify(card.json));
  const id = encodeURIComponent(card.json.identifier);

  // twenty-four profiles race for three places: exactly three links
  const links = await Promise.all(Array.from({ length: 24 }, (_, i) =>
    call('POST', `/v2/loyalty_programs/${p.json.id}/cards/${id}/link_profile`, { integrationId: `racer-${i}` }, i % nodes, key.json.key)));
  assert.deepEqual(links.filter((r) => r.status !== 200 && r.status !== 400).map((r) => r.json), [], 'only 200s and 400s');
  assert.equal(links.filter((r) => r.status === 200).length, 3);
  assert.equal((await call('GET', `/v1/loyalty_programs/${p.json.id}/cards/${id}`)).json.profiles.length, 3);

  // twelve payments of 100 from 500: exactly five
  assert.equal((await call('PUT', `/v1/loyalty_programs/${p.json.id}/cards/${id}/add_points`, { points: 500 })).status, 204);
  const pays = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    call('PUT', `/v1/loyalty_programs/${p.json.id}/cards/${id}/deduct_points`, { points: 100 }, i % nodes)));
  assert.deepEqual(pays.filter((r) => r.status !== 204 && r.status !== 400).map((r) => r.json), [], 'only 204s and 400s');
  assert.equal(pays.filter((r) => r.status === 204).length, 5);
  const b = await call('GET', `/v1/loyalty_programs/${p.json.id}/cards/${id}/balances`, undefined, 0, key.json.key);
  assert.deepEqual(b.json.balance, { activePoints: 0, pendingPoints: 0, spentPoints: 500, expiredPoints: 0, negativePoints: 0 });
}
