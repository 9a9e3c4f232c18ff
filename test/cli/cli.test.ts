/**
 * The `openpromo` command: provisioning from the shell, serving what it provisioned, and a
 * graceful SIGTERM that lets an in-flight request finish.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { startServe, type Serving } from './processes.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(os.tmpdir(), 'openpromo-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'op.db')}`, LOG_LEVEL: 'warn' };
const run = (args: string[]) => promisify(execFile)(process.execPath, [MAIN, ...args], { env });

/** `openpromo serve` on a free port, once /readyz answers (processes.ts); its stdout is collected in `out()`. */
const serve = (extraEnv: Record<string, string> = {}): Promise<Serving> => startServe({ ...env, ...extraEnv });

test('create-application and create-api-key print JSON; serve accepts the key; SIGTERM finishes in-flight requests', async () => {
  const app = JSON.parse((await run(['create-application', '--name', 'Shop', '--currency', 'EUR', '--timezone', 'Europe/Berlin'])).stdout);
  assert.equal(app.name, 'Shop');
  assert.equal(app.timezone, 'Europe/Berlin');
  const key = JSON.parse((await run(['create-api-key', '--application', String(app.id)])).stdout);
  assert.equal(key.applicationId, app.id);
  assert.match(key.key, /^[0-9a-f]{64}$/);
  await assert.rejects(run(['create-api-key']), /missing --application/);
  await assert.rejects(run(['frobnicate']));

  const { child, base } = await serve();
  try {
    const put = (id: string) => fetch(`${base}/v2/customer_sessions/${id}`, {
      method: 'PUT', headers: { authorization: `ApiKey-v1 ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ customerSession: { cartItems: [{ sku: 'a', quantity: 2, price: 0.1 }, { sku: 'b', quantity: 1, price: 0.2 }] } }),
    });
    const first = await put('cli-1');
    assert.equal(first.status, 200);
    assert.equal((await first.json()).customerSession.total, 0.4);
    // a request in flight when SIGTERM arrives still gets its answer, then the process exits 0
    const inflight = put('cli-2');
    await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    const r = await inflight.catch((e: Error) => e);
    // never a dropped connection: answered (200), or refused cleanly if it arrived after closing began (503)
    assert.ok(!(r instanceof Error), `in-flight request failed: ${r instanceof Error ? r.message : ''}`);
    assert.ok([200, 503].includes(r.status), `status ${r.status}`);
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('serve logs structured JSON lines (pino) carrying the request id, the client\'s own when it sends one', async () => {
  const app = JSON.parse((await run(['create-application', '--name', 'Logs', '--currency', 'EUR'])).stdout);
  const key = JSON.parse((await run(['create-api-key', '--application', String(app.id)])).stdout);
  const { child, base, out } = await serve({ LOG_LEVEL: 'info' });
  try {
    const r = await fetch(`${base}/v2/customer_sessions/log-1`, {
      method: 'PUT', headers: { authorization: `ApiKey-v1 ${key.key}`, 'content-type': 'application/json', 'x-request-id': 'trace-log-1' },
      body: JSON.stringify({ customerSession: { cartItems: [] } }),
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), 'trace-log-1');
    const denied = await fetch(`${base}/v2/customer_sessions/log-2`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(denied.status, 401);
    const generated = denied.headers.get('x-request-id');
    assert.ok(generated);
    child.kill('SIGTERM');
    await once(child, 'exit');
    const lines = out().split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) assert.equal(typeof l.level, 'number');
    const mine = lines.filter((l) => l.reqId === 'trace-log-1');
    assert.ok(mine.some((l) => l.msg === 'incoming request'), 'request logged with its id');
    assert.ok(mine.some((l) => l.msg === 'request completed' && (l.res as { statusCode: number }).statusCode === 200), 'response logged with its id');
    assert.ok(lines.some((l) => l.reqId === generated && l.msg === 'request completed'), 'a generated id is logged as sent back');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
