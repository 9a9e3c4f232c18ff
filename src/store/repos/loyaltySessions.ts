/**
 * What session closes and their rollbacks read of the loyalty tables (docs/loyalty-sessions.md): an entry by the
 * UUID its effect announced, the bucket an addition made, the buckets a deduction took from.
 */
import type { Bucket, BucketState, OwnerKind } from '../../domain/loyalty.js';
import { dec, type Decimal } from '../../domain/money.js';
import type { Sql } from '../db.js';

export interface EntryRef {
  id: number; programId: number; ownerKind: OwnerKind; ownerId: string; subledgerId: string; type: 'addition' | 'subtraction'; amount: Decimal; name: string;
}

interface EntryRow { id: number; program_id: number; owner_kind: OwnerKind; profile_integration_id: string; card_id: number | null; subledger_id: string; type: 'addition' | 'subtraction'; amount: string; name: string }

export async function entryByUuid(sql: Sql, programId: number, uuid: string): Promise<EntryRef | undefined> {
  const r = await sql.get<EntryRow>(`SELECT id, program_id, owner_kind, profile_integration_id, card_id, subledger_id, type, amount, name
    FROM loyalty_transactions WHERE program_id = ? AND uuid = ?`, [programId, uuid]);
  if (!r) return undefined;
  return {
    id: Number(r.id), programId: Number(r.program_id), ownerKind: r.owner_kind, ownerId: r.owner_kind === 'card' ? String(r.card_id) : r.profile_integration_id,
    subledgerId: r.subledger_id, type: r.type, amount: dec(String(r.amount)), name: r.name,
  };
}

interface BucketRow { id: number; amount: string; remaining: string; start_date: string | null; expiry_date: string | null; state: BucketState; created: string }

const toBucket = (r: BucketRow): Bucket => ({
  id: Number(r.id), amount: dec(String(r.amount)), remaining: dec(String(r.remaining)), start: r.start_date ?? null, expiry: r.expiry_date ?? null, state: r.state, created: r.created,
});

export async function bucketOfEntry(sql: Sql, transactionId: number): Promise<Bucket | undefined> {
  const r = await sql.get<BucketRow>('SELECT id, amount, remaining, start_date, expiry_date, state, created FROM loyalty_points WHERE transaction_id = ?', [transactionId]);
  return r ? toBucket(r) : undefined;
}

/** The buckets a deduction took from, with how much it took from each (refunds recorded as negative spends net out). */
export async function takenBy(sql: Sql, transactionIds: readonly number[]): Promise<{ bucket: Bucket; take: Decimal }[]> {
  if (transactionIds.length === 0) return [];
  const rows = await sql.all<BucketRow & { take: string }>(`SELECT p.id, p.amount, p.remaining, p.start_date, p.expiry_date, p.state, p.created, s.amount AS take
    FROM loyalty_spends s JOIN loyalty_points p ON p.id = s.point_id WHERE s.transaction_id IN (${transactionIds.map(() => '?').join(', ')}) ORDER BY p.id`, [...transactionIds]);
  const byBucket = new Map<number, { bucket: Bucket; take: Decimal }>();
  for (const r of rows) {
    const e = byBucket.get(Number(r.id));
    if (e) e.take = e.take.plus(dec(String(r.take)));
    else byBucket.set(Number(r.id), { bucket: toBucket(r), take: dec(String(r.take)) });
  }
  return [...byBucket.values()].filter((x) => x.take.gt(0));
}

/** The owner's join date in the program: the earliest of its ledgers', once it has come. */
export async function joinDateOf(sql: Sql, programId: number, ownerKind: OwnerKind, ownerId: string, at: string): Promise<string | undefined> {
  const r = await sql.get<{ d: string | null }>('SELECT MIN(join_date) AS d FROM loyalty_ledgers WHERE program_id = ? AND owner_kind = ? AND owner_id = ? AND join_date <= ?',
    [programId, ownerKind, ownerId, at]);
  return r?.d ?? undefined;
}

/** The ledger's buckets still pending or active. */
export async function openBuckets(sql: Sql, ledgerId: number): Promise<Bucket[]> {
  const rows = await sql.all<BucketRow>(`SELECT id, amount, remaining, start_date, expiry_date, state, created FROM loyalty_points
    WHERE ledger_id = ? AND state IN ('pending', 'active') ORDER BY id`, [ledgerId]);
  return rows.map(toBucket);
}

/** A bucket's new expiry; its entry shows it too, as an activation's dates do (docs/loyalty.md, "Activation"). */
export async function setBucketExpiry(sql: Sql, id: number, expiry: string, state: BucketState, changeAt: string | null): Promise<void> {
  await sql.run('UPDATE loyalty_points SET expiry_date = ?, state = ?, change_at = ? WHERE id = ?', [expiry, state, changeAt, id]);
  await sql.run('UPDATE loyalty_transactions SET expiry_date = ? WHERE id = (SELECT transaction_id FROM loyalty_points WHERE id = ?)', [expiry, id]);
}
