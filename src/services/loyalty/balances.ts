/**
 * getLoyaltyBalances (Integration API) and getLoyaltyLedgerBalances (Management API): a profile's balances
 * per (sub)ledger at `endDate` (default now), with the tier fields when asked. Ledgers whose next change (or
 * tier expiry) has come are settled first, under their lock, so that later reads answer from the counters
 * alone (docs/loyalty.md, "Balances" and "Tiers").
 */
import type { Counters } from '../../domain/loyalty.js';
import { lockLedger, ownerLedgers, type Ledger } from '../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../context.js';
import { countersAt, loadProgramFor, requireProfile, settle } from './common.js';
import { refuseCardBased } from './points.js';
import { projectedTier, tierInfo, type ProjectedTier, type TierInfo } from './tiers.js';

export interface BalancesQuery { endDate?: string; subledgerId?: string; includeTiers?: boolean; includeProjectedTier?: boolean }

/** A (sub)ledger's counters, and its tier fields when asked for. */
export interface LedgerBalance { counters: Counters; tier?: TierInfo; projected?: ProjectedTier | null }

/** The main ledger's balance (absent when a subledger was asked for) and each subledger's. */
export interface ProfileBalances { balance?: LedgerBalance; subledgerBalances: Map<string, LedgerBalance> }

/** Whether a read must settle the ledger first: a bucket change or the tier's expiry has come. */
export const settleDue = (l: Ledger, now: string) =>
  (l.nextChangeAt !== null && l.nextChangeAt <= now) || (l.tier !== undefined && l.tier.state.expiry !== null && l.tier.state.expiry <= now);

export function profileBalances(ctx: ServiceContext, applicationId: number | undefined, programId: number, integrationId: string, q: BalancesQuery): Promise<ProfileBalances> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadProgramFor(sql, programId, applicationId);
    refuseCardBased(program);
    await requireProfile(sql, integrationId);
    const now = ctx.now().toISOString();
    const at = q.endDate !== undefined ? new Date(q.endDate).toISOString() : now;
    let ledgers = await ownerLedgers(sql, program.id, 'profile', integrationId);
    if (q.subledgerId !== undefined) ledgers = ledgers.filter((l) => l.subledgerId === q.subledgerId);
    const settled: Ledger[] = [];
    for (const l of ledgers) settled.push(settleDue(l, now) ? await settle(sql, await lockLedger(sql, l, now), now, program) : l);
    const balanceOf = async (l: Ledger | undefined): Promise<LedgerBalance> => {
      const counters = await countersAt(sql, l, at);
      const out: LedgerBalance = { counters };
      if (q.includeTiers) out.tier = await tierInfo(sql, program, l, counters, at);
      if (q.includeProjectedTier) out.projected = await projectedTier(sql, program, l, at, (t) => countersAt(sql, l, t));
      return out;
    };
    const out: ProfileBalances = { subledgerBalances: new Map() };
    const main = settled.find((l) => l.subledgerId === '');
    if (q.subledgerId === undefined || q.subledgerId === '') out.balance = await balanceOf(main);
    for (const l of settled) if (l.subledgerId !== '') out.subledgerBalances.set(l.subledgerId, await balanceOf(l));
    if (q.subledgerId !== undefined && q.subledgerId !== '' && !out.subledgerBalances.has(q.subledgerId)) out.subledgerBalances.set(q.subledgerId, await balanceOf(undefined));
    return out;
  });
}
