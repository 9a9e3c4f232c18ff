/**
 * Loyalty ledgers (docs/loyalty.md, "Balances"): one row per (program, owner, subledger) with running
 * counters valid from `settled_at` until `next_change_at`; point buckets (one per addition); append-only
 * transactions; and the spends linking a deduction to the buckets it consumed. Amounts are exact decimal text.
 */
import type { Bucket, BucketHistory, BucketState, Counters, OwnerKind, PointsEntry, Transaction } from '../../domain/loyalty.js';
import type { TierHistory, TierState } from '../../domain/loyaltyTier.js';
import { dec, ZERO, type Decimal } from '../../domain/money.js';
import type { Sql } from '../db.js';
import { fromJson, toJson } from './json.js';

export interface LedgerKey { programId: number; ownerKind: OwnerKind; ownerId: string; subledgerId: string }

/** A ledger's tier as stored, and what `program_join_date` expiry counts from (its join date, else its creation). */
export interface LedgerTier { state: TierState; joinBase: string }

/** `tier` is present when the row was read whole (absent: read it with `ledgerTier`). */
export interface Ledger extends LedgerKey { id: number; counters: Counters; settledAt: string; nextChangeAt: string | null; tier?: LedgerTier }

interface TierRow { tier_id?: number | string | null; tier_start?: string | null; tier_expiry?: string | null; join_date?: string | null; created?: string }

interface LedgerRow extends TierRow {
  id: number; program_id: number; owner_kind: OwnerKind; owner_id: string; subledger_id: string;
  active: string; pending: string; spent: string; expired: string; negative: string; settled_at: string; next_change_at: string | null;
}

const toTier = (r: TierRow): LedgerTier => ({
  state: { tierId: r.tier_id === null || r.tier_id === undefined ? null : Number(r.tier_id), start: r.tier_start ?? null, expiry: r.tier_expiry ?? null },
  joinBase: r.join_date ?? r.created ?? '',
});

const toLedger = (r: LedgerRow): Ledger => ({
  id: Number(r.id), programId: Number(r.program_id), ownerKind: r.owner_kind, ownerId: r.owner_id, subledgerId: r.subledger_id,
  counters: { active: dec(String(r.active)), pending: dec(String(r.pending)), spent: dec(String(r.spent)), expired: dec(String(r.expired)), negative: dec(String(r.negative)) },
  settledAt: r.settled_at, nextChangeAt: r.next_change_at ?? null, ...('tier_id' in r ? { tier: toTier(r) } : {}),
});

const TIER_COLUMNS = 'id, tier_id, tier_start, tier_expiry, join_date, created';

/** The stored tier of each ledger named (docs/loyalty.md, "Tiers"). */
export async function ledgerTiers(sql: Sql, ids: readonly number[]): Promise<Map<number, LedgerTier>> {
  const out = new Map<number, LedgerTier>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const rows = await sql.all<TierRow & { id: number }>(`SELECT ${TIER_COLUMNS} FROM loyalty_ledgers WHERE id IN (${part.map(() => '?').join(', ')})`, part);
    for (const r of rows) out.set(Number(r.id), toTier(r));
  }
  return out;
}

export async function ledgerTier(sql: Sql, ledger: Ledger): Promise<LedgerTier> {
  return ledger.tier ?? (await ledgerTiers(sql, [ledger.id])).get(ledger.id)!;
}

export async function saveTier(sql: Sql, ledgerId: number, s: TierState): Promise<void> {
  await sql.run('UPDATE loyalty_ledgers SET tier_id = ?, tier_start = ?, tier_expiry = ? WHERE id = ?', [s.tierId, s.start, s.expiry, ledgerId]);
}

