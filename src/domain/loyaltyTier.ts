/**
 * Loyalty tiers, pure (docs/loyalty.md, "Tiers"): the tier an active balance qualifies for, the next tier,
 * tier expiry per the program's policy, the re-evaluation at expiry per its downgrade policy, the state moved
 * forward through a ledger's bucket changes, and the state replayed from a ledger's whole history.
 */
import { advance, applyDuration, parseDuration, stateAt, type Bucket, type Counters, type Duration, type LoyaltyProgram, type Tier } from './loyalty.js';
import { ZERO, type Decimal } from './money.js';

/** A ledger's tier: which, since when, until when it is re-evaluated (null: no tier, no date). */
export interface TierState { tierId: number | null; start: string | null; expiry: string | null }

export const NO_TIER: TierState = { tierId: null, start: null, expiry: null };

export const sameTier = (a: TierState, b: TierState) => a.tierId === b.tierId && a.start === b.start && a.expiry === b.expiry;

/** The highest tier whose minPoints the active balance reaches (tiers ordered by minPoints). */
export function tierFor(tiers: readonly Tier[], active: Decimal): Tier | null {
  let out: Tier | null = null;
  for (const t of tiers) if (active.gte(t.minPoints)) out = t;
  return out;
}

/** The tier above `current` (the lowest one when there is none), or null at the top. */
export function nextTier(tiers: readonly Tier[], current: Tier | null): Tier | null {
  const i = current ? tiers.findIndex((t) => t.id === current.id) : -1;
  return tiers[i + 1] ?? null;
}

/**
 * The tier a balance rising to `tentativeActive` upgrades to from the tier named `currentTierName` (null: none),
 * or null when it stays (a session's additions: the `changeLoyaltyTierLevel` effect).
 */
export function upgradeTo(tiers: readonly Tier[], currentTierName: string | null, tentativeActive: Decimal): Tier | null {
  if (tentativeActive.lte(0)) return null;
  const target = tierFor(tiers, tentativeActive);
  if (!target) return null;
  const cur = currentTierName === null ? -1 : tiers.findIndex((t) => t.name === currentTierName);
  return tiers.indexOf(target) > cur ? target : null;
}

type Base = 'tier_start_date' | 'program_join_date' | 'absolute_expiration';

/** How one ledger's tiers behave: the program's tiers and policies, and the ledger's join date for `program_join_date`. */
export interface TierRules {
  tiers: readonly Tier[];
  /** null: no tier expiry, a tier follows the balance both ways at once */
  expiry: { base: Base; every: Duration; from: string | null } | null;
  downgrade: 'one_down' | 'balance_based';
  timezone: string;
}

/**
 * The rules of a program for a ledger. Expiry is configured by `tiersExpireIn` (policy default
 * `tier_start_date`; `customer_attribute` counts from the tier start too) or by `absolute_expiration` with a
 * `tierCycleStartDate` (cycles of `tiersExpireIn`, one year when absent). `joinBase` is the ledger's join
 * date, else its creation.
 */
export function tierRules(p: Pick<LoyaltyProgram, 'tiers' | 'tiersExpirationPolicy' | 'tiersExpireIn' | 'tierCycleStartDate' | 'tiersDowngradePolicy' | 'timezone'>,
  joinBase: string | null): TierRules {
  const rules: TierRules = { tiers: p.tiers, expiry: null, downgrade: p.tiersDowngradePolicy ?? 'one_down', timezone: p.timezone };
  const every = p.tiersExpireIn !== undefined ? parseDuration(p.tiersExpireIn) : null;
  if (p.tiersExpirationPolicy === 'absolute_expiration' && p.tierCycleStartDate !== undefined) {
    rules.expiry = { base: 'absolute_expiration', every: every ?? { amount: 1, unit: 'Y' }, from: new Date(p.tierCycleStartDate).toISOString() };
  } else if (every) {
    rules.expiry = p.tiersExpirationPolicy === 'program_join_date' ? { base: 'program_join_date', every, from: joinBase } : { base: 'tier_start_date', every, from: null };
  }
  return rules;
}

const APPROX_MS: Record<Duration['unit'], number> = { s: 1000, m: 60_000, h: 3_600_000, D: 86_400_000, W: 604_800_000, M: 2_629_746_000, Y: 31_556_952_000 };

