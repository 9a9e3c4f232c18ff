import { conflict } from '../domain/errors.js';
import type { Sql } from '../store/db.js';
import type { ServiceContext } from './context.js';

/**
 * Runs `fn` in one transaction holding the lock for `key`, or fails at once with 409 when another
 * request holds it: never queued, as an integration sending parallel requests for one session has a
 * bug that waiting would hide (docs/sessions.md, "Concurrency: one request per session at a time, fail
 * fast with 409"). The in-process set answers quickly and keeps SQLite's single connection from
 * queueing same-session requests; the database lock (PostgreSQL advisory lock) covers other processes.
 */
export async function exclusive<T>(ctx: ServiceContext, key: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
  if (ctx.inflight.has(key)) throw conflict('Another request for this resource is in progress; retry later');
  ctx.inflight.add(key);
  try {
    return await ctx.db.transaction(async (sql) => {
      if (!(await sql.tryLock(key))) throw conflict('Another request for this resource is in progress; retry later');
      return fn(sql);
    });
  } finally {
    ctx.inflight.delete(key);
  }
}
