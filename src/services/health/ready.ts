/** Readiness: whether the store can be reached and written, probed at most once per interval per process. */
import { Unavailable } from '../../domain/errors.js';
import { touchReadiness } from '../../store/repos/readiness.js';
import type { ServiceContext } from '../context.js';

/** Probes closer together than this share one answer, so that a load balancer's probes cost nothing under load. */
const PROBE_INTERVAL_MS = 1000;

export type Readiness = { ready: true } | { ready: false; message: string; retryAfterSeconds: number };

const last = new WeakMap<ServiceContext, { at: number; outcome: Promise<Readiness> }>();

export function readiness(ctx: ServiceContext): Promise<Readiness> {
  const now = performance.now();
  const probe = last.get(ctx);
  if (probe && now - probe.at < PROBE_INTERVAL_MS) return probe.outcome;
  const outcome = probeWrite(ctx);
  last.set(ctx, { at: now, outcome });
  return outcome;
}

/** Below this much free space a SQLite file system counts as full: the next write that grows a file fails. */
const MIN_FREE_BYTES = 1024 * 1024;

async function probeWrite(ctx: ServiceContext): Promise<Readiness> {
  try {
    const free = await ctx.db.freeBytes?.();
    if (free !== undefined && free < MIN_FREE_BYTES) {
      return { ready: false, message: `Store not ready: database file system is full (${free} bytes free)`, retryAfterSeconds: 30 };
    }
    await ctx.db.transaction((sql) => touchReadiness(sql, ctx.now().toISOString()));
    return { ready: true };
  } catch (err) {
    const cause = err instanceof Error ? err.message : String(err);
    return { ready: false, message: `Store not ready: ${cause}`, retryAfterSeconds: err instanceof Unavailable ? err.retryAfterSeconds : 1 };
  }
}
