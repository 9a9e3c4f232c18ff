/** Loyalty programs, their subscribed Applications and their tiers (docs/loyalty.md). */
import type { LoyaltyProgram, ProgramSettings, Tier } from '../../domain/loyalty.js';
import { dec, type Decimal } from '../../domain/money.js';
import type { Sql } from '../db.js';
import { fromJson, toJson } from './json.js';

interface Row { id: number; account_id: number; data: string; created: string }
interface TierRow { id: number; program_id: number; name: string; min_points: string; created: string }

const toTier = (r: TierRow): Tier => ({ id: Number(r.id), name: r.name, minPoints: dec(String(r.min_points)), created: r.created });

async function withParts(sql: Sql, rows: Row[]): Promise<LoyaltyProgram[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const marks = ids.map(() => '?').join(', ');
  const apps = await sql.all<{ program_id: number; application_id: number }>(
    `SELECT program_id, application_id FROM loyalty_program_applications WHERE program_id IN (${marks}) ORDER BY application_id`, ids);
  const tiers = await sql.all<TierRow>(`SELECT * FROM loyalty_tiers WHERE program_id IN (${marks}) ORDER BY min_points, id`, ids);
  return rows.map((r) => ({
    ...fromJson<ProgramSettings>(r.data),
    id: Number(r.id), accountId: Number(r.account_id), created: r.created,
    subscribedApplications: apps.filter((a) => Number(a.program_id) === Number(r.id)).map((a) => Number(a.application_id)),
    tiers: tiers.filter((t) => Number(t.program_id) === Number(r.id)).map(toTier),
  }));
}

/** Inserts the program; null when the account has a program of that name already. */
export async function insertProgram(sql: Sql, accountId: number, s: ProgramSettings, now: string): Promise<number | null> {
  const row = await sql.get<{ id: number }>(
    `INSERT INTO loyalty_programs (account_id, name, card_based, sandbox, data, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id, name) DO NOTHING RETURNING id`,
    [accountId, s.name, s.cardBased ? 1 : 0, s.sandbox ? 1 : 0, toJson({ ...s, subscribedApplications: undefined }), now, now]);
  return row ? Number(row.id) : null;
}

export async function updateProgram(sql: Sql, id: number, s: ProgramSettings, now: string): Promise<void> {
  await sql.run('UPDATE loyalty_programs SET sandbox = ?, data = ?, modified = ? WHERE id = ?',
    [s.sandbox ? 1 : 0, toJson({ ...s, subscribedApplications: undefined }), now, id]);
}

export async function setProgramApplications(sql: Sql, id: number, applicationIds: readonly number[]): Promise<void> {
  await sql.run('DELETE FROM loyalty_program_applications WHERE program_id = ?', [id]);
  for (const a of new Set(applicationIds)) await sql.run('INSERT INTO loyalty_program_applications (program_id, application_id) VALUES (?, ?)', [id, a]);
}

export async function setProgramTiers(sql: Sql, id: number, tiers: readonly { name: string; minPoints: Decimal }[], now: string): Promise<void> {
  await sql.run('DELETE FROM loyalty_tiers WHERE program_id = ?', [id]);
  for (const t of tiers) await sql.run('INSERT INTO loyalty_tiers (program_id, name, min_points, created) VALUES (?, ?, ?, ?)', [id, t.name, t.minPoints.toString(), now]);
}

/** The program, optionally locked (PostgreSQL FOR UPDATE) for an update. */
export async function getProgram(sql: Sql, accountId: number, id: number, lock = false): Promise<LoyaltyProgram | undefined> {
  const row = await sql.get<Row>(`SELECT * FROM loyalty_programs WHERE account_id = ? AND id = ?${lock && sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [accountId, id]);
  return row ? (await withParts(sql, [row]))[0] : undefined;
}

export async function listPrograms(sql: Sql, accountId: number): Promise<LoyaltyProgram[]> {
  return withParts(sql, await sql.all<Row>('SELECT * FROM loyalty_programs WHERE account_id = ? ORDER BY id', [accountId]));
}

/** Whether any ledger entry exists in the program (then its tiers and subledger settings are fixed). */
export async function programHasTransactions(sql: Sql, id: number): Promise<boolean> {
  return (await sql.get('SELECT 1 AS x FROM loyalty_transactions WHERE program_id = ? LIMIT 1', [id])) !== undefined;
}
