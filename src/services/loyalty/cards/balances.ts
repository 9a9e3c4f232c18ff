/** getLoyaltyCardBalances: a card's balances per (sub)ledger at `endDate` (default now), optionally of some subledgers only, with its linked profiles. */
import type { Counters } from '../../../domain/loyalty.js';
import { emptyCounters } from '../../../domain/loyalty.js';
import type { CardProfile } from '../../../domain/loyaltyCard.js';
import type { ServiceContext } from '../../context.js';
import { cardCounters, loadCardProgram, requireCard } from './common.js';

export interface CardBalances { balance?: Counters; subledgerBalances: Map<string, Counters>; profiles: CardProfile[] }

export function loyaltyCardBalances(ctx: ServiceContext, applicationId: number | undefined, programId: number, identifier: string,
  q: { endDate?: string; subledgerIds?: string[] }): Promise<CardBalances> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId, applicationId);
    const card = await requireCard(sql, program.id, identifier);
    const now = ctx.now().toISOString();
    const at = q.endDate !== undefined ? new Date(q.endDate).toISOString() : now;
    const all = await cardCounters(sql, program.id, card.id, now, at);
    const out: CardBalances = { subledgerBalances: new Map(), profiles: card.profiles };
    const wanted = q.subledgerIds?.length ? new Set(q.subledgerIds) : undefined;
    if (!wanted || wanted.has('')) out.balance = all.get('') ?? emptyCounters();
    for (const [id, c] of all) if (id !== '' && (!wanted || wanted.has(id))) out.subledgerBalances.set(id, c);
    for (const id of wanted ?? []) if (id !== '' && !out.subledgerBalances.has(id)) out.subledgerBalances.set(id, emptyCounters());
    return out;
  });
}
