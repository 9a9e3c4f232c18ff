/**
 * Loyalty tiers of a ledger (docs/loyalty.md, "Tiers"): what a read answers at any instant (`tierInfo`,
 * `projectedTier`), and what a write persists once the ledger's counters changed (`noteTier`, under the
 * ledger's lock). The rules themselves are pure: domain/loyaltyTier.ts.
 */
import { emptyCounters, type Bucket, type Counters, type LoyaltyProgram, type OwnerKind, type Tier } from '../../domain/loyalty.js';
import { atExpiry, evolve, inZone, nextTier, NO_TIER, onBalance, projectTier, replayTier, sameTier, tierFor, tierRules, type TierState } from '../../domain/loyaltyTier.js';
import { ZERO, type Decimal } from '../../domain/money.js';
import type { Sql } from '../../store/db.js';
import { dueBuckets, ledgerTier, ownerLedgers, saveTier, tierHistory, type Ledger } from '../../store/repos/loyaltyLedgers.js';

/** Talon.One's `Tier`: a customer's current tier; dates in the program's time zone. */
export interface WireTier { id: number; name: string; startDate?: string; expiryDate?: string; downgradePolicy?: 'one_down' | 'balance_based' }

/** What LedgerInfo and the balances answer about tiers. */
export interface TierInfo { currentTier: WireTier | null; pointsToNextTier: Decimal | null; nextTierName: string | null }

/** Talon.One's `ProjectedTier`. */
export interface ProjectedTier { projectedActivePoints: Decimal; stayInTierPoints?: Decimal; projectedTierName?: string }

/**
 * The ledger's tier state at `at`: from the stored state moved forward through the bucket changes by then
 * when `at` is not before the ledger was settled (nothing written), else replayed from its whole history.
 */
async function tierStateAt(sql: Sql, program: LoyaltyProgram, ledger: Ledger | undefined, at: string): Promise<TierState> {
  if (!ledger || program.tiers.length === 0) return NO_TIER;
  const { state, joinBase } = await ledgerTier(sql, ledger);
  const rules = tierRules(program, joinBase);
  if (at < ledger.settledAt) return replayTier(rules, await tierHistory(sql, ledger.id, at), at);
  const due = ledger.nextChangeAt !== null && ledger.nextChangeAt <= at ? await dueBuckets(sql, ledger.id, at) : [];
  return evolve(rules, state, ledger.counters, due, ledger.settledAt, at);
}

function wireTier(program: LoyaltyProgram, tier: Tier, s: TierState): WireTier {
  const w: WireTier = { id: tier.id, name: tier.name };
  if (s.tierId === tier.id && s.start !== null) w.startDate = inZone(s.start, program.timezone);
  if (s.tierId === tier.id && s.expiry !== null) {
    w.expiryDate = inZone(s.expiry, program.timezone);
    w.downgradePolicy = program.tiersDowngradePolicy ?? 'one_down';
  }
  return w;
}

/** The tier a state names, or (no tier yet) the tier of minPoints 0 a balance of 0 is in, without dates. */
function currentOf(program: LoyaltyProgram, s: TierState, active: Decimal): Tier | null {
  if (s.tierId !== null) return program.tiers.find((t) => t.id === s.tierId) ?? null;
  return tierFor(program.tiers, active);
}

/**
 * The tier fields of LedgerInfo and of a balance at `at` (`counters`: the ledger's counters then): the current
 * tier, the points to the next one and its name (null at the top; the lowest tier's name without a tier).
 */
export async function tierInfo(sql: Sql, program: LoyaltyProgram, ledger: Ledger | undefined, counters: Counters, at: string): Promise<TierInfo> {
  if (program.tiers.length === 0) return { currentTier: null, pointsToNextTier: null, nextTierName: null };
  const s = await tierStateAt(sql, program, ledger, at);
  const current = currentOf(program, s, counters.active);
  const next = nextTier(program.tiers, current);
  return {
    currentTier: current ? wireTier(program, current, s) : null,
    pointsToNextTier: next ? (next.minPoints.gt(counters.active) ? next.minPoints.minus(counters.active) : ZERO) : null,
    nextTierName: next?.name ?? null,
  };
}

/** The tier fields of each (sub)ledger of an owner whose balances at `at` are `balances` (LedgerInfo of a card); empty without tiers. */
export async function ownerTierInfo(sql: Sql, program: LoyaltyProgram, ownerKind: OwnerKind, ownerId: string, balances: ReadonlyMap<string, Counters>,
  at: string): Promise<Map<string, TierInfo>> {
  const out = new Map<string, TierInfo>();
  if (program.tiers.length === 0) return out;
  const ledgers = new Map((await ownerLedgers(sql, program.id, ownerKind, ownerId)).map((l) => [l.subledgerId, l]));
  for (const [id, c] of balances) out.set(id, await tierInfo(sql, program, ledgers.get(id), c, at));
  if (!balances.has('')) out.set('', await tierInfo(sql, program, undefined, emptyCounters(), at));
  return out;
}

/** The tier the re-evaluation at the current tier's expiry (after `at`) gives, with the active points then; null without a tier expiry. */
export async function projectedTier(sql: Sql, program: LoyaltyProgram, ledger: Ledger | undefined, at: string,
  countersAt: (at: string) => Promise<Counters>): Promise<ProjectedTier | null> {
  if (!ledger || program.tiers.length === 0) return null;
  const s = await tierStateAt(sql, program, ledger, at);
  if (s.expiry === null) return null;
  const { joinBase } = await ledgerTier(sql, ledger);
  const p = projectTier(tierRules(program, joinBase), s, (await countersAt(s.expiry)).active);
  if (!p) return null;
  return {
    projectedActivePoints: p.activeAtExpiry, ...(p.stayInTierPoints ? { stayInTierPoints: p.stayInTierPoints } : {}),
    ...(p.tier ? { projectedTierName: p.tier.name } : {}),
  };
}

/**
 * Called under the ledger's lock once its counters changed (`ledger`: as settled before the write; `counters`, valid at
 * `now`: after it): persists an upgrade
 * (or, without tier expiry, a downgrade) with its start and expiry, and a re-evaluation that has come due.
 */
export async function noteTier(sql: Sql, program: LoyaltyProgram, ledger: Ledger, counters: Counters, now: string): Promise<void> {
  if (program.tiers.length === 0) return;
  const { state, joinBase } = await ledgerTier(sql, ledger);
  const rules = tierRules(program, joinBase);
  // in line with the counters before this write first: a writer without noteTier (an activation) changed them at settledAt
  let s = onBalance(rules, state, ledger.counters.active, ledger.settledAt);
  // settle() re-evaluates at the exact expiry; this covers a caller that did not settle
  while (s.expiry !== null && s.expiry <= now) s = atExpiry(rules, s, counters.active, s.expiry);
  s = onBalance(rules, s, counters.active, now);
  if (!sameTier(s, state)) await saveTier(sql, ledger.id, s);
}

/** The ledger's tier moved from when it was settled to `now` through the bucket changes `due` (settle()); saved when it changed. */
export async function settleTier(sql: Sql, program: LoyaltyProgram, ledger: Ledger, due: readonly Bucket[], now: string): Promise<TierState | undefined> {
  if (program.tiers.length === 0) return undefined;
  const { state, joinBase } = await ledgerTier(sql, ledger);
  const s = evolve(tierRules(program, joinBase), state, ledger.counters, due, ledger.settledAt, now);
  if (!sameTier(s, state)) await saveTier(sql, ledger.id, s);
  return s;
}
