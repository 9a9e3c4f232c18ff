/**
 * SQLite on a full file system (docs/faults.md): a real server process on a small tmpfs. Writes that need
 * space answer 503 naming SQLITE_FULL with a Retry-After, /readyz answers 503, the process stays up, and
 * once space is freed writes succeed again; every close acknowledged before and during the fault is still
 * there, also after a restart. Mounting needs root (as CI runs here): skipped locally otherwise, failing under CI.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Unavailable } from '../../src/domain/errors.js';
import { openDatabase } from '../../src/store/open.js';
import { classified } from '../../src/store/sqlite/faults.js';
import { MANAGEMENT_KEY, startNode, stopNode, type Node } from '../helpers/nodes.js';

const dir = mkdtempSync(join(os.tmpdir(), 'openpromo-full-'));
let mounted = false;
let cannotMount = '';

before(() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    cannotMount = `cannot mount a tmpfs (${(err as Error).message.split('\n')[0]}): run as root`;
    if (process.env.CI) throw new Error(`under CI the full-disk test must run: ${cannotMount}`, { cause: err });
  }
});
after(() => {
  if (mounted) execFileSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, any>;

async function call(node: Node, method: string, url: string, body?: unknown, auth?: string): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(`${node.base}${url}`, {
    method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(auth ? { authorization: auth } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) as Json : {}, headers: res.headers };
}

/** Fills the file system with one file until it refuses more (ENOSPC); returns its path. */
function fill(path: string): string {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return path;
}

