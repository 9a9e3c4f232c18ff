/**
 * transferLoyaltyCard: a new card (the given identifier, status active, the old card's limit) takes the old
 * card's linked profiles and its ledgers — counters, open buckets and every entry — and the old card is
 * blocked: status inactive with a block reason, never to be activated again. The old card names the new one
 * (`newCardIdentifier`), the new one the old (`oldCardIdentifier`). Both rows are locked, in one transaction.
 */
import { invalidField, Title } from '../../../domain/errors.js';
import { cardIdentifierProblem, isBlocked } from '../../../domain/loyaltyCard.js';
import { blockCard, insertCards, moveCardData } from '../../../store/repos/loyaltyCards.js';
import type { ServiceContext } from '../../context.js';
import { loadCardProgram, requireCard } from './common.js';

export interface TransferInput { newCardIdentifier: string; blockReason?: string }

export function transferLoyaltyCard(ctx: ServiceContext, programId: number, identifier: string, input: TransferInput): Promise<void> {
  const problem = cardIdentifierProblem(input.newCardIdentifier);
  if (problem) throw invalidField('/newCardIdentifier', Title.pattern, problem);
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    const old = await requireCard(sql, program.id, identifier, true);
    if (isBlocked(old)) throw invalidField('/', Title.invalidValue, `Loyalty card ${old.identifier} was transferred to ${old.newCardIdentifier ?? 'another card'} already`);
    if (input.newCardIdentifier === old.identifier) throw invalidField('/newCardIdentifier', Title.invalidValue, 'newCardIdentifier must differ from the card transferred');
    const now = ctx.now().toISOString();
    const inserted = await insertCards(sql, [{
      programId: program.id, identifier: input.newCardIdentifier, status: 'active', usersPerCardLimit: old.usersPerCardLimit,
      oldCardIdentifier: old.identifier, created: now,
    }]);
    if (!inserted.has(input.newCardIdentifier)) {
      throw invalidField('/newCardIdentifier', Title.duplicate, `Loyalty program ${program.id} has a card ${JSON.stringify(input.newCardIdentifier)} already`);
    }
    const fresh = await requireCard(sql, program.id, input.newCardIdentifier, true);
    await moveCardData(sql, program.id, old.id, fresh.id);
    const reason = input.blockReason !== undefined && input.blockReason !== '' ? input.blockReason : `Transferred to card ${fresh.identifier}`;
    await blockCard(sql, old.id, reason, fresh.identifier, now);
  });
}
