/**
 * The PostgreSQL driver's own mechanics, with and without named prepared statements: BEGIN sent lazily
 * (together with the advisory lock when that comes first), rollback after a failure, lock contention,
 * statements reused across transactions on one connection.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { PostgresDatabase } from '../../src/store/postgres/driver.js';
import { dropTestSchemas, freshPostgresUrl } from '../helpers/stores.js';

for (const prepared of [true, false]) {
  describe(`PostgreSQL driver (prepared statements ${prepared ? 'on' : 'off'})`, () => {
    after(() => dropTestSchemas());

    async function withDb(t: { skip(m: string): void }, fn: (db: PostgresDatabase) => Promise<void>, max = 2) {
      const url = await freshPostgresUrl();
      if (!url) return t.skip('PostgreSQL not available');
      const db = new PostgresDatabase(url, { max, prepared });
      try {
        await db.transaction((sql) => sql.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)'));
        await fn(db);
      } finally {
        await db.close();
      }
    }

    test('lock first (one round trip with BEGIN), then statements; committed together', (t) => withDb(t, async (db) => {
      const got = await db.transaction(async (sql) => {
        assert.equal(await sql.tryLock('session:1:a'), true);
        await sql.run('INSERT INTO t (id, v) VALUES (?, ?)', [1, 'one']);
        return sql.get<{ v: string }>('SELECT v FROM t WHERE id = ?', [1]);
      });
      assert.deepEqual(got, { v: 'one' });
      assert.equal((await db.transaction((sql) => sql.all('SELECT * FROM t'))).length, 1);
    }));

    test('a failure after the lazy BEGIN rolls back everything of the transaction', (t) => withDb(t, async (db) => {
      // a statement's own error (not a connection fault) reaches the caller untouched
      await assert.rejects(db.transaction(async (sql) => {
        await sql.run('INSERT INTO t (id, v) VALUES (?, ?)', [2, 'two']);
        await sql.run('INSERT INTO t (id, v) VALUES (?, ?)', [2, 'duplicate']);
      }), (err) => err instanceof pg.DatabaseError && err.code === '23505');
      await assert.rejects(db.transaction(async (sql) => {
        await sql.tryLock('k');
        await sql.run('INSERT INTO t (id, v) VALUES (?, ?)', [3, 'three']);
        throw new Error('use case failed');
      }), /use case failed/);
      assert.deepEqual(await db.transaction((sql) => sql.all('SELECT * FROM t')), []);
      // a transaction that runs no statement sends nothing and still resolves
      assert.equal(await db.transaction(() => Promise.resolve(42)), 42);
    }));

    test('the advisory lock is held until the end of the transaction', (t) => withDb(t, async (db) => {
      let release!: () => void;
      const held = new Promise<void>((r) => { release = r; });
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => { locked = r; });
      const first = db.transaction(async (sql) => {
        assert.equal(await sql.tryLock('session:1:b'), true);
        locked();
        await held;
      });
      await isLocked;
      assert.equal(await db.transaction((sql) => sql.tryLock('session:1:b')), false);
      assert.equal(await db.transaction((sql) => sql.tryLock('session:1:other')), true);
      release();
      await first;
      assert.equal(await db.transaction((sql) => sql.tryLock('session:1:b')), true);
    }));

    test('the same statement in many transactions on one connection', (t) => withDb(t, async (db) => {
      for (let i = 10; i < 30; i++) {
        await db.transaction(async (sql) => {
          await sql.run('INSERT INTO t (id, v) VALUES (?, ?)', [i, `v${i}`]);
          assert.deepEqual(await sql.get('SELECT v FROM t WHERE id = ?', [i]), { v: `v${i}` });
        });
      }
      assert.equal((await db.transaction((sql) => sql.all('SELECT id FROM t'))).length, 20);
    }, 1));
  });
}
