/**
 * exportLoyaltyCardLedger: a card's ledger entries created in [rangeStart, rangeEnd] as CSV, oldest first,
 * streamed as the profile export is (`ledgerCsv`). exportLoyaltyCards: the program's cards as CSV, with the
 * columns 25.17 lists, streamed by card id (`csvPages`). exportLoyaltyCardBalances: each card ledger's balances
 * at `endDate`, read as the profile balances export reads them (`balancesPage`).
 */
import type { LoyaltyProgram } from '../../../domain/loyalty.js';
import type { Sql } from '../../../store/db.js';
import { cardsAfter, cardStates, type CardExportQuery } from '../../../store/repos/loyaltyCards.js';
import type { TransactionQuery } from '../../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../../context.js';
import { csvPages, formatDate, ledgerCsv, type DateFormat } from '../export.js';
import { balanceCells, balancesInstant, balancesPage } from '../exportBalances.js';
import { cardLimit, loadCardProgram, requireCard } from './common.js';

/** Checks the request (400 for a program that is not card-based, 404 for an unknown program or card) before the first byte is sent. */
export function prepareCardLedgerExport(ctx: ServiceContext, programId: number, identifier: string, rangeStart: string, rangeEnd: string): Promise<{ q: TransactionQuery; identifier: string }> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    const card = await requireCard(sql, program.id, identifier);
    return { q: { programId, cardId: card.id, createdFrom: new Date(rangeStart).toISOString(), createdTo: new Date(rangeEnd).toISOString() }, identifier: card.identifier };
  });
}

export const exportCardLedgerCsv = (ctx: ServiceContext, q: TransactionQuery, identifier: string, format: DateFormat | undefined) =>
  ledgerCsv(ctx, q, { column: 'loyaltycardidentifier', cell: () => identifier }, format);

const CARD_COLUMNS = ['identifier', 'created', 'status', 'userpercardlimit', 'customerprofileids', 'blockreason', 'generated', 'batchid', 'attributes'] as const;

export interface CardsExportFilter { batchId?: string; createdBefore?: string; createdAfter?: string }

/** Checks the program (404 unknown, 400 not card-based) before the first byte is sent. */
export function prepareCardsExport(ctx: ServiceContext, programId: number, f: CardsExportFilter): Promise<{ program: LoyaltyProgram; q: CardExportQuery }> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    const iso = (s: string | undefined) => (s !== undefined ? { v: new Date(s).toISOString() } : undefined);
    const before = iso(f.createdBefore);
    const after = iso(f.createdAfter);
    return {
      program,
      q: { programId: program.id, ...(f.batchId !== undefined ? { batchId: f.batchId } : {}), ...(before ? { createdBefore: before.v } : {}), ...(after ? { createdAfter: after.v } : {}) },
    };
  });
}

/**
 * One row per card, by card id: `customerprofileids` are the linked profiles joined with `;` (as the import
 * reads them), `userpercardlimit` the program's limit, `generated` false only for imported cards, `attributes`
 * empty (cards have no custom attributes here).
 */
export function exportCardsCsv(ctx: ServiceContext, program: LoyaltyProgram, q: CardExportQuery, format: DateFormat | undefined): AsyncGenerator<string> {
  const limit = String(cardLimit(program));
  return csvPages(ctx, CARD_COLUMNS, 0, (sql, after, n) => cardsAfter(sql, q, after, n), (c) => c.id, (c) => [
    c.identifier, formatDate(c.created, format), c.status, limit, c.profiles.map((p) => p.integrationId).join(';'), c.blockReason ?? '',
    String(c.importId === undefined), c.batchId ?? '', '',
  ]);
}

const BALANCE_COLUMNS = ['loyaltyProgramID', 'loyaltySubledger', 'cardIdentifier', 'cardState', 'currentBalance', 'pendingBalance', 'expiredBalance', 'spentBalance'] as const;

/** Checks the program (404 unknown, 400 not card-based) before the first byte is sent; answers the instant of the balances. */
export async function prepareCardBalancesExport(ctx: ServiceContext, programId: number, endDate: string | undefined): Promise<string> {
  await ctx.db.transaction((sql) => loadCardProgram(sql, programId));
  return balancesInstant(ctx, endDate);
}

/**
 * One row per card ledger (main ledger and subledgers) created by `at`, in ledger order, with its balances at
 * `at` and its card's identifier and status; the ledgers of deleted cards (history no card reaches) are left out.
 */
export function exportCardBalancesCsv(ctx: ServiceContext, programId: number, at: string): AsyncGenerator<string> {
  const read = async (sql: Sql, after: number, limit: number) => {
    const page = await balancesPage(sql, programId, 'card', at, after, limit);
    const cards = await cardStates(sql, page.map((r) => Number(r.ledger.ownerId)));
    return page.map((r) => ({ ...r, card: cards.get(Number(r.ledger.ownerId)) }));
  };
  return csvPages(ctx, BALANCE_COLUMNS, 0, read, (r) => r.ledger.id,
    ({ ledger, counters, card }) => (card ? [String(programId), ledger.subledgerId, card.identifier, card.status, ...balanceCells(counters)] : null));
}
