import pg from 'pg';
import type { Unavailable } from '../../domain/errors.js';
import { lockId, rehearsalSql, type Database, type Param, type Sql } from '../db.js';
import { migrations } from '../migrations.js';
import { isConnectionLost, isNotQueryable, unavailable, type Phase } from './faults.js';

/** Our pool's own type parsers: int8 as number (ids stay far below 2^53), NUMERIC as exact text. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

/** `?` placeholders (the repositories' portable form) → `$1, $2…`. */
const converted = new Map<string, string>();
function toPg(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    converted.set(sql, out);
  }
  return out;
}

/**
 * Named (server-side prepared) statements: PostgreSQL parses and plans a statement once per connection
 * instead of on every execution. Statement texts are fixed in the repositories; the few built
 * dynamically (IN lists, filters) are bounded, and past MAX_NAMED distinct texts the rest run unnamed.
 * `prepared: false` (OPENPROMO_PG_PREPARED=0) sends every statement unnamed, for poolers that cannot
 * keep prepared statements across transactions (PgBouncer in transaction mode before 1.21).
 */
const MAX_NAMED = 2000;
const names = new Map<string, string>();
function query(text: string, values: unknown[], prepared: boolean): pg.QueryConfig {
  if (!prepared) return { text, values };
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `op${names.size + 1}`;
    names.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}

function bind(params: readonly Param[]): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : typeof p === 'bigint' ? p.toString() : p));
}

/**
 * PostgreSQL through pg. Every transaction is READ COMMITTED on its own pooled connection;
 * correctness across processes comes from row locks, conditional updates and transaction-scoped
 * advisory locks (tryLock → pg_try_advisory_xact_lock), never from process memory.
 */
