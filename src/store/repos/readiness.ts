import type { Sql } from '../db.js';

/** Rewrites the readiness row: a real write, as small as one can be, that fails when the store cannot take writes. */
export async function touchReadiness(sql: Sql, at: string): Promise<void> {
  await sql.run('INSERT INTO readiness_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at', [at]);
}
