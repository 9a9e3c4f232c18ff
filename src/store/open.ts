import { resolve } from 'node:path';
import type { Database } from './db.js';
import { PostgresDatabase } from './postgres/driver.js';
import { SqliteDatabase } from './sqlite/driver.js';

export interface OpenOptions {
  /** PostgreSQL: named prepared statements (default: OPENPROMO_PG_PREPARED, on unless `0`). */
  pgPrepared?: boolean;
  /**
   * SQLite file: lock it for this process until closed, refusing to open when another process holds it
   * (store/sqlite/lock.ts). `openpromo serve` opens its store so; in-memory databases and PostgreSQL need no lock.
   */
  exclusive?: boolean;
}

/** `sqlite:<path>`, `sqlite::memory:` or `postgres://…` (also `postgresql://…`). */
export function openDatabase(url: string, opts: OpenOptions = {}): Database {
  if (isPostgresUrl(url)) return new PostgresDatabase(url, { prepared: opts.pgPrepared ?? process.env.OPENPROMO_PG_PREPARED !== '0' });
  if (url.startsWith('sqlite:')) return new SqliteDatabase(url.slice('sqlite:'.length), { exclusive: opts.exclusive ?? false });
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got ${JSON.stringify(url)})`);
}

const isPostgresUrl = (url: string) => url.startsWith('postgres://') || url.startsWith('postgresql://');

/** Where a DATABASE_URL points, for people (the start-up summary): never its password. */
export type StoreDescription =
  | { kind: 'sqlite'; file: string }
  | { kind: 'sqlite'; memory: true }
  | { kind: 'postgres'; host: string; port: number; database: string; user?: string };

export function describeDatabaseUrl(url: string): StoreDescription {
  if (isPostgresUrl(url)) {
    const u = new URL(url);
    const env = process.env;
    // what pg itself falls back to when the URL leaves a part out
    const host = decodeURIComponent(u.hostname) || u.searchParams.get('host') || env.PGHOST || 'localhost';
    const port = Number(u.port || env.PGPORT || 5432);
    const user = decodeURIComponent(u.username) || env.PGUSER;
    const database = decodeURIComponent(u.pathname.slice(1)) || env.PGDATABASE || user || '';
    return { kind: 'postgres', host, port, database, ...(user ? { user } : {}) };
  }
  const path = url.slice('sqlite:'.length);
  return path === ':memory:' || path === '' ? { kind: 'sqlite', memory: true } : { kind: 'sqlite', file: resolve(path) };
}
