/**
 * removeLoyaltyPoints: deducts active points only, from the buckets in spending order (docs/loyalty.md),
 * under the ledger's lock; a deduction above the active balance is a 400 and changes nothing.
 */
import { invalidField, Title } from '../../domain/errors.js';
import { dec, toNumber } from '../../domain/money.js';
import { lockLedger } from '../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../context.js';
import { loadProgram, requireProfile, settle } from './common.js';
import { profileLedger, type PointsInput } from './points.js';
import { writeDeduction } from './write.js';

export function removeLoyaltyPoints(ctx: ServiceContext, programId: number, integrationId: string, input: PointsInput): Promise<void> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadProgram(sql, programId);
    const key = profileLedger(program, integrationId, input);
    await requireProfile(sql, integrationId);
    const now = ctx.now().toISOString();
    const amount = dec(input.points);
    const ledger = await settle(sql, await lockLedger(sql, key, now), now, program);
    if (ledger.counters.active.lt(amount)) {
      throw invalidField('/points', Title.invalidValue, `Cannot deduct ${amount.toString()} points: the active balance is ${toNumber(ledger.counters.active)}`);
    }
    await writeDeduction(sql, program, ledger, { profileIntegrationId: integrationId }, amount, input, now);
  });
}
