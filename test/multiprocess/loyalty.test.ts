/** Racing manual deductions on one profile through two OpenPromo processes sharing one PostgreSQL. */
import { after, before, describe, test } from 'node:test';
import { deductionRace } from '../loyalty/race.js';
import { MANAGEMENT_KEY, startNode, stopNode, type Node } from '../helpers/nodes.js';
import { dropTestSchemas, freshPostgresUrl } from '../helpers/stores.js';

describe('loyalty deductions under concurrency, two processes on one PostgreSQL', () => {
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

  test('racing deductions across processes never spend points that are not there', async (t) => {
    if (nodes.length === 0) return t.skip('PostgreSQL not available');
    await deductionRace(async (method, url, body, node = 0) => {
      const r = await fetch(`${nodes[node % nodes.length].base}${url}`, {
        method, headers: { authorization: `ManagementKey-v1 ${MANAGEMENT_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : {} };
    }, nodes.length);
  });
});
