/**
 * Loyalty ledger operations beyond add and deduct (docs/loyalty.md, "Activation, deletion, imports and
 * exports"): activating on-action points, clearing a ledger, join dates, and the pages the exports read.
 */
import type { BucketState, Counters, OwnerKind } from '../../domain/loyalty.js';
import { dec, type Decimal } from '../../domain/money.js';
import type { Sql } from '../db.js';
import type { Ledger } from './loyaltyLedgers.js';

/** An addition's transaction and its bucket, for activation. */
export interface ActivationRow {
  transactionId: number; uuid: string; ledgerId: number; ownerKind: OwnerKind; ownerId: string; subledgerId: string; pointId: number;
  state: BucketState; start: string | null; expiry: string | null; remaining: Decimal; validityDuration: string | null;
}

interface ActivationDbRow {
  transaction_id: number; uuid: string; ledger_id: number; owner_kind: OwnerKind; owner_id: string; subledger_id: string; point_id: number;
  state: BucketState; start_date: string | null; expiry_date: string | null; remaining: string; validity_duration: string | null;
}

/** The additions of the program named by session id or by UUIDs, with their buckets. */
export async function additionsFor(sql: Sql, programId: number, by: { sessionId: string } | { uuids: readonly string[] }): Promise<ActivationRow[]> {
  const filter = 'sessionId' in by ? 't.customer_session_id = ?' : `t.uuid IN (${by.uuids.map(() => '?').join(', ')})`;
  const rows = await sql.all<ActivationDbRow>(
    `SELECT t.id AS transaction_id, t.uuid, t.ledger_id, l.owner_kind, l.owner_id, l.subledger_id, p.id AS point_id, p.state, p.start_date, p.expiry_date,
       p.remaining, p.validity_duration
     FROM loyalty_transactions t JOIN loyalty_points p ON p.transaction_id = t.id JOIN loyalty_ledgers l ON l.id = t.ledger_id
     WHERE t.program_id = ? AND t.type = 'addition' AND ${filter} ORDER BY t.id`,
    ['sessionId' in by ? [programId, by.sessionId] : [programId, ...by.uuids]].flat());
  return rows.map((r) => ({
    transactionId: Number(r.transaction_id), uuid: r.uuid, ledgerId: Number(r.ledger_id), ownerKind: r.owner_kind, ownerId: r.owner_id, subledgerId: r.subledger_id,
    pointId: Number(r.point_id), state: r.state, start: r.start_date ?? null, expiry: r.expiry_date ?? null, remaining: dec(String(r.remaining)),
    validityDuration: r.validity_duration ?? null,
  }));
}

/** The UUIDs among `uuids` that name no entry of the program. */
export async function unknownUuids(sql: Sql, programId: number, uuids: readonly string[]): Promise<string[]> {
  const rows = await sql.all<{ uuid: string }>(`SELECT uuid FROM loyalty_transactions WHERE program_id = ? AND uuid IN (${uuids.map(() => '?').join(', ')})`, [programId, ...uuids]);
  const known = new Set(rows.map((r) => r.uuid));
  return uuids.filter((u) => !known.has(u));
}

/** Starts an on-action bucket at `start` (with its expiry, if any), and writes both dates on its entry. */
export async function activateBucket(sql: Sql, a: { pointId: number; transactionId: number; start: string; expiry: string | null; state: BucketState; changeAt: string | null }): Promise<void> {
  await sql.run('UPDATE loyalty_points SET start_date = ?, expiry_date = ?, state = ?, change_at = ? WHERE id = ?', [a.start, a.expiry, a.state, a.changeAt, a.pointId]);
  await sql.run('UPDATE loyalty_transactions SET start_date = ?, expiry_date = ? WHERE id = ?', [a.start, a.expiry ?? 'unlimited', a.transactionId]);
}

/**
 * Locks the existing ledgers with these ids for the rest of the transaction, in one statement and in id
 * order (PostgreSQL FOR UPDATE; SQLite runs one write transaction at a time), so that writers locking
 * several ledgers never deadlock.
 */
