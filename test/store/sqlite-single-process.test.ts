/**
 * One OpenPromo process per SQLite file, enforced (docs/sessions.md, "SQLite: one process per database
 * file"): `openpromo serve` locks the file, a second one is refused with a message naming the file, and
 * the lock goes with its holder however it dies — kill -9 included. Provisioning commands (the CLI's short
 * transactions) and in-memory databases take no lock.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from '../../src/store/open.js';
import { lockPathOf, SqliteFileInUse } from '../../src/store/sqlite/lock.js';
import { openpromo, startServe, stop } from '../cli/processes.js';

const dir = mkdtempSync(join(os.tmpdir(), 'openpromo-single-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a second serve on the same file exits non-zero naming the file; after SIGKILL of the first a new one starts', async () => {
  const file = join(dir, 'shop.db');
  const env = { ...process.env, DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'warn' };
  const first = await startServe(env);
  try {
    const second = await openpromo(['serve'], { ...env, PORT: '0' });
    assert.equal(second.code, 1);
    assert.equal(second.stdout, '');
    assert.ok(second.stderr.includes(file), second.stderr);
    assert.match(second.stderr, /only one OpenPromo process may use a SQLite file/);
    assert.match(second.stderr, /PostgreSQL/);
    // the first is unharmed, and the CLI's provisioning commands still work beside it
    assert.equal((await fetch(`${first.base}/readyz`)).status, 200);
    const created = await openpromo(['create-application', '--name', 'Beside', '--currency', 'EUR'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).name, 'Beside');
  } finally {
    await stop(first.child, 'SIGKILL');
  }
  assert.equal(first.child.signalCode, 'SIGKILL');
  assert.ok(existsSync(lockPathOf(file)), 'the lock file stays; only its OS lock counted');
  const third = await startServe(env);
  await stop(third.child);
  assert.equal(third.child.exitCode, 0);
});

test('in one process: an exclusive open refuses a second until closed; a plain open and :memory: take no lock', async () => {
  const file = join(dir, 'inproc.db');
  const url = `sqlite:${file}`;
  const a = openDatabase(url, { exclusive: true });
  assert.throws(() => openDatabase(url, { exclusive: true }), (err: unknown) => err instanceof SqliteFileInUse && err.message.includes(file));
  const plain = openDatabase(url); // the CLI's create-* commands
  await plain.migrate();
  await plain.close();
  await a.close();
  const b = openDatabase(url, { exclusive: true });
  await b.close();
  const m1 = openDatabase('sqlite::memory:', { exclusive: true });
  const m2 = openDatabase('sqlite::memory:', { exclusive: true });
  await m1.close();
  await m2.close();
});
