import { Decimal as DecimalJs } from 'decimal.js';

/**
 * Exact decimal arithmetic for every monetary value.
 *
 * Values arrive as JSON numbers (binary doubles). `new Decimal(19.99)` takes the shortest
 * decimal string that round-trips the double ("19.99"), so client input is read exactly as
 * the client wrote it; all sums and products are then decimal. Effect values are never rounded
 * (Talon.One returns 10 % of 99.99 as 9.999): rounding is the integration's job.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO: Decimal = new Decimal(0);

export type DecimalInput = Decimal | number | string;

export function dec(v: DecimalInput | null | undefined): Decimal {
  if (v === null || v === undefined) return ZERO;
  if (typeof v === 'number') return fromNumber(v);
  return isDec(v) ? v : new Decimal(v);
}

/** The JSON number for a decimal: the shortest double that prints as the decimal's digits. */
export function toNumber(d: Decimal): number {
  return numberOf(d) ?? d.toNumber();
}

/** decimal.js's internal representation (read by the allocation-free helpers here and in engine/num.ts). */
export interface DecimalRepr { s: number; e: number; d: number[] | null }

/**
 * `x.cmp(y)` without allocation: decimal.js copies its argument into a new Decimal on every
 * `cmp`/`lt`/`min`; comparisons are the hottest operation of rule evaluation, so this reads the
 * representation directly — sign `s`, exponent `e`, base-1e7 digit words `d` (null for ±Infinity/NaN,
 * which fall back to decimal.js).
 */
export function compare(x: Decimal, y: Decimal): number {
  const a = x as unknown as DecimalRepr;
  const b = y as unknown as DecimalRepr;
  const xd = a.d;
  const yd = b.d;
  if (xd === null || yd === null) return x.cmp(y);
  const xs = a.s;
  if (!xd[0] || !yd[0]) return xd[0] ? xs : yd[0] ? -b.s : 0;
  if (xs !== b.s) return xs;
  if (a.e !== b.e) return (a.e > b.e) !== (xs < 0) ? 1 : -1;
  const n = xd.length < yd.length ? xd.length : yd.length;
  for (let i = 0; i < n; i++) if (xd[i] !== yd[i]) return (xd[i] > yd[i]) !== (xs < 0) ? 1 : -1;
  return xd.length === yd.length ? 0 : (xd.length > yd.length) !== (xs < 0) ? 1 : -1;
}

// ---- fast exact arithmetic -------------------------------------------------------------------
//
// decimal.js copies its argument into a new Decimal on every plus/minus/times and runs a general
// rounding pass, and these operations sit on the rule engine's hot path (sums, discounts, remaining
// amounts). `add` / `sub` / `mul` work on the representation directly for finite operands
// whose exact result fits in a few base-1e7 words and in the configured 40 significant digits (every
// money value), and hand everything else to decimal.js — so results are identical, only cheaper
// (test/domain/money-fast.test.ts compares them on random and edge-case operands).

const BASE = 1e7;
const LOG_BASE = 7;
/** Widest exact result (in base-1e7 words) the fast paths build: 70 digits, well above 40. */
const MAX_WORDS = 10;
const PRECISION = 40;

function wordDigits(w: number): number {
  return w < 1e4 ? (w < 100 ? (w < 10 ? 1 : 2) : w < 1000 ? 3 : 4) : w < 1e6 ? (w < 1e5 ? 5 : 6) : 7;
}

function trailingZeros(w: number): number {
  let n = 0;
  while (w % 10 === 0) { w /= 10; n++; }
  return n;
}

/**
 * A Decimal from sign, word exponent of the first word and words (no leading or trailing zero word), or
 * null when it has more significant digits than decimal.js keeps (it must round: the caller falls back).
 */
function make(s: number, top: number, d: number[]): Decimal | null {
  const lead = wordDigits(d[0]);
  const digits = lead + LOG_BASE * (d.length - 1);
  if (digits > PRECISION && digits - trailingZeros(d[d.length - 1]) > PRECISION) return null;
  return new (Made as unknown as new (s: number, e: number, d: number[]) => Decimal)(s, top * LOG_BASE + lead - 1, d);
}

/**
 * A Decimal built field by field, skipping decimal.js's constructor, which first dispatches on its
 * argument's type. Same prototype, the same own fields in the same order (`constructor`, s, e, d) as
 * decimal.js sets them: an ordinary, immutable Decimal for every operation.
 */
