import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openTestDatabase, STORES } from '../helpers/stores.js';
import { startTestServer } from '../helpers/server.js';

for (const kind of STORES) {
  describe(`session lifecycle smoke (${kind.name})`, () => {
    after(() => kind.cleanup());

    test('create, update, close with exact totals', async (t) => {
      const db = await openTestDatabase(kind);
      if (!db) return t.skip('PostgreSQL not available');
      const s = await startTestServer(db);
      try {
        const { key } = await s.newApplication();
        const r1 = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', {
          customerSession: { profileId: 'p1', cartItems: [{ sku: 'a', price: 19.99, quantity: 3 }, { sku: 'b', price: 0.1, quantity: 1 }, { sku: 'c', price: 0.2, quantity: 1 }] },
        });
        assert.equal(r1.statusCode, 200, r1.body);
        const cs = r1.json().customerSession;
        assert.equal(cs.cartItemTotal, 60.27);
        assert.equal(cs.total, 60.27);
        assert.equal(cs.updateCount, 1);
        assert.deepEqual(r1.json().effects, []);
        const r2 = await s.integ(key, 'PUT', '/v2/customer_sessions/s1', { customerSession: { state: 'closed' } });
        assert.equal(r2.statusCode, 200, r2.body);
        assert.equal(r2.json().customerSession.state, 'closed');
        assert.equal(r2.json().customerSession.updateCount, 2);
        assert.equal(r2.json().customerSession.cartItems.length, 3);
      } finally {
        await s.close();
      }
    });
  });
}
