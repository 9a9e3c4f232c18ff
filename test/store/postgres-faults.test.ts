/**
 * The PostgreSQL driver when connections fail (docs/faults.md): backends terminated in the middle of a
 * statement, between statements, while idle and while COMMIT is in flight, an unreachable server, a
 * silent one and an exhausted pool. Each failure is an Unavailable naming its cause, the process
 * survives (an unhandled 'error' event would fail the file), and the next transaction gets a fresh
 * connection. Connections are told apart by their application_name.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { Unavailable } from '../../src/domain/errors.js';
import { unavailable } from '../../src/store/postgres/faults.js';
import { PostgresDatabase } from '../../src/store/postgres/driver.js';
import { dropTestSchemas, freshPostgresUrl, PG_URL } from '../helpers/stores.js';

const ADMIN_TERMINATION = '57P01: terminating connection due to administrator command';

/** Terminates every backend of `name`, from a connection of its own; answers how many. */
async function terminate(name: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const r = await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
    return r.rowCount ?? 0;
  } finally {
    await c.end();
  }
}

/** Waits until a backend of `name` runs a statement matching `like` (pg_stat_activity.query). */
async function running(name: string, like: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (;;) {
      const r = await c.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE $2", [name, like]);
      if (r.rowCount) return;
      await new Promise((res) => setTimeout(res, 20));
    }
  } finally {
    await c.end();
  }
}

/**
 * Resolves when `n` of the driver's pooled clients have seen their connection end: then the termination
 * has reached the client (what a test of "between statements" or "idle" needs), not only the server.
 * Clients are watched from their next checkout on; listening for 'end' leaves 'error' to the driver.
 */
function connectionsEnded(db: PostgresDatabase, n: number): Promise<void> {
  const pool = (db as unknown as { pool: pg.Pool }).pool;
  const watched = new WeakSet<pg.PoolClient>();
  return new Promise((resolve) => {
    let left = n;
    pool.on('acquire', (client) => {
      if (watched.has(client)) return;
      watched.add(client);
      client.once('end', () => { if (--left === 0) resolve(); });
    });
  });
}

