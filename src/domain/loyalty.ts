/**
 * Loyalty points, pure (docs/loyalty.md): the duration grammar and its application in a program's time
 * zone, the spending order, and the balance arithmetic over point buckets — running counters moved
 * forward in time, and counters rebuilt from the whole history at any instant.
 */
import { ZERO, type Decimal } from './money.js';

type DurationUnit = 's' | 'm' | 'h' | 'D' | 'W' | 'M' | 'Y';
export interface Duration { amount: number; unit: DurationUnit; round?: 'down' | 'up' }

const DURATION = /^(\d{1,9})([smhDWMY])(?:_(D|U))?$/;

/** `<int><unit>` with an optional `_D` (days only) or `_U` (D, W, M, Y) suffix; null when malformed. */
export function parseDuration(s: string): Duration | null {
  const m = DURATION.exec(s);
  if (!m) return null;
  const unit = m[2] as DurationUnit;
  if (m[3] === 'D' && unit !== 'D') return null;
  if (m[3] === 'U' && !['D', 'W', 'M', 'Y'].includes(unit)) return null;
  const d: Duration = { amount: Number(m[1]), unit };
  if (m[3]) d.round = m[3] === 'D' ? 'down' : 'up';
  return d;
}

/** Why a program's or a request's duration is refused, or null. `words` are the special values allowed there. */
export function durationProblem(s: string, words: readonly string[]): string | null {
  if (words.includes(s) || parseDuration(s) !== null) return null;
  const allowed = words.length > 0 ? `${words.map((w) => `"${w}"`).join(', ')} or ` : '';
  return `must be ${allowed}a duration <integer><unit> (units s, m, h, D, W, M, Y; optional _D rounding on days, _U on D, W, M, Y), such as "30D" or "1Y_U"; got ${JSON.stringify(s)}`;
}

interface Wall { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallOf(t: number, zone: string): Wall {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year, mo: p.month, d: p.day, h: p.hour, mi: p.minute, s: p.second, ms: ((t % 1000) + 1000) % 1000 };
}

const wallMs = (w: Wall) => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s, w.ms);

/** The instant a wall-clock time in `zone` denotes (the earlier one in a repeated hour, shifted forward in a skipped one). */
function instantOf(w: Wall, zone: string): number {
  const guess = wallMs(w);
  const offset1 = wallMs(wallOf(guess, zone)) - guess;
  const t1 = guess - offset1;
  const offset2 = wallMs(wallOf(t1, zone)) - t1;
  return offset1 === offset2 ? t1 : Math.min(t1, guess - offset2);
}

const daysIn = (y: number, mo: number) => new Date(Date.UTC(y, mo, 0)).getUTCDate();

/** Adds whole months in wall time, keeping the day of month where it exists (31 Jan + 1M = end of February). */
function addMonths(w: Wall, n: number): Wall {
  const total = w.y * 12 + (w.mo - 1) + n;
  const y = Math.floor(total / 12);
  const mo = (total % 12) + 1;
  return { ...w, y, mo, d: Math.min(w.d, daysIn(y, mo)) };
}