/** Up to `limit` profile ledgers of the program read whole (with their tier), after `afterId` in id order, optionally of some subledgers only. */
export async function profileLedgersAfter(sql: Sql, programId: number, subledgerIds: readonly string[] | undefined, afterId: number, limit: number): Promise<Ledger[]> {
  const only = subledgerIds?.length ? ` AND subledger_id IN (${subledgerIds.map(() => '?').join(', ')})` : '';
  const rows = await sql.all<LedgerRow>(`SELECT * FROM loyalty_ledgers WHERE program_id = ? AND owner_kind = 'profile'${only} AND id > ? ORDER BY id LIMIT ?`,
    [programId, ...(subledgerIds ?? []), afterId, limit]);
  return rows.map(toLedger);
}

/** The ledger's additions and deductions up to `at`, for replaying its tier (reads the whole history of one ledger). */
export async function tierHistory(sql: Sql, ledgerId: number, at: string): Promise<TierHistory> {
  const buckets = await sql.all<{ id: number; transaction_id: number; amount: string; start_date: string | null; expiry_date: string | null; created: string }>(
    'SELECT id, transaction_id, amount, start_date, expiry_date, created FROM loyalty_points WHERE ledger_id = ? AND created <= ? ORDER BY id', [ledgerId, at]);
  const spends = await sql.all<{ transaction_id: number; point_id: number; amount: string; created: string }>(
    `SELECT s.transaction_id, s.point_id, s.amount, s.created FROM loyalty_spends s JOIN loyalty_points p ON p.id = s.point_id
     WHERE p.ledger_id = ? AND s.created <= ? ORDER BY s.transaction_id, s.point_id`, [ledgerId, at]);
  const deductions = new Map<number, { txId: number; at: string; spends: { bucketId: number; amount: Decimal }[] }>();
  for (const s of spends) {
    const tx = Number(s.transaction_id);
    const d = deductions.get(tx) ?? { txId: tx, at: s.created, spends: [] };
    d.spends.push({ bucketId: Number(s.point_id), amount: dec(String(s.amount)) });
    deductions.set(tx, d);
  }
  return {
    buckets: buckets.map((b) => ({ id: Number(b.id), txId: Number(b.transaction_id), amount: dec(String(b.amount)), start: b.start_date ?? null, expiry: b.expiry_date ?? null, created: b.created })),
    deductions: [...deductions.values()],
  };
}

const KEY = 'program_id = ? AND owner_kind = ? AND owner_id = ? AND subledger_id = ?';
const keyParams = (k: LedgerKey) => [k.programId, k.ownerKind, k.ownerId, k.subledgerId];

/**
 * The ledger, created empty if missing, locked for the rest of the transaction: PostgreSQL inserts with
 * ON CONFLICT DO NOTHING and then takes the row with FOR UPDATE, so racing writers of one ledger queue
 * here; SQLite runs one write transaction at a time.
 */
