/**
 * The group-commit queue under store faults (store/sqlite/driver.ts, docs/faults.md): a failing BEGIN,
 * statement, COMMIT and ROLLBACK each reject every unit of the lost batch as Unavailable, clear the
 * config-versions cache, escape nowhere, and leave the queue running for the next batch. Faults are
 * injected by wrapping the driver's private statement cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Unavailable } from '../../src/domain/errors.js';
import { SqliteDatabase } from '../../src/store/sqlite/driver.js';

const sqliteError = (code: string) => Object.assign(new Error(`fake ${code}`), { code });


type Prepare = (q: string) => { run(): unknown };
/** Makes the driver's statement `q` throw `code` on its next `times` runs. */
function failNext(db: SqliteDatabase, q: string, code: string, times = 1): void {
  const inner = db as unknown as { prepare: Prepare };
  const real = inner.prepare.bind(db);
  let left = times;
  inner.prepare = (sql: string) => {
    const st = real(sql);
    if (sql !== q || left === 0) return st;
    return { run: () => { left--; throw sqliteError(code); } };
  };
}

async function fresh(t: { after(fn: () => unknown): void }): Promise<SqliteDatabase> {
  const db = new SqliteDatabase(':memory:');
  t.after(() => db.close());
  await db.transaction((sql) => sql.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)'));
  return db;
}
const count = (db: SqliteDatabase) => db.transaction(async (sql) => (await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n);
const versions = (db: SqliteDatabase) => (db as unknown as { versions: Map<string, number> }).versions;

test('COMMIT and then ROLLBACK failing: every unit is rejected, nothing escapes, the next batch runs', async (t) => {
  const db = await fresh(t);
  versions(db).set('app:1', 7);
  failNext(db, 'COMMIT', 'SQLITE_IOERR_FSYNC');
  failNext(db, 'ROLLBACK', 'SQLITE_IOERR_WRITE');
  const results = await Promise.allSettled([1, 2, 3].map((i) => db.transaction((sql) => sql.run('INSERT INTO t (v) VALUES (?)', [`lost ${i}`]))));
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.ok(r.reason instanceof Unavailable);
    assert.match(r.reason.message, /SQLITE_IOERR_FSYNC/);
  }
  assert.equal(versions(db).size, 0, 'the config-versions cache is cleared when a batch is lost');
  // the transaction the failed ROLLBACK left open is ended before the next BEGIN
  await db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('kept')"));
  assert.equal(await count(db), 1);
});

test('BEGIN IMMEDIATE failing rejects the batch with the classified error; later transactions run', async (t) => {
  const db = await fresh(t);
  failNext(db, 'BEGIN IMMEDIATE', 'SQLITE_BUSY');
  await assert.rejects(db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('a')")), (e) => e instanceof Unavailable && /SQLITE_BUSY/.test(e.message));
  await db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('b')"));
  assert.equal(await count(db), 1);
});

test('a statement failing after SQLite aborted the transaction loses the whole batch, and only it', async (t) => {
  const db = await fresh(t);
  versions(db).set('app:1', 7);
  const results = await Promise.allSettled([
    db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('first')")),
    db.transaction(async (sql) => {
      await sql.run('ROLLBACK'); // as SQLite does itself on SQLITE_FULL or an I/O error
      throw sqliteError('SQLITE_FULL');
    }),
    db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('third')")),
  ]);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.ok(r.reason instanceof Unavailable && /SQLITE_FULL/.test(r.reason.message));
  }
  assert.equal(versions(db).size, 0);
  assert.equal(await count(db), 0);
  await db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('after')"));
  assert.equal(await count(db), 1);
});
