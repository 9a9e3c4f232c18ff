/** getLoyaltyProgramProfilePoints: a profile's unused points by status (active by default), one page at a time. */
import type { PointsEntry } from '../../domain/loyalty.js';
import { listPoints, type PointsQuery } from '../../store/repos/loyaltyLedgers.js';
import type { Sql } from '../../store/db.js';
import type { ServiceContext } from '../context.js';
import { loadProgramFor, requireProfile } from './common.js';
import { refuseCardBased } from './points.js';

export interface PointsFilters {
  status?: 'active' | 'pending' | 'expired'; subledgerId?: string; customerSessionIDs?: string[]; transactionUUIDs?: string[];
  pageSize?: number; skip?: number; sort?: 'startDate' | '-startDate' | 'expiryDate' | '-expiryDate';
}

export function unusedPoints(ctx: ServiceContext, applicationId: number, programId: number, integrationId: string, f: PointsFilters): Promise<{ hasMore: boolean; data: PointsEntry[] }> {
  return ctx.db.transaction(async (sql) => {
    refuseCardBased(await loadProgramFor(sql, programId, applicationId));
    await requireProfile(sql, integrationId);
    const q: PointsQuery = { programId, profileIntegrationId: integrationId, status: f.status ?? 'active', now: ctx.now().toISOString() };
    if (f.subledgerId !== undefined) q.subledgerId = f.subledgerId;
    return pointsPage(sql, q, f);
  });
}

/** One page of unused points of the owner `q` names, with the filters profile and card lists share (status is in `q`). */
export async function pointsPage(sql: Sql, q: PointsQuery, f: Omit<PointsFilters, 'subledgerId' | 'status'>): Promise<{ hasMore: boolean; data: PointsEntry[] }> {
  if (f.customerSessionIDs) q.customerSessionIds = f.customerSessionIDs;
  if (f.transactionUUIDs) q.uuids = f.transactionUUIDs;
  if (f.sort) q.sort = f.sort;
  const pageSize = f.pageSize ?? 50;
  const rows = await listPoints(sql, q, f.skip ?? 0, pageSize + 1);
  return { hasMore: rows.length > pageSize, data: rows.slice(0, pageSize) };
}