function Made(this: DecimalRepr & { constructor: unknown }, s: number, e: number, d: number[]): void {
  this.constructor = Decimal;
  this.s = s;
  this.e = e;
  this.d = d;
}
Made.prototype = Decimal.prototype;

/**
 * `v instanceof Decimal`, the same answer (Made and Decimal share one prototype object), but a test
 * TurboFan inlines: Decimal, a decimal.js clone carrying some fifty static methods, is a dictionary-mode
 * function, and `instanceof` against it goes through the generic InstanceOf builtin each time, a few
 * hundred times per rule-engine evaluation.
 */
export function isDec(v: unknown): v is Decimal {
  return v instanceof Made;
}

/** Word of `d` (first word at exponent `top`) at exponent `p`; 0 outside. */
function wordAt(d: number[], top: number, p: number): number {
  const i = top - p;
  return i >= 0 && i < d.length ? d[i] : 0;
}

/**
 * |x| + |y| (add = true) or |x| − |y| with |x| > |y|, signed `s`; null when the fast path does not apply.
 * Operands are finite and non-zero.
 */
function magnitude(xd: number[], kx: number, yd: number[], ky: number, s: number, add: boolean): Decimal | null {
  const lx = kx - xd.length + 1;
  const ly = ky - yd.length + 1;
  const hi = kx > ky ? kx : ky;
  const lo = lx < ly ? lx : ly;
  const n = hi - lo + 1;
  if (n > MAX_WORDS) return null;
  const out = new Array<number>(n);
  let carry = 0;
  for (let p = lo, i = n - 1; p <= hi; p++, i--) {
    let w = add ? wordAt(xd, kx, p) + wordAt(yd, ky, p) + carry : wordAt(xd, kx, p) - wordAt(yd, ky, p) - carry;
    if (add) {
      if (w >= BASE) { w -= BASE; carry = 1; } else carry = 0;
    } else if (w < 0) { w += BASE; carry = 1; } else carry = 0;
    out[i] = w | 0; // small integers: keep word arrays in small-integer elements, as decimal.js's (see fromScaled)
  }
  let top = hi;
  if (carry) { // (subtraction never borrows past the top: |x| > |y|)
    out.unshift(1);
    top++;
  }
  let first = 0;
  while (out[first] === 0) first++;
  let end = out.length;
  while (out[end - 1] === 0) end--;
  return make(s, top - first, first === 0 && end === out.length ? out : out.slice(first, end));
}

// Most money values have one or two words (an integer part below 1e7 and at most seven decimals, say
// 152.33 = [152, 3300000]): then x = m · 1e7^q for an integer m below 1e14, exact as a double. Sums and
// products of such values whose exact integer stays within 2^53 are computed on doubles and turned back
// into at most three words — no word loop, the same result.

const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** m of x = m · 1e7^q for the words `d` of a one- or two-word x (below 1e14: an exact double). */
function scaled(d: number[]): number {
  return d.length === 1 ? d[0] : d[0] * BASE + d[1];
}

/** The Decimal of sign s for m · 1e7^q, m a positive integer ≤ 2^53 − 1 (at most three words, never rounded). */
function fromScaled(s: number, m: number, q: number): Decimal {
  // words by division, not `%` (a double remainder is a C library call in V8). Near 2^53 the quotient
  // m / 1e7 can round up to the next integer: the remainder then comes out negative and is corrected
  // (q · 1e7 is a multiple of 2^7 below 2^54, an exact double, so the subtraction is exact)
  let m1 = Math.floor(m / BASE);
  let w2 = m - m1 * BASE;
  if (w2 < 0) { m1 -= 1; w2 += BASE; }
  const w0 = Math.floor(m1 / BASE); // m1 < 1e9: no such rounding
  const w1 = m1 - w0 * BASE;
  // `| 0`: the words are small integers; as doubles they would make double-element arrays, which
  // decimal.js's own (small-integer) word arrays are not: elements-kind transitions and polymorphic reads
  const a0 = w0 | 0;
  const a1 = w1 | 0;
  const a2 = w2 | 0;
  let d: number[];
  let top: number;
  if (a0 !== 0) { top = q + 2; d = a2 !== 0 ? [a0, a1, a2] : a1 !== 0 ? [a0, a1] : [a0]; }
  else if (a1 !== 0) { top = q + 1; d = a2 !== 0 ? [a1, a2] : [a1]; }
  else { top = q; d = [a2]; }
  return make(s, top, d)!; // ≤ 16 digits: never rounds
}