export async function lockLedgersById(sql: Sql, ids: readonly number[]): Promise<Ledger[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = await sql.all<LedgerPageRow>(`SELECT * FROM loyalty_ledgers WHERE id IN (${unique.map(() => '?').join(', ')}) ORDER BY id${sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, unique);
  return rows.map(toLedger);
}

/**
 * Records that the owner joined the program at `at` on a ledger the caller holds locked: the earliest date
 * wins. The owner's join date is the earliest over its ledgers, once it has come.
 */
export async function noteJoin(sql: Sql, ledgerId: number, at: string): Promise<void> {
  await sql.run('UPDATE loyalty_ledgers SET join_date = ? WHERE id = ? AND (join_date IS NULL OR join_date > ?)', [at, ledgerId, at]);
}

/**
 * Removes every entry, bucket and spend of a ledger the caller holds locked, and resets its counters. A
 * join date that has come stays (the owner joined); one still to come (points not started) goes.
 */
export async function clearLedger(sql: Sql, ledgerId: number, now: string): Promise<void> {
  await sql.run('DELETE FROM loyalty_spends WHERE point_id IN (SELECT id FROM loyalty_points WHERE ledger_id = ?)', [ledgerId]);
  await sql.run('DELETE FROM loyalty_spends WHERE transaction_id IN (SELECT id FROM loyalty_transactions WHERE ledger_id = ?)', [ledgerId]);
  await sql.run('DELETE FROM loyalty_points WHERE ledger_id = ?', [ledgerId]);
  await sql.run('DELETE FROM loyalty_transactions WHERE ledger_id = ?', [ledgerId]);
  await sql.run(`UPDATE loyalty_ledgers SET active = '0', pending = '0', spent = '0', expired = '0', negative = '0', settled_at = ?, next_change_at = NULL,
    join_date = CASE WHEN join_date > ? THEN NULL ELSE join_date END WHERE id = ?`, [now, now, ledgerId]);
}

interface LedgerPageRow {
  id: number; program_id: number; owner_kind: OwnerKind; owner_id: string; subledger_id: string; active: string; pending: string; spent: string; expired: string; negative: string;
  settled_at: string; next_change_at: string | null;
}

const toLedger = (r: LedgerPageRow): Ledger => ({
  id: Number(r.id), programId: Number(r.program_id), ownerKind: r.owner_kind, ownerId: r.owner_id, subledgerId: r.subledger_id, settledAt: r.settled_at,
  nextChangeAt: r.next_change_at ?? null,
  counters: { active: dec(String(r.active)), pending: dec(String(r.pending)), spent: dec(String(r.spent)), expired: dec(String(r.expired)), negative: dec(String(r.negative)) } satisfies Counters,
});

/** Up to `limit` ledgers of the program (of one owner kind, or all) created by `createdBy`, with an id above `afterId`, in id order. */
export async function ledgersAfter(sql: Sql, programId: number, ownerKind: OwnerKind | undefined, createdBy: string, afterId: number, limit: number): Promise<Ledger[]> {
  const rows = await sql.all<LedgerPageRow>(`SELECT id, program_id, owner_kind, owner_id, subledger_id, active, pending, spent, expired, negative, settled_at, next_change_at FROM loyalty_ledgers
    WHERE program_id = ?${ownerKind ? ' AND owner_kind = ?' : ''} AND created <= ? AND id > ? ORDER BY id LIMIT ?`, [programId, ...(ownerKind ? [ownerKind] : []), createdBy, afterId, limit]);
  return rows.map(toLedger);
}

/** Up to `limit` profiles of the program with their join date (the earliest of their ledgers', if it has come by `now`), after `afterId` in id order. */
export async function joinDatesAfter(sql: Sql, programId: number, now: string, afterId: string | null, limit: number): Promise<{ ownerId: string; joinDate: string }[]> {
  const rows = await sql.all<{ owner_id: string; join_date: string }>(`SELECT owner_id, MIN(join_date) AS join_date FROM loyalty_ledgers
    WHERE program_id = ? AND owner_kind = 'profile' AND join_date IS NOT NULL AND join_date <= ?${afterId !== null ? ' AND owner_id > ?' : ''}
    GROUP BY owner_id ORDER BY owner_id LIMIT ?`, [programId, now, ...(afterId !== null ? [afterId] : []), limit]);
  return rows.map((r) => ({ ownerId: r.owner_id, joinDate: r.join_date }));
}

/**
 * Up to `limit` entries of the program after `afterId` (amount, type, origin and creation only), optionally
 * only those created in [from, to] and of one (sub)ledger: a page of the statistics' scan.
 */
export async function entryAmountsAfter(sql: Sql, programId: number, afterId: number, limit: number, only: { from?: string; to?: string; subledgerId?: string } = {}):
  Promise<{ id: number; type: string; source: string; amount: Decimal; created: string }[]> {
  const where = ['program_id = ?', 'id > ?'];
  const params: (string | number)[] = [programId, afterId];
  if (only.from !== undefined) { where.push('created >= ?'); params.push(only.from); }
  if (only.to !== undefined) { where.push('created <= ?'); params.push(only.to); }
  if (only.subledgerId !== undefined) { where.push('subledger_id = ?'); params.push(only.subledgerId); }
  const rows = await sql.all<{ id: number; type: string; source: string; amount: string; created: string }>(
    `SELECT id, type, source, amount, created FROM loyalty_transactions WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [...params, limit]);
  return rows.map((r) => ({ id: Number(r.id), type: r.type, source: r.source, amount: dec(String(r.amount)), created: r.created }));
}

/** Creates the profiles that do not exist yet (an import's), in one statement. */
export async function ensureProfiles(sql: Sql, accountId: number, integrationIds: readonly string[], now: string): Promise<void> {
  const ids = [...new Set(integrationIds)];
  if (ids.length === 0) return;
  await sql.run(`INSERT INTO profiles (account_id, integration_id, attributes, closed_sessions, total_sales, created, last_activity)
    VALUES ${ids.map(() => "(?, ?, '{}', 0, '0', ?, ?)").join(', ')} ON CONFLICT (account_id, integration_id) DO NOTHING`, ids.flatMap((id) => [accountId, id, now, now]));
}

