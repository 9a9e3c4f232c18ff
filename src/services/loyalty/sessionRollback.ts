/**
 * Rolling back a session's points (docs/loyalty-sessions.md, "Rollbacks"): a cancel, reopen or return undoes its
 * additions as the program's `returnPolicy` allows and refunds its deductions, each as a new ledger entry
 * written under the ledger's lock, announced by a `rollbackAddedLoyaltyPoints` / `rollbackDeductedLoyaltyPoints`
 * effect carrying the new entry's UUID.
 */
import { changeAt, stateAt, type Counters } from '../../domain/loyalty.js';
import type { Effect } from '../../domain/effect.js';
import { Decimal, ZERO } from '../../domain/money.js';
import type { Sql } from '../../store/db.js';
import { insertSpend, insertTransaction, lockLedger, nextChange, saveBucket, saveCounters, type Ledger } from '../../store/repos/loyaltyLedgers.js';
import { bucketOfEntry, entryByUuid, takenBy, type EntryRef } from '../../store/repos/loyaltySessions.js';
import { getProgram } from '../../store/repos/loyaltyPrograms.js';
import { ACCOUNT_ID } from '../../domain/application.js';
import { settle } from './common.js';
import { newUuid } from './points.js';
import { num, text } from './session.js';
import { bucketsCovering } from './write.js';

async function lockedLedgerOf(sql: Sql, entry: EntryRef, now: string): Promise<Ledger> {
  return settle(sql, await lockLedger(sql, { programId: entry.programId, ownerKind: entry.ownerKind, ownerId: entry.ownerId, subledgerId: entry.subledgerId }, now), now);
}

function envelope(e: Effect, effectType: 'rollbackAddedLoyaltyPoints' | 'rollbackDeductedLoyaltyPoints', props: Record<string, unknown>): Effect {
  const r: Effect = { campaignId: e.campaignId, rulesetId: e.rulesetId, ruleIndex: e.ruleIndex, ruleName: e.ruleName, effectType, props };
  if (e.triggeredByCoupon !== undefined) r.triggeredByCoupon = e.triggeredByCoupon;
  return r;
}

interface Origin { applicationId: number; sessionIntegrationId: string; profileId?: string }

function entryFields(entry: EntryRef, ledger: Ledger, origin: Origin, now: string) {
  return {
    programId: entry.programId, ledgerId: ledger.id, ownerKind: entry.ownerKind,
    profileIntegrationId: entry.ownerKind === 'profile' ? entry.ownerId : '', ...(entry.ownerKind === 'card' ? { cardId: Number(entry.ownerId) } : {}),
    subledgerId: entry.subledgerId, source: 'session' as const, applicationId: origin.applicationId, customerSessionId: origin.sessionIntegrationId, created: now,
  };
}

/**
 * Undoes an addition: its points still pending always; active points (its own first, then others in spending
 * order) under `within_balance` and `unlimited`, never below zero; under `unlimited` the rest becomes a negative
 * balance (flag `createsNegativeBalance`). Answers the rollback effect (value: what was removed).
 */
async function undoAddition(sql: Sql, e: Effect, origin: Origin, now: string): Promise<Effect | null> {
  const programId = Number(e.props.programId);
  const program = await getProgram(sql, ACCOUNT_ID, programId);
  const entry = program && await entryByUuid(sql, programId, text(e.props.transactionUUID));
  if (!program || !entry || entry.type !== 'addition') return null;           // deleted since (deleteLoyaltyTransactionsFromLedgers)
  const ledger = await lockedLedgerOf(sql, entry, now);
  const bucket = await bucketOfEntry(sql, entry.id);
  const c: Counters = { ...ledger.counters };
  let rest = num(e.props.value);
  const takes: { id: number; remaining: Decimal; take: Decimal; state: 'pending' | 'active'; expiry: string | null; start: string | null }[] = [];
  if (bucket && bucket.state === 'pending' && bucket.remaining.gt(0)) {
    const take = Decimal.min(bucket.remaining, rest);
    takes.push({ id: bucket.id, remaining: bucket.remaining, take, state: 'pending', start: bucket.start, expiry: bucket.expiry });
    c.pending = c.pending.minus(take);
    rest = rest.minus(take);
  }
  if (rest.gt(0) && program.returnPolicy !== 'only_pending') {
    const own = bucket && bucket.state === 'active' ? [bucket] : [];
    // the others in spending order, as many as cover what the addition's own bucket does not
    const others = (await bucketsCovering(sql, ledger.id, rest.plus(own[0]?.remaining ?? ZERO))).filter((b) => b.id !== bucket?.id);
    for (const b of [...own, ...others]) {
      if (rest.lte(0)) break;
      const take = Decimal.min(b.remaining, rest);
      if (take.lte(0)) continue;
      takes.push({ id: b.id, remaining: b.remaining, take, state: 'active', start: b.start, expiry: b.expiry });
      c.active = c.active.minus(take);
      rest = rest.minus(take);
    }
  }
  const negative = program.returnPolicy === 'unlimited' && rest.gt(0) ? rest : ZERO;
  c.negative = c.negative.plus(negative);
  const removed = takes.reduce((s, t) => s.plus(t.take), ZERO).plus(negative);
  const uuid = newUuid();
  if (removed.gt(0)) {
    c.spent = c.spent.plus(removed);
    const txId = await insertTransaction(sql, {
      ...entryFields(entry, ledger, origin, now), uuid, type: 'subtraction', amount: removed, name: `Rollback: ${entry.name}`.slice(0, 255),
      startDate: 'immediate', expiryDate: 'unlimited', flags: negative.gt(0) ? { createsNegativeBalance: true } : {},
    });
    for (const t of takes) {
      const remaining = t.remaining.minus(t.take);
      const state = remaining.lte(0) ? 'spent' : t.state;
      await saveBucket(sql, t.id, remaining, state, state === 'spent' ? null : changeAt({ start: t.start, expiry: t.expiry, state }));
      await insertSpend(sql, txId, t.id, t.take, now);
    }
    await saveCounters(sql, ledger.id, c, now, await nextChange(sql, ledger.id));
  }
  const props: Record<string, unknown> = {
    programId, subLedgerId: entry.subledgerId, value: removed.toNumber(), recipientIntegrationId: text(e.props.recipientIntegrationId), transactionUUID: uuid,
  };
  if (e.props.cartItemPosition !== undefined) props.cartItemPosition = e.props.cartItemPosition;
  if (e.props.cartItemSubPosition !== undefined) props.cartItemSubPosition = e.props.cartItemSubPosition;
  if (e.props.cardIdentifier !== undefined) props.cardIdentifier = e.props.cardIdentifier;
  return envelope(e, 'rollbackAddedLoyaltyPoints', props);
}

