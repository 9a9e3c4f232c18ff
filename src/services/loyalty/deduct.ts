/**
 * removeLoyaltyPoints: deducts active points only, from the buckets in spending order (docs/loyalty.md),
 * under the ledger's lock; a deduction above the active balance is a 400 and changes nothing.
 */
import { invalidField, Title } from '../../domain/errors.js';
import { allocate } from '../../domain/loyalty.js';
import { dec, toNumber } from '../../domain/money.js';
import { activeBuckets, insertSpend, insertTransaction, lockLedger, nextChange, saveBucket, saveCounters } from '../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../context.js';
import { loadProgram, requireProfile, settle } from './common.js';
import { newUuid, profileLedger, type PointsInput } from './points.js';

export function removeLoyaltyPoints(ctx: ServiceContext, programId: number, integrationId: string, input: PointsInput): Promise<void> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadProgram(sql, programId);
    const key = profileLedger(program, integrationId, input);
    await requireProfile(sql, integrationId);
    const now = ctx.now().toISOString();
    const amount = dec(input.points);
    const ledger = await settle(sql, await lockLedger(sql, key, now), now);
    if (ledger.counters.active.lt(amount)) {
      throw invalidField('/points', Title.invalidValue, `Cannot deduct ${amount.toString()} points: the active balance is ${toNumber(ledger.counters.active)}`);
    }
    const txId = await insertTransaction(sql, {
      uuid: newUuid(), programId, ledgerId: ledger.id, ownerKind: 'profile', profileIntegrationId: integrationId, subledgerId: key.subledgerId,
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
