/**
 * getLoyaltyStatistics (deprecated) and getDashboardStatistics: a program's figures at one or more instants —
 * the totals (the sum of every ledger's balances then), the points earned and spent by origin in a window, the
 * members (profiles whose join date had come) and the new ones in a window. One scan of the program's ledgers,
 * one of its entries and one of its join dates, page by page, serve every instant (docs/loyalty.md, "Statistics").
 */
import { invalidParameter, Title } from '../../domain/errors.js';
import { applyDuration, emptyCounters, type Counters, type LoyaltyProgram } from '../../domain/loyalty.js';
import { ZERO, type Decimal } from '../../domain/money.js';
import { entryAmountsAfter, joinDatesAfter, ledgersAfter } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { countersAt, loadProgram } from './common.js';

const PAGE = 5000;
const COUNTERS = ['active', 'pending', 'spent', 'expired', 'negative'] as const;

export interface ProgramStatistics {
  date: string; totals: Counters; members: number; newMembers: number;
  earned: { manual: Decimal; rules: Decimal }; spent: { manual: Decimal; rules: Decimal };
}

/**
 * A data point: balances and members at `at`; new members are those who joined in [joinedFrom, at], earned and
 * spent points those of the entries created in [earnedFrom, at]. Points are sorted by `at` and their windows do
 * not overlap (each starts after the previous point's `at`).
 */
interface Point { date: string; at: string; joinedFrom: string; earnedFrom: string }

/** The first point whose `at` is not before `t` (points.length when none). */
function pointOf(points: readonly Point[], t: string): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].at < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function figures(ctx: ServiceContext, programId: number, points: readonly Point[], subledgerId: string | undefined): Promise<ProgramStatistics[]> {
  const out: ProgramStatistics[] = points.map((p) => ({
    date: p.date, totals: emptyCounters(), members: 0, newMembers: 0, earned: { manual: ZERO, rules: ZERO }, spent: { manual: ZERO, rules: ZERO },
  }));
  if (points.length === 0) return out;
  const last = points[points.length - 1].at;
  for (let after = 0; ;) {
    const page = await ctx.db.transaction(async (sql) => {
      const ledgers = await ledgersAfter(sql, programId, undefined, last, after, PAGE);
      const counters: Counters[][] = [];
      for (const l of ledgers) {
        if (subledgerId !== undefined && l.subledgerId !== subledgerId) continue;
        const at: Counters[] = [];
        for (const p of points) at.push(await countersAt(sql, l, p.at));
        counters.push(at);
      }
      return { last: ledgers.at(-1)?.id, counters };
    });
    if (page.last === undefined) break;
    after = page.last;
    for (const at of page.counters) at.forEach((c, i) => { for (const k of COUNTERS) out[i].totals[k] = out[i].totals[k].plus(c[k]); });
  }
  const window = { ...(points[0].earnedFrom !== '' ? { from: points[0].earnedFrom } : {}), to: last, ...(subledgerId !== undefined ? { subledgerId } : {}) };
  for (let after = 0; ;) {
    const entries = await ctx.db.transaction((sql) => entryAmountsAfter(sql, programId, after, PAGE, window));
    if (entries.length === 0) break;
    after = entries[entries.length - 1].id;
    for (const e of entries) {
      const i = pointOf(points, e.created);
      if (i === points.length || e.created < points[i].earnedFrom) continue;
      const side = e.type === 'addition' ? out[i].earned : out[i].spent;
      if (e.source === 'session') side.rules = side.rules.plus(e.amount);
      else side.manual = side.manual.plus(e.amount);
    }
  }
  const joinedBy = new Array<number>(points.length).fill(0);
  for (let after: string | null = null; ;) {
    const joined = await ctx.db.transaction((sql) => joinDatesAfter(sql, programId, last, after, PAGE));
    if (joined.length === 0) break;
    after = joined[joined.length - 1].ownerId;
    for (const j of joined) {
      const i = pointOf(points, j.joinDate);
      if (i === points.length) continue;
      joinedBy[i]++;
      if (j.joinDate >= points[i].joinedFrom) out[i].newMembers++;
    }
  }
  let members = 0;
  out.forEach((o, i) => { members += joinedBy[i]; o.members = members; });
  return out;
}

const startOfDay = (d: Date, program: LoyaltyProgram) => applyDuration(d, { amount: 0, unit: 'D', round: 'down' }, program.timezone);
const nextDay = (d: Date, program: LoyaltyProgram) => applyDuration(d, { amount: 1, unit: 'D', round: 'down' }, program.timezone);

/** getLoyaltyStatistics: the figures now; points earned and spent since the program began, new members since the start of today (program time zone). */
export async function loyaltyStatistics(ctx: ServiceContext, programId: number): Promise<ProgramStatistics> {
  const nowDate = ctx.now();
  const now = nowDate.toISOString();
  const program = await ctx.db.transaction((sql) => loadProgram(sql, programId));
  const [s] = await figures(ctx, programId, [{ date: now, at: now, joinedFrom: startOfDay(nowDate, program).toISOString(), earnedFrom: '' }], undefined);
  return s;
}

export interface DashboardQuery { rangeStart: string; rangeEnd: string; subledgerId?: string }

/**
 * getDashboardStatistics: one data point per day of the program's time zone that starts in [rangeStart,
 * rangeEnd], has ended (never today: 25.17 collects each day's figures when it ends) and did not end before the
 * program was created. A point's `date` is the start of its day; its balances and members are those at the
 * day's last instant, its earned and spent points and new members those of the day. `subledgerId` ("" = the
 * main ledger) narrows the balances and the points; members are the program's.
 */
export async function dashboardStatistics(ctx: ServiceContext, programId: number, q: DashboardQuery): Promise<ProgramStatistics[]> {
  const start = new Date(q.rangeStart);
  const end = new Date(q.rangeEnd);
  if (end < start) throw invalidParameter('rangeEnd', Title.invalidValue, 'rangeEnd must not be before rangeStart');
  const program = await ctx.db.transaction((sql) => loadProgram(sql, programId));
  const now = ctx.now();
  const created = startOfDay(new Date(program.created), program);
  let day = startOfDay(start > created ? start : created, program);
  if (day < start) day = nextDay(day, program);
  const points: Point[] = [];
  for (let next = nextDay(day, program); day <= end && next <= now; day = next, next = nextDay(day, program)) {
    const from = day.toISOString();
    points.push({ date: from, at: new Date(next.getTime() - 1).toISOString(), joinedFrom: from, earnedFrom: from });
  }
  return figures(ctx, programId, points, q.subledgerId);
}