test('a full file system: 503 naming SQLITE_FULL, /readyz 503, the process stays up, recovery once space is freed, nothing acknowledged lost', async (t) => {
  if (!mounted) return t.skip(cannotMount);
  const url = `sqlite:${join(dir, 'shop.db')}`;
  let node = await startNode(url);
  const m = (method: string, path: string, body?: unknown) => call(node, method, path, body, `ManagementKey-v1 ${MANAGEMENT_KEY}`);
  try {
    const app = await m('POST', '/v1/applications', { name: 'Shop', currency: 'EUR', timezone: 'UTC' });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    const key = (await m('POST', `/v1/applications/${app.json.id}/api_keys`, { title: 't', expires: '2099-01-01T00:00:00Z' })).json.key as string;
    const c = await m('POST', `/v1/applications/${app.json.id}/campaigns`, { name: 'ten', tags: [], features: [], limits: [] });
    const r = await m('POST', `/v1/applications/${app.json.id}/campaigns/${c.json.id}/rulesets`, {
      bindings: [], activate: true, rules: [{ title: 'ten off', condition: ['and', true], effects: [['setDiscount', 'ten off', 10]] }],
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const integ = (path: string, body?: unknown) => call(node, body === undefined ? 'GET' : 'PUT', path, body, `ApiKey-v1 ${key}`);
    // a close with a large cart: its rows need fresh pages, more than the WAL's reused frames hold
    const close = (id: string) => integ(`/v2/customer_sessions/${id}`, {
      customerSession: {
        profileId: `p-${id}`, state: 'closed',
        cartItems: Array.from({ length: 200 }, (_, i) => ({ sku: `sku-${i}`, name: 'x'.repeat(400), quantity: 1, price: 1 })),
      },
    });

    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await close(`before-${i}`);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      acknowledged.push(`before-${i}`);
    }
    const filler = fill(join(dir, 'filler'));

    let full: Awaited<ReturnType<typeof close>> | undefined;
    for (let i = 0; i < 200 && !full; i++) {
      const res = await close(`during-${i}`);
      if (res.status === 200) acknowledged.push(`during-${i}`);
      else if (res.status === 503) full = res;
      else assert.fail(`unexpected ${res.status}: ${JSON.stringify(res.json)}`);
    }
    assert.ok(full, 'the writes reached the end of the file system');
    t.diagnostic(`${acknowledged.length} closes acknowledged before the fault; 503: ${JSON.stringify(full.json)} Retry-After: ${full.headers.get('retry-after')}`);
    assert.match(full.json.message as string, /^Database file system is full: free disk space \(SQLITE_FULL/);
    assert.equal(full.json.errors[0].title, 'Unavailable');
    assert.equal(full.headers.get('retry-after'), '30');

    await new Promise((res) => setTimeout(res, 1100)); // past the readiness probe's interval
    const notReady = await call(node, 'GET', '/readyz');
    assert.equal(notReady.status, 503, JSON.stringify(notReady.json));
    assert.match(notReady.json.message as string, /full/);
    t.diagnostic(`/readyz during the fault: ${notReady.status} Retry-After: ${notReady.headers.get('retry-after')} ${JSON.stringify(notReady.json)}`);
    assert.ok(notReady.headers.get('retry-after'));
    assert.equal((await call(node, 'GET', '/healthz')).status, 200, 'the process is up');
    assert.equal(node.child.exitCode, null);

    rmSync(filler);
    const again = await close('after-0');
    assert.equal(again.status, 200, JSON.stringify(again.json));
    acknowledged.push('after-0');
    await new Promise((res) => setTimeout(res, 1100));
    assert.equal((await call(node, 'GET', '/readyz')).status, 200);

    const check = async () => {
      for (const id of acknowledged) {
        const s = await integ(`/v2/customer_sessions/${id}`);
        assert.equal(s.status, 200, `${id}: ${JSON.stringify(s.json)}`);
        assert.equal(s.json.customerSession.state, 'closed', id);
        assert.deepEqual(s.json.effects.map((e: Json) => [e.effectType, e.props.value]), [['setDiscount', 10]], id);
      }
    };
    await check();
    await stopNode(node);
    node = await startNode(url);
    await check();
  } finally {
    await stopNode(node);
  }
});

const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

test('faults of the store are Unavailable naming the extended code; other SQLite errors pass through', () => {
  const cases: [string, RegExp, number][] = [
    ['SQLITE_FULL', /^Database file system is full: free disk space \(SQLITE_FULL: /, 30],
    ['SQLITE_IOERR_WRITE', /^Database I\/O error: check the disk \(SQLITE_IOERR_WRITE: /, 10],
    ['SQLITE_READONLY_DBMOVED', /^Database is read-only: .* \(SQLITE_READONLY_DBMOVED: /, 30],
    ['SQLITE_BUSY', /^Database is busy: another connection held its lock beyond the 5 s busy timeout \(SQLITE_BUSY: /, 1],
  ];
  for (const [code, message, retry] of cases) {
    const u = classified(sqliteError(code, 'boom'));
    assert.ok(u instanceof Unavailable, code);
    assert.equal(u.status, 503);
    assert.match(u.message, message);
    assert.equal(u.retryAfterSeconds, retry);
    assert.equal(u.inDoubt, false);
  }
  const unique = sqliteError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed');
  assert.equal(classified(unique), unique);
  const plain = new Error('a bug');
  assert.equal(classified(plain), plain);
});

test('a read-only store answers Unavailable (SQLITE_READONLY) and the queue goes on', async () => {
  const db = openDatabase('sqlite::memory:');
  await db.migrate();
  try {
    const refused = db.transaction(async (sql) => {
      await sql.run('PRAGMA query_only = ON');
      try {
        await sql.run("INSERT INTO readiness_probe (id, at) VALUES (1, 'x')");
      } finally {
        await sql.run('PRAGMA query_only = OFF');
      }
    });
    await assert.rejects(refused, (e: unknown) => e instanceof Unavailable && /SQLITE_READONLY/.test(e.message));
    assert.equal(await db.transaction((sql) => sql.run("INSERT INTO readiness_probe (id, at) VALUES (1, 'y')")), 1);
  } finally {
    await db.close();
  }
});

test('a write lock held by another connection beyond the busy timeout: every unit of the batch is Unavailable (SQLITE_BUSY), none is lost after', async () => {
  const file = join(mkdtempSync(join(os.tmpdir(), 'openpromo-busy-')), 'busy.db');
  const db = openDatabase(`sqlite:${file}`);
  await db.migrate();
  const other = new BetterSqlite3(file);
  try {
    other.exec('BEGIN IMMEDIATE');
    const batch = [1, 2, 3].map((i) => db.transaction((sql) => sql.run('INSERT INTO readiness_probe (id, at) VALUES (?, ?)', [i, 'x'])));
    const outcomes = await Promise.allSettled(batch);
    for (const o of outcomes) {
      assert.equal(o.status, 'rejected');
      assert.ok(o.reason instanceof Unavailable && /SQLITE_BUSY/.test(o.reason.message), String(o.status === 'rejected' ? o.reason : ''));
    }
    other.exec('ROLLBACK');
    assert.equal(await db.transaction((sql) => sql.run("INSERT INTO readiness_probe (id, at) VALUES (1, 'y')")), 1);
    assert.deepEqual(await db.transaction((sql) => sql.all('SELECT id FROM readiness_probe')), [{ id: 1 }]);
  } finally {
    other.close();
    await db.close();
    rmSync(join(file, '..'), { recursive: true, force: true });
  }
});
