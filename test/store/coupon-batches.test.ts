/**
 * Coupon inserts split at the store's parameter limit: exactly couponRowsPerStatement rows go in one
 * statement, one more row takes a second, on SQLite and on PostgreSQL; and the limit the split is
 * derived from is the store's real one (a statement binding one parameter more is refused).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACCOUNT_ID, withDefaults } from '../../src/domain/application.js';
import type { NewCouponRecord } from '../../src/domain/coupon.js';
import type { Database, Param, Sql } from '../../src/store/db.js';
import { insertApplication } from '../../src/store/repos/applications.js';
import { couponRowsPerStatement, insertCoupons, insertCouponsReturningRows, insertCouponsReturningValues } from '../../src/store/repos/coupons.js';
import { MAX_BIND_PARAMS } from '../../src/store/repos/params.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';

const NOW = '2025-01-01T00:00:00.000Z';

/** The Sql seam with a count of the INSERT statements sent through it. */
function counting(sql: Sql): { sql: Sql; inserts: () => number } {
  let n = 0;
  const seen = (text: string) => { if (text.startsWith('INSERT INTO coupons')) n++; };
  const wrapped: Sql = {
    dialect: sql.dialect,
    all: (text, params) => { seen(text); return sql.all(text, params); },
    get: (text, params) => { seen(text); return sql.get(text, params); },
    run: (text, params) => { seen(text); return sql.run(text, params); },
    insert: (text, params) => { seen(text); return sql.insert(text, params); },
    tryLock: (key) => sql.tryLock(key),
  };
  return { sql: wrapped, inserts: () => n };
}

for (const kind of STORES) {
  describe(`coupon insert batches (${kind.name})`, () => {
    let db: Database | null = null;
    let applicationId = 0;
    let campaignId = 0;

    before(async () => {
      db = await openTestDatabase(kind);
      if (!db) return;
      applicationId = (await db.transaction((sql) => insertApplication(sql, ACCOUNT_ID, withDefaults({ name: 'A', currency: 'EUR', timezone: 'UTC' }), NOW))).id;
    });
    after(async () => {
      await db?.close();
      await kind.cleanup();
    });

    const it = (name: string, fn: (db: Database) => Promise<void> | void): void => {
      test(name, async (t) => {
        if (!db) return t.skip('PostgreSQL not available');
        await fn(db);
      });
    };

    /** `n` coupons of a campaign of their own, codes `<prefix>-0…`. */
    const coupons = (prefix: string, n: number): NewCouponRecord[] => {
      campaignId++;
      return Array.from({ length: n }, (_, i) => ({
        applicationId, campaignId, value: `${prefix}-${i}`, usageLimit: 1, attributes: {}, limits: [],
        isReservationMandatory: false, implicitlyReserved: false, created: NOW,
      }));
    };
    const stored = (d: Database) => d.transaction(async (sql) =>
      Number((await sql.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM coupons WHERE campaign_id = ?', [campaignId]))!.n));

    it('the limit is the store\'s parameter limit over the 17 columns of a coupon', (d) => {
      const rows = couponRowsPerStatement(d.dialect);
      assert.equal(rows, d.dialect === 'sqlite' ? 1927 : 3855);
      assert.ok(rows * 17 <= MAX_BIND_PARAMS[d.dialect] && (rows + 1) * 17 > MAX_BIND_PARAMS[d.dialect]);
    });

    it('a statement may bind exactly MAX_BIND_PARAMS parameters, not one more', async (d) => {
      const max = MAX_BIND_PARAMS[d.dialect];
      const select = (n: number) => d.transaction((sql) =>
        sql.all(`SELECT 1 AS x WHERE 1 IN (${new Array<string>(n).fill('?').join(', ')})`, new Array<Param>(n).fill(1)));
      assert.equal((await select(max)).length, 1);
      await assert.rejects(select(max + 1));
    });

    it('exactly the limit goes in one statement', async (d) => {
      const limit = couponRowsPerStatement(d.dialect);
      const batch = coupons('AT', limit);
      const inserted = await d.transaction(async (sql) => {
        const c = counting(sql);
        const n = await insertCoupons(c.sql, batch);
        assert.equal(c.inserts(), 1);
        return n;
      });
      assert.equal(inserted, limit);
      assert.equal(await stored(d), limit);
    });

    it('one row over the limit splits into two statements (values returned from both)', async (d) => {
      const limit = couponRowsPerStatement(d.dialect);
      const batch = coupons('OVER', limit + 1);
      const values = await d.transaction(async (sql) => {
        const c = counting(sql);
        const v = await insertCouponsReturningValues(c.sql, batch);
        assert.equal(c.inserts(), 2);
        return v;
      });
      assert.equal(values.size, limit + 1);
      assert.ok(values.has('OVER-0') && values.has(`OVER-${limit}`));
      assert.equal(await stored(d), limit + 1);
    });

    it('returning rows over the limit: duplicates skipped in either statement, rows in id order', async (d) => {
      const limit = couponRowsPerStatement(d.dialect);
      const batch = coupons('ROWS', limit + 1);
      await d.transaction((sql) => insertCoupons(sql, [batch[0], batch[limit]]));
      const rows = await d.transaction(async (sql) => {
        const c = counting(sql);
        const r = await insertCouponsReturningRows(c.sql, batch);
        assert.equal(c.inserts(), 2);
        return r;
      });
      assert.equal(rows.length, limit - 1);
      assert.ok(!rows.some((r) => r.value === 'ROWS-0' || r.value === `ROWS-${limit}`));
      assert.ok(rows.every((r, i) => i === 0 || rows[i - 1].id < r.id));
      assert.equal(await stored(d), limit + 1);
    });

    it('without skipDuplicates a duplicate in the second statement fails the whole insert', async (d) => {
      const limit = couponRowsPerStatement(d.dialect);
      const batch = coupons('DUP', limit + 1);
      batch[limit] = { ...batch[limit], value: 'DUP-0' };
      await assert.rejects(d.transaction((sql) => insertCoupons(sql, batch)));
      assert.equal(await stored(d), 0);
      assert.equal(await d.transaction((sql) => insertCoupons(sql, batch, true)), limit);
    });
  });
}
