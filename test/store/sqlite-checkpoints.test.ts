/**
 * SQLite WAL checkpoints run on a worker thread (store/sqlite/checkpointer.ts): the writer no longer
 * checkpoints inside its commits, yet the WAL is copied into the database file and kept small, and
 * nothing is lost across close / reopen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDatabase } from '../../src/store/sqlite/driver.js';
import { BACKSTOP_PAGES, CHECKPOINT_MS, startCheckpointer } from '../../src/store/sqlite/checkpointer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);

async function writeRows(db: SqliteDatabase, from: number, n: number): Promise<void> {
  const pad = 'x'.repeat(2000); // ≈ half a page per row: every batch dirties new pages
  await Promise.all(Array.from({ length: n }, (_, i) => db.transaction((sql) =>
    sql.run('INSERT INTO t (id, body) VALUES (?, ?)', [from + i, pad]))));
}

test('file database: a background worker checkpoints the WAL into the database file and keeps it small; data survives reopen', async (t) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'openpromo-ckpt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'db.sqlite');
  const db = new SqliteDatabase(path);
  await db.transaction((sql) => sql.run('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'));

  const probe = new BetterSqlite3(path, { readonly: true });
  t.after(() => probe.close());

  const mainFileBefore = size(path);
  for (let round = 0; round < 5; round++) await writeRows(db, round * 400, 400); // ≈ 1,000 pages of WAL
  const deadline = Date.now() + 20 * CHECKPOINT_MS + 5_000;
  while (db.backgroundCheckpoints() < 2 && Date.now() < deadline) await sleep(CHECKPOINT_MS / 2);
  assert.ok(db.backgroundCheckpoints() >= 2, 'the worker ran checkpoints');
  // the rows reached the database file itself (they were only in the WAL before a checkpoint)
  await sleep(2 * CHECKPOINT_MS + 100);
  assert.ok(size(path) > mainFileBefore + 2_000 * 1_000, `database file grew (${mainFileBefore} → ${size(path)} bytes)`);

  // a WAL that the worker keeps checkpointing is reused from its start: it stays far below the backstop
  for (let round = 5; round < 15; round++) {
    await writeRows(db, round * 400, 400);
    await sleep(CHECKPOINT_MS);
  }
  assert.ok(size(`${path}-wal`) < BACKSTOP_PAGES * 4096 / 4, `WAL stays small (${size(`${path}-wal`)} bytes)`);
  assert.equal((probe.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 6_000);

  await db.close();
  const again = new SqliteDatabase(path);
  t.after(() => again.close());
  assert.equal((await again.transaction((sql) => sql.get<{ n: number }>('SELECT count(*) AS n FROM t')))?.n, 6_000);
});

test('in-memory database: no worker', async () => {
  const db = new SqliteDatabase(':memory:');
  await db.transaction((sql) => sql.run('CREATE TABLE t (id INTEGER PRIMARY KEY)'));
  await sleep(CHECKPOINT_MS * 2);
  assert.equal(db.backgroundCheckpoints(), 0);
  await db.close();
});

test('a worker that cannot open the database reports it once and stops', async () => {
  const failures: unknown[] = [];
  const c = startCheckpointer(join(os.tmpdir(), 'openpromo-no-such-dir', 'missing.sqlite'), (err) => failures.push(err));
  const deadline = Date.now() + 5_000;
  while (failures.length === 0 && Date.now() < deadline) await sleep(20);
  await c.stop();
  assert.equal(failures.length, 1);
  assert.match(String(failures[0]), /unable to open|no such file|does not exist|directory/i);
  assert.equal(c.count(), 0);
});
