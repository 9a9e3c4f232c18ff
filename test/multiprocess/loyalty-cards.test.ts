/** Racing links and deductions on one loyalty card through two OpenPromo processes sharing one PostgreSQL. */
import { describe, test } from 'node:test';
import { cardRace } from '../loyalty/cards-race.js';
import { MANAGEMENT_KEY, nodeCall, nodesOnPostgres } from '../helpers/nodes.js';

describe('loyalty cards under concurrency, two processes on one PostgreSQL', () => {
  const nodes = nodesOnPostgres();

  test('racing links stay within usersPerCardLimit and racing deductions within the balance, across processes', async (t) => {
    if (nodes.length === 0) return t.skip('PostgreSQL not available');
    await cardRace((method, url, body, node = 0, key) => nodeCall(nodes, node, key ? `ApiKey-v1 ${key}` : `ManagementKey-v1 ${MANAGEMENT_KEY}`, method, url, body), nodes.length);
  });
});
