/**
 * exportLoyaltyJoinDates: each profile of the program that has joined (its join date has come) with that
 * date, as CSV, page by page (docs/loyalty.md, "Join dates").
 */
import { joinDatesAfter } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { loadProgram } from './common.js';
import { csvPages } from './export.js';

export async function prepareJoinDatesExport(ctx: ServiceContext, programId: number): Promise<void> {
  await ctx.db.transaction((sql) => loadProgram(sql, programId));
}

export function exportJoinDatesCsv(ctx: ServiceContext, programId: number): AsyncGenerator<string> {
  const now = ctx.now().toISOString();
  return csvPages(ctx, ['loyaltyProgramID', 'profileIntegrationID', 'joinDate'], null as string | null, (sql, after, limit) => joinDatesAfter(sql, programId, now, after, limit),
    (r) => r.ownerId, (r) => [String(programId), r.ownerId, r.joinDate]);
}
