/**
 * exportCustomersTiers: each profile ledger of the program that is in a tier now, as CSV (`programid,
 * subledgerid, customerprofileid, tiername, startdate, expirydate`), page by page (a keyset scan per page, each
 * in its own transaction), nothing written; optionally of some subledgers or tiers only (docs/loyalty.md, "Tiers").
 */
import type { Sql } from '../../store/db.js';
import { profileLedgersAfter, type Ledger } from '../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../context.js';
import { countersAt, loadProgram } from './common.js';
import { csvPages } from './export.js';
import { tierInfo, type WireTier } from './tiers.js';

const COLUMNS = ['programid', 'subledgerid', 'customerprofileid', 'tiername', 'startdate', 'expirydate'] as const;

export interface TierExportFilter { subledgerIds?: string[]; tierNames?: string[] }

/** Checks the program exists (404) before the first byte is sent; answers the instant of the export. */
export async function prepareTiersExport(ctx: ServiceContext, programId: number): Promise<string> {
  await ctx.db.transaction((sql) => loadProgram(sql, programId));
  return ctx.now().toISOString();
}

/** A card-based program's export holds the header only (its tiers are on cards, shown in LedgerInfo). */
export function exportTiersCsv(ctx: ServiceContext, programId: number, f: TierExportFilter, now: string): AsyncGenerator<string> {
  const names = f.tierNames?.length ? new Set(f.tierNames) : undefined;
  const page = async (sql: Sql, after: number, limit: number) => {
    const program = await loadProgram(sql, programId);
    if (program.cardBased || program.tiers.length === 0) return [];
    const out: { ledger: Ledger; tier: WireTier | null }[] = [];
    for (const l of await profileLedgersAfter(sql, programId, f.subledgerIds, after, limit)) {
      out.push({ ledger: l, tier: (await tierInfo(sql, program, l, await countersAt(sql, l, now), now)).currentTier });
    }
    return out;
  };
  return csvPages(ctx, COLUMNS, 0, page, (r) => r.ledger.id, ({ ledger: l, tier: t }) =>
    (!t || (names && !names.has(t.name)) ? null : [String(programId), l.subledgerId, l.ownerId, t.name, t.startDate ?? '', t.expiryDate ?? '']));
}