export async function lockLedger(sql: Sql, k: LedgerKey, now: string): Promise<Ledger> {
  await sql.run(`INSERT INTO loyalty_ledgers (program_id, owner_kind, owner_id, subledger_id, settled_at, created) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (program_id, owner_kind, owner_id, subledger_id) DO NOTHING`, [...keyParams(k), now, now]);
  const row = await sql.get<LedgerRow>(`SELECT * FROM loyalty_ledgers WHERE ${KEY}${sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, keyParams(k));
  return toLedger(row!);
}

/** Every ledger (main and subledgers) of one owner in a program, main ledger first. */
export async function ownerLedgers(sql: Sql, programId: number, ownerKind: OwnerKind, ownerId: string): Promise<Ledger[]> {
  const rows = await sql.all<LedgerRow>('SELECT * FROM loyalty_ledgers WHERE program_id = ? AND owner_kind = ? AND owner_id = ? ORDER BY subledger_id', [programId, ownerKind, ownerId]);
  return rows.map(toLedger);
}

export async function saveCounters(sql: Sql, id: number, c: Counters, settledAt: string, nextChangeAt: string | null): Promise<void> {
  await sql.run('UPDATE loyalty_ledgers SET active = ?, pending = ?, spent = ?, expired = ?, negative = ?, settled_at = ?, next_change_at = ? WHERE id = ?',
    [c.active.toString(), c.pending.toString(), c.spent.toString(), c.expired.toString(), c.negative.toString(), settledAt, nextChangeAt, id]);
}

interface BucketRow { id: number; amount: string; remaining: string; start_date: string | null; expiry_date: string | null; state: BucketState; created: string }

const toBucket = (r: BucketRow): Bucket => ({
  id: Number(r.id), amount: dec(String(r.amount)), remaining: dec(String(r.remaining)), start: r.start_date ?? null, expiry: r.expiry_date ?? null,
  state: r.state, created: r.created,
});

/** Open buckets (pending or active) whose next change is at or before `at`: an index range scan. */
export async function dueBuckets(sql: Sql, ledgerId: number, at: string): Promise<Bucket[]> {
  const rows = await sql.all<BucketRow>(`SELECT id, amount, remaining, start_date, expiry_date, state, created FROM loyalty_points
    WHERE ledger_id = ? AND state IN ('pending', 'active') AND change_at <= ?`, [ledgerId, at]);
  return rows.map(toBucket);
}

/**
 * Active buckets in spending order (domain/loyalty.ts allocate): expiring ones by expiry, then the unlimited
 * ones, each by start, creation and id; `limit` of them after `offset`. An index range scan on
 * (ledger_id, state, change_at) — an active bucket's change_at is its expiry — so a deduction reads only the
 * buckets it takes, however long the ledger's history.
 */
export async function activeBucketsInOrder(sql: Sql, ledgerId: number, offset: number, limit: number): Promise<Bucket[]> {
  const cols = 'id, amount, remaining, start_date, expiry_date, state, created';
  const expiring = await sql.all<BucketRow>(`SELECT ${cols} FROM loyalty_points WHERE ledger_id = ? AND state = 'active' AND change_at IS NOT NULL
    ORDER BY change_at, start_date, created, id LIMIT ? OFFSET ?`, [ledgerId, limit, offset]);
  if (expiring.length === limit) return expiring.map(toBucket);
  const skipped = offset === 0 ? 0 : Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM loyalty_points WHERE ledger_id = ? AND state = 'active'
    AND change_at IS NOT NULL`, [ledgerId]))!.n);
  const unlimited = await sql.all<BucketRow>(`SELECT ${cols} FROM loyalty_points WHERE ledger_id = ? AND state = 'active' AND change_at IS NULL
    ORDER BY start_date, created, id LIMIT ? OFFSET ?`, [ledgerId, limit - expiring.length, Math.max(0, offset - skipped)]);
  return [...expiring, ...unlimited].map(toBucket);
}

/** The latest entry of the ledger that created a negative balance (what a later addition repays). */
export async function negativeEntry(sql: Sql, ledgerId: number): Promise<number | undefined> {
  const rows = await sql.all<{ id: number; flags: string }>("SELECT id, flags FROM loyalty_transactions WHERE ledger_id = ? AND type = 'subtraction' ORDER BY id DESC LIMIT 1000", [ledgerId]);
  const hit = rows.find((r) => fromJson<{ createsNegativeBalance?: boolean }>(r.flags).createsNegativeBalance === true);
  return hit ? Number(hit.id) : undefined;
}

/** The earliest next change among the ledger's open buckets. */
export async function nextChange(sql: Sql, ledgerId: number): Promise<string | null> {
  const row = await sql.get<{ at: string | null }>("SELECT MIN(change_at) AS at FROM loyalty_points WHERE ledger_id = ? AND state IN ('pending', 'active')", [ledgerId]);
  return row?.at ?? null;
}

export async function saveBucket(sql: Sql, id: number, remaining: Decimal, state: BucketState, changeAt: string | null): Promise<void> {
  await sql.run('UPDATE loyalty_points SET remaining = ?, state = ?, change_at = ? WHERE id = ?', [remaining.toString(), state, changeAt, id]);
}

export interface NewBucket { ledgerId: number; transactionId: number; amount: Decimal; start: string | null; expiry: string | null; validityDuration?: string; state: BucketState; changeAt: string | null; created: string }