/**
 * Refunds a deduction: the points go back to the buckets they were taken from (recorded as negative spends, so
 * the ledger's history still rebuilds), keeping their expiry — points whose expiry has passed meanwhile come
 * back expired. The refund is an addition entry.
 */
async function undoDeduction(sql: Sql, e: Effect, origin: Origin, now: string): Promise<Effect | null> {
  const programId = Number(e.props.programId);
  const entry = await entryByUuid(sql, programId, text(e.props.transactionUUID));
  if (!entry || entry.type !== 'subtraction') return null;
  const ledger = await lockedLedgerOf(sql, entry, now);
  const taken = await takenBy(sql, [entry.id]);
  const value = taken.reduce((s, t) => s.plus(t.take), ZERO);
  const uuid = newUuid();
  const c: Counters = { ...ledger.counters };
  if (value.gt(0)) {
    const txId = await insertTransaction(sql, {
      ...entryFields(entry, ledger, origin, now), uuid, type: 'addition', amount: value, name: `Refund: ${entry.name}`.slice(0, 255),
      startDate: 'immediate', expiryDate: 'unlimited', flags: {},
    });
    for (const { bucket, take } of taken) {
      const state = stateAt(bucket, now);
      await saveBucket(sql, bucket.id, bucket.remaining.plus(take), state, changeAt({ start: bucket.start, expiry: bucket.expiry, state }));
      await insertSpend(sql, txId, bucket.id, take.negated(), now);
      c[state] = c[state].plus(take);
    }
    await saveCounters(sql, ledger.id, c, now, await nextChange(sql, ledger.id));
  }
  const props: Record<string, unknown> = {
    programId, subLedgerId: entry.subledgerId, value: value.toNumber(), recipientIntegrationId: text(e.props.recipientIntegrationId) || (origin.profileId ?? ''), transactionUUID: uuid,
  };
  if (e.props.cardIdentifier !== undefined) props.cardIdentifier = e.props.cardIdentifier;
  return envelope(e, 'rollbackDeductedLoyaltyPoints', props);
}

/** Rolls back the loyalty effects among `committed` (a session's net effects), oldest first; answers the rollback effects. */
export async function rollbackSessionLoyalty(sql: Sql, committed: readonly Effect[], origin: Origin, nowDate: Date): Promise<Effect[]> {
  const now = nowDate.toISOString();
  const out: Effect[] = [];
  for (const e of committed) {
    const r = e.effectType === 'addLoyaltyPoints' ? await undoAddition(sql, e, origin, now)
      : e.effectType === 'deductLoyaltyPoints' ? await undoDeduction(sql, e, origin, now) : null;
    if (r) out.push(r);
  }
  return out;
}

/** A partial return: the per-item additions of the returned units (`position:subPosition`) are rolled back as the return policy allows. */
export async function rollbackReturnedPoints(sql: Sql, committed: readonly Effect[], units: ReadonlySet<string>, origin: Origin, nowDate: Date): Promise<Effect[]> {
  const perItem = committed.filter((e) => e.effectType === 'addLoyaltyPoints' && e.props.cartItemPosition !== undefined
    && units.has(`${Number(e.props.cartItemPosition)}:${Number(e.props.cartItemSubPosition ?? 0)}`));
  return rollbackSessionLoyalty(sql, perItem, origin, nowDate);
}
