/**
 * The store matrix: every suite that takes `STORES` runs on SQLite (in memory) and on PostgreSQL
 * (a fresh schema per database opened, dropped at the end). PostgreSQL comes from
 * OPENPROMO_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test); when it is unreachable
 * the PostgreSQL runs are skipped locally but fail under CI (CI=true), so CI never passes silently.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/store/db.js';
import { openDatabase } from '../../src/store/open.js';

export const PG_URL = process.env.OPENPROMO_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgReachable: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch {
      if (process.env.CI) throw new Error(`PostgreSQL is required under CI but ${PG_URL} is unreachable`);
      return false;
    }
  })();
  return pgReachable;
}

export interface StoreKind { name: 'sqlite' | 'postgres'; url(): Promise<string | null>; cleanup(): Promise<void> }

const schemas: string[] = [];

/** A URL for a brand-new, empty PostgreSQL schema. */
export async function freshPostgresUrl(): Promise<string | null> {
  if (!(await postgresAvailable())) return null;
  const schema = `op_test_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  schemas.push(schema);
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export async function dropTestSchemas(): Promise<void> {
  if (schemas.length === 0) return;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  for (const s of schemas.splice(0)) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await c.end();
}

export const STORES: StoreKind[] = [
  { name: 'sqlite', url: () => Promise.resolve('sqlite::memory:'), cleanup: () => Promise.resolve() },
  { name: 'postgres', url: freshPostgresUrl, cleanup: dropTestSchemas },
];

/** Opens and migrates a database of the given kind, or null when PostgreSQL is not available locally. */
export async function openTestDatabase(kind: StoreKind): Promise<Database | null> {
  const url = await kind.url();
  if (!url) return null;
  const db = openDatabase(url);
  await db.migrate();
  return db;
}
