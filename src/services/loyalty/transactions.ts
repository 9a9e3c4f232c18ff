/**
 * A program's ledger entries, newest first, one page at a time (`hasMore`): a profile's
 * (getLoyaltyProgramProfileTransactions, getLoyaltyProgramProfileLedgerTransactions) or all of them
 * (getLoyaltyProgramTransactions).
 */
import { invalidParameter, Title } from '../../domain/errors.js';
import type { Transaction } from '../../domain/loyalty.js';
import { cardIdentifiers } from '../../store/repos/loyaltyCards.js';
import { listTransactions, type TransactionQuery } from '../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../context.js';
import { loadProgramFor, requireProfile } from './common.js';
import { refuseCardBased } from './points.js';

export interface TransactionFilters {
  subledgerId?: string; loyaltyTransactionType?: 'manual' | 'session' | 'import'; startDate?: string; endDate?: string;
  customerSessionIDs?: string[]; transactionUUIDs?: string[]; awaitsActivation?: boolean; pageSize?: number; skip?: number;
}

/** The filters profile and card entry lists share, onto the store's query. */
export function withFilters(q: TransactionQuery, f: Omit<TransactionFilters, 'subledgerId'>): void {
  if (f.loyaltyTransactionType !== undefined) q.source = f.loyaltyTransactionType;
  if (f.startDate !== undefined) q.createdFrom = new Date(f.startDate).toISOString();
  if (f.endDate !== undefined) q.createdTo = new Date(f.endDate).toISOString();
  if (f.customerSessionIDs) q.customerSessionIds = f.customerSessionIDs;
  if (f.transactionUUIDs) q.uuids = f.transactionUUIDs;
  if (f.awaitsActivation) q.awaitsActivation = true;
}

export function loyaltyTransactions(ctx: ServiceContext, applicationId: number | undefined, programId: number, integrationId: string | undefined, f: TransactionFilters): Promise<{ hasMore: boolean; data: Transaction[]; cardIdentifiers: Map<number, string> }> {
  if (f.awaitsActivation === false) throw invalidParameter('awaitsActivation', Title.invalidValue, 'awaitsActivation can only be true');
  return ctx.db.transaction(async (sql) => {
    const program = await loadProgramFor(sql, programId, applicationId);
    if (integrationId !== undefined) {
      refuseCardBased(program);
      await requireProfile(sql, integrationId);
    }
    const q: TransactionQuery = { programId };
    if (integrationId !== undefined) q.profileIntegrationId = integrationId;
    if (f.subledgerId !== undefined) q.subledgerId = f.subledgerId;
    withFilters(q, f);
    const pageSize = f.pageSize ?? 50;
    const rows = await listTransactions(sql, q, f.skip ?? 0, pageSize + 1);
    const data = rows.slice(0, pageSize);
    // a card's entries name the card by its identifier (LoyaltyProgramTransaction.cardIdentifier)
    const cardIds = data.flatMap((t) => (t.cardId !== undefined ? [t.cardId] : []));
    return { hasMore: rows.length > pageSize, data, cardIdentifiers: cardIds.length > 0 ? await cardIdentifiers(sql, cardIds) : new Map() };
  });
}
