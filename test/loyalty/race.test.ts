/** Racing manual deductions in one process, on SQLite and PostgreSQL (two processes: test/multiprocess/loyalty.test.ts). */
import { after, describe, test } from 'node:test';
import { withTestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { deductionRace } from './race.js';

for (const kind of STORES) {
  describe(`loyalty deductions under concurrency, one process (${kind.name})`, () => {
    after(() => kind.cleanup());
    test('racing deductions never spend points that are not there', (t) => withTestServer(kind, t, async (s) =>
      deductionRace(async (method, url, body) => {
        const r = await s.mgmt(method, url, body);
        return { status: r.statusCode, json: r.body ? r.json() : {} };
      }, 1)));
  });
}