/** An imported addition: its entry and its bucket. */
export interface ImportedAddition {
  uuid: string; ledgerId: number; integrationId: string; subledgerId: string; amount: Decimal; name: string; startWire: string; expiryWire: string;
  validityDuration?: string; importId: number; start: string | null; expiry: string | null; state: BucketState; changeAt: string | null; created: string;
}

/** Inserts the entries and buckets of a batch of imported additions (two statements). */
export async function insertAdditions(sql: Sql, programId: number, rows: readonly ImportedAddition[]): Promise<void> {
  if (rows.length === 0) return;
  const ids = await sql.all<{ id: number; uuid: string }>(`INSERT INTO loyalty_transactions (uuid, program_id, ledger_id, owner_kind, profile_integration_id, subledger_id,
    type, source, amount, name, start_date, expiry_date, validity_duration, import_id, flags, created)
    VALUES ${rows.map(() => "(?, ?, ?, 'profile', ?, ?, 'addition', 'import', ?, ?, ?, ?, ?, ?, '{}', ?)").join(', ')} RETURNING id, uuid`,
  rows.flatMap((r) => [r.uuid, programId, r.ledgerId, r.integrationId, r.subledgerId, r.amount.toString(), r.name, r.startWire, r.expiryWire, r.validityDuration ?? null, r.importId, r.created]));
  const byUuid = new Map(ids.map((x) => [x.uuid, Number(x.id)]));
  await sql.run(`INSERT INTO loyalty_points (ledger_id, transaction_id, amount, remaining, start_date, expiry_date, validity_duration, state, change_at, created)
    VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
  rows.flatMap((r) => [r.ledgerId, byUuid.get(r.uuid)!, r.amount.toString(), r.amount.toString(), r.start, r.expiry, r.validityDuration ?? null, r.state, r.changeAt, r.created]));
}

/**
 * Writes the counters (settled at `settledAt`), next change and join date candidate of many ledgers the
 * caller holds locked, in one statement; a join date only moves earlier.
 */
export async function saveLedgers(sql: Sql, settledAt: string, ledgers: readonly { id: number; counters: Counters; next: string | null; join: string | null }[]): Promise<void> {
  if (ledgers.length === 0) return;
  const num = sql.dialect === 'postgres' ? '::numeric' : '';
  const id = sql.dialect === 'postgres' ? '::bigint' : '';
  const text = sql.dialect === 'postgres' ? '::text' : '';
  await sql.run(`UPDATE loyalty_ledgers SET active = v.column2${num}, pending = v.column3${num}, spent = v.column4${num}, expired = v.column5${num},
      negative = v.column6${num}, settled_at = ?, next_change_at = v.column7${text},
      join_date = CASE WHEN v.column8${text} IS NOT NULL AND (loyalty_ledgers.join_date IS NULL OR loyalty_ledgers.join_date > v.column8${text}) THEN v.column8${text} ELSE loyalty_ledgers.join_date END
    FROM (VALUES ${ledgers.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}) AS v WHERE loyalty_ledgers.id = v.column1${id}`,
  [settledAt, ...ledgers.flatMap((l) => [l.id, l.counters.active.toString(), l.counters.pending.toString(), l.counters.spent.toString(), l.counters.expired.toString(),
    l.counters.negative.toString(), l.next, l.join])]);
}

/**
 * The profile ledgers of these (owner, subledger) pairs, created if missing and locked for the rest of the
 * transaction in id order (two statements; the lookup joins the pairs on the ledgers' unique key).
 */
export async function lockProfileLedgers(sql: Sql, programId: number, keys: readonly { ownerId: string; subledgerId: string }[], now: string): Promise<Ledger[]> {
  if (keys.length === 0) return [];
  await sql.run(`INSERT INTO loyalty_ledgers (program_id, owner_kind, owner_id, subledger_id, settled_at, created)
    VALUES ${keys.map(() => "(?, 'profile', ?, ?, ?, ?)").join(', ')} ON CONFLICT (program_id, owner_kind, owner_id, subledger_id) DO NOTHING`,
  keys.flatMap((k) => [programId, k.ownerId, k.subledgerId, now, now]));
  const text = sql.dialect === 'postgres' ? '::text' : '';
  const rows = await sql.all<LedgerPageRow>(`SELECT l.* FROM loyalty_ledgers l JOIN (VALUES ${keys.map(() => '(?, ?)').join(', ')}) AS v
      ON l.program_id = ? AND l.owner_kind = 'profile' AND l.owner_id = v.column1${text} AND l.subledger_id = v.column2${text}
    ORDER BY l.id${sql.dialect === 'postgres' ? ' FOR UPDATE OF l' : ''}`, [...keys.flatMap((k) => [k.ownerId, k.subledgerId]), programId]);
  return rows.map(toLedger);
}
