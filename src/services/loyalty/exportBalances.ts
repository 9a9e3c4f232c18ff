/**
 * exportLoyaltyBalances (and the deprecated exportLoyaltyBalance): every profile ledger of the program with
 * its balances at `endDate` (default now) as CSV, page by page (a keyset scan per page, each in its own
 * transaction), nothing written. `currentTier` is the tier's name at `endDate` (docs/loyalty.md, "Tiers").
 */
import { toNumber } from '../../domain/money.js';
import { ledgerTiers } from '../../store/repos/loyaltyLedgers.js';
import { ledgersAfter } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { countersAt, loadProgram } from './common.js';
import { csvField } from './export.js';
import { tierInfo } from './tiers.js';

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
      const program = await loadProgram(sql, programId);
      const ledgers = await ledgersAfter(sql, programId, 'profile', at, after, PAGE);
      const tiers = program.tiers.length ? await ledgerTiers(sql, ledgers.map((l) => l.id)) : undefined;
      const out: string[] = [];
      for (const l of ledgers) {
        const c = await countersAt(sql, l, at);
        const tier = tiers ? (await tierInfo(sql, program, { ...l, tier: tiers.get(l.id)! }, c, at)).currentTier?.name ?? '' : '';
        out.push([String(programId), l.subledgerId, l.ownerId, ...[c.active, c.pending, c.expired, c.spent].map((d) => String(toNumber(d))), tier].map(csvField).join(','));
        after = l.id;
      }
      return out;
    });
    if (lines.length === 0) return;
    yield `${lines.join('\n')}\n`;
  }
}
