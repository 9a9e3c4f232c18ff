/**
 * getLoyaltyStatistics: a program's totals now (the sum of every ledger's balances), the points earned and
 * spent by origin, and its members (profiles with a join date that has come; new ones joined today in the
 * program's time zone). Scans the program's ledgers and entries page by page (docs/loyalty.md, "Statistics").
 */
import { applyDuration, emptyCounters, type Counters } from '../../domain/loyalty.js';
import { ZERO, type Decimal } from '../../domain/money.js';
import { entryAmountsAfter, joinDatesAfter, ledgersAfter } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { countersAt, loadProgram } from './common.js';

const PAGE = 5000;

export interface ProgramStatistics {
  date: string; totals: Counters; members: number; newMembers: number;
  earned: { manual: Decimal; rules: Decimal }; spent: { manual: Decimal; rules: Decimal };
}

export async function loyaltyStatistics(ctx: ServiceContext, programId: number): Promise<ProgramStatistics> {
  const nowDate = ctx.now();
  const now = nowDate.toISOString();
  const program = await ctx.db.transaction((sql) => loadProgram(sql, programId));
  const out: ProgramStatistics = { date: now, totals: emptyCounters(), members: 0, newMembers: 0, earned: { manual: ZERO, rules: ZERO }, spent: { manual: ZERO, rules: ZERO } };
  for (let after = 0; ;) {
    const page = await ctx.db.transaction(async (sql) => {
      const ledgers = await ledgersAfter(sql, programId, undefined, now, after, PAGE);
      const counters: Counters[] = [];
      for (const l of ledgers) counters.push(await countersAt(sql, l, now));
      return { last: ledgers.at(-1)?.id, counters };
    });
    if (page.last === undefined) break;
    after = page.last;
    for (const c of page.counters) for (const k of ['active', 'pending', 'spent', 'expired', 'negative'] as const) out.totals[k] = out.totals[k].plus(c[k]);
  }
  for (let after = 0; ;) {
    const entries = await ctx.db.transaction((sql) => entryAmountsAfter(sql, programId, after, PAGE));
    if (entries.length === 0) break;
    after = entries[entries.length - 1].id;
    for (const e of entries) {
      const side = e.type === 'addition' ? out.earned : out.spent;
      if (e.source === 'session') side.rules = side.rules.plus(e.amount);
      else side.manual = side.manual.plus(e.amount);
    }
  }
  const today = applyDuration(nowDate, { amount: 0, unit: 'D', round: 'down' }, program.timezone).toISOString();
  for (let after: string | null = null; ;) {
    const joined = await ctx.db.transaction((sql) => joinDatesAfter(sql, programId, now, after, PAGE));
    if (joined.length === 0) break;
    after = joined[joined.length - 1].ownerId;
    out.members += joined.length;
    out.newMembers += joined.filter((j) => j.joinDate >= today).length;
  }
  return out;
}
