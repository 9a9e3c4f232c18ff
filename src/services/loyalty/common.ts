/** What the loyalty use cases share: loading a program (per Application for the Integration API), settling and reading ledger balances. */
import { ACCOUNT_ID } from '../../domain/application.js';
import { notFound } from '../../domain/errors.js';
import { advance, changeAt, emptyCounters, rebuild, type Counters, type LoyaltyProgram } from '../../domain/loyalty.js';
import type { Sql } from '../../store/db.js';
import { dueBuckets, ledgerHistory, ledgerTier, nextChange, saveBucket, saveCounters, type Ledger } from '../../store/repos/loyaltyLedgers.js';
import { getProgram } from '../../store/repos/loyaltyPrograms.js';
import { getProfile } from '../../store/repos/profiles.js';
import { settleTier } from './tiers.js';

export async function loadProgram(sql: Sql, programId: number, lock = false): Promise<LoyaltyProgram> {
  const p = await getProgram(sql, ACCOUNT_ID, programId, lock);
  if (!p) throw notFound('Loyalty program');
  return p;
}

/** The program as an Application sees it: one it is not subscribed to is not found, as any other Application's data. */
export async function loadProgramFor(sql: Sql, programId: number, applicationId: number | undefined): Promise<LoyaltyProgram> {
  const p = await loadProgram(sql, programId);
  if (applicationId !== undefined && !p.subscribedApplications.includes(applicationId)) throw notFound('Loyalty program');
  return p;
}

export async function requireProfile(sql: Sql, integrationId: string): Promise<void> {
  if (!(await getProfile(sql, ACCOUNT_ID, integrationId))) throw notFound('Customer profile');
}

/**
 * Brings a ledger locked by the caller forward to `now`: the buckets whose activation or expiry has come
 * move between counters, are saved with their new state, and the ledger's next change is recomputed; the
 * tier follows each of these changes and is re-evaluated at its expiry (docs/loyalty.md, "Tiers").
 * `program` saves a lookup when the caller has it.
 */
export async function settle(sql: Sql, ledger: Ledger, now: string, program?: LoyaltyProgram): Promise<Ledger> {
  const bucketsDue = ledger.nextChangeAt !== null && ledger.nextChangeAt <= now;
  const tier = program && program.tiers.length === 0 ? ledger.tier : await ledgerTier(sql, ledger);
  const tierDue = tier !== undefined && tier.state.expiry !== null && tier.state.expiry <= now;
  if (!bucketsDue && !tierDue) return tier ? { ...ledger, tier } : ledger;
  const due = bucketsDue ? await dueBuckets(sql, ledger.id, now) : [];
  const p = program ?? (await loadProgram(sql, ledger.programId));
  const state = tier ? await settleTier(sql, p, { ...ledger, tier }, due, now) : undefined;
  const settledTier = state && tier ? { tier: { ...tier, state } } : tier ? { tier } : {};
  if (!bucketsDue) {
    // the stored tier is valid from now: past reads replay the history (tierStateAt)
    await saveCounters(sql, ledger.id, ledger.counters, now, ledger.nextChangeAt);
    return { ...ledger, settledAt: now, ...settledTier };
  }
  const { counters, changed } = advance(ledger.counters, due, now);
  for (const b of changed) await saveBucket(sql, b.id, b.remaining, b.state, changeAt(b));
  const next = await nextChange(sql, ledger.id);
  await saveCounters(sql, ledger.id, counters, now, next);
  return { ...ledger, counters, settledAt: now, nextChangeAt: next, ...settledTier };
}

/**
 * The ledger's counters at `at` without writing: from the running counters when `at` is not before they
 * were settled (O(1) before the next change, else plus the open buckets changing by `at`), else rebuilt
 * from the ledger's whole history.
 */
export async function countersAt(sql: Sql, ledger: Ledger | undefined, at: string): Promise<Counters> {
  if (!ledger) return emptyCounters();
  if (at >= ledger.settledAt) {
    if (ledger.nextChangeAt === null || ledger.nextChangeAt > at) return ledger.counters;
    return advance(ledger.counters, await dueBuckets(sql, ledger.id, at), at).counters;
  }
  const h = await ledgerHistory(sql, ledger.id, at);
  return rebuild(h.buckets, h.spent, at);
}