/** x (words xd, first at word exponent kx) ± y as doubles when both have at most two words; null otherwise. */
function addScaled(xd: number[], kx: number, sx: number, yd: number[], ky: number, sy: number): Decimal | null {
  let mx = scaled(xd);
  let my = scaled(yd);
  const qx = kx - xd.length + 1;
  const qy = ky - yd.length + 1;
  let q = qx;
  if (qx !== qy) {
    // align on the lower scale: one word up, for an m small enough to stay exact
    if (qx === qy + 1 && mx < 9e8) { mx *= BASE; q = qy; } else if (qy === qx + 1 && my < 9e8) my *= BASE; else return null;
  }
  const m = sx * mx + sy * my;
  if (m === 0) return ZERO; // x − x is +0 under ROUND_HALF_EVEN, as in decimal.js
  if (m > MAX_EXACT || m < -MAX_EXACT) return null;
  return m > 0 ? fromScaled(1, m, q) : fromScaled(-1, -m, q);
}

/** Compares |x| and |y| (finite, non-zero). */
function compareAbs(xd: number[], kx: number, yd: number[], ky: number): number {
  if (kx !== ky) return kx > ky ? 1 : -1;
  const n = xd.length < yd.length ? xd.length : yd.length;
  for (let i = 0; i < n; i++) if (xd[i] !== yd[i]) return xd[i] > yd[i] ? 1 : -1;
  return xd.length === yd.length ? 0 : xd.length > yd.length ? 1 : -1;
}

/** x + (sy · |y|): the shared body of add and sub. */
function addSigned(x: Decimal, y: Decimal, sy: number): Decimal | null {
  const a = x as unknown as DecimalRepr;
  const b = y as unknown as DecimalRepr;
  const xd = a.d;
  const yd = b.d;
  if (xd === null || yd === null) return null; // infinities, NaN
  if (!xd[0] || !yd[0]) {
    // 0 ± y and x ± 0 for a non-zero operand of at most 35 digits (sums start at ZERO): that operand,
    // signed — decimal.js's own result (a longer one decimal.js would round to 40 digits: decimal.js).
    // Both zero: x when the signs agree (−0 + −0 = −0), else +0 (ROUND_HALF_EVEN), as decimal.js.
    if (xd[0]) return xd.length <= 5 ? x : null;
    if (!yd[0]) return a.s === sy ? x : ZERO;
    if (yd.length > 5) return null;
    return sy === b.s ? y : new (Made as unknown as new (s: number, e: number, d: number[]) => Decimal)(sy, b.e, yd.slice());
  }
  const kx = Math.floor(a.e / LOG_BASE);
  const ky = Math.floor(b.e / LOG_BASE);
  if (xd.length <= 2 && yd.length <= 2) {
    const r = addScaled(xd, kx, a.s, yd, ky, sy);
    if (r !== null) return r;
  }
  if (a.s === sy) return magnitude(xd, kx, yd, ky, a.s, true);
  const c = compareAbs(xd, kx, yd, ky);
  if (c === 0) return ZERO; // x − x is +0 under ROUND_HALF_EVEN, as in decimal.js
  return c > 0 ? magnitude(xd, kx, yd, ky, a.s, false) : magnitude(yd, ky, xd, kx, sy, false);
}

/** x + y, exactly as `x.plus(y)`. */
export function add(x: Decimal, y: Decimal): Decimal {
  return addSigned(x, y, (y as unknown as DecimalRepr).s) ?? x.plus(y);
}

/** x − y, exactly as `x.minus(y)`. */
export function sub(x: Decimal, y: Decimal): Decimal {
  return addSigned(x, y, -(y as unknown as DecimalRepr).s) ?? x.minus(y);
}

/** Scratch words of `mul` (results are copied out at their exact length). */
const scratch = new Array<number>(MAX_WORDS).fill(0);

