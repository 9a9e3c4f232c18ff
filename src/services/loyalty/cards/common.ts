/** What the card use cases share: the card-based program, the card (404), a card's ledger key and its balances. */
import { invalidField, notFound, Title } from '../../../domain/errors.js';
import type { Counters, LoyaltyProgram } from '../../../domain/loyalty.js';
import { isBlocked, type LoyaltyCard } from '../../../domain/loyaltyCard.js';
import type { Sql } from '../../../store/db.js';
import { getCard } from '../../../store/repos/loyaltyCards.js';
import { lockLedger, ownerLedgers, type LedgerKey } from '../../../store/repos/loyaltyLedgers.js';
import { countersAt, loadProgramFor, settle } from '../common.js';
import { checkedSubledger, type PointsInput } from '../points.js';
import { ownerTierInfo, type TierInfo } from '../tiers.js';

/** The program, which must be card-based (400 otherwise); for an Application not subscribed to it, 404. */
export async function loadCardProgram(sql: Sql, programId: number, applicationId?: number, lock = false): Promise<LoyaltyProgram> {
  const p = await loadProgramFor(sql, programId, applicationId);
  if (!p.cardBased) throw invalidField('/', Title.invalidValue, `Loyalty program ${p.id} is not card-based: it has no loyalty cards`);
  if (lock) await sql.get(`SELECT id FROM loyalty_programs WHERE id = ?${sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [p.id]);
  return p;
}

/** The card, optionally locked; 404 when the program has no card with this identifier. */
export async function requireCard(sql: Sql, programId: number, identifier: string, lock = false): Promise<LoyaltyCard> {
  const c = await getCard(sql, programId, identifier, lock);
  if (!c) throw notFound('Loyalty card');
  return c;
}

/** The limit of profiles per card: the program's (0: unlimited). */
export const cardLimit = (program: LoyaltyProgram) => program.usersPerCardLimit ?? 0;

/** The card's ledger the request names: only an active card earns or spends; subledgers as for profiles. */
export function cardLedger(program: LoyaltyProgram, card: LoyaltyCard, input: PointsInput): LedgerKey {
  if (card.status !== 'active') {
    throw invalidField('/', Title.invalidValue, `Loyalty card ${card.identifier} is ${isBlocked(card) ? 'blocked' : 'inactive'}: only active cards earn or spend points`);
  }
  const subledgerId = checkedSubledger(program, input);
  return { programId: program.id, ownerKind: 'card', ownerId: String(card.id), subledgerId };
}

/** The card's balances per (sub)ledger at `at`; ledgers whose next change has come are settled first (as for profiles). */
export async function cardCounters(sql: Sql, programId: number, cardId: number, now: string, at: string): Promise<Map<string, Counters>> {
  const out = new Map<string, Counters>();
  for (const l of await ownerLedgers(sql, programId, 'card', String(cardId))) {
    const settled = l.nextChangeAt !== null && l.nextChangeAt <= now ? await settle(sql, await lockLedger(sql, l, now), now) : l;
    out.set(l.subledgerId, await countersAt(sql, settled, at));
  }
  return out;
}

/** A card with its balances and tier fields now (main ledger under '', subledgers by id): what LoyaltyCard answers. */
export interface CardView { card: LoyaltyCard; program: LoyaltyProgram; balances: Map<string, Counters>; tiers: Map<string, TierInfo> }

export async function cardView(sql: Sql, program: LoyaltyProgram, card: LoyaltyCard, now: string): Promise<CardView> {
  const balances = await cardCounters(sql, program.id, card.id, now, now);
  return { card, program, balances, tiers: await ownerTierInfo(sql, program, 'card', String(card.id), balances, now) };
}
