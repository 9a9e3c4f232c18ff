/** updateLoyaltyCard: sets a card's status; a blocked (transferred) card can never be active again (400). */
import { invalidField, Title } from '../../../domain/errors.js';
import { isBlocked } from '../../../domain/loyaltyCard.js';
import { setCardStatus } from '../../../store/repos/loyaltyCards.js';
import type { ServiceContext } from '../../context.js';
import { cardView, loadCardProgram, requireCard, type CardView } from './common.js';

export function updateLoyaltyCard(ctx: ServiceContext, programId: number, identifier: string, input: { status?: string }): Promise<CardView> {
  if (input.status === undefined) throw invalidField('/status', Title.required, 'status is required');
  const status = input.status;
  if (status !== 'active' && status !== 'inactive') throw invalidField('/status', Title.enum, `status is active or inactive; got ${JSON.stringify(status)}`);
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    const card = await requireCard(sql, program.id, identifier, true);
    if (status === 'active' && isBlocked(card)) {
      throw invalidField('/status', Title.invalidValue, `Loyalty card ${card.identifier} was transferred to ${card.newCardIdentifier ?? 'another card'} and is blocked: it cannot be activated again`);
    }
    const now = ctx.now().toISOString();
    if (card.status !== status) await setCardStatus(sql, card.id, status, now);
    return cardView(sql, program, await requireCard(sql, program.id, identifier), now);
  });
}
