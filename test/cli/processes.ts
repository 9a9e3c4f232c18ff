/** `openpromo` as a child process, the way people run it: through bin/openpromo.js (tests of test/cli and test/store). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The package's bin, as `npx openpromo` runs it (npm 11's npx forwards what follows the name). */
export const BIN = fileURLToPath(new URL('../../../bin/openpromo.js', import.meta.url));

export interface Ran { code: number; stdout: string; stderr: string }

/** Runs `openpromo …args` to its end: exit code and output (never rejects). */
export function openpromo(args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface Serving { child: ChildProcess; base: string; port: number; out: () => string; err: () => string }

/**
 * `openpromo serve` on a free port with stdout piped (so its log is JSON lines), once /readyz answers;
 * rejects with its stderr if it exits first.
 */
export async function startServe(env: NodeJS.ProcessEnv): Promise<Serving> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${err}`);
      try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* starting */ }
      if (i > 600) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return { child, base, port, out: () => out, err: () => err };
}

/** Stops a child with `signal` and waits for its exit. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}
