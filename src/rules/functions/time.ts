/**
 * Date and time (docs/rules-language.md, "Functions"). Calendar fields use the evaluation time zone (EvalOptions.timezone,
 * the Application's zone; default UTC). Extractors return unpadded strings, as TALANG's code does.
 */
import type { Value } from '../contract.js';
import { Decimal } from '../../domain/money.js';
import { p, type FnDef } from '../fn.js';
import type { Ctx } from '../runtime.js';
import { fail, formatRfc3339, parseRfc3339 } from '../values.js';

type D = Decimal;
const DAY_MS = 86_400_000;

interface Parts { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number; wd: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    } catch {
      return fail(`unknown time zone "${tz}"`);
    }
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Calendar fields of an instant in a time zone. */
function partsIn(t: Date, tz: string): Parts {
  if (tz === 'UTC') {
    return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds(), ms: t.getUTCMilliseconds(), wd: t.getUTCDay() };
  }
  const out: Parts = { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0, ms: t.getUTCMilliseconds(), wd: 0 };
  for (const part of formatter(tz).formatToParts(t)) {
    switch (part.type) {
      case 'year': out.y = Number(part.value); break;
      case 'month': out.mo = Number(part.value); break;
      case 'day': out.d = Number(part.value); break;
      case 'hour': out.h = Number(part.value); break;
      case 'minute': out.mi = Number(part.value); break;
      case 'second': out.s = Number(part.value); break;
      case 'weekday': out.wd = WEEKDAYS[part.value] ?? 0; break;
    }
  }
  return out;
}

/** The instant at which the wall clock of `tz` shows the given fields. */
function zonedInstant(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, tz: string): Date {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (tz === 'UTC') return new Date(wall);
  let guess = wall;
  for (let k = 0; k < 2; k++) {
    const q = partsIn(new Date(guess), tz);
    const shown = Date.UTC(q.y, q.mo - 1, q.d, q.h, q.mi, q.s, q.ms);
    guess += wall - shown;
  }
  return new Date(guess);
}

// Joda-style layouts (TALANG): yyyy/YYYY, yy, MM, M, dd/DD, d, HH, H, mm, m, ss, s, SSS, e (weekday 0=Sunday).
const TOKEN = /yyyy|YYYY|yy|YY|MM|M|dd|DD|d|D|HH|H|mm|m|ss|s|SSS|e|'[^']*'/g;

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function formatLayout(t: Date, layout: string, tz: string): string {
  const q = partsIn(t, tz);
  return layout.replace(TOKEN, (tok) => {
    switch (tok) {
      case 'yyyy': case 'YYYY': return pad(q.y, 4);
      case 'yy': case 'YY': return pad(q.y % 100, 2);
      case 'MM': return pad(q.mo, 2);
      case 'M': return String(q.mo);
      case 'dd': case 'DD': return pad(q.d, 2);
      case 'd': case 'D': return String(q.d);
      case 'HH': return pad(q.h, 2);
      case 'H': return String(q.h);
      case 'mm': return pad(q.mi, 2);
      case 'm': return String(q.mi);
      case 'ss': return pad(q.s, 2);
      case 's': return String(q.s);
      case 'SSS': return pad(q.ms, 3);
      case 'e': return String(q.wd);
      default: return tok.slice(1, -1);
    }
  });
}

