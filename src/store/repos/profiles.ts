import { dec, type Decimal } from '../../domain/money.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { Sql } from '../db.js';
import { fromJson, toJson } from './json.js';
import { inChunks, inList } from './params.js';

interface Row {
  id: number; account_id: number; integration_id: string; attributes: string; closed_sessions: number;
  total_sales: string; created: string; last_activity: string;
}

const toProfile = (r: Row): CustomerProfile => ({
  id: Number(r.id), accountId: Number(r.account_id), integrationId: r.integration_id, attributes: fromJson(r.attributes),
  closedSessions: Number(r.closed_sessions), totalSales: dec(String(r.total_sales)), created: r.created, lastActivity: r.last_activity,
});

const forUpdate = (sql: Sql) => (sql.dialect === 'postgres' ? ' FOR UPDATE' : '');

export async function getProfile(sql: Sql, accountId: number, integrationId: string, lock = false): Promise<CustomerProfile | undefined> {
  const row = await sql.get<Row>(`SELECT * FROM profiles WHERE account_id = ? AND integration_id = ?${lock ? forUpdate(sql) : ''}`, [accountId, integrationId]);
  return row && toProfile(row);
}

/**
 * The profile, created empty on first sight, with `lastActivity` set to `now`, locked for the rest
 * of the transaction — one upsert (PostgreSQL's ON CONFLICT DO UPDATE takes the row lock).
 */
export async function touchOrCreateProfile(sql: Sql, accountId: number, integrationId: string, now: string): Promise<CustomerProfile> {
  const row = await sql.get<Row>(
    `INSERT INTO profiles (account_id, integration_id, attributes, closed_sessions, total_sales, created, last_activity) VALUES (?, ?, '{}', 0, '0', ?, ?)
     ON CONFLICT (account_id, integration_id) DO UPDATE SET last_activity = excluded.last_activity RETURNING *`,
    [accountId, integrationId, now, now]);
  return toProfile(row!);
}

/** The profile, created empty on first sight (race-free: insert-or-ignore, then read under lock). */
export async function ensureProfile(sql: Sql, accountId: number, integrationId: string, now: string): Promise<CustomerProfile> {
  await sql.run(
    "INSERT INTO profiles (account_id, integration_id, attributes, closed_sessions, total_sales, created, last_activity) VALUES (?, ?, '{}', 0, '0', ?, ?) ON CONFLICT (account_id, integration_id) DO NOTHING",
    [accountId, integrationId, now, now]);
  return (await getProfile(sql, accountId, integrationId, true))!;
}

export async function saveProfileAttributes(sql: Sql, id: number, attributes: Record<string, unknown>, now: string): Promise<void> {
  await sql.run('UPDATE profiles SET attributes = ?, last_activity = ? WHERE id = ?', [toJson(attributes), now, id]);
}

export async function touchProfile(sql: Sql, id: number, now: string): Promise<void> {
  await sql.run('UPDATE profiles SET last_activity = ? WHERE id = ?', [now, id]);
}

/**
 * Adds to the profile's counters. The new total is computed in exact decimals from the locked row
 * (never by the database's float arithmetic), so both stores give the same digits.
 */
export async function addToProfileCounters(sql: Sql, id: number, closedDelta: number, salesDelta: Decimal): Promise<void> {
  const row = await sql.get<{ total_sales: string }>(`SELECT total_sales FROM profiles WHERE id = ?${forUpdate(sql)}`, [id]);
  if (!row) return;
  const total = dec(String(row.total_sales)).plus(salesDelta).toString();
  await sql.run('UPDATE profiles SET closed_sessions = closed_sessions + ?, total_sales = ? WHERE id = ?', [closedDelta, total, id]);
}

// --- Management and profile endpoints ---------------------------------------------------------

export async function getProfileById(sql: Sql, accountId: number, id: number): Promise<CustomerProfile | undefined> {
  const row = await sql.get<Row>('SELECT * FROM profiles WHERE account_id = ? AND id = ?', [accountId, id]);
  return row && toProfile(row);
}

/** Internal ids of the given profile integration ids (unknown ids are left out). */
export async function profileIdsByIntegrationId(sql: Sql, accountId: number, integrationIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const ids = [...new Set(integrationIds.filter((id) => id !== ''))];
  for (const chunk of inChunks(sql.dialect, ids, 1)) {
    const rows = await sql.all<{ id: number; integration_id: string }>(
      `SELECT id, integration_id FROM profiles WHERE account_id = ? AND integration_id IN (${inList(chunk.length)})`, [accountId, ...chunk]);
    for (const r of rows) out.set(r.integration_id, Number(r.id));
  }
  return out;
}

/** Replaces the attributes without counting as activity (lastActivity follows rule-engine runs). */
export async function replaceProfileAttributes(sql: Sql, id: number, attributes: Record<string, unknown>): Promise<void> {
  await sql.run('UPDATE profiles SET attributes = ? WHERE id = ?', [toJson(attributes), id]);
}
