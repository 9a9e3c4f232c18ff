import type { Sql } from '../db.js';
import { inChunks, inList } from './params.js';

/**
 * A counter per configuration scope ('account', 'app:<id>'), bumped in the same transaction as
 * any change of definitions, campaigns or settings. Every process reads it (one indexed row) to
 * know whether its in-memory snapshot is current, so caches stay correct across processes.
 * Reads are memoised per transaction — a request reads each scope at most once — or, where the
 * driver keeps them across transactions (`sql.versions`, SQLite), read once until the database
 * changes under another connection.
 */
const memo = new WeakMap<Sql, Map<string, number>>();

function memoOf(sql: Sql): Map<string, number> {
  if (sql.versions) return sql.versions;
  let m = memo.get(sql);
  if (!m) memo.set(sql, (m = new Map<string, number>()));
  return m;
}

export async function bumpConfigVersion(sql: Sql, scope: string): Promise<void> {
  await sql.run('INSERT INTO config_versions (scope, version) VALUES (?, 1) ON CONFLICT (scope) DO UPDATE SET version = config_versions.version + 1', [scope]);
  memoOf(sql).delete(scope);
}

/** Reads several scopes in one round trip (a session update needs the account's and the app's). */
export async function prefetchConfigVersions(sql: Sql, scopes: readonly string[]): Promise<void> {
  const m = memoOf(sql);
  const missing = scopes.filter((s) => !m.has(s));
  if (missing.length === 0) return;
  const rows: { scope: string; version: number }[] = [];
  for (const chunk of inChunks(sql.dialect, missing)) {
    rows.push(...await sql.all<{ scope: string; version: number }>(`SELECT scope, version FROM config_versions WHERE scope IN (${inList(chunk.length)})`, chunk));
  }
  for (const s of missing) m.set(s, 0);
  for (const r of rows) m.set(r.scope, Number(r.version));
}

export async function configVersion(sql: Sql, scope: string): Promise<number> {
  const m = memoOf(sql);
  const hit = m.get(scope);
  if (hit !== undefined) return hit;
  await prefetchConfigVersions(sql, [scope]);
  return m.get(scope)!;
}
