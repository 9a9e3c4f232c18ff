/**
 * exportLoyaltyBalances (and the deprecated exportLoyaltyBalance): every profile ledger of the program with
 * its balances at `endDate` (default now) as CSV, page by page (a keyset scan per page, each in its own
 * transaction), nothing written. `currentTier` is the tier's name at `endDate` (docs/loyalty.md, "Tiers").
 * The card balances export (cards/export.ts) reads its pages with the same functions.
 */
import type { Counters, OwnerKind } from '../../domain/loyalty.js';
import { toNumber } from '../../domain/money.js';
import type { Sql } from '../../store/db.js';
import { ledgerTiers, type Ledger } from '../../store/repos/loyaltyLedgers.js';
import { ledgersAfter } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { countersAt, loadProgram } from './common.js';
import { csvPages } from './export.js';
import { tierInfo } from './tiers.js';

const COLUMNS = ['loyaltyProgramID', 'loyaltySubledger', 'profileIntegrationID', 'currentBalance', 'pendingBalance', 'expiredBalance', 'spentBalance', 'currentTier'] as const;

/** The instant of an export's balances: `endDate`, or now. */
export const balancesInstant = (ctx: ServiceContext, endDate: string | undefined) => (endDate !== undefined ? new Date(endDate).toISOString() : ctx.now().toISOString());

/** Checks the program exists (404) before the first byte is sent; answers the instant of the balances. */
export async function prepareBalancesExport(ctx: ServiceContext, programId: number, endDate: string | undefined): Promise<string> {
  await ctx.db.transaction((sql) => loadProgram(sql, programId));
  return balancesInstant(ctx, endDate);
}

/**
 * A page of the program's ledgers of one owner kind with their balances and tier name ('' without one) at
 * `at`; ledgers created after `at` are left out (they had no balance then).
 */
export async function balancesPage(sql: Sql, programId: number, ownerKind: OwnerKind, at: string, afterId: number, limit: number): Promise<{ ledger: Ledger; counters: Counters; tier: string }[]> {
  const program = await loadProgram(sql, programId);
  const ledgers = await ledgersAfter(sql, programId, ownerKind, at, afterId, limit);
  const tiers = program.tiers.length ? await ledgerTiers(sql, ledgers.map((l) => l.id)) : undefined;
  const out: { ledger: Ledger; counters: Counters; tier: string }[] = [];
  for (const ledger of ledgers) {
    const counters = await countersAt(sql, ledger, at);
    const tier = tiers ? (await tierInfo(sql, program, { ...ledger, tier: tiers.get(ledger.id)! }, counters, at)).currentTier?.name ?? '' : '';
    out.push({ ledger, counters, tier });
  }
  return out;
}

/** The balance columns: current (active), pending, expired, spent, as exact decimals. */
export const balanceCells = (c: Counters) => [c.active, c.pending, c.expired, c.spent].map((d) => String(toNumber(d)));

export const exportBalancesCsv = (ctx: ServiceContext, programId: number, at: string) =>
  csvPages(ctx, COLUMNS, 0, (sql, after, limit) => balancesPage(sql, programId, 'profile', at, after, limit), (r) => r.ledger.id,
    ({ ledger, counters, tier }) => [String(programId), ledger.subledgerId, ledger.ownerId, ...balanceCells(counters), tier]);
