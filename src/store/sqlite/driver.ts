import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { rehearsalSql, type Database, type Param, type Sql } from '../db.js';
import { migrations } from '../migrations.js';
import { BACKSTOP_PAGES, startCheckpointer, type Checkpointer } from './checkpointer.js';
import { BUSY_TIMEOUT_MS, classified } from './faults.js';
import { lockDatabaseFile, type ProcessLock } from './lock.js';

type Statement = BetterSqlite3.Statement;
/** A queued transaction; a rehearsal (`keep` false) is rolled back to its savepoint however it ends. */
interface Unit { fn: (sql: Sql) => Promise<unknown>; keep: boolean; resolve(v: unknown): void; reject(e: unknown): void }
/** Units per group commit: bounds how long the first one waits for its answer. */
const MAX_BATCH = 32;
/** Event-loop turns a batch may keep gathering while transactions keep arriving (waitForBatch). */
const GATHER_TURNS = 3;

/**
 * SQLite through better-sqlite3. The driver is synchronous; transactions are made async-safe by
 * a FIFO queue, so one transaction runs at a time on the single connection (SQLite has one writer
 * anyway), and they are group-committed (see transaction()). One OpenPromo process per SQLite
 * file; several processes share PostgreSQL instead. With `exclusive` (what `openpromo serve` opens) the
 * file is locked for this process until close() (lock.ts): a second one is refused.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, Statement>();

  /** Held while open when opened `exclusive` (a file only; kept referenced so that it is never collected). */
  private readonly processLock: ProcessLock | null = null;

  /** The file's directory, whose file system holds the database and its WAL (null in memory). */
  private readonly directory: string | null;

  constructor(path: string, opts: { exclusive?: boolean } = {}) {
    const file = path !== ':memory:' && path !== '';
    this.directory = file ? dirname(path) : null;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    if (file && opts.exclusive) this.processLock = lockDatabaseFile(path);
    try {
      this.db = new BetterSqlite3(path);
    } catch (err) {
      this.processLock?.release();
      throw err;
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // savepoint (statement) journals in memory, not in temp files: group commit opens one savepoint per
    // unit, and a file-backed one would cost system calls on every write
    this.db.pragma('temp_store = MEMORY');
    if (file) {
      // checkpoints run on a worker thread; the writer's own only past a large backstop (checkpointer.ts)
      this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
      this.checkpointer = startCheckpointer(path, () => {
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      });
    }
  }

  private readonly checkpointer: Checkpointer | null = null;

  /** Checkpoints completed by the background worker (0 for in-memory databases). */
  backgroundCheckpoints(): number {
    return this.checkpointer?.count() ?? 0;
  }

  private prepare(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /**
   * Configuration versions as this connection last read or wrote them (Sql.versions). Valid while no
   * other connection commits: checked once per batch with `PRAGMA data_version` (which moves only on
   * other connections' commits) under the batch's write lock; cleared whenever a unit or a batch is
   * rolled back, since what it read or bumped may then be gone, and put back as it was before a
   * rehearsal, which keeps nothing it learned.
   */
  private readonly versions = new Map<string, number>();
  private dataVersion = -1;

  private checkDataVersion(): void {
    const v = (this.dataVersionStatement ??= this.db.prepare('PRAGMA data_version').pluck()).get() as number;
    if (v !== this.dataVersion) {
      this.versions.clear();
      this.dataVersion = v;
    }
  }

  private dataVersionStatement: Statement | undefined;

  /* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; `async` makes its throws rejections, as the Sql seam promises */
  private readonly sql: Sql = {
    dialect: 'sqlite',
    versions: this.versions,
    all: async <T>(q: string, params: readonly Param[] = []) => this.prepare(q).all(...bind(params)) as T[],
    get: async <T>(q: string, params: readonly Param[] = []) => this.prepare(q).get(...bind(params)) as T | undefined,
    run: async (q: string, params: readonly Param[] = []) => this.prepare(q).run(...bind(params)).changes,
    insert: async (q: string, params: readonly Param[] = []) => Number(this.prepare(q).run(...bind(params)).lastInsertRowid),
    // One process owns the file and transactions run one at a time: the in-process in-flight set
    // (services/exclusive.ts) is the whole lock.
    tryLock: async () => true,
  };
  /* eslint-enable @typescript-eslint/require-await */

  /**
   * Group commit: transactions queue up and run one after another; the ones waiting when a batch
   * starts share one SQLite transaction, each inside its own savepoint (its failure undoes only its
   * own writes), and one COMMIT makes the whole batch durable before any of them is answered. The
   * result is exactly serial execution, with one WAL commit per batch instead of per request.
   */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.enqueue(fn, true);
  }

  /**
   * A rehearsal is a unit of the queue like any other, so it sees exactly what a transaction in its
   * place would; its savepoint is rolled back when it ends, and nothing of it reaches the WAL.
   */
  rehearse<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.enqueue(fn, false);
  }

  private enqueue<T>(fn: (sql: Sql) => Promise<T>, keep: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, keep, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // start on a later turn of the event loop, so that every request read meanwhile joins the batch
        this.waitForBatch(this.pending.length, 0);
      }
    });
  }

  /**
   * Starts the batch on a later turn of the event loop: the next one, or — while each turn brings more
   * transactions (concurrent requests still being read) — up to GATHER_TURNS turns later. A lone
   * request waits one turn; under load batches grow, and the COMMIT, whose cost hardly depends on the
   * batch's size, is shared by more of them (docs/sessions.md, "SQLite: one process per database file").
   */
  private waitForBatch(seen: number, turns: number): void {
    setImmediate(() => {
      const n = this.pending.length;
      if (n > seen && n < MAX_BATCH && turns < GATHER_TURNS) this.waitForBatch(n, turns + 1);
      else void this.drain();
    });
  }

  /** Batches committed so far (for tests). */
  batches(): number {
    return this.batchCount;
  }

  private batchCount = 0;

  private readonly pending: Unit[] = [];
  private draining = false;

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        try {
          await this.runBatch(batch);
        } catch (err) {
          // a fault while undoing (ROLLBACK TO on an I/O error…): the whole batch is lost, none of it was answered
          this.abandon(batch, err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Rolls the batch's transaction back, if SQLite has not already, and rejects every unit of it. */
  private abandon(batch: readonly Unit[], err: unknown): void {
    this.versions.clear();
    try {
      if (this.db.inTransaction) this.prepare('ROLLBACK').run();
    } catch {
      // nothing committed either way: SQLite rolls back a transaction it cannot finish on its next use
    }
    const reason = classified(err);
    for (const u of batch) u.reject(reason);
  }

  private async runBatch(batch: Unit[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      // a transaction left open by a ROLLBACK that failed (abandon) ends before the next one begins
      if (this.db.inTransaction) this.prepare('ROLLBACK').run();
      this.prepare('BEGIN IMMEDIATE').run();
      this.checkDataVersion();
    } catch (err) {
      this.abandon(batch, err);
      return;
    }
    for (const u of batch) {
      this.prepare('SAVEPOINT unit').run();
      const versionsBefore = u.keep ? null : new Map(this.versions);
      try {
        // a fresh object per unit: per-transaction memos (config versions) key on it
        const sql = Object.create(this.sql) as Sql;
        const value = await u.fn(u.keep ? sql : rehearsalSql(sql));
        if (u.keep) this.prepare('RELEASE unit').run();
        else this.undoUnit(versionsBefore);
        outcomes.push({ ok: true, value });
      } catch (err) {
        this.versions.clear();
        if (!this.db.inTransaction) {
          // SQLite aborted the whole transaction (I/O error, disk full): nothing of the batch is kept
          this.abandon(batch, err);
          return;
        }
        this.undoUnit(null);
        outcomes.push({ ok: false, err: classified(err) });
      }
    }
    try {
      this.prepare('COMMIT').run();
      this.batchCount++;
    } catch (err) {
      this.abandon(batch, err);
      return;
    }
    batch.forEach((u, i) => {
      const o = outcomes[i];
      if (o.ok) u.resolve(o.value);
      else u.reject(o.err);
    });
  }

  /** Rolls the running unit back to its savepoint; the config versions go back to `before` (else are forgotten). */
  private undoUnit(before: ReadonlyMap<string, number> | null): void {
    this.prepare('ROLLBACK TO unit').run();
    this.prepare('RELEASE unit').run();
    this.versions.clear();
    if (before) for (const [scope, version] of before) this.versions.set(scope, version);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- synchronous driver: `async` makes its throws rejections
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

  async freeBytes(): Promise<number> {
    if (this.directory === null) return Number.POSITIVE_INFINITY;
    const fs = await statfs(this.directory);
    return fs.bavail * fs.bsize;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- synchronous driver: `async` makes its throws rejections
  async ping(): Promise<void> {
    try {
      this.db.prepare('SELECT 1').get();
    } catch (err) {
      throw classified(err);
    }
  }

  async close(): Promise<void> {
    while (this.draining || this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.checkpointer?.stop();
    this.db.close(); // the last connection checkpoints the rest and removes the WAL
    this.processLock?.release();
  }
}

function bind(params: readonly Param[]): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}
