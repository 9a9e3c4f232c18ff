import type { Database } from './db.js';
import { PostgresDatabase } from './postgres/driver.js';
import { SqliteDatabase } from './sqlite/driver.js';

/**
 * `sqlite:<path>`, `sqlite::memory:` or `postgres://…` (also `postgresql://…`).
 * `pgPrepared` (default: OPENPROMO_PG_PREPARED, on unless `0`): named prepared statements on PostgreSQL.
 */
export function openDatabase(url: string, pgPrepared = process.env.OPENPROMO_PG_PREPARED !== '0'): Database {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return new PostgresDatabase(url, { prepared: pgPrepared });
  if (url.startsWith('sqlite:')) return new SqliteDatabase(url.slice('sqlite:'.length));
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got ${JSON.stringify(url)})`);
}
