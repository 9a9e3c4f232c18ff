/**
 * createBatchLoyaltyCards: up to 20,000 cards per request with identifiers generated from the request's or
 * the program's cardCodeSettings (one of them is required), unique in the program, in one transaction with
 * multi-row INSERTs; all in one batch (`batchId` given or generated).
 */
import { randomInt } from 'node:crypto';
import { invalidField, Title } from '../../../domain/errors.js';
import type { CardStatus } from '../../../domain/loyaltyCard.js';
import type { ServiceContext } from '../../context.js';
import { cardCodeSpec, insertGeneratedCards } from './codes.js';
import { cardLimit, loadCardProgram } from './common.js';

/** Talon.One's bound (25.17 createBatchLoyaltyCards: more is a 400). */
const MAX_CARDS_PER_BATCH = 20_000;

export interface CardBatchInput { numberOfCards: number; batchId?: string; status?: CardStatus; cardCodeSettings?: { couponPattern: string; validCharacters: string[] } }

const BATCH_CHARS = 'abcdefghijklmnopqrstuvwxyz';
const newBatchId = () => Array.from({ length: 8 }, () => BATCH_CHARS[randomInt(BATCH_CHARS.length)]).join('');

export function createBatchLoyaltyCards(ctx: ServiceContext, programId: number, input: CardBatchInput): Promise<{ batchId: string; numberOfCardsGenerated: number }> {
  if (!(input.numberOfCards >= 1)) throw invalidField('/numberOfCards', Title.minimum, 'numberOfCards must be at least 1');
  if (input.numberOfCards > MAX_CARDS_PER_BATCH) {
    throw invalidField('/numberOfCards', Title.maximum, `At most ${MAX_CARDS_PER_BATCH} loyalty cards can be created in one request; got ${input.numberOfCards}`);
  }
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    const spec = cardCodeSpec(program, input.cardCodeSettings, '/cardCodeSettings', false);
    const now = ctx.now().toISOString();
    const batchId = input.batchId ?? newBatchId();
    const record = { programId: program.id, status: input.status ?? 'active', usersPerCardLimit: cardLimit(program), batchId, created: now };
    const made = await insertGeneratedCards(sql, spec, Array.from({ length: input.numberOfCards }, () => record));
    return { batchId, numberOfCardsGenerated: made.length };
  });
}
