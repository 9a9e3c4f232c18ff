/**
 * Lists from requests or callers are split below the store's parameter limit (docs/limits.md, "Chunking"):
 * the helper itself, and repository reads given more values than one statement of either store can bind,
 * on SQLite and on PostgreSQL, with locked reads still answering in id order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACCOUNT_ID, withDefaults } from '../../src/domain/application.js';
import type { NewCouponRecord } from '../../src/domain/coupon.js';
import type { Database } from '../../src/store/db.js';
import { insertApplication } from '../../src/store/repos/applications.js';
import { countCoupons, couponsByValues, findCoupons, insertCoupons, profileRedemptions, reservationsFor } from '../../src/store/repos/coupons.js';
import { inChunks, inList, MAX_BIND_PARAMS } from '../../src/store/repos/params.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';

const NOW = '2025-01-01T00:00:00.000Z';
/** More values than either store binds in one statement. */
const LONG = MAX_BIND_PARAMS.postgres + 5000;

describe('inChunks', () => {
  test('each chunk plus the other parameters fits one statement, and the chunks keep every value in order', () => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const values = Array.from({ length: LONG }, (_, i) => i);
      const chunks = inChunks(dialect, values, 3);
      assert.ok(chunks.every((c) => c.length + 3 <= MAX_BIND_PARAMS[dialect]));
      assert.deepEqual(chunks.flat(), values);
      assert.equal(chunks.length, Math.ceil(LONG / (MAX_BIND_PARAMS[dialect] - 3)));
    }
  });

  test('exactly as many values as fit go in one chunk, one more takes two', () => {
    const fit = MAX_BIND_PARAMS.sqlite - 1;
    assert.equal(inChunks('sqlite', new Array<number>(fit).fill(0), 1).length, 1);
    assert.equal(inChunks('sqlite', new Array<number>(fit + 1).fill(0), 1).length, 2);
  });

  test('an empty list has no chunk; no room for a list is a programming error', () => {
    assert.deepEqual(inChunks('postgres', []), []);
    assert.throws(() => inChunks('sqlite', [1], MAX_BIND_PARAMS.sqlite));
  });

  test('inList writes one placeholder per value', () => {
    assert.equal(inList(3), '?, ?, ?');
  });
});

for (const kind of STORES) {
  describe(`repository reads of long lists (${kind.name})`, () => {
    let db: Database | null = null;
    let applicationId = 0;
    const campaignId = 1;
    const codes = ['Z-9', 'A-1', 'M-5', 'B-2'];

    before(async () => {
      db = await openTestDatabase(kind);
      if (!db) return;
      applicationId = (await db.transaction((sql) => insertApplication(sql, ACCOUNT_ID, withDefaults({ name: 'A', currency: 'EUR', timezone: 'UTC' }), NOW))).id;
      const records: NewCouponRecord[] = codes.map((value) => ({
        applicationId, campaignId, value, usageLimit: 1, attributes: {}, limits: [], isReservationMandatory: false, implicitlyReserved: false, created: NOW,
      }));
      await db.transaction((sql) => insertCoupons(sql, records));
    });
    after(async () => {
      await db?.close();
      await kind.cleanup();
    });

    const it = (name: string, fn: (db: Database) => Promise<void>): void => {
      test(name, async (t) => {
        if (!db) return t.skip('PostgreSQL not available');
        await fn(db);
      });
    };

    /** `LONG` unknown codes with the known ones spread over the first and the last chunk. */
    const longCodes = () => {
      const out = Array.from({ length: LONG }, (_, i) => `unknown-${i}`);
      out[0] = codes[0]!; out[10] = codes[1]!; out[LONG - 1] = codes[2]!; out[LONG - 2] = codes[3]!;
      return out;
    };

    for (const lock of [false, true]) {
      it(`couponsByValues finds every coupon of a list longer than one statement, in id order${lock ? ', locked' : ''}`, async (d) => {
        const found = await d.transaction((sql) => couponsByValues(sql, applicationId, longCodes(), lock));
        assert.deepEqual(found.map((c) => c.value), codes);
        assert.deepEqual(found.map((c) => c.id), [...found.map((c) => c.id)].sort((a, b) => a - b));
      });
    }

    it('reservationsFor and profileRedemptions take more coupon ids than one statement binds', async (d) => {
      const ids = (await d.transaction((sql) => couponsByValues(sql, applicationId, codes))).map((c) => c.id);
      const many = [...Array.from({ length: LONG }, (_, i) => 1_000_000 + i), ...ids];
      await d.transaction(async (sql) => {
        await sql.run('INSERT INTO coupon_reservations (coupon_id, profile_integration_id, created) VALUES (?, ?, ?)', [ids[0], 'p1', NOW]);
        assert.deepEqual([...await reservationsFor(sql, many, 'p1')], [ids[0]]);
        assert.equal((await profileRedemptions(sql, many, 'p1')).size, 0);
      });
    });

    it('a coupon filter over more campaigns than one statement binds still filters by campaign', async (d) => {
      const campaignIds = [...Array.from({ length: LONG }, (_, i) => 1_000_000 + i), campaignId];
      await d.transaction(async (sql) => {
        const q = { applicationId, campaignIds, now: NOW };
        assert.equal((await findCoupons(sql, q, { skip: 0, limit: 10 })).length, codes.length);
        assert.equal(await countCoupons(sql, q), codes.length);
        assert.equal(await countCoupons(sql, { ...q, campaignIds: campaignIds.slice(0, LONG) }), 0);
      });
    });
  });
}
