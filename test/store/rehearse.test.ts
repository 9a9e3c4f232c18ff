/**
 * Database.rehearse, the unit of work of dry runs (store/db.ts): it sees and writes like a transaction,
 * answers what its function returned or threw, and keeps nothing — not its rows, not the configuration
 * versions it read (SQLite's Sql.versions), and it may not move a configuration version at all. On
 * SQLite it is a unit of the group commit like any other, between units that are kept.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Database } from '../../src/store/db.js';
import { bumpConfigVersion, configVersion, prefetchConfigVersions } from '../../src/store/repos/configVersions.js';
import { SqliteDatabase } from '../../src/store/sqlite/driver.js';
import { openTestDatabase, STORES } from '../helpers/stores.js';

const rows = (db: Database) => db.transaction((sql) => sql.all<{ v: string }>('SELECT v FROM t ORDER BY v'));

for (const kind of STORES) {
  describe(`Database.rehearse (${kind.name})`, () => {
    after(() => kind.cleanup());

    async function withDb(t: { skip(m: string): void }, fn: (db: Database) => Promise<void>) {
      const db = await openTestDatabase(kind);
      if (!db) return t.skip('PostgreSQL not available');
      try {
        await db.transaction((sql) => sql.run('CREATE TABLE t (v TEXT PRIMARY KEY)'));
        await db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('kept')"));
        await fn(db);
      } finally {
        await db.close();
      }
    }

    test('answers what its function returned, having seen its own writes, and keeps none of them', (t) => withDb(t, async (db) => {
      const seen = await db.rehearse(async (sql) => {
        await sql.run("INSERT INTO t (v) VALUES ('dry')");
        await sql.run("UPDATE t SET v = 'changed' WHERE v = 'kept'");
        return (await sql.all<{ v: string }>('SELECT v FROM t ORDER BY v')).map((r) => r.v);
      });
      assert.deepEqual(seen, ['changed', 'dry']);
      assert.deepEqual(await rows(db), [{ v: 'kept' }]);
    }));

    test('rejects with what its function threw, and keeps nothing', (t) => withDb(t, async (db) => {
      await assert.rejects(db.rehearse(async (sql) => {
        await sql.run("INSERT INTO t (v) VALUES ('dry')");
        throw new Error('boom');
      }), /boom/);
      assert.deepEqual(await rows(db), [{ v: 'kept' }]);
    }));

    test('may not move a configuration version (reading one is fine)', (t) => withDb(t, async (db) => {
      assert.equal(await db.rehearse((sql) => configVersion(sql, 'app:1')), 0);
      await assert.rejects(db.rehearse((sql) => bumpConfigVersion(sql, 'app:1')), /cannot change configuration/);
      await db.transaction((sql) => bumpConfigVersion(sql, 'app:1'));
      assert.equal(await db.transaction((sql) => configVersion(sql, 'app:1')), 1);
    }));

    test('concurrent with transactions: theirs are kept, its own are not', (t) => withDb(t, async (db) => {
      const all = await Promise.all([
        db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('a')")),
        db.rehearse((sql) => sql.run("INSERT INTO t (v) VALUES ('dry')")),
        db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('b')")),
      ]);
      assert.deepEqual(all, [1, 1, 1]);
      assert.deepEqual((await rows(db)).map((r) => r.v), ['a', 'b', 'kept']);
    }));
  });
}

test('SQLite: a rehearsal in a gathered batch is rolled back alone, and forgets the configuration versions it read', async (t) => {
  const db = new SqliteDatabase(':memory:');
  t.after(() => db.close());
  await db.migrate();
  await db.transaction((sql) => prefetchConfigVersions(sql, ['account']));
  const before = db.batches();
  const done = [
    db.transaction((sql) => sql.run("INSERT INTO config_versions (scope, version) VALUES ('app:7', 3)")),
    db.rehearse(async (sql) => {
      await prefetchConfigVersions(sql, ['app:7', 'app:8']);
      return new Map(sql.versions);
    }),
    db.transaction((sql) => sql.run("INSERT INTO config_versions (scope, version) VALUES ('app:9', 5)")),
  ];
  const [, inside] = await Promise.all(done);
  assert.equal(db.batches() - before, 1, 'one batch for the three');
  assert.deepEqual(inside, new Map([['account', 0], ['app:7', 3], ['app:8', 0]]));
  // the next unit finds the versions as they were before the rehearsal, and the kept units' rows
  const after = await db.transaction(async (sql) => {
    const memo = new Map(sql.versions);
    return { memo, stored: await sql.all<{ scope: string; version: number }>('SELECT scope, version FROM config_versions ORDER BY scope') };
  });
  assert.deepEqual(after.memo, new Map([['account', 0]]));
  assert.deepEqual(after.stored, [{ scope: 'app:7', version: 3 }, { scope: 'app:9', version: 5 }]);
});
