/**
 * Which SQLite failures mean "the store cannot serve now" (file system full or read-only, I/O errors, a
 * lock held beyond the busy timeout…) and how they read for an operator: they become Unavailable
 * (503 + Retry-After, docs/faults.md); every other error (constraints, bugs) passes through untouched.
 */
import { Unavailable } from '../../domain/errors.js';

/** The busy timeout the driver sets (ms): a write lock held longer than this by another connection is a fault. */
export const BUSY_TIMEOUT_MS = 5000;

/** Primary result code → what it means for an operator, and how long a client should wait. */
const FAULTS: Readonly<Record<string, { what: string; retryAfterSeconds: number }>> = {
  SQLITE_FULL: { what: 'Database file system is full: free disk space', retryAfterSeconds: 30 },
  SQLITE_READONLY: { what: 'Database is read-only: check the file and directory permissions and the mount', retryAfterSeconds: 30 },
  SQLITE_IOERR: { what: 'Database I/O error: check the disk', retryAfterSeconds: 10 },
  SQLITE_BUSY: { what: `Database is busy: another connection held its lock beyond the ${BUSY_TIMEOUT_MS / 1000} s busy timeout`, retryAfterSeconds: 1 },
  SQLITE_LOCKED: { what: 'Database table is locked by another statement', retryAfterSeconds: 1 },
  SQLITE_CANTOPEN: { what: 'Database file cannot be opened', retryAfterSeconds: 30 },
  SQLITE_NOMEM: { what: 'Out of memory in SQLite', retryAfterSeconds: 10 },
  SQLITE_CORRUPT: { what: 'Database file is corrupt: restore it from a backup', retryAfterSeconds: 300 },
  SQLITE_NOTADB: { what: 'Database file is not a SQLite database', retryAfterSeconds: 300 },
};

function sqliteCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** `err` as Unavailable when it is a fault of the store (the message names SQLite's extended code), else `err` itself. */
export function classified(err: unknown): unknown {
  if (err instanceof Unavailable) return err;
  const code = sqliteCode(err);
  if (code === undefined) return err;
  // extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…) share their primary code's meaning
  const primary = Object.keys(FAULTS).find((p) => code === p || code.startsWith(`${p}_`));
  if (primary === undefined) return err;
  const f = FAULTS[primary];
  return new Unavailable(`${f.what} (${code}: ${(err as Error).message})`, { retryAfterSeconds: f.retryAfterSeconds, cause: err });
}

/** Whether a checkpoint's failure is a passing fault worth retrying later rather than a reason to stop. */
export function isTransient(err: unknown): boolean {
  return classified(err) instanceof Unavailable;
}
