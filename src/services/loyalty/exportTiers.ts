/**
 * exportCustomersTiers: each profile ledger of the program that is in a tier now, as CSV (`programid,
 * subledgerid, customerprofileid, tiername, startdate, expirydate`), page by page (a keyset scan per page, each
 * in its own transaction), nothing written; optionally of some subledgers or tiers only (docs/loyalty.md, "Tiers").
 */
import { profileLedgersAfter } from '../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../context.js';
import { countersAt, loadProgram } from './common.js';
import { csvField } from './export.js';
import { tierInfo } from './tiers.js';

const PAGE = 5000;
const COLUMNS = ['programid', 'subledgerid', 'customerprofileid', 'tiername', 'startdate', 'expirydate'] as const;

export interface TierExportFilter { subledgerIds?: string[]; tierNames?: string[] }

/** Checks the program exists (404) before the first byte is sent; answers the instant of the export. */
export async function prepareTiersExport(ctx: ServiceContext, programId: number): Promise<string> {
  await ctx.db.transaction((sql) => loadProgram(sql, programId));
  return ctx.now().toISOString();
}

/** A card-based program's export holds the header only (its tiers are on cards, shown in LedgerInfo). */
export async function* exportTiersCsv(ctx: ServiceContext, programId: number, f: TierExportFilter, now: string): AsyncGenerator<string> {
  yield `${COLUMNS.join(',')}\n`;
  const names = f.tierNames?.length ? new Set(f.tierNames) : undefined;
  for (let after = 0; ;) {
    const page = await ctx.db.transaction(async (sql) => {
      const program = await loadProgram(sql, programId);
      if (program.cardBased || program.tiers.length === 0) return null;
      const ledgers = await profileLedgersAfter(sql, programId, f.subledgerIds, after, PAGE);
      const out: string[] = [];
      for (const l of ledgers) {
        after = l.id;
        const t = (await tierInfo(sql, program, l, await countersAt(sql, l, now), now)).currentTier;
        if (!t || (names && !names.has(t.name))) continue;
        out.push([String(programId), l.subledgerId, l.ownerId, t.name, t.startDate ?? '', t.expiryDate ?? ''].map(csvField).join(','));
      }
      return ledgers.length ? out : null;
    });
    if (page === null) return;
    if (page.length) yield `${page.join('\n')}\n`;
  }
}
