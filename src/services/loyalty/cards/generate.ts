/**
 * generateLoyaltyCard (Integration API): one card, its identifier given (`cardIdentifier`) or generated from
 * the program's cardCodeSettings, status active by default, the `customerProfileIds` linked at once within
 * the program's usersPerCardLimit (docs/loyalty-cards.md).
 */
import { ACCOUNT_ID } from '../../../domain/application.js';
import { invalidField, Title } from '../../../domain/errors.js';
import { cardIdentifierProblem, type CardStatus } from '../../../domain/loyaltyCard.js';
import { insertCards, linkProfile, type NewCard } from '../../../store/repos/loyaltyCards.js';
import { ensureProfile } from '../../../store/repos/profiles.js';
import type { ServiceContext } from '../../context.js';
import { cardCodeSpec, insertGeneratedCards } from './codes.js';
import { cardLimit, cardView, loadCardProgram, requireCard, type CardView } from './common.js';

export interface GenerateCardInput { status?: CardStatus; customerProfileIds?: string[]; cardIdentifier?: string }

export function generateLoyaltyCard(ctx: ServiceContext, applicationId: number | undefined, programId: number, input: GenerateCardInput): Promise<CardView> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId, applicationId);
    const profiles = [...new Set(input.customerProfileIds ?? [])];
    const limit = cardLimit(program);
    if (limit > 0 && profiles.length > limit) {
      throw invalidField('/customerProfileIds', Title.maxItems, `Loyalty program ${program.id} links at most ${limit} profile(s) to a card (usersPerCardLimit); got ${profiles.length}`);
    }
    profiles.forEach((p, i) => { if (p === '') throw invalidField(`/customerProfileIds/${i}`, Title.minLength, 'A profile integration id must not be empty'); });
    const now = ctx.now().toISOString();
    const record: Omit<NewCard, 'identifier'> = { programId: program.id, status: input.status ?? 'active', usersPerCardLimit: limit, created: now };
    let identifier: string;
    if (input.cardIdentifier !== undefined) {
      const problem = cardIdentifierProblem(input.cardIdentifier);
      if (problem) throw invalidField('/cardIdentifier', Title.pattern, problem);
      identifier = input.cardIdentifier;
      if (!(await insertCards(sql, [{ ...record, identifier }])).has(identifier)) {
        throw invalidField('/cardIdentifier', Title.duplicate, `Loyalty program ${program.id} has a card ${JSON.stringify(identifier)} already`);
      }
    } else {
      [identifier] = await insertGeneratedCards(sql, cardCodeSpec(program, undefined, '/cardIdentifier', true), [record]);
    }
    const card = await requireCard(sql, program.id, identifier, true);
    for (const p of profiles) {
      await ensureProfile(sql, ACCOUNT_ID, p, now);
      await linkProfile(sql, card.id, p, now);
    }
    return cardView(sql, program, await requireCard(sql, program.id, identifier), now);
  });
}