export async function insertBucket(sql: Sql, b: NewBucket): Promise<number> {
  return sql.insert(`INSERT INTO loyalty_points (ledger_id, transaction_id, amount, remaining, start_date, expiry_date, validity_duration, state, change_at, created)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  [b.ledgerId, b.transactionId, b.amount.toString(), b.amount.toString(), b.start, b.expiry, b.validityDuration ?? null, b.state, b.changeAt, b.created]);
}

export async function insertSpend(sql: Sql, transactionId: number, pointId: number, amount: Decimal, created: string): Promise<void> {
  await sql.run('INSERT INTO loyalty_spends (transaction_id, point_id, amount, created) VALUES (?, ?, ?, ?)', [transactionId, pointId, amount.toString(), created]);
}

type NewTransaction = Omit<Transaction, 'id'>;

const TX_COLUMNS = ['uuid', 'program_id', 'ledger_id', 'owner_kind', 'profile_integration_id', 'card_id', 'subledger_id', 'type', 'source', 'amount', 'name',
  'start_date', 'expiry_date', 'validity_duration', 'application_id', 'campaign_id', 'customer_session_id', 'event_id', 'ruleset_id', 'rule_name',
  'import_id', 'user_id', 'flags', 'created'] as const;

export async function insertTransaction(sql: Sql, t: NewTransaction): Promise<number> {
  return sql.insert(`INSERT INTO loyalty_transactions (${TX_COLUMNS.join(', ')}) VALUES (${TX_COLUMNS.map(() => '?').join(', ')})`, [
    t.uuid, t.programId, t.ledgerId, t.ownerKind, t.profileIntegrationId, t.cardId ?? null, t.subledgerId, t.type, t.source, t.amount.toString(), t.name,
    t.startDate, t.expiryDate, t.validityDuration ?? null, t.applicationId ?? null, t.campaignId ?? null, t.customerSessionId ?? null, t.eventId ?? null,
    t.rulesetId ?? null, t.ruleName ?? null, t.importId ?? null, t.userId ?? null, toJson(t.flags), t.created]);
}

interface TxRow {
  id: number; uuid: string; program_id: number; ledger_id: number; owner_kind: OwnerKind; profile_integration_id: string; card_id: number | null;
  subledger_id: string; type: 'addition' | 'subtraction'; source: 'manual' | 'session' | 'import'; amount: string; name: string; start_date: string;
  expiry_date: string; validity_duration: string | null; application_id: number | null; campaign_id: number | null; customer_session_id: string | null;
  event_id: number | null; ruleset_id: number | null; rule_name: string | null; import_id: number | null; user_id: number | null; flags: string; created: string;
}

function toTransaction(r: TxRow): Transaction {
  const t: Transaction = {
    id: Number(r.id), uuid: r.uuid, programId: Number(r.program_id), ledgerId: Number(r.ledger_id), ownerKind: r.owner_kind,
    profileIntegrationId: r.profile_integration_id, subledgerId: r.subledger_id, type: r.type, source: r.source, amount: dec(String(r.amount)),
    name: r.name, startDate: r.start_date, expiryDate: r.expiry_date, flags: fromJson(r.flags), created: r.created,
  };
  const num = { cardId: r.card_id, applicationId: r.application_id, campaignId: r.campaign_id, eventId: r.event_id, rulesetId: r.ruleset_id, importId: r.import_id, userId: r.user_id };
  for (const [k, v] of Object.entries(num)) if (v !== null && v !== undefined) (t as unknown as Record<string, number>)[k] = Number(v);
  if (r.validity_duration) t.validityDuration = r.validity_duration;
  if (r.customer_session_id) t.customerSessionId = r.customer_session_id;
  if (r.rule_name) t.ruleName = r.rule_name;
  return t;
}

export interface TransactionQuery {
  programId: number; profileIntegrationId?: string; subledgerId?: string; source?: string; createdFrom?: string; createdTo?: string;
  customerSessionIds?: readonly string[]; uuids?: readonly string[]; awaitsActivation?: boolean;
  /** a loyalty card's entries (its row id), and any of several subledgers (cards' lists take a list) */
  cardId?: number; subledgerIds?: readonly string[];
}

function transactionWhere(q: TransactionQuery): { where: string[]; params: (string | number)[] } {
  const where = ['program_id = ?'];
  const params: (string | number)[] = [q.programId];
  if (q.profileIntegrationId !== undefined) { where.push("owner_kind = 'profile' AND profile_integration_id = ?"); params.push(q.profileIntegrationId); }
  if (q.cardId !== undefined) { where.push("owner_kind = 'card' AND card_id = ?"); params.push(q.cardId); }
  if (q.subledgerId !== undefined) { where.push('subledger_id = ?'); params.push(q.subledgerId); }
  if (q.subledgerIds?.length) { where.push(`subledger_id IN (${q.subledgerIds.map(() => '?').join(', ')})`); params.push(...q.subledgerIds); }
  if (q.source !== undefined) { where.push('source = ?'); params.push(q.source); }
  if (q.createdFrom !== undefined) { where.push('created >= ?'); params.push(q.createdFrom); }
  if (q.createdTo !== undefined) { where.push('created <= ?'); params.push(q.createdTo); }
  if (q.customerSessionIds?.length) { where.push(`customer_session_id IN (${q.customerSessionIds.map(() => '?').join(', ')})`); params.push(...q.customerSessionIds); }
  if (q.uuids?.length) { where.push(`uuid IN (${q.uuids.map(() => '?').join(', ')})`); params.push(...q.uuids); }
  if (q.awaitsActivation) where.push("id IN (SELECT transaction_id FROM loyalty_points WHERE state = 'pending' AND start_date IS NULL)");
  return { where, params };
}

/** Ledger entries newest first, one page (`limit` rows after `skip`). */
export async function listTransactions(sql: Sql, q: TransactionQuery, skip: number, limit: number): Promise<Transaction[]> {
  const { where, params } = transactionWhere(q);
  const rows = await sql.all<TxRow>(`SELECT * FROM loyalty_transactions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ? OFFSET ?`, [...params, limit, skip]);
  return rows.map(toTransaction);
}

/** Up to `limit` entries with an id above `afterId`, oldest first: one page of an export (a keyset scan). */
export async function transactionsAfter(sql: Sql, q: TransactionQuery, afterId: number, limit: number): Promise<Transaction[]> {
  const { where, params } = transactionWhere(q);
  const rows = await sql.all<TxRow>(`SELECT * FROM loyalty_transactions WHERE ${where.join(' AND ')} AND id > ? ORDER BY id LIMIT ?`, [...params, afterId, limit]);
  return rows.map(toTransaction);
}

/**
 * The ledger's history up to `at`: every bucket created by then with the spends taken from it by then,
 * and the sum of the deductions by then. Reads the whole history of one ledger (docs/loyalty.md).
 */
export async function ledgerHistory(sql: Sql, ledgerId: number, at: string): Promise<{ buckets: BucketHistory[]; spent: Decimal }> {
  const buckets = await sql.all<BucketRow>('SELECT id, amount, remaining, start_date, expiry_date, state, created FROM loyalty_points WHERE ledger_id = ? AND created <= ? ORDER BY id', [ledgerId, at]);
  const spends = await sql.all<{ point_id: number; amount: string; created: string }>(
    'SELECT s.point_id, s.amount, s.created FROM loyalty_spends s JOIN loyalty_points p ON p.id = s.point_id WHERE p.ledger_id = ? AND s.created <= ?', [ledgerId, at]);
  const byPoint = new Map<number, { amount: Decimal; at: string }[]>();
  for (const s of spends) {
    const list = byPoint.get(Number(s.point_id)) ?? [];
    list.push({ amount: dec(String(s.amount)), at: s.created });
    byPoint.set(Number(s.point_id), list);
  }
  const subtractions = await sql.all<{ amount: string }>("SELECT amount FROM loyalty_transactions WHERE ledger_id = ? AND type = 'subtraction' AND created <= ?", [ledgerId, at]);
  return {
    buckets: buckets.map((r) => ({ bucket: toBucket(r), spends: byPoint.get(Number(r.id)) ?? [] })),
    spent: subtractions.reduce((s, r) => s.plus(dec(String(r.amount))), ZERO),
  };
}


export interface PointsQuery { programId: number; profileIntegrationId?: string; cardId?: number; subledgerIds?: readonly string[]; status: 'active' | 'pending' | 'expired'; now: string; subledgerId?: string;
  customerSessionIds?: readonly string[]; uuids?: readonly string[]; sort?: 'startDate' | '-startDate' | 'expiryDate' | '-expiryDate' }

/** Each status as a condition on the bucket's dates; every `?` is `now`. */
const STATUS = {
  active: "p.state IN ('pending', 'active') AND p.start_date IS NOT NULL AND p.start_date <= ? AND (p.expiry_date IS NULL OR p.expiry_date > ?)",
  pending: "p.state IN ('pending', 'active') AND (p.start_date IS NULL OR p.start_date > ?) AND (p.expiry_date IS NULL OR p.expiry_date > ?)",
  expired: "p.state <> 'spent' AND p.expiry_date IS NOT NULL AND p.expiry_date <= ?",
} as const;

/** One page of unused points of a profile, by the status their dates give them at `now` (not by when they were last settled). */
export async function listPoints(sql: Sql, q: PointsQuery, skip: number, limit: number): Promise<PointsEntry[]> {
  const owner = q.cardId !== undefined ? "t.owner_kind = 'card' AND t.card_id = ?" : "t.owner_kind = 'profile' AND t.profile_integration_id = ?";
  const where = [`t.program_id = ? AND ${owner}`, STATUS[q.status]];
  const params: (string | number)[] = [q.programId, q.cardId ?? q.profileIntegrationId ?? '', ...STATUS[q.status].split('?').slice(1).map(() => q.now)];
  if (q.subledgerId !== undefined) { where.push('t.subledger_id = ?'); params.push(q.subledgerId); }
  if (q.subledgerIds?.length) { where.push(`t.subledger_id IN (${q.subledgerIds.map(() => '?').join(', ')})`); params.push(...q.subledgerIds); }
  if (q.customerSessionIds?.length) { where.push(`t.customer_session_id IN (${q.customerSessionIds.map(() => '?').join(', ')})`); params.push(...q.customerSessionIds); }
  if (q.uuids?.length) { where.push(`t.uuid IN (${q.uuids.map(() => '?').join(', ')})`); params.push(...q.uuids); }
  // an unlimited expiry and an on-action start sort as the latest dates, on both stores (their NULL orders differ)
  const column = q.sort?.replace('-', '') === 'expiryDate' ? 'p.expiry_date' : 'p.start_date';
  const dir = q.sort?.startsWith('-') ? 'DESC' : 'ASC';
  const order = q.sort ? `(${column} IS NULL) ${dir}, ${column} ${dir}, p.id` : 'p.id';
  const rows = await sql.all<{ transaction_id: number; uuid: string; created: string; program_id: number; customer_session_id: string | null; name: string;
    start_wire: string; expiry_wire: string; subledger_id: string; remaining: string; validity_duration: string | null }>(
    `SELECT p.transaction_id, t.uuid, t.created, t.program_id, t.customer_session_id, t.name, t.start_date AS start_wire, t.expiry_date AS expiry_wire,
       t.subledger_id, p.remaining, p.validity_duration
     FROM loyalty_points p JOIN loyalty_transactions t ON t.id = p.transaction_id WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [...params, limit, skip]);
  return rows.map((r) => ({
    transactionId: Number(r.transaction_id), uuid: r.uuid, created: r.created, programId: Number(r.program_id), name: r.name, startDate: r.start_wire,
    expiryDate: r.expiry_wire, subledgerId: r.subledger_id, remaining: dec(String(r.remaining)),
    ...(r.customer_session_id ? { customerSessionId: r.customer_session_id } : {}), ...(r.validity_duration ? { validityDuration: r.validity_duration } : {}),
  }));
}
