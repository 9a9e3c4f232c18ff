/** How many host parameters one statement may bind, and so how many rows a multi-row INSERT may carry. */
import type { Dialect } from '../db.js';

/**
 * SQLite: SQLITE_MAX_VARIABLE_NUMBER as better-sqlite3 12 compiles it (32766, see `PRAGMA compile_options`);
 * PostgreSQL: the wire protocol counts a statement's parameters in 16 bits (65535).
 */
export const MAX_BIND_PARAMS: Readonly<Record<Dialect, number>> = { sqlite: 32766, postgres: 65535 };

/** Rows of `columns` parameters each that fit in one statement of the store. */
export const rowsPerStatement = (dialect: Dialect, columns: number): number => Math.floor(MAX_BIND_PARAMS[dialect] / columns);

/** `rows` placeholder tuples of `columns` parameters each: `(?, ?), (?, ?)`. */
export function valuesPlaceholders(rows: number, columns: number): string {
  const row = `(${new Array<string>(columns).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(row).join(', ');
}

/**
 * `values` split into lists that each fit one statement beside `otherParams` other parameters: every
 * `IN (…)` of a list that comes from a request or a caller goes through here, so no list length can hit
 * the driver's limit (docs/limits.md, "Chunking").
 */
export function inChunks<T>(dialect: Dialect, values: readonly T[], otherParams = 0): T[][] {
  const size = MAX_BIND_PARAMS[dialect] - otherParams;
  if (size < 1) throw new Error(`a statement with ${otherParams} other parameters leaves no room for a list`);
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** The placeholders of an `IN` list of `n` values: `?, ?, ?`. */
export const inList = (n: number): string => new Array<string>(n).fill('?').join(', ');
