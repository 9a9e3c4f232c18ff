/**
 * The two writes every points change is made of, for profile and card ledgers alike (docs/loyalty.md): an
 * addition (entry, bucket, counters) and a deduction of active points (entry, the buckets it takes in
 * spending order, counters), then the tier the new counters give (tiers.ts noteTier). The caller holds the
 * ledger's lock, has settled it and checked the balance.
 */
import { Decimal, ZERO } from '../../domain/money.js';
import { allocate, changeAt, stateAt, type Bucket, type LoyaltyProgram } from '../../domain/loyalty.js';
import type { Sql } from '../../store/db.js';
import { activeBucketsInOrder, insertBucket, negativeEntry, insertSpend, insertTransaction, nextChange, saveBucket, saveCounters, type Ledger } from '../../store/repos/loyaltyLedgers.js';
import { newUuid } from './points.js';
import { noteTier } from './tiers.js';

/** Whose ledger the entry is written to: a profile (its integration id) or a card (its id, the profile id empty). */
export interface EntryOwner { profileIntegrationId: string; cardId?: number }

/** When added points start (null: on action) and expire (null: never), with the wire strings of both (add.ts pointDates). */
interface PointDates { start: string | null; startWire: string; expiry: string | null; expiryWire: string; validityDuration?: string | undefined }

/**
 * What an entry records beyond its amount: its reason and the Application that made it; a session's entries
 * also their origin, the transaction UUID its effect announced, and the session, campaign, ruleset and rule.
 */
export interface EntryInput {
  name?: string; applicationId?: number; source?: 'manual' | 'session'; uuid?: string;
  customerSessionId?: string; campaignId?: number; rulesetId?: number; ruleName?: string; eventId?: number;
  flags?: { createsNegativeBalance?: boolean };
}

/** The entry's origin fields as the transaction row stores them. */
function origin(input: EntryInput) {
  const o: Record<string, unknown> = { source: input.source ?? 'manual', uuid: input.uuid ?? newUuid(), name: input.name ?? '', flags: input.flags ?? {} };
  for (const k of ['applicationId', 'customerSessionId', 'campaignId', 'rulesetId', 'ruleName', 'eventId'] as const) if (input[k] !== undefined) o[k] = input[k];
  return o as { source: 'manual' | 'session'; uuid: string; name: string; flags: { createsNegativeBalance?: boolean } };
}

/** Writes the addition; answers the ledger as it now stands (counters, next change). */
export async function writeAddition(sql: Sql, program: LoyaltyProgram, ledger: Ledger, owner: EntryOwner, amount: Decimal, dates: PointDates, input: EntryInput, now: string): Promise<Ledger> {
  const txId = await insertTransaction(sql, {
    ...origin(input), programId: ledger.programId, ledgerId: ledger.id, ownerKind: ledger.ownerKind, ...owner, subledgerId: ledger.subledgerId,
    type: 'addition', amount, startDate: dates.startWire, expiryDate: dates.expiryWire,
    ...(dates.validityDuration !== undefined ? { validityDuration: dates.validityDuration } : {}), created: now,
  });
  const bucket = { start: dates.start, expiry: dates.expiry };
  const state = stateAt(bucket, now);
  const bucketId = await insertBucket(sql, {
    ledgerId: ledger.id, transactionId: txId, amount, ...bucket, state, changeAt: changeAt({ ...bucket, state }), created: now,
    ...(dates.validityDuration !== undefined ? { validityDuration: dates.validityDuration } : {}),
  });
  const counters = { ...ledger.counters, [state]: ledger.counters[state as 'pending' | 'active'].plus(amount) };
  // active points first repay a negative balance, as a spend of the entry that created it (docs/loyalty-sessions.md)
  const repay = state === 'active' && counters.negative.gt(0) ? Decimal.min(counters.negative, amount) : ZERO;
  if (repay.gt(0)) {
    const debt = await negativeEntry(sql, ledger.id);
    if (debt !== undefined) {
      await saveBucket(sql, bucketId, amount.minus(repay), amount.eq(repay) ? 'spent' : 'active', amount.eq(repay) ? null : bucket.expiry);
      await insertSpend(sql, debt, bucketId, repay, now);
      counters.active = counters.active.minus(repay);
      counters.negative = counters.negative.minus(repay);
    }
  }
  // the ledger's next change is the earliest among its open buckets: the settled one's, or this new bucket's
  const next = earliest(ledger.nextChangeAt, changeAt({ ...bucket, state }));
  await saveCounters(sql, ledger.id, counters, now, next);
  await noteTier(sql, program, ledger, counters, now);
  return { ...ledger, counters, settledAt: now, nextChangeAt: next };
}

/** Writes the deduction; answers the ledger as it now stands (counters, next change). */
export async function writeDeduction(sql: Sql, program: LoyaltyProgram, ledger: Ledger, owner: EntryOwner, amount: Decimal, input: EntryInput, now: string): Promise<Ledger> {
  const txId = await insertTransaction(sql, {
    ...origin(input), programId: ledger.programId, ledgerId: ledger.id, ownerKind: ledger.ownerKind, ...owner, subledgerId: ledger.subledgerId,
    type: 'subtraction', amount, startDate: 'immediate', expiryDate: 'unlimited', created: now,
  });
  let closedNext = false;
  for (const { bucket, take } of allocate(amount, await bucketsCovering(sql, ledger.id, amount))) {
    const remaining = bucket.remaining.minus(take);
    const spent = remaining.lte(0);
    await saveBucket(sql, bucket.id, remaining, spent ? 'spent' : 'active', spent ? null : bucket.expiry);
    await insertSpend(sql, txId, bucket.id, take, now);
    if (spent && bucket.expiry !== null && bucket.expiry === ledger.nextChangeAt) closedNext = true;
  }
  const counters = { ...ledger.counters, active: ledger.counters.active.minus(amount), spent: ledger.counters.spent.plus(amount) };
  // only a spent bucket that held the ledger's next change moves it
  const next = closedNext ? await nextChange(sql, ledger.id) : ledger.nextChangeAt;
  await saveCounters(sql, ledger.id, counters, now, next);
  await noteTier(sql, program, ledger, counters, now);
  return { ...ledger, counters, settledAt: now, nextChangeAt: next };
}

const earliest = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a < b ? a : b);

/** Active buckets in spending order, read page by page until they cover `amount` (or run out). */
export async function bucketsCovering(sql: Sql, ledgerId: number, amount: Decimal): Promise<Bucket[]> {
  const out: Bucket[] = [];
  let covered = ZERO;
  // most deductions take one or two buckets: small pages first, growing for the rare long tail
  for (let offset = 0, page = 4; covered.lt(amount); offset += page, page = Math.min(page * 4, 1024)) {
    const rows = await activeBucketsInOrder(sql, ledgerId, offset, page);
    for (const b of rows) covered = covered.plus(b.remaining);
    out.push(...rows);
    if (rows.length < page) break;
  }
  return out;
}
