/**
 * SQLite group commit (store/sqlite/driver.ts): transactions that arrive while a batch is gathering —
 * over a few turns of the event loop, as concurrent requests are read — share one COMMIT; a lone
 * transaction does not wait for company; a failing unit undoes only its own writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteDatabase } from '../../src/store/sqlite/driver.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

/**
 * Runs fns[0] now and fns[i] on the i-th later turn of the event loop, each ahead of the driver's own
 * check on that turn — as requests read in successive I/O phases would arrive.
 */
function onTurns(fns: (() => void)[]): void {
  const next = (i: number) => {
    if (i >= fns.length) return;
    if (i + 1 < fns.length) setImmediate(() => next(i + 1));
    fns[i]();
  };
  next(0);
}

async function fresh(t: { after(fn: () => unknown): void }): Promise<SqliteDatabase> {
  const db = new SqliteDatabase(':memory:');
  t.after(() => db.close());
  await db.transaction((sql) => sql.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)'));
  return db;
}

test('transactions arriving on consecutive turns of the event loop share one batch', async (t) => {
  const db = await fresh(t);
  const before = db.batches();
  const done: Promise<number>[] = [];
  // one new transaction on each of three turns
  await new Promise<void>((resolve) => onTurns([0, 1, 2].map((i) => () => {
    done.push(db.transaction((sql) => sql.insert('INSERT INTO t (v) VALUES (?)', [`turn ${i}`])));
    if (i === 2) resolve();
  })));
  assert.deepEqual(await Promise.all(done), [1, 2, 3]);
  assert.equal(db.batches() - before, 1, 'one COMMIT for the three');
  assert.equal((await db.transaction((sql) => sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM t')))!.n, 3);
});

test('a lone transaction commits on the next turn; gathering stops after a turn brings nobody', async (t) => {
  const db = await fresh(t);
  const before = db.batches();
  let committed = false;
  const one = db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('alone')")).then(() => { committed = true; });
  await turn();
  await turn();
  assert.equal(committed, true, 'answered within two turns');
  await one;
  // later arrivals form a batch of their own
  await db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('later')"));
  assert.equal(db.batches() - before, 2);
});

test('in a gathered batch a failing unit rolls back alone', async (t) => {
  const db = await fresh(t);
  const boom = new Error('boom');
  const before = db.batches();
  const units: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => onTurns([
    () => units.push(db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('a')"))),
    () => units.push(db.transaction(async (sql) => { await sql.run("INSERT INTO t (v) VALUES ('b')"); throw boom; })),
    () => { units.push(db.transaction((sql) => sql.run("INSERT INTO t (v) VALUES ('c')"))); resolve(); },
  ]));
  await units[0];
  await assert.rejects(units[1], (e) => e === boom);
  await units[2];
  assert.equal(db.batches() - before, 1);
  const rows = await db.transaction((sql) => sql.all<{ v: string }>('SELECT v FROM t ORDER BY id'));
  assert.deepEqual(rows.map((r) => r.v), ['a', 'c']);
});
