/**
 * The one-process-per-file rule of SQLite, enforced (docs/sessions.md, "SQLite: one process per
 * database file"). A serving process holds an OS-level lock on a side file, `<database>.lock`: it opens
 * that file as a SQLite database of its own with `locking_mode = EXCLUSIVE` and runs one exclusive
 * transaction, after which SQLite keeps the file's exclusive (POSIX advisory) lock until the connection
 * closes. A second process, or a second open in this one, finds the lock taken and is refused. The
 * operating system drops the lock when its holder exits however it exits, kill -9 included, so a stale
 * lock cannot outlive a dead process; the file itself is left in place (its existence means nothing).
 */
import BetterSqlite3 from 'better-sqlite3';
import { resolve } from 'node:path';

/** The side file locked for the database at `path`. */
export const lockPathOf = (path: string) => `${path}.lock`;

export class SqliteFileInUse extends Error {
  constructor(readonly path: string) {
    super(`${resolve(path)} is in use by another OpenPromo process: only one OpenPromo process may use a SQLite file. `
      + 'Stop the other process, or run several processes on PostgreSQL (DATABASE_URL=postgres://…).');
    this.name = 'SqliteFileInUse';
  }
}

export interface ProcessLock { release(): void }

/** Takes the lock of the database at `path` (a file, not `:memory:`), or throws SqliteFileInUse. */
export function lockDatabaseFile(path: string): ProcessLock {
  const lock = new BetterSqlite3(lockPathOf(path), { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.pragma('journal_mode = MEMORY'); // no -journal file beside the lock file (after locking_mode, or the lock is not kept)
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('COMMIT');
  } catch (err) {
    lock.close();
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') throw new SqliteFileInUse(path);
    throw err;
  }
  return {
    release() {
      if (lock.open) lock.close();
    },
  };
}
