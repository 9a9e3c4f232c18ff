/**
 * Allocation-free comparisons of two Decimals for the hot path. decimal.js's `cmp`/`lt`/`min` copy
 * their argument into a new Decimal on every call; these read the (stable, documented-by-source)
 * representation directly: sign `s`, exponent `e`, base-1e7 digit words `d` (null for ±Infinity/NaN).
 */
import { compare, Decimal, type DecimalRepr as Repr } from '../domain/money.js';

/** Same result as `x.cmp(y)`, without allocation (domain/money.ts). */
export const cmp = compare;

export const lt = (x: Decimal, y: Decimal): boolean => cmp(x, y) < 0;
export const gt = (x: Decimal, y: Decimal): boolean => cmp(x, y) > 0;
export const minOf = (x: Decimal, y: Decimal): Decimal => (cmp(x, y) < 0 ? x : y);
/** Sign without allocation: -1, 0 or 1. */
export function sign(x: Decimal): number {
  const a = x as unknown as Repr;
  if (a.d === null) return x.isNaN() ? 0 : a.s;
  return a.d[0] ? a.s : 0;
}

export const ONE = new Decimal(1);

/** `x.toNumber()` for the small non-negative integers the engine reads back (positions, ids): one word. */
export function smallInt(x: Decimal): number {
  const a = x as unknown as Repr;
  const d = a.d;
  if (d !== null && d.length === 1 && a.e >= 0 && a.e < 7 && a.s === 1) return d[0];
  return x.toNumber();
}
