import type { Sql } from '../db.js';

/**
 * A counter per configuration scope ('account', 'app:<id>'), bumped in the same transaction as
 * any change of definitions, campaigns or settings. Every process reads it (one indexed row) to
 * know whether its in-memory snapshot is current, so caches stay correct across processes.
 */
export async function bumpConfigVersion(sql: Sql, scope: string): Promise<void> {
  await sql.run('INSERT INTO config_versions (scope, version) VALUES (?, 1) ON CONFLICT (scope) DO UPDATE SET version = config_versions.version + 1', [scope]);
}

export async function configVersion(sql: Sql, scope: string): Promise<number> {
  const row = await sql.get<{ version: number }>('SELECT version FROM config_versions WHERE scope = ?', [scope]);
  return row ? Number(row.version) : 0;
}
