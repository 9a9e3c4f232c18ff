/** deleteLoyaltyCard: the card and its profile links go; its ledger history stays in the program's transactions. */
import { deleteCard } from '../../../store/repos/loyaltyCards.js';
import type { ServiceContext } from '../../context.js';
import { loadCardProgram, requireCard } from './common.js';

export function deleteLoyaltyCard(ctx: ServiceContext, programId: number, identifier: string): Promise<void> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    const card = await requireCard(sql, program.id, identifier, true);
    await deleteCard(sql, card.id);
  });
}