function isUnavailable(message: string | RegExp, opts: { inDoubt?: boolean; retryAfterSeconds?: number } = {}) {
  return (err: unknown) => {
    assert.ok(err instanceof Unavailable, `expected Unavailable, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    assert.equal(err.inDoubt, opts.inDoubt ?? false);
    if (opts.retryAfterSeconds !== undefined) assert.equal(err.retryAfterSeconds, opts.retryAfterSeconds);
    return true;
  };
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('PostgreSQL driver: connection faults', () => {
  after(() => dropTestSchemas());

  async function withDb(t: { skip(m: string): void }, fn: (db: PostgresDatabase, name: string) => Promise<void>, opts: { max?: number; connectionTimeoutMillis?: number } = {}) {
    const fresh = await freshPostgresUrl();
    if (!fresh) return t.skip('PostgreSQL not available');
    const name = `op_faults_${randomBytes(4).toString('hex')}`;
    const url = new URL(fresh);
    url.searchParams.set('application_name', name);
    const db = new PostgresDatabase(url.toString(), { max: opts.max ?? 2, ...(opts.connectionTimeoutMillis ? { connectionTimeoutMillis: opts.connectionTimeoutMillis } : {}) });
    try {
      await db.transaction((sql) => sql.run('CREATE TABLE t (id INTEGER PRIMARY KEY)'));
      await fn(db, name);
    } finally {
      await db.close();
    }
  }

  const rows = (db: PostgresDatabase) => db.transaction((sql) => sql.all<{ id: number }>('SELECT id FROM t ORDER BY id'));

  test('terminated while a statement runs: Unavailable naming 57P01, nothing committed; the next transaction succeeds', (t) => withDb(t, async (db, name) => {
    const tx = db.transaction(async (sql) => {
      await sql.run('INSERT INTO t (id) VALUES (1)');
      await sql.get('SELECT pg_sleep(30)');
    });
    const failed = assert.rejects(tx, isUnavailable(`Database connection lost (${ADMIN_TERMINATION}); nothing was committed`, { retryAfterSeconds: 1 }));
    await running(name, '%pg_sleep%');
    assert.equal(await terminate(name), 1);
    await failed;
    await db.transaction((sql) => sql.run('INSERT INTO t (id) VALUES (2)'));
    assert.deepEqual(await rows(db), [{ id: 2 }]);
  }));

  for (const next of ['another statement', 'COMMIT'] as const) {
    test(`terminated while checked out between statements, then ${next}: the process survives; Unavailable, nothing committed`, (t) => withDb(t, async (db, name) => {
      const ended = connectionsEnded(db, 1);
      let resume!: () => void;
      const paused = new Promise<void>((r) => { resume = r; });
      let reached!: () => void;
      const isPaused = new Promise<void>((r) => { reached = r; });
      const tx = db.transaction(async (sql) => {
        await sql.run('INSERT INTO t (id) VALUES (1)');
        reached();
        await paused;
        if (next === 'another statement') await sql.run('INSERT INTO t (id) VALUES (2)');
      });
      // the COMMIT is refused before it is sent: not in doubt
      const failed = assert.rejects(tx, isUnavailable(`Database connection lost (${ADMIN_TERMINATION}); nothing was committed`));
      await isPaused;
      assert.equal(await terminate(name), 1);
      await ended;
      resume();
      await failed;
      assert.deepEqual(await rows(db), []);
      await db.transaction((sql) => sql.run('INSERT INTO t (id) VALUES (3)'));
      assert.deepEqual(await rows(db), [{ id: 3 }]);
    }));
  }

  test('idle pooled connections terminated: discarded, and the next transactions run on fresh ones', (t) => withDb(t, async (db, name) => {
    const pid = (sql: { get<T>(q: string): Promise<T | undefined> }) => sql.get<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // two at once, so that the pool holds two idle connections afterwards
    let both!: () => void;
    const gate = new Promise<void>((r) => { both = r; });
    let started = 0;
    const ended = connectionsEnded(db, 2);
    const before = await Promise.all([0, 1].map(() => db.transaction(async (sql) => {
      const p = await pid(sql);
      if (++started === 2) both();
      await gate;
      return p!.pid;
    })));
    assert.equal(await terminate(name), 2);
    await ended;
    for (let i = 0; i < 4; i++) {
      const now = await db.transaction(async (sql) => (await pid(sql))!.pid);
      assert.ok(!before.includes(now), 'a fresh connection');
    }
    await db.ping();
  }));

  test('terminated while COMMIT is in flight: Unavailable in doubt, telling the client to read back', (t) => withDb(t, async (db, name) => {
    // a deferred constraint trigger runs at COMMIT: it holds the COMMIT long enough to terminate it
    await db.transaction(async (sql) => {
      await sql.run("CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$");
      await sql.run('CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()');
    });
    const tx = db.transaction((sql) => sql.run('INSERT INTO t (id) VALUES (1)'));
    const failed = assert.rejects(tx, isUnavailable(`Database connection lost (${ADMIN_TERMINATION}) while committing: the outcome is unknown; read the resource back before retrying`, { inDoubt: true, retryAfterSeconds: 1 }));
    await running(name, 'COMMIT');
    assert.equal(await terminate(name), 1);
    await failed;
    // reading back settles it: here the COMMIT had not landed
    assert.deepEqual(await rows(db), []);
  }));

  test('a rehearsal terminated while a statement runs: Unavailable, nothing committed', (t) => withDb(t, async (db, name) => {
    const dry = db.rehearse((sql) => sql.get('SELECT pg_sleep(30)'));
    const failed = assert.rejects(dry, isUnavailable(`Database connection lost (${ADMIN_TERMINATION}); nothing was committed`));
    await running(name, '%pg_sleep%');
    await terminate(name);
    await failed;
    assert.deepEqual(await db.rehearse((sql) => sql.get('SELECT 1 AS one')), { one: 1 });
  }));

  test('an exhausted pool: Unavailable "Database busy" after connectionTimeoutMillis instead of waiting forever', (t) => withDb(t, async (db) => {
    let resume!: () => void;
    const paused = new Promise<void>((r) => { resume = r; });
    let reached!: () => void;
    const holding = new Promise<void>((r) => { reached = r; });
    const first = db.transaction(async (sql) => { await sql.get('SELECT 1'); reached(); await paused; });
    await holding;
    await assert.rejects(db.transaction((sql) => sql.get('SELECT 1')), isUnavailable('Database busy (no pooled connection free within 200 ms)', { retryAfterSeconds: 2 }));
    resume();
    await first;
    await db.transaction((sql) => sql.get('SELECT 1'));
  }, { max: 1, connectionTimeoutMillis: 200 }));

  test('a closed port: every entry point is Unavailable naming ECONNREFUSED and the address', async () => {
    const port = await closedPort();
    const db = new PostgresDatabase(`postgres://postgres@127.0.0.1:${port}/test`);
    try {
      const refused = isUnavailable(`Database unreachable (ECONNREFUSED 127.0.0.1:${port})`, { retryAfterSeconds: 2 });
      await assert.rejects(db.transaction((sql) => sql.get('SELECT 1')), refused);
      await assert.rejects(db.rehearse((sql) => sql.get('SELECT 1')), refused);
      await assert.rejects(db.ping(), refused);
      await assert.rejects(db.migrate(), refused);
    } finally {
      await db.close();
    }
  });

  test('a server that accepts but never answers: Unavailable after connectionTimeoutMillis', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => { sockets.push(s); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const db = new PostgresDatabase(`postgres://postgres@127.0.0.1:${port}/test`, { connectionTimeoutMillis: 200 });
    try {
      await assert.rejects(db.transaction((sql) => sql.get('SELECT 1')), isUnavailable('Database unreachable (no connection within 200 ms)', { retryAfterSeconds: 5 }));
    } finally {
      await db.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('PostgreSQL driver: which errors are connection-level', () => {
  const dbError = (code: string, message: string) => Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });
  const socketError = (code: string, message: string, extra: object = {}) => Object.assign(new Error(message), { code, ...extra });

  test('SQLSTATE classes 08, 53 and the shutdown codes; socket errors; pg\'s own connection errors', () => {
    const cases: [unknown, string, number][] = [
      [dbError('08006', 'connection failure'), 'Database connection lost (08006: connection failure); nothing was committed', 1],
      [dbError('57P02', 'terminating connection because of crash of another server process'), 'Database connection lost (57P02: terminating connection because of crash of another server process); nothing was committed', 1],
      [dbError('57P03', 'the database system is starting up'), 'Database not accepting connections (57P03: the database system is starting up); nothing was committed', 2],
      [dbError('53300', 'sorry, too many clients already'), 'Database not accepting connections (53300: sorry, too many clients already); nothing was committed', 2],
      [dbError('53100', 'could not extend file "base/1/2": No space left on device'), 'Database out of resources (53100: could not extend file "base/1/2": No space left on device); nothing was committed', 10],
      [socketError('ECONNRESET', 'read ECONNRESET'), 'Database connection lost (ECONNRESET); nothing was committed', 1],
      [socketError('EPIPE', 'write EPIPE'), 'Database connection lost (EPIPE); nothing was committed', 1],
      [socketError('ETIMEDOUT', 'read ETIMEDOUT'), 'Database connection lost (ETIMEDOUT); nothing was committed', 1],
      [socketError('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.9:5432', { address: '10.0.0.9', port: 5432 }), 'Database connection lost (EHOSTUNREACH 10.0.0.9:5432); nothing was committed', 1],
      [new Error('Connection terminated unexpectedly'), 'Database connection lost (Connection terminated unexpectedly); nothing was committed', 1],
    ];
    for (const [err, message, retryAfterSeconds] of cases) {
      const u = unavailable(err, 'transaction', 5000);
      assert.ok(u, message);
      assert.deepEqual({ message: u.message, retryAfterSeconds: u.retryAfterSeconds, inDoubt: u.inDoubt, cause: u.cause }, { message, retryAfterSeconds, inDoubt: false, cause: err });
    }
  });

  test('at connect: unreachable, with every address a host name resolved to', () => {
    const both = Object.assign(new AggregateError([
      socketError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432', { address: '::1', port: 5432 }),
      socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432', { address: '127.0.0.1', port: 5432 }),
    ], ''), { code: 'ECONNREFUSED' });
    assert.equal(unavailable(both, 'connect', 5000)?.message, 'Database unreachable (ECONNREFUSED ::1:5432, 127.0.0.1:5432)');
    assert.equal(unavailable(new Error('timeout exceeded when trying to connect'), 'connect', 5000)?.message, 'Database busy (no pooled connection free within 5000 ms)');
  });

  test('a lost connection during COMMIT is in doubt; an error answered to COMMIT is not', () => {
    const lost = unavailable(dbError('57P01', 'terminating connection due to administrator command'), 'commit', 5000);
    assert.equal(lost?.inDoubt, true);
    const full = unavailable(dbError('53100', 'could not write'), 'commit', 5000);
    assert.deepEqual([full?.inDoubt, full?.message], [false, 'Database out of resources (53100: could not write); nothing was committed']);
  });

  test('anything else passes through', () => {
    for (const err of [dbError('23505', 'duplicate key value violates unique constraint'), dbError('40001', 'could not serialize access'), dbError('28P01', 'password authentication failed'), new Error('use case failed'), 'not an error']) {
      assert.equal(unavailable(err, 'transaction', 5000), undefined);
    }
  });
});