function parseLayout(text: string, layout: string, tz: string, now: Date): Date {
  const fields: string[] = [];
  let re = '^';
  let last = 0;
  for (const m of layout.matchAll(TOKEN)) {
    re += layout.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const tok = m[0];
    if (tok.startsWith("'")) re += tok.slice(1, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else {
      fields.push(tok);
      re += tok === 'yyyy' || tok === 'YYYY' ? '(\\d{4})' : tok === 'SSS' ? '(\\d{3})' : tok === 'e' ? '(\\d)' : tok.length === 2 ? '(\\d{2})' : '(\\d{1,2})';
    }
    last = m.index + tok.length;
  }
  re += layout.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$';
  const m = new RegExp(re).exec(text.trim());
  if (m === null) fail(`parseTime: "${text.slice(0, 40)}" does not match layout "${layout}"`);
  const base = partsIn(now, tz);
  let y = base.y, mo = 1, d = 1, h = 0, mi = 0, s = 0, ms = 0;
  const dateGiven = fields.some((f) => /^[yYMdD]/.test(f));
  if (!dateGiven) { mo = base.mo; d = base.d; } // a time-of-day layout means today
  fields.forEach((f, i) => {
    const v = Number(m[i + 1]);
    switch (f[0]) {
      case 'y': case 'Y': y = f.length === 2 ? 2000 + v : v; break;
      case 'M': mo = v; break;
      case 'd': case 'D': d = v; break;
      case 'H': h = v; break;
      case 'm': mi = v; break;
      case 's': s = v; break;
      case 'S': ms = v; break;
    }
  });
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) fail(`parseTime: "${text}" is not a valid date for layout "${layout}"`);
  return zonedInstant(y, mo, d, h, mi, s, ms, tz);
}

function lenientParse(text: string, tz: string): Date {
  const s = text.trim();
  const rfc = parseRfc3339(s);
  // A timestamp without a zone is wall-clock time of the evaluation zone.
  if (rfc !== null && !/([Zz]|[+-]\d{2}:?\d{2})$/.test(s)) {
    const q = partsIn(rfc, 'UTC');
    return zonedInstant(q.y, q.mo, q.d, q.h, q.mi, q.s, q.ms, tz);
  }
  if (rfc !== null) return rfc;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) fail(`parseTime: cannot read "${s.slice(0, 40)}" as a date`);
  return new Date(ms);
}

const daysOf = (ms: number): D => new Decimal(ms).div(DAY_MS);

function shift(t: Date, n: D, unit: string, sign: number): Date {
  const UNITS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: DAY_MS, week: 7 * DAY_MS };
  const size = UNITS[unit.toLowerCase().replace(/s$/, '')];
  if (size === undefined) fail(`unknown duration unit "${unit}" (use seconds, minutes, hours, days or weeks)`);
  const k = n.trunc();
  if (k.abs().gt(1e7)) fail('duration too large');
  return new Date(t.getTime() + sign * k.toNumber() * size);
}

/** Whole calendar days from a to b in zone tz. */
function calendarDayNumber(t: Date, tz: string): number {
  const q = partsIn(t, tz);
  return Date.UTC(q.y, q.mo - 1, q.d) / DAY_MS;
}

function anniversaryWithin(t: Date, before: D, after: D, c: Ctx): boolean {
  const q = partsIn(t, c.timezone);
  const today = calendarDayNumber(c.now, c.timezone);
  const year = partsIn(c.now, c.timezone).y;
  for (const y of [year - 1, year, year + 1]) {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const day = q.mo === 2 && q.d === 29 && !leap ? 28 : q.d; // 29 Feb celebrates on 28 Feb in other years
    const n = Date.UTC(y, q.mo - 1, day) / DAY_MS;
    if (n >= today - before.toNumber() && n <= today + after.toNumber()) return true;
  }
  return false;
}

const extractor = (name: string, description: string, get: (q: Parts) => number): FnDef => ({
  name, family: 'time', description,
  overloads: [{ params: [p('time', 'time')], result: 'string', eager: (a, c) => String(get(partsIn(a[0] as Date, c.timezone))) }],
});

const t0 = (a: Value[]): Date => a[0] as Date;

