/**
 * exportLoyaltyBalances (and the deprecated exportLoyaltyBalance): every profile ledger of the program with
 * its balances at `endDate` (default now) as CSV, page by page (a keyset scan per page, each in its own
 * transaction), nothing written. `currentTier` stays empty until tiers are evaluated (docs/loyalty.md).
 */
import { toNumber } from '../../domain/money.js';
import { ledgersAfter } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { countersAt, loadProgram } from './common.js';
import { csvField } from './export.js';

const PAGE = 5000;
const COLUMNS = ['loyaltyProgramID', 'loyaltySubledger', 'profileIntegrationID', 'currentBalance', 'pendingBalance', 'expiredBalance', 'spentBalance', 'currentTier'] as const;

/** Checks the program exists (404) before the first byte is sent; answers the instant of the balances. */
export async function prepareBalancesExport(ctx: ServiceContext, programId: number, endDate: string | undefined): Promise<string> {
  await ctx.db.transaction((sql) => loadProgram(sql, programId));
  return endDate !== undefined ? new Date(endDate).toISOString() : ctx.now().toISOString();
}

/** Ledgers created after `at` are left out (they had no balance then). */
export async function* exportBalancesCsv(ctx: ServiceContext, programId: number, at: string): AsyncGenerator<string> {
  yield `${COLUMNS.join(',')}\n`;
  for (let after = 0; ;) {
    const lines = await ctx.db.transaction(async (sql) => {
      const ledgers = await ledgersAfter(sql, programId, 'profile', at, after, PAGE);
      const out: string[] = [];
      for (const l of ledgers) {
        const c = await countersAt(sql, l, at);
        out.push([String(programId), l.subledgerId, l.ownerId, ...[c.active, c.pending, c.expired, c.spent].map((d) => String(toNumber(d))), ''].map(csvField).join(','));
        after = l.id;
      }
      return out;
    });
    if (lines.length === 0) return;
    yield `${lines.join('\n')}\n`;
  }
}
