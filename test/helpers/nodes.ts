/** Real OpenPromo server processes for multi-process tests (spawned from the compiled CLI). */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dropTestSchemas, freshPostgresUrl } from './stores.js';

/** The compiled CLI beside this compiled test (works for dist/ and isolated builds alike). */
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const MANAGEMENT_KEY = 'multiprocess-management-key';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  srv.close();
  await once(srv, 'close');
  return port;
}

export interface Node { child: ChildProcess; base: string; output: () => string }

export async function startNode(databaseUrl: string): Promise<Node> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: String(port), OPENPROMO_MANAGEMENT_KEY: MANAGEMENT_KEY, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000; // schema compilation makes start-up slow on a busy machine
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${out}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`server not ready after 60 s: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, base, output: () => out };
}

export async function stopNode(n: Node): Promise<void> {
  if (n.child.exitCode !== null || n.child.signalCode !== null) return;
  const exited = once(n.child, 'exit');
  n.child.kill('SIGTERM');
  const timer = setTimeout(() => n.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}


/**
 * Two nodes on one fresh PostgreSQL schema for the suite: started before its tests, stopped (and the schema
 * dropped) after them. The list stays empty when PostgreSQL is unavailable locally.
 */
export function nodesOnPostgres(): Node[] {
  const nodes: Node[] = [];
  before(async () => {
    const url = await freshPostgresUrl();
    if (!url) return;
    nodes.push(...await Promise.all([startNode(url), startNode(url)]));
  });
  after(async () => {
    await Promise.all(nodes.map(stopNode));
    await dropTestSchemas();
  });
  return nodes;
}

/** A JSON request to node `node` (modulo the count) with an Authorization header. */
export async function nodeCall(nodes: readonly Node[], node: number, authorization: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const r = await fetch(`${nodes[node % nodes.length].base}${url}`, {
    method, headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) as Record<string, any> : {} };
}