export class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;

  private readonly prepared: boolean;
  private readonly connectTimeoutMs: number;
  /** The first error each pooled client's connection failed with: named when a later statement is refused. */
  private readonly broken = new WeakMap<pg.ClientBase, Error>();

  /**
   * `connectionTimeoutMillis` bounds both opening a connection and waiting for a free one in the pool,
   * so that a request on an unreachable or saturated database ends in a 503 instead of hanging.
   */
  constructor(connectionString: string, opts: { max?: number; prepared?: boolean; connectionTimeoutMillis?: number } = {}) {
    this.connectTimeoutMs = opts.connectionTimeoutMillis ?? 5000;
    // keepAlive: a peer that vanished without closing (failover, network cut) is noticed by TCP
    this.pool = new pg.Pool({ connectionString, max: opts.max ?? 10, types, connectionTimeoutMillis: this.connectTimeoutMs, keepAlive: true });
    this.prepared = opts.prepared ?? true;
    // a client's connection can fail while checked out, between statements, when pg has no query to
    // reject and emits 'error' instead: without a listener that would end the process (docs/faults.md)
    this.pool.on('connect', (client) => {
      client.on('error', (err) => { if (!this.broken.has(client)) this.broken.set(client, err); });
    });
    // an idle client's failure: the pool has already discarded it, and the next request connects afresh
    this.pool.on('error', () => undefined);
  }

  /** A pooled client; failing to get one (refused, timed out, too many clients) is Unavailable. */
  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw unavailable(err, 'connect', this.connectTimeoutMs) ?? err;
    }
  }

  /** `err` as Unavailable when it is connection-level, naming what broke the connection when pg only says it is unusable. */
  private failure(client: pg.PoolClient, err: unknown, phase: Phase): Unavailable | undefined {
    // a refused statement was never sent: a refused COMMIT committed nothing
    if (isNotQueryable(err)) return unavailable(this.broken.get(client) ?? err, phase === 'commit' ? 'transaction' : phase, this.connectTimeoutMs);
    return unavailable(err, phase, this.connectTimeoutMs);
  }

  /** Back to the pool, or discarded (released with its error) when its connection is gone or `unusable`. */
  private release(client: pg.PoolClient, err?: unknown, unusable = false): void {
    const lost = this.broken.get(client) ?? (isConnectionLost(err) ? err as Error : undefined);
    client.release(lost ?? unusable);
  }

  /**
   * One transaction's statements. BEGIN is sent lazily with the first statement, and when that is the
   * advisory lock (exclusive use cases start with it) both go in one round trip: the lock id is a
   * number we compute, so it can be a literal of a simple-protocol query.
   */
  private executor(client: pg.PoolClient, tx: { begun: boolean }): Sql {
    const begin = async () => {
      if (!tx.begun) { tx.begun = true; await client.query('BEGIN'); }
    };
    const run = async <R extends pg.QueryResultRow = Record<string, unknown>>(q: string, params: readonly Param[]) => {
      await begin();
      return client.query<R>(query(toPg(q), bind(params), this.prepared));
    };
    return {
      dialect: 'postgres',
      all: async <T>(q: string, params: readonly Param[] = []) => (await run(q, params)).rows as T[],
      get: async <T>(q: string, params: readonly Param[] = []) => (await run(q, params)).rows[0] as T | undefined,
      run: async (q: string, params: readonly Param[] = []) => (await run(q, params)).rowCount ?? 0,
      insert: async (q: string, params: readonly Param[] = []) => Number((await run<{ id: number }>(`${q} RETURNING id`, params)).rows[0].id),
      tryLock: async (key: string) => {
        const lock = `SELECT pg_try_advisory_xact_lock(${lockId(key).toString()}) AS ok`;
        if (tx.begun) return (await client.query<{ ok: boolean }>(lock)).rows[0].ok;
        tx.begun = true;
        const results = await client.query(`BEGIN; ${lock}`) as unknown as pg.QueryResult<{ ok: boolean }>[];
        return results[1].rows[0].ok;
      },
    };
  }

  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.unit(fn, true);
  }

  /**
   * Rolled back like a failed transaction. Sequences are not transactional in PostgreSQL: the ids a
   * rehearsal's inserts drew stay used, as those of any rolled-back transaction do.
   */
  rehearse<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.unit(fn, false);
  }

  /**
   * One transaction on one pooled connection, ended by COMMIT when `fn` resolves and `keep`, else by ROLLBACK.
   * A connection-level failure is Unavailable: in doubt when it struck while COMMIT was in flight.
   */
  private async unit<T>(fn: (sql: Sql) => Promise<T>, keep: boolean): Promise<T> {
    const client = await this.connect();
    const tx = { begun: false };
    let phase: Phase = 'transaction';
    let failed: unknown;
    let unusable = false;
    try {
      const sql = this.executor(client, tx);
      const result = await fn(keep ? sql : rehearsalSql(sql));
      if (tx.begun) {
        if (keep) phase = 'commit';
        await client.query(keep ? 'COMMIT' : 'ROLLBACK');
      }
      return result;
    } catch (err) {
      failed = err;
      const down = this.failure(client, err, phase);
      // a client whose ROLLBACK failed may still be inside the transaction: never reuse it
      if (tx.begun && !isConnectionLost(err) && !this.broken.has(client)) await client.query('ROLLBACK').catch((e: unknown) => { failed = e; unusable = true; });
      throw down ?? err;
    } finally {
      this.release(client, failed, unusable);
    }
  }

  async migrate(): Promise<number> {
    const client = await this.connect();
    let failed: unknown;
    try {
      // several processes may start at once: one migrates, the others wait for it
      await client.query('SELECT pg_advisory_lock(7223372036854775001)');
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)');
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      let applied = 0;
      for (const m of migrations('postgres')) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
          await client.query('COMMIT');
        } catch (err) {
          // the migration's own error is the one to report, also when the connection is gone
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        applied++;
      }
      return applied;
    } catch (err) {
      failed = err;
      throw this.failure(client, err, 'other') ?? err;
    } finally {
      await client.query('SELECT pg_advisory_unlock(7223372036854775001)').catch(() => undefined);
      this.release(client, failed);
    }
  }

  async ping(): Promise<void> {
    const client = await this.connect();
    let failed: unknown;
    try {
      await client.query('SELECT 1');
    } catch (err) {
      failed = err;
      throw this.failure(client, err, 'other') ?? err;
    } finally {
      this.release(client, failed);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
