/** Plumbing shared by the benchmarks: cleanup on every exit path, a fresh store, child processes. */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Run in reverse order by cleanup(): stop children, drop schemas, remove temp files. */
export const cleanups: (() => Promise<void>)[] = [];

export async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch((err: Error) => process.stderr.write(`cleanup: ${err.message}\n`));
}

/**
 * The store to benchmark: DATABASE_URL=postgres://… gets a fresh schema (dropped by cleanup),
 * another DATABASE_URL is used as given, and by default a fresh SQLite file in the temp directory.
 */
export async function prepareDatabase(): Promise<{ url: string; label: string }> {
  const given = process.env.DATABASE_URL;
  if (given && /^postgres(ql)?:\/\//.test(given)) {
    const schema = `op_bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: given });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: given });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    });
    const u = new URL(given);
    u.searchParams.set('options', `-c search_path=${schema}`);
    return { url: u.toString(), label: `PostgreSQL ${version} (${u.host}, fresh schema ${schema})` };
  }
  if (given) return { url: given, label: given };
  const dir = mkdtempSync(join(os.tmpdir(), 'openpromo-bench-'));
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  return { url: `sqlite:${join(dir, 'bench.db')}`, label: `SQLite file ${join(dir, 'bench.db')}` };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A cleanup that stops `child` with SIGTERM, and SIGKILL after 10 s. */
export function stopChild(child: ChildProcess, name: string): () => Promise<void> {
  return () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      process.stderr.write(`${name} did not stop within 10 s; killing it\n`);
      child.kill('SIGKILL');
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const require = createRequire(import.meta.url);
// autocannon ships no type declarations; the few fields used are typed below
const autocannon = require('autocannon') as (opts: Record<string, unknown>, cb: (err: Error | null, r: CannonResult) => void) => unknown;

export interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number; errors: number; timeouts: number; duration: number;
}

/**
 * `duration` seconds of `PUT /v2/customer_sessions/bench-<n>` over `connections` connections, each request a
 * new session numbered by `next()` with the body `bodyFor(n)`.
 */
export function sessionLoad(base: string, key: string, duration: number, connections: number, next: () => number, bodyFor: (n: number) => string): Promise<CannonResult> {
  return new Promise((resolve, reject) => {
    autocannon({
      url: base,
      connections,
      duration,
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `ApiKey-v1 ${key}` },
      requests: [{
        setupRequest(req: Record<string, unknown>) {
          const n = next();
          req.path = `/v2/customer_sessions/bench-${n}`;
          req.body = bodyFor(n);
          return req;
        },
      }],
    }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}
