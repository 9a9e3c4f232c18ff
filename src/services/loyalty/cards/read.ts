/** getLoyaltyCard and getLoyaltyCards: cards with their linked profiles and balances now. */
import { invalidParameter, Title } from '../../../domain/errors.js';
import { CARD_SORT_FIELDS, listCards, type CardQuery } from '../../../store/repos/loyaltyCards.js';
import type { ServiceContext } from '../../context.js';
import { cardView, loadCardProgram, requireCard, type CardView } from './common.js';

export function getLoyaltyCard(ctx: ServiceContext, programId: number, identifier: string): Promise<CardView> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    return cardView(sql, program, await requireCard(sql, program.id, identifier), ctx.now().toISOString());
  });
}

export interface CardFilters { identifier?: string; profileId?: number; batchId?: string; sort?: string; pageSize?: number; skip?: number }

export function getLoyaltyCards(ctx: ServiceContext, programId: number, f: CardFilters): Promise<{ hasMore: boolean; data: CardView[] }> {
  if (f.sort !== undefined && !CARD_SORT_FIELDS.includes(f.sort.replace(/^-/, ''))) {
    throw invalidParameter('sort', Title.invalidValue, `sort is one of ${CARD_SORT_FIELDS.join(', ')}, optionally prefixed by - for descending; got ${JSON.stringify(f.sort)}`);
  }
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    const q: CardQuery = { programId: program.id };
    if (f.identifier !== undefined) q.identifier = f.identifier;
    if (f.profileId !== undefined) q.profileId = f.profileId;
    if (f.batchId !== undefined) q.batchId = f.batchId;
    if (f.sort !== undefined) q.sort = f.sort;
    const pageSize = f.pageSize ?? 1000;
    const cards = await listCards(sql, q, f.skip ?? 0, pageSize + 1);
    const now = ctx.now().toISOString();
    const data: CardView[] = [];
    for (const c of cards.slice(0, pageSize)) data.push(await cardView(sql, program, c, now));
    return { hasMore: cards.length > pageSize, data };
  });
}
