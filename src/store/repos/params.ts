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
