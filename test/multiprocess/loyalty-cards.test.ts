/** Racing links and deductions on one loyalty card through two OpenPromo processes sharing one PostgreSQL. */
import { after, before, describe, test } from 'node:test';
import { cardRace } from '../loyalty/cards-race.js';
import { MANAGEMENT_KEY, startNode, stopNode, type Node } from '../helpers/nodes.js';
import { dropTestSchemas, freshPostgresUrl } from '../helpers/stores.js';

describe('loyalty cards under concurrency, two processes on one PostgreSQL', () => {
  const nodes: Node[] = [];
  before(async () => {
    const url = await freshPostgresUrl();
    if (!url) return;
    nodes.push(...await Promise.all([startNode(url), startNode(url)]));
  });
  after(async () => {
    await Promise.all(nodes.map(stopNode));
    await dropTestSchemas();
  });

  test('racing links stay within usersPerCardLimit and racing deductions within the balance, across processes', async (t) => {
    if (nodes.length === 0) return t.skip('PostgreSQL not available');
    await cardRace(async (method, url, body, node = 0, key) => {
      const r = await fetch(`${nodes[node % nodes.length].base}${url}`, {
        method,
        headers: { authorization: key ? `ApiKey-v1 ${key}` : `ManagementKey-v1 ${MANAGEMENT_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : {} };
    }, nodes.length);
  });
});
