/**
 * getLoyaltyBalances (Integration API) and getLoyaltyLedgerBalances (Management API): a profile's balances
 * per (sub)ledger at `endDate` (default now). Ledgers whose next change has come are settled first, under
 * their lock, so that later reads answer from the counters alone (docs/loyalty.md, "Balances").
 */
import type { Counters } from '../../domain/loyalty.js';
import { lockLedger, ownerLedgers, type Ledger } from '../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../context.js';
import { countersAt, loadProgramFor, requireProfile, settle } from './common.js';
import { refuseCardBased } from './points.js';

export interface BalancesQuery { endDate?: string; subledgerId?: string }

/** The main ledger's counters (absent when a subledger was asked for) and each subledger's. */
export interface ProfileBalances { balance?: Counters; subledgerBalances: Map<string, Counters> }

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
    for (const l of ledgers) settled.push(l.nextChangeAt !== null && l.nextChangeAt <= now ? await settle(sql, await lockLedger(sql, l, now), now) : l);
    const out: ProfileBalances = { subledgerBalances: new Map() };
    const main = settled.find((l) => l.subledgerId === '');
    if (q.subledgerId === undefined || q.subledgerId === '') out.balance = await countersAt(sql, main, at);
    for (const l of settled) if (l.subledgerId !== '') out.subledgerBalances.set(l.subledgerId, await countersAt(sql, l, at));
    if (q.subledgerId !== undefined && q.subledgerId !== '' && !out.subledgerBalances.has(q.subledgerId)) out.subledgerBalances.set(q.subledgerId, await countersAt(sql, undefined, at));
    return out;
  });
}
