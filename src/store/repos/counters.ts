/**
 * Limit counters (docs/campaigns.md): one row per campaign, action, bucket (the
 * compound entity key, '' campaign-wide) and period start ('' = lifetime). Amounts are exact
 * decimal text; a consume reads the row under lock (PostgreSQL FOR UPDATE; SQLite runs one write
 * transaction at a time) so the check and the write can never interleave with another request.
 */
import { dec, type Decimal } from '../../domain/money.js';
import type { Sql } from '../db.js';

export interface CounterKey { campaignId: number; action: string; bucket: string; periodStart: string }

export async function readCounters(sql: Sql, keys: readonly CounterKey[], lock = false): Promise<Map<string, Decimal>> {
  const out = new Map<string, Decimal>();
  if (keys.length === 0) return out;
  const sorted = [...keys].sort((a, b) => counterId(a).localeCompare(counterId(b)));
  if (lock) {
    // make every row exist so that it can be locked; then lock in one global order (no deadlocks)
    for (const k of sorted) {
      await sql.run("INSERT INTO limit_counters (campaign_id, action, bucket, period_start, counter) VALUES (?, ?, ?, ?, '0') ON CONFLICT (campaign_id, action, bucket, period_start) DO NOTHING",
        [k.campaignId, k.action, k.bucket, k.periodStart]);
    }
  }
  const forUpdate = lock && sql.dialect === 'postgres' ? ' FOR UPDATE' : '';
  for (const k of sorted) {
    const row = await sql.get<{ counter: string }>(`SELECT counter FROM limit_counters WHERE campaign_id = ? AND action = ? AND bucket = ? AND period_start = ?${forUpdate}`,
      [k.campaignId, k.action, k.bucket, k.periodStart]);
    out.set(counterId(k), dec(row ? String(row.counter) : '0'));
  }
  return out;
}

/** Adds `amount` (negative to release) to a counter whose current value the caller read under lock. */
export async function writeCounter(sql: Sql, k: CounterKey, value: Decimal): Promise<void> {
  await sql.run(`INSERT INTO limit_counters (campaign_id, action, bucket, period_start, counter) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (campaign_id, action, bucket, period_start) DO UPDATE SET counter = excluded.counter`,
  [k.campaignId, k.action, k.bucket, k.periodStart, value.toString()]);
}

export const counterId = (k: CounterKey) => `${k.campaignId}|${k.action}|${k.bucket}|${k.periodStart}`;
