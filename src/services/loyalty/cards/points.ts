/**
 * addLoyaltyCardPoints and deductLoyaltyCardPoints: the rules of the profile operations (docs/loyalty.md) on
 * an active card's (sub)ledger, under the ledger row's lock: deductions take active points only, above the
 * active balance a 400 that changes nothing, racing deductions never overspend.
 */
import { invalidField, Title } from '../../../domain/errors.js';
import { allocate, changeAt, stateAt } from '../../../domain/loyalty.js';
import { dec, toNumber } from '../../../domain/money.js';
import { activeBuckets, insertBucket, insertSpend, insertTransaction, lockLedger, nextChange, saveBucket, saveCounters } from '../../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../../context.js';
import { pointDates, type AddPointsInput } from '../add.js';
import { settle } from '../common.js';
import { newUuid, type PointsInput } from '../points.js';
import { cardLedger, loadCardProgram, requireCard } from './common.js';

export function addLoyaltyCardPoints(ctx: ServiceContext, programId: number, identifier: string, input: AddPointsInput): Promise<void> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    // the card row locked: a concurrent transfer cannot move the ledger away meanwhile
    const card = await requireCard(sql, program.id, identifier, true);
    const key = cardLedger(program, card, input);
    const nowDate = ctx.now();
    const now = nowDate.toISOString();
    const dates = pointDates(program, input, nowDate);
    const amount = dec(input.points);
    const ledger = await settle(sql, await lockLedger(sql, key, now), now);
    const txId = await insertTransaction(sql, {
      uuid: newUuid(), programId, ledgerId: ledger.id, ownerKind: 'card', profileIntegrationId: '', cardId: card.id, subledgerId: key.subledgerId,
      type: 'addition', source: 'manual', amount, name: input.name ?? '', startDate: dates.startWire, expiryDate: dates.expiryWire,
      ...(dates.validityDuration !== undefined ? { validityDuration: dates.validityDuration } : {}),
      ...(input.applicationId !== undefined ? { applicationId: input.applicationId } : {}), flags: {}, created: now,
    });
    const bucket = { start: dates.start, expiry: dates.expiry };
    const state = stateAt(bucket, now);
    await insertBucket(sql, {
      ledgerId: ledger.id, transactionId: txId, amount, ...bucket, state, changeAt: changeAt({ ...bucket, state }), created: now,
      ...(dates.validityDuration !== undefined ? { validityDuration: dates.validityDuration } : {}),
    });
    const counters = { ...ledger.counters, [state]: ledger.counters[state as 'pending' | 'active'].plus(amount) };
    await saveCounters(sql, ledger.id, counters, now, await nextChange(sql, ledger.id));
  });
}

export function deductLoyaltyCardPoints(ctx: ServiceContext, programId: number, identifier: string, input: PointsInput): Promise<void> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    // the card row locked: a concurrent transfer cannot move the ledger away meanwhile
    const card = await requireCard(sql, program.id, identifier, true);
    const key = cardLedger(program, card, input);
    const now = ctx.now().toISOString();
    const amount = dec(input.points);
    const ledger = await settle(sql, await lockLedger(sql, key, now), now);
    if (ledger.counters.active.lt(amount)) {
      throw invalidField('/points', Title.invalidValue, `Cannot deduct ${amount.toString()} points: the card's active balance is ${toNumber(ledger.counters.active)}`);
    }
    const txId = await insertTransaction(sql, {
      uuid: newUuid(), programId, ledgerId: ledger.id, ownerKind: 'card', profileIntegrationId: '', cardId: card.id, subledgerId: key.subledgerId,
      type: 'subtraction', source: 'manual', amount, name: input.name ?? '', startDate: 'immediate', expiryDate: 'unlimited',
      ...(input.applicationId !== undefined ? { applicationId: input.applicationId } : {}), flags: {}, created: now,
    });
    for (const { bucket, take } of allocate(amount, await activeBuckets(sql, ledger.id))) {
      const remaining = bucket.remaining.minus(take);
      const spent = remaining.lte(0);
      await saveBucket(sql, bucket.id, remaining, spent ? 'spent' : 'active', spent ? null : bucket.expiry);
      await insertSpend(sql, txId, bucket.id, take, now);
    }
    const counters = { ...ledger.counters, active: ledger.counters.active.minus(amount), spent: ledger.counters.spent.plus(amount) };
    await saveCounters(sql, ledger.id, counters, now, await nextChange(sql, ledger.id));
  });
}
