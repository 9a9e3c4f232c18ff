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
  return v instanceof Decimal ? v : new Decimal(v);
}

/** The JSON number for a decimal: the shortest double that prints as the decimal's digits. */
export function toNumber(d: Decimal): number {
  return d.toNumber();
}

export function sum(values: Iterable<DecimalInput>): Decimal {
  let acc = ZERO;
  for (const v of values) acc = acc.plus(dec(v));
  return acc;
}

export function min(a: Decimal, b: Decimal): Decimal {
  return a.lessThan(b) ? a : b;
}

export function max(a: Decimal, b: Decimal): Decimal {
  return a.greaterThan(b) ? a : b;
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
  for (let i = 0; i < n; i++) if (xd[i] !== yd[i]) return (xd[i]! > yd[i]!) !== (xs < 0) ? 1 : -1;
  return xd.length === yd.length ? 0 : (xd.length > yd.length) !== (xs < 0) ? 1 : -1;
}