/** The first boundary `base + k × every` (k ≥ kMin) strictly after `after`. */
function boundaryAfter(base: string, every: Duration, kMin: number, after: string, zone: string): string {
  const b = new Date(base);
  const at = (k: number) => (k === 0 ? b : applyDuration(b, { ...every, amount: every.amount * k }, zone)).toISOString();
  if (every.amount === 0) return at(1) > after ? at(1) : after;
  let k = Math.max(kMin, Math.floor((Date.parse(after) - b.getTime()) / (APPROX_MS[every.unit] * every.amount)) - 1);
  while (k > kMin && at(k) > after) k--;
  while (at(k) <= after) k++;
  return at(k);
}

/** When a tier started at `start` is next re-evaluated after `after`, or null without tier expiry. */
export function tierExpiry(r: TierRules, start: string, after: string): string | null {
  if (!r.expiry) return null;
  if (r.expiry.base === 'absolute_expiration') return boundaryAfter(r.expiry.from!, r.expiry.every, 0, after, r.timezone);
  return boundaryAfter(r.expiry.base === 'program_join_date' ? r.expiry.from ?? start : start, r.expiry.every, 1, after, r.timezone);
}

const indexOf = (r: TierRules, id: number | null) => (id === null ? -1 : r.tiers.findIndex((t) => t.id === id));

function enter(r: TierRules, i: number, t: string): TierState {
  if (i < 0) return NO_TIER;
  return { tierId: r.tiers[i].id, start: t, expiry: tierExpiry(r, t, t) };
}

/**
 * The state once the active balance is `active` at `t`: an upgrade as soon as a higher tier is reached (from
 * a first active point on); without tier expiry also a downgrade as soon as the balance drops below the tier.
 */
export function onBalance(r: TierRules, s: TierState, active: Decimal, t: string): TierState {
  const cur = indexOf(r, s.tierId);
  const fit = r.tiers.indexOf(tierFor(r.tiers, active)!);
  if (fit > cur && active.gt(0)) return enter(r, fit, t);
  if (fit < cur && !r.expiry) return enter(r, fit, t);
  return s;
}

/**
 * The re-evaluation at the tier's expiry `t` with the active balance then: kept (a new expiry) when the balance
 * still reaches the tier; else `one_down` drops one tier, `balance_based` moves to the tier the balance reaches.
 */
export function atExpiry(r: TierRules, s: TierState, active: Decimal, t: string): TierState {
  const cur = indexOf(r, s.tierId);
  const fit = r.tiers.indexOf(tierFor(r.tiers, active)!);
  if (fit > cur) return enter(r, fit, t);
  if (fit === cur && cur >= 0) return { ...s, expiry: tierExpiry(r, s.start ?? t, t) };
  return enter(r, r.downgrade === 'one_down' ? cur - 1 : fit, t);
}

/**
 * The state moved from `from` (when `c0` was valid) to `to`: at each instant an open bucket (`due`: those
 * changing by `to`) starts or expires, then at each tier expiry, in time order. The state is first brought in
 * line with `c0` at `from` (a writer that changed the counters without re-evaluating the tier).
 */
export function evolve(r: TierRules, s: TierState, c0: Counters, due: readonly Bucket[], from: string, to: string): TierState {
  if (r.tiers.length === 0) return s;
  const activeAt = (t: string) => (due.length ? advance(c0, due, t).counters.active : c0.active);
  const times = new Set<string>();
  for (const b of due) {
    if (b.state === 'pending' && b.start !== null && b.start > from && b.start <= to) times.add(b.start);
    if (b.expiry !== null && b.expiry > from && b.expiry <= to) times.add(b.expiry);
  }
  const sorted = [...times].sort();
  let st = onBalance(r, s, c0.active, from);
  for (let i = 0; ;) {
    const bt = sorted[i];
    const et = st.expiry !== null && st.expiry <= to ? (st.expiry < from ? from : st.expiry) : undefined;
    if (bt === undefined && et === undefined) return st;
    if (et !== undefined && (bt === undefined || et < bt)) st = atExpiry(r, st, activeAt(et), et);
    else { st = onBalance(r, st, activeAt(bt), bt); i++; }
  }
}

