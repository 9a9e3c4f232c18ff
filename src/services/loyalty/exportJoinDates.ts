/**
 * exportLoyaltyJoinDates: each profile of the program that has joined (its join date has come) with that
 * date, as CSV, page by page (docs/loyalty.md, "Join dates").
 */
import { joinDatesAfter } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { loadProgram } from './common.js';
import { csvField } from './export.js';

const PAGE = 5000;

export async function prepareJoinDatesExport(ctx: ServiceContext, programId: number): Promise<void> {
  await ctx.db.transaction((sql) => loadProgram(sql, programId));
}

export async function* exportJoinDatesCsv(ctx: ServiceContext, programId: number): AsyncGenerator<string> {
  yield 'loyaltyProgramID,profileIntegrationID,joinDate\n';
  const now = ctx.now().toISOString();
  for (let after: string | null = null; ;) {
    const rows = await ctx.db.transaction((sql) => joinDatesAfter(sql, programId, now, after, PAGE));
    if (rows.length === 0) return;
    after = rows[rows.length - 1].ownerId;
    yield `${rows.map((r) => [String(programId), r.ownerId, r.joinDate].map(csvField).join(',')).join('\n')}\n`;
  }
}