/** x × y, exactly as `x.times(y)`. */
export function mul(x: Decimal, y: Decimal): Decimal {
  const a = x as unknown as DecimalRepr;
  const b = y as unknown as DecimalRepr;
  const xd = a.d;
  const yd = b.d;
  if (xd === null || yd === null || !xd[0] || !yd[0]) return x.times(y);
  const xl = xd.length;
  const yl = yd.length;
  if (xl <= 2 && yl <= 2) {
    const p = scaled(xd) * scaled(yd);
    // exact when the product is at most 2^53 − 1 (a larger one is > that bound however it rounds)
    if (p <= MAX_EXACT) return fromScaled(a.s * b.s, p, Math.floor(a.e / LOG_BASE) - xl + 1 + Math.floor(b.e / LOG_BASE) - yl + 1);
  }
  const n = xl + yl;
  if (n > MAX_WORDS) return x.times(y);
  const r = scratch;
  for (let i = 0; i < n; i++) r[i] = 0;
  for (let i = xl - 1; i >= 0; i--) {
    let carry = 0;
    const xi = xd[i];
    for (let j = yl - 1; j >= 0; j--) {
      const t = r[i + j + 1] + xi * yd[j] + carry; // < 2^53: words < 1e7
      carry = Math.floor(t / BASE);
      r[i + j + 1] = (t - carry * BASE) | 0;
    }
    r[i] = carry | 0;
  }
  const first = r[0] === 0 ? 1 : 0; // the first two words are never both 0 (non-zero leading words)
  let end = n;
  while (r[end - 1] === 0) end--;
  const d = new Array<number>(end - first);
  for (let i = first; i < end; i++) d[i - first] = r[i]!;
  return make(a.s * b.s, Math.floor(a.e / LOG_BASE) + Math.floor(b.e / LOG_BASE) + 1 - first, d) ?? x.times(y);
}

// ---- numbers in and out ----------------------------------------------------------------------
//
// Prices arrive as JSON numbers and leave as JSON numbers. decimal.js converts through strings (the
// double's shortest text, then a parse; the decimal's text, then Number()); for the common case — at
// most two decimals and fifteen digits — the words and the double are computed directly instead. Same
// results, representation included (test/domain/money-fast.test.ts).

/** Below this magnitude two different 2-decimal values never round to the same double. */
const CENTS_LIMIT = 1e13;

/**
 * `new Decimal(v)` for a JSON number. When v is n / 100 for an integer n (the double nearest to that
 * decimal, which is exactly what the shortest round-trip text of v denotes at this magnitude), the
 * Decimal of n / 100 is built from its words; anything else goes through decimal.js.
 */
export function fromNumber(v: number): Decimal {
  const a = v < 0 ? -v : v;
  if (!(a < CENTS_LIMIT) || a === 0) return new Decimal(v); // zeros (signed), NaN, ±Infinity, huge values
  const n = Math.round(a * 100);
  if (n / 100 !== a) return new Decimal(v);
  const int = Math.floor(n / 100);
  const cents = n - int * 100;
  const hi = Math.floor(int / BASE);
  const lo = int - hi * BASE;
  // words at word exponents 1, 0, -1 without leading / trailing zero words (n > 0: one is non-zero)
  const d: number[] = [];
  let top = -1;
  // `| 0`: small-integer words, as decimal.js builds them (double-element arrays cost elements-kind transitions)
  if (hi !== 0) { d.push(hi | 0, lo | 0); top = 1; } else if (lo !== 0) { d.push(lo | 0); top = 0; }
  if (cents !== 0) d.push((cents * 1e5) | 0);
  else while (d[d.length - 1] === 0) d.pop();
  return make(v < 0 ? -1 : 1, top, d)!; // ≤ 15 digits: never rounds
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact doubles up to 1e22

/**
 * The double nearest to a decimal of at most 15 significant digits, or null for others: the digits as
 * an exact integer m, divided (or multiplied) by an exact power of ten — one correctly rounded IEEE
 * operation, so the same double as Number(x.toString()).
 */
function numberOf(x: Decimal): number | null {
  const r = x as unknown as DecimalRepr;
  const d = r.d;
  if (d === null || d.length > 3 || !d[0]) return null; // infinities, NaN, zeros (signed), long values
  let m = 0;
  for (let i = 0; i < d.length; i++) m = m * BASE + d[i];
  // m counts units of 1e7^(top − length + 1), where top is the first word's word exponent
  const scale = (Math.floor(r.e / LOG_BASE) - d.length + 1) * LOG_BASE;
  if (m > 999_999_999_999_999) return null; // more than 15 digits (m may be inexact): decimal.js decides
  let v: number;
  if (scale >= 0) {
    if (scale > 22) return null;
    v = m * POW10[scale];
    if (v > Number.MAX_SAFE_INTEGER) return null;
  } else {
    if (scale < -22) return null;
    v = m / POW10[-scale];
  }
  return r.s < 0 ? -v : v;
}
