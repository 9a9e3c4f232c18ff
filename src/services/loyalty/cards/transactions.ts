/**
 * A card's ledger entries, newest first, one page at a time: getLoyaltyCardTransactions (Integration API) and
 * getLoyaltyCardTransactionLogs (Management API); and getLoyaltyCardPoints, its unused points by status.
 */
import { invalidParameter, Title } from '../../../domain/errors.js';
import type { PointsEntry, Transaction } from '../../../domain/loyalty.js';
import { listTransactions, type PointsQuery, type TransactionQuery } from '../../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../../context.js';
import { withFilters } from '../transactions.js';
import { pointsPage } from '../unusedPoints.js';
import { loadCardProgram, requireCard } from './common.js';

export interface CardTransactionFilters {
  subledgerIds?: string[]; loyaltyTransactionType?: 'manual' | 'session' | 'import'; startDate?: string; endDate?: string;
  customerSessionIDs?: string[]; transactionUUIDs?: string[]; awaitsActivation?: boolean; pageSize?: number; skip?: number;
}

export function loyaltyCardTransactions(ctx: ServiceContext, applicationId: number | undefined, programId: number, identifier: string,
  f: CardTransactionFilters, defaultPageSize: number): Promise<{ hasMore: boolean; data: Transaction[]; identifier: string }> {
  if (f.awaitsActivation === false) throw invalidParameter('awaitsActivation', Title.invalidValue, 'awaitsActivation can only be true');
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId, applicationId);
    const card = await requireCard(sql, program.id, identifier);
    const q: TransactionQuery = { programId: program.id, cardId: card.id };
    if (f.subledgerIds?.length) q.subledgerIds = f.subledgerIds;
    withFilters(q, f);
    const pageSize = f.pageSize ?? defaultPageSize;
    const rows = await listTransactions(sql, q, f.skip ?? 0, pageSize + 1);
    return { hasMore: rows.length > pageSize, data: rows.slice(0, pageSize), identifier: card.identifier };
  });
}

export interface CardPointsFilters {
  status?: 'active' | 'pending' | 'expired'; subledgerIds?: string[]; customerSessionIDs?: string[]; transactionUUIDs?: string[];
  pageSize?: number; skip?: number; sort?: 'startDate' | 'expiryDate';
}

export function loyaltyCardPoints(ctx: ServiceContext, applicationId: number | undefined, programId: number, identifier: string, f: CardPointsFilters): Promise<{ hasMore: boolean; data: PointsEntry[] }> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId, applicationId);
    const card = await requireCard(sql, program.id, identifier);
    const q: PointsQuery = { programId: program.id, cardId: card.id, status: f.status ?? 'active', now: ctx.now().toISOString() };
    if (f.subledgerIds?.length) q.subledgerIds = f.subledgerIds;
    return pointsPage(sql, q, f);
  });
}
