/**
 * The `Loyalty` entity (responseContent `loyalty`, getCustomerInventory `loyalty=true`): for each program the
 * Application is subscribed to, the ledgers of the session's profile — or of the card it names — with the
 * tentative balances an open session's points would make (docs/loyalty-sessions.md, "Tentative balances").
 */
import type { LoyaltyProgram } from '../../domain/loyalty.js';
import type { LoyaltyCard } from '../../domain/loyaltyCard.js';
import type { Effect } from '../../domain/effect.js';
import type { Sql } from '../../store/db.js';
import { listCards } from '../../store/repos/loyaltyCards.js';
import { tierInfo } from './tiers.js';
import { joinDateOf } from '../../store/repos/loyaltySessions.js';
import { loadSessionLoyalty, subscribedPrograms, tentativeBalances, ZERO_BALANCES, type LedgerBalances, type SessionLoyalty } from './session.js';

interface ProgramLedgersView { program: LoyaltyProgram; joinDate?: string; ledger: LedgerBalances; subLedgers: Map<string, LedgerBalances> }
interface CardLedgersView { program: LoyaltyProgram; card: LoyaltyCard; ledger: LedgerBalances; subLedgers: Map<string, LedgerBalances> }
export interface LoyaltyView { programs: ProgramLedgersView[]; cards: CardLedgersView[] }

/**
 * `openEffects`: the effects of an open session (tentative points); a closed one's are written already.
 * `loaded`: the ledgers the request's evaluation held (a close updated their counters as it wrote); without it, or
 * after a close in a program with tiers, they are read afresh.
 */
export async function sessionLoyaltyView(sql: Sql, applicationId: number, s: { profileId?: string; loyaltyCards: readonly string[] }, openEffects: readonly Effect[], now: Date,
  loaded?: SessionLoyalty | null): Promise<LoyaltyView> {
  // a close kept its ledgers' counters up to date as it wrote them, not their tiers: with tiers, read them back
  const reuse = loaded !== undefined && (openEffects.length > 0 || (loaded?.programs.every((p) => p.program.tiers.length === 0) ?? true));
  const l = reuse ? loaded : await loadSessionLoyalty(sql, await subscribedPrograms(sql, applicationId), s.profileId ?? '', s.loyaltyCards, false, now);
  const view: LoyaltyView = { programs: [], cards: [] };
  if (l) await addToView(sql, view, l, openEffects, now.toISOString());
  return view;
}

/** Adds the ledgers of `l` to `view`: profile-based programs to `programs`, the card of a card-based one to `cards`. */
async function addToView(sql: Sql, view: LoyaltyView, l: SessionLoyalty, openEffects: readonly Effect[], at: string): Promise<void> {
  for (const st of l.programs) {
    const balances = tentativeBalances(st, openEffects, at);
    if (st.program.tiers.length > 0) {
      for (const [sub, b] of balances) b.tier = await tierInfo(sql, st.program, st.ledgers.get(sub)?.ledger, b.counters, at);
    }
    const ledger = balances.get('') ?? ZERO_BALANCES;
    const subLedgers = new Map([...balances].filter(([k]) => k !== ''));
    if (st.program.cardBased) {
      if (st.card) view.cards.push({ program: st.program, card: st.card, ledger, subLedgers });
    } else if (st.owner !== null) {
      const joinDate = st.program.programJoinPolicy === 'not_join' ? undefined : await joinDateOf(sql, st.program.id, 'profile', st.owner.id, at);
      view.programs.push({ program: st.program, ...(joinDate !== undefined ? { joinDate } : {}), ledger, subLedgers });
    }
  }
}

/** Cards one inventory answers at most per program (a profile links a handful). */
const INVENTORY_CARDS = 100;

/**
 * getCustomerInventory `loyalty=true`: the profile's ledgers in each subscribed program and, in card-based
 * programs, the cards linked to it (docs/loyalty-sessions.md, "Inventory").
 */
export async function profileLoyaltyView(sql: Sql, applicationId: number, profile: { id: number; integrationId: string }, now: Date): Promise<LoyaltyView> {
  const programs = await subscribedPrograms(sql, applicationId);
  const view: LoyaltyView = { programs: [], cards: [] };
  const profileLedgers = await loadSessionLoyalty(sql, programs.filter((p) => !p.cardBased), profile.integrationId, [], false, now);
  if (profileLedgers) await addToView(sql, view, profileLedgers, [], now.toISOString());
  for (const program of programs.filter((p) => p.cardBased)) {
    for (const card of await listCards(sql, { programId: program.id, profileId: profile.id }, 0, INVENTORY_CARDS)) {
      const cardLedgers = await loadSessionLoyalty(sql, [program], profile.integrationId, [card.identifier], false, now);
      if (cardLedgers) await addToView(sql, view, cardLedgers, [], now.toISOString());
    }
  }
  return view;
}
