/**
 * addLoyaltyCardPoints and deductLoyaltyCardPoints: the rules of the profile operations (docs/loyalty.md) on
 * an active card's (sub)ledger, under the ledger row's lock: deductions take active points only, above the
 * active balance a 400 that changes nothing, racing deductions never overspend.
 */
import { invalidField, Title } from '../../../domain/errors.js';
import { dec, toNumber } from '../../../domain/money.js';
import { lockLedger } from '../../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../../context.js';
import { pointDates, type AddPointsInput } from '../add.js';
import { settle } from '../common.js';
import { type PointsInput } from '../points.js';
import { writeAddition, writeDeduction } from '../write.js';
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
    const ledger = await settle(sql, await lockLedger(sql, key, now), now, program);
    await writeAddition(sql, program, ledger, { profileIntegrationId: '', cardId: card.id }, amount, dates, input, now);
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
    const ledger = await settle(sql, await lockLedger(sql, key, now), now, program);
    if (ledger.counters.active.lt(amount)) {
      throw invalidField('/points', Title.invalidValue, `Cannot deduct ${amount.toString()} points: the card's active balance is ${toNumber(ledger.counters.active)}`);
    }
    await writeDeduction(sql, program, ledger, { profileIntegrationId: '', cardId: card.id }, amount, input, now);
  });
}