export const time: FnDef[] = [
  { name: 'now', family: 'time', description: 'The evaluation instant (fixed for the whole request).', overloads: [{ params: [], result: 'time', eager: (_a, c) => c.now }] },
  {
    name: 'parseTime', family: 'time', description: 'Parse a date: RFC 3339 / ISO dates without a layout, or a Joda-style layout such as "HH:mm:ss".',
    overloads: [{ params: [p('text', 'string'), p('layout', 'string')], min: 1, result: 'time', eager: (a, c) => (a.length > 1 ? parseLayout(a[0] as string, a[1] as string, c.timezone, c.now) : lenientParse(a[0] as string, c.timezone)) }],
  },
  {
    name: 'formatTime', family: 'time', description: 'RFC 3339 text (UTC), or the time formatted with a Joda-style layout in the evaluation time zone.',
    overloads: [{ params: [p('time', 'time'), p('layout', 'string')], min: 1, result: 'string', eager: (a, c) => (a.length > 1 ? formatLayout(t0(a), a[1] as string, c.timezone) : formatRfc3339(t0(a))) }],
  },
  { name: 'after', family: 'time', description: 'a is after b.', overloads: [{ params: [p('a', 'time'), p('b', 'time')], result: 'boolean', eager: (a) => t0(a).getTime() > (a[1] as Date).getTime() }] },
  { name: 'before', family: 'time', description: 'a is before b.', overloads: [{ params: [p('a', 'time'), p('b', 'time')], result: 'boolean', eager: (a) => t0(a).getTime() < (a[1] as Date).getTime() }] },
  {
    name: 'betweenTimes', family: 'time', description: 'min < t < max (exclusive).',
    overloads: [{ params: [p('time', 'time'), p('min', 'time'), p('max', 'time')], result: 'boolean', eager: (a) => { const t = t0(a).getTime(); return t > (a[1] as Date).getTime() && t < (a[2] as Date).getTime(); } }],
  },
  {
    name: 'addDuration', family: 'time', description: 'Add n (truncated to an integer) seconds, minutes, hours, days or weeks.',
    overloads: [{ params: [p('time', 'time'), p('n', 'number'), p('unit', 'string')], result: 'time', eager: (a) => shift(t0(a), a[1] as D, a[2] as string, 1) }],
  },
  {
    name: 'subDuration', family: 'time', description: 'Subtract n (truncated to an integer) seconds, minutes, hours, days or weeks.',
    overloads: [{ params: [p('time', 'time'), p('n', 'number'), p('unit', 'string')], result: 'time', eager: (a) => shift(t0(a), a[1] as D, a[2] as string, -1) }],
  },
  { name: 'daysBetween', family: 'time', description: '(b − a) in fractional days.', overloads: [{ params: [p('a', 'time'), p('b', 'time')], result: 'number', eager: (a) => daysOf((a[1] as Date).getTime() - t0(a).getTime()) }] },
  { name: 'days', family: 'time', description: '(t − now) in fractional days.', overloads: [{ params: [p('time', 'time')], result: 'number', eager: (a, c) => daysOf(t0(a).getTime() - c.now.getTime()) }] },
  { name: 'date', family: 'time', description: 'YYYY-MM-DD in the evaluation time zone.', overloads: [{ params: [p('time', 'time')], result: 'string', eager: (a, c) => formatLayout(t0(a), 'yyyy-MM-dd', c.timezone) }] },
  extractor('year', 'Year, e.g. "2018".', (q) => q.y),
  extractor('month', 'Month "1"…"12".', (q) => q.mo),
  extractor('monthDay', 'Day of month "1"…"31".', (q) => q.d),
  extractor('hour', 'Hour "0"…"23".', (q) => q.h),
  extractor('minute', 'Minute "0"…"59".', (q) => q.mi),
  extractor('weekday', 'Day of week "0" (Sunday) … "6" (Saturday).', (q) => q.wd),
  {
    name: 'matchTime', family: 'time', description: 'Both times format identically under the layout (e.g. same day with "YYYY-MM-DD").',
    overloads: [{ params: [p('a', 'time'), p('b', 'time'), p('layout', 'string')], result: 'boolean', eager: (a, c) => formatLayout(t0(a), a[2] as string, c.timezone) === formatLayout(a[1] as Date, a[2] as string, c.timezone) }],
  },
  {
    name: 'anniversaryWithin', family: 'time', description: 'The month/day of t (year ignored) falls within [today − daysBefore, today + daysAfter].',
    overloads: [{ params: [p('time', 'time'), p('daysBefore', 'number'), p('daysAfter', 'number')], result: 'boolean', eager: (a, c) => anniversaryWithin(t0(a), a[1] as D, a[2] as D, c) }],
  },
];
