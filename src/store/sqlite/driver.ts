import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database, Param, Sql } from '../db.js';
import { migrations } from '../migrations.js';

type Statement = BetterSqlite3.Statement;

/**
 * SQLite through better-sqlite3. The driver is synchronous; transactions are made async-safe by
 * a FIFO queue, so one transaction runs at a time on the single connection (SQLite has one writer
 * anyway) and no request ever sees another's uncommitted rows. One OpenPromo process per SQLite
 * file; several processes share PostgreSQL instead.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, Statement>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new BetterSqlite3(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  private prepare(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  private readonly sql: Sql = {
    dialect: 'sqlite',
    all: async <T>(q: string, params: readonly Param[] = []) => this.prepare(q).all(...bind(params)) as T[],
    get: async <T>(q: string, params: readonly Param[] = []) => this.prepare(q).get(...bind(params)) as T | undefined,
    run: async (q: string, params: readonly Param[] = []) => this.prepare(q).run(...bind(params)).changes,
    // One process owns the file and transactions run one at a time: the store's in-process
    // in-flight guard (store.ts) is the whole lock.
    tryLock: async () => true,
  };

  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.prepare('BEGIN IMMEDIATE').run();
      try {
        // a fresh object per transaction: per-transaction memos (config versions) key on it
        const result = await fn(Object.create(this.sql) as Sql);
        this.prepare('COMMIT').run();
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.prepare('ROLLBACK').run();
        throw err;
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  async migrate(): Promise<number> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)');
    const done = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    let applied = 0;
    for (const m of migrations('sqlite')) {
      if (done.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      })();
      applied++;
    }
    return applied;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}

function bind(params: readonly Param[]): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}
