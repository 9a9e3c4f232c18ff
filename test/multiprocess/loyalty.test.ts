/** Racing manual deductions on one profile through two OpenPromo processes sharing one PostgreSQL. */
import { describe, test } from 'node:test';
import { deductionRace } from '../loyalty/race.js';
import { MANAGEMENT_KEY, nodeCall, nodesOnPostgres } from '../helpers/nodes.js';

describe('loyalty deductions under concurrency, two processes on one PostgreSQL', () => {
  const nodes = nodesOnPostgres();

  test('racing deductions across processes never spend points that are not there', async (t) => {
    if (nodes.length === 0) return t.skip('PostgreSQL not available');
    await deductionRace((method, url, body, node = 0) => nodeCall(nodes, node, `ManagementKey-v1 ${MANAGEMENT_KEY}`, method, url, body), nodes.length);
  });
});
