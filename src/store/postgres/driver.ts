import pg from 'pg';
import { lockId, type Database, type Param, type Sql } from '../db.js';
import { migrations } from '../migrations.js';

/** Our pool's own type parsers: int8 as number (ids stay far below 2^53), NUMERIC as exact text. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
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

  constructor(connectionString: string, max = 10) {
    this.pool = new pg.Pool({ connectionString, max, types });
    // an idle client losing its connection must not crash the process
    this.pool.on('error', () => undefined);
  }

  private executor(client: pg.PoolClient): Sql {
    return {
      dialect: 'postgres',
      all: async <T>(q: string, params: readonly Param[] = []) => (await client.query(toPg(q), bind(params))).rows as T[],
      get: async <T>(q: string, params: readonly Param[] = []) => (await client.query(toPg(q), bind(params))).rows[0] as T | undefined,
      run: async (q: string, params: readonly Param[] = []) => (await client.query(toPg(q), bind(params))).rowCount ?? 0,
      tryLock: async (key: string) => {
        const r = await client.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [lockId(key).toString()]);
        return r.rows[0].ok === true;
      },
    };
  }

  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(this.executor(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<number> {
    const client = await this.pool.connect();
    try {
      // several processes may start at once: one migrates, the others wait for it
      await client.query('SELECT pg_advisory_lock(7223372036854775001)');
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)');
      const done = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      let applied = 0;
      for (const m of migrations('postgres')) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        applied++;
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock(7223372036854775001)').catch(() => undefined);
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