function addDays(w: Wall, n: number): Wall {
  const t = new Date(Date.UTC(w.y, w.mo - 1, w.d + n));
  return { ...w, y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/**
 * `from` plus the duration, in `zone`: s, m and h are exact lengths; D, W, M and Y are calendar steps in
 * wall time. `_D` rounds down to the start of that day, `_U` up to the last second of that day, ISO
 * week (Monday to Sunday), month or year.
 */
export function applyDuration(from: Date, d: Duration, zone: string): Date {
  const t = from.getTime();
  if (d.unit === 's' || d.unit === 'm' || d.unit === 'h') return new Date(t + d.amount * { s: 1000, m: 60_000, h: 3_600_000 }[d.unit]);
  let w = wallOf(t, zone);
  if (d.unit === 'D') w = addDays(w, d.amount);
  else if (d.unit === 'W') w = addDays(w, 7 * d.amount);
  else w = addMonths(w, d.unit === 'M' ? d.amount : 12 * d.amount);
  if (d.round === 'down') return new Date(instantOf({ ...w, h: 0, mi: 0, s: 0, ms: 0 }, zone));
  if (d.round === 'up') {
    let end: Wall;
    if (d.unit === 'D') end = w;
    else if (d.unit === 'W') end = addDays(w, (7 - new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay()) % 7);
    else if (d.unit === 'M') end = { ...w, d: daysIn(w.y, w.mo) };
    else end = { ...w, mo: 12, d: 31 };
    return new Date(instantOf({ ...end, h: 23, mi: 59, s: 59, ms: 0 }, zone));
  }
  return new Date(instantOf(w, zone));
}

export type BucketState = 'pending' | 'active' | 'expired' | 'spent';

/** One addition of points: its remaining amount and dates as UTC RFC 3339 text (null start: awaits activation; null expiry: unlimited). */
export interface Bucket {
  id: number;
  amount: Decimal;
  remaining: Decimal;
  start: string | null;
  expiry: string | null;
  state: BucketState;
  created: string;
}

export interface Counters { active: Decimal; pending: Decimal; spent: Decimal; expired: Decimal; negative: Decimal }

export const emptyCounters = (): Counters => ({ active: ZERO, pending: ZERO, spent: ZERO, expired: ZERO, negative: ZERO });

/** The state a bucket is in at `at`, from its dates alone (for a bucket with points left). */
export function stateAt(b: Pick<Bucket, 'start' | 'expiry'>, at: string): 'pending' | 'active' | 'expired' {
  if (b.expiry !== null && b.expiry <= at) return 'expired';
  if (b.start === null || b.start > at) return 'pending';
  return 'active';
}

/** When an open bucket next changes state (activation or expiry), or null if never by itself. */
export function changeAt(b: Pick<Bucket, 'start' | 'expiry' | 'state'>): string | null {
  if (b.state === 'pending' && b.start !== null) return b.expiry !== null && b.expiry < b.start ? b.expiry : b.start;
  if (b.state === 'pending' || b.state === 'active') return b.expiry;
  return null;
}

/**
 * Moves counters valid before `at` forward to `at`: every open bucket whose activation or expiry has come
 * moves its remaining points between counters. Answers the new counters and the buckets' new states.
 */
export function advance(c: Counters, due: readonly Bucket[], at: string): { counters: Counters; changed: Bucket[] } {
  const out = { ...c };
  const changed: Bucket[] = [];
  for (const b of due) {
    if (b.state !== 'pending' && b.state !== 'active') continue;
    const next = stateAt(b, at);
    if (next === b.state) continue;
    out[b.state] = out[b.state].minus(b.remaining);
    out[next] = out[next].plus(b.remaining);
    changed.push({ ...b, state: next });
  }
  return { counters: out, changed };
}

/**
 * Spending order: earliest expiry first, unlimited last; among equals, the oldest start (then
 * creation, then id) first.
 */
function spendingOrder(a: Bucket, b: Bucket): number {
  if (a.expiry !== b.expiry) {
    if (a.expiry === null) return 1;
    if (b.expiry === null) return -1;
    return a.expiry < b.expiry ? -1 : 1;
  }
  const as = a.start ?? a.created;
  const bs = b.start ?? b.created;
  if (as !== bs) return as < bs ? -1 : 1;
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return a.id - b.id;
}

/**
 * Takes `points` from active buckets in spending order: what each gives. The caller checked that the
 * active balance covers `points`; the buckets are those active now.
 */
export function allocate(points: Decimal, active: readonly Bucket[]): { bucket: Bucket; take: Decimal }[] {
  const out: { bucket: Bucket; take: Decimal }[] = [];
  let left = points;
  for (const b of [...active].sort(spendingOrder)) {
    if (left.lte(0)) break;
    if (b.remaining.lte(0)) continue;
    const take = b.remaining.lt(left) ? b.remaining : left;
    out.push({ bucket: b, take });
    left = left.minus(take);
  }
  if (left.gt(0)) throw new Error('allocate: the active buckets do not cover the deduction');
  return out;
}

/** A bucket's history: when it was created and which deductions took how much of it, when. */
export interface BucketHistory { bucket: Pick<Bucket, 'amount' | 'start' | 'expiry' | 'created'>; spends: readonly { amount: Decimal; at: string }[] }

/**
 * The counters at `at`, rebuilt from the whole history: the reference the running counters must equal,
 * and the answer for a past instant. `spentTotal` is the sum of deductions up to `at`.
 */
export function rebuild(history: readonly BucketHistory[], spentTotal: Decimal, at: string): Counters {
  const c = emptyCounters();
  c.spent = spentTotal;
  for (const { bucket, spends } of history) {
    if (bucket.created > at) continue;
    let left = bucket.amount;
    for (const s of spends) if (s.at <= at) left = left.minus(s.amount);
    const state = stateAt(bucket, at);
    c[state] = c[state].plus(left);
  }
  return c;
}

/** A loyalty program's settings (Talon.One `NewLoyaltyProgram` minus tiers, which are rows of their own). */
export interface ProgramSettings {
  name: string;
  title: string;
  description: string;
  subscribedApplications: number[];
  defaultValidity: string;
  defaultPending: string;
  allowSubledger: boolean;
  usersPerCardLimit?: number;
  sandbox: boolean;
  programJoinPolicy: 'not_join' | 'points_activated' | 'points_earned';
  tiersExpirationPolicy?: 'tier_start_date' | 'program_join_date' | 'customer_attribute' | 'absolute_expiration';
  tierCycleStartDate?: string;
  tiersExpireIn?: string;
  tiersDowngradePolicy?: 'one_down' | 'balance_based';
  cardCodeSettings?: { validCharacters: string[]; couponPattern: string };
  returnPolicy: 'only_pending' | 'within_balance' | 'unlimited';
  timezone: string;
  cardBased: boolean;
}

export interface Tier { id: number; name: string; minPoints: Decimal; created: string }

export interface LoyaltyProgram extends ProgramSettings { id: number; accountId: number; created: string; tiers: Tier[] }

/** The owner of a ledger: a customer profile (by integration id) or a loyalty card (by card id). */
export type OwnerKind = 'profile' | 'card';

/** One ledger entry as stored; `startDate`/`expiryDate` are the wire strings (`immediate`, `on_action`, `unlimited` or a timestamp). */
export interface Transaction {
  id: number; uuid: string; programId: number; ledgerId: number; ownerKind: OwnerKind; profileIntegrationId: string; cardId?: number;
  subledgerId: string; type: 'addition' | 'subtraction'; source: 'manual' | 'session' | 'import'; amount: Decimal; name: string;
  startDate: string; expiryDate: string; validityDuration?: string; applicationId?: number; campaignId?: number; customerSessionId?: string;
  eventId?: number; rulesetId?: number; ruleName?: string; importId?: number; userId?: number; flags: { createsNegativeBalance?: boolean }; created: string;
}

/** An addition's points still unused (active, pending or expired at `now`), with the entry that added them. */
export interface PointsEntry {
  transactionId: number; uuid: string; created: string; programId: number; customerSessionId?: string; name: string;
  startDate: string; expiryDate: string; subledgerId: string; remaining: Decimal; validityDuration?: string;
}
