/**
 * The SQL seam between the repositories (written once, in portable SQL with `?` placeholders)
 * and the two drivers: SQLite (better-sqlite3, embedded default) and PostgreSQL (pg).
 */
export type Dialect = 'sqlite' | 'postgres';
export type Param = string | number | bigint | boolean | null | undefined;

export interface Sql {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly Param[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly Param[]): Promise<T | undefined>;
  /** Runs a statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly Param[]): Promise<number>;
  /**
   * Runs an INSERT of one row into a table whose key is `id` and returns that id (SQLite: the last
   * insert rowid, cheaper than RETURNING; PostgreSQL: RETURNING id).
   */
  insert(sql: string, params?: readonly Param[]): Promise<number>;
  /**
   * Takes an exclusive lock on `key` until the transaction ends, without waiting: false if another
   * transaction (in this process or, on PostgreSQL, any process) holds it.
   */
  tryLock(key: string): Promise<boolean>;
  /**
   * Configuration versions (repos/configVersions.ts) that stay valid from one transaction to the next,
   * when the driver can tell that no other connection changed the database in between (SQLite:
   * `PRAGMA data_version`); absent where it cannot (PostgreSQL): then each transaction reads them.
   */
  readonly versions?: Map<string, number>;
}

export interface Database {
  readonly dialect: Dialect;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction that is always rolled back, and answers what `fn` returned or threw:
   * a dry run makes every write the real request would make and keeps none. Its `Sql` refuses to move a
   * configuration version (rehearsalSql).
   */
  rehearse<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  migrate(): Promise<number>;
  ping(): Promise<void>;
  /**
   * A SQLite file's free space, in bytes, on its file system (statfs). A full file system may still take
   * small writes into the WAL's reused frames, so the write probe alone cannot tell (docs/faults.md).
   */
  freeBytes?(): Promise<number>;
  close(): Promise<void>;
}

export interface Migration { version: number; name: string; sql: string }

const CONFIG_WRITE = /^\s*(?:INSERT|UPDATE|DELETE)\b[^;]*\bconfig_versions\b/i;

function refused(q: string): Promise<never> | undefined {
  return CONFIG_WRITE.test(q) ? Promise.reject(new Error('A rehearsal (dry run) cannot change configuration: its writes are rolled back')) : undefined;
}

/**
 * The `Sql` of a rehearsal: the driver's own, refusing writes to config_versions. Per-process caches
 * keep what they build under a configuration version (services/cache.ts, services/campaigns/snapshot.ts);
 * a version moved inside a rehearsal and rolled back could be reached again by a later real change,
 * and the caches would then answer with what the rehearsal built.
 */
export function rehearsalSql(sql: Sql): Sql {
  const out = Object.create(sql) as Sql;
  out.all = (q, params) => refused(q) ?? sql.all(q, params);
  out.get = (q, params) => refused(q) ?? sql.get(q, params);
  out.run = (q, params) => refused(q) ?? sql.run(q, params);
  out.insert = (q, params) => refused(q) ?? sql.insert(q, params);
  return out;
}

/** A 63-bit lock id from a string key (FNV-1a, 64-bit), for pg_try_advisory_xact_lock. */
export function lockId(key: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < key.length; i++) {
    h ^= BigInt(key.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, h);
}