/** A ledger's history for a replay: its additions (buckets) and deductions (what each took from which bucket), with their transaction ids. */
export interface TierHistory {
  buckets: readonly { id: number; txId: number; amount: Decimal; start: string | null; expiry: string | null; created: string }[];
  deductions: readonly { txId: number; at: string; spends: readonly { bucketId: number; amount: Decimal }[] }[];
}

/**
 * The tier at `at` replayed from the ledger's whole history, event by event as the writes saw them: at each
 * instant the buckets starting or expiring then, the tier expiry, then each entry in transaction order. The
 * reference the stored tier must equal, and the answer for a past instant.
 */
export function replayTier(r: TierRules, h: TierHistory, at: string): TierState {
  type Ev = { t: string; kind: 0 | 1; tx: number; run: (t: string) => void };
  const remaining = new Map<number, Decimal>();
  const counted = new Map<number, Decimal>();
  const byId = new Map(h.buckets.map((b) => [b.id, b]));
  let active = ZERO;
  const recount = (id: number, t: string) => {
    const b = byId.get(id)!;
    const rem = remaining.get(id);
    const want = rem !== undefined && stateAt(b, t) === 'active' ? rem : ZERO;
    active = active.minus(counted.get(id) ?? ZERO).plus(want);
    counted.set(id, want);
  };
  const events: Ev[] = [];
  for (const b of h.buckets) {
    events.push({ t: b.created, kind: 1, tx: b.txId, run: (t) => { remaining.set(b.id, b.amount); recount(b.id, t); } });
    if (b.start !== null && b.start > b.created) events.push({ t: b.start, kind: 0, tx: 0, run: (t) => recount(b.id, t) });
    if (b.expiry !== null) events.push({ t: b.expiry, kind: 0, tx: 0, run: (t) => recount(b.id, t) });
  }
  for (const d of h.deductions) {
    events.push({ t: d.at, kind: 1, tx: d.txId, run: (t) => {
      for (const sp of d.spends) { remaining.set(sp.bucketId, (remaining.get(sp.bucketId) ?? ZERO).minus(sp.amount)); recount(sp.bucketId, t); }
    } });
  }
  events.sort((a, b) => (a.t !== b.t ? (a.t < b.t ? -1 : 1) : a.kind !== b.kind ? a.kind - b.kind : a.tx - b.tx));
  let st = NO_TIER;
  const expire = (until: string, inclusive: boolean) => {
    while (st.expiry !== null && (inclusive ? st.expiry <= until : st.expiry < until)) st = atExpiry(r, st, active, st.expiry);
  };
  for (let i = 0; i < events.length && events[i].t <= at;) {
    const t = events[i].t;
    expire(t, false);
    let changes = false;
    for (; i < events.length && events[i].t === t && events[i].kind === 0; i++) { events[i].run(t); changes = true; }
    if (changes) st = onBalance(r, st, active, t);
    expire(t, true);
    for (; i < events.length && events[i].t === t; i++) { events[i].run(t); st = onBalance(r, st, active, t); }
  }
  expire(at, true);
  return st;
}

/** Talon.One's ProjectedTier: the active points at the current tier's expiry and the tier the re-evaluation then gives. */
export interface Projection { activeAtExpiry: Decimal; tier: Tier | null; stayInTierPoints: Decimal | null }

export function projectTier(r: TierRules, s: TierState, activeAtExpiry: Decimal): Projection | null {
  if (s.expiry === null || s.tierId === null) return null;
  const next = atExpiry(r, s, activeAtExpiry, s.expiry);
  const cur = indexOf(r, s.tierId);
  const to = indexOf(r, next.tierId);
  return {
    activeAtExpiry, tier: to >= 0 ? r.tiers[to] : null,
    stayInTierPoints: to < cur ? r.tiers[cur].minPoints.minus(activeAtExpiry) : null,
  };
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** An instant as RFC 3339 in `zone` (Talon.One shows tier dates in the program's time zone): `2026-03-01T00:00:00+01:00`, `Z` for UTC. */
export function inZone(iso: string, zone: string): string {
  let f = offsetFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit' });
    offsetFormatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(iso))) p[part.type] = part.value;
  const raw = p.timeZoneName.replace('GMT', '');
  const offset = raw === '' || raw === '+00:00' || raw === '-00:00' ? 'Z' : raw;
  const ms = new Date(iso).getUTCMilliseconds();
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${ms ? `.${String(ms).padStart(3, '0')}` : ''}${offset}`;
}
