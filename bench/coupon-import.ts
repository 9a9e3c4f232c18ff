/**
 * Coupon import benchmark (issue #4): 1 000 000 coupons uploaded as one CSV file to
 * `importCoupons` of a real server in a child process, then counted back through `exportCoupons`.
 *
 *   npm run bench:coupon-import                        # fresh SQLite file
 *   DATABASE_URL=postgres://… npm run bench:coupon-import   # fresh schema, dropped afterwards
 *
 * ROWS overrides the row count. The server's peak RSS is its VmHWM (/proc/<pid>/status) read just
 * before it stops, cross-checked by polling VmRSS. Goal: under 60 s and under 300 MB.
 * Last line: RESULT {"coupons":…,"seconds":…,"peak_rss_mb":…}
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, openAsBlob, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, cleanups, freePort, prepareDatabase, stopChild } from './lib.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const MANAGEMENT_KEY = `bench-${randomBytes(8).toString('hex')}`;
const SERVER_ENTRY = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** The CSV: unique codes, every 1000th with limitval 5, every 777th with an expiry date. */
async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('value,limitval,expirydate\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `BENCH-${i.toString(36).toUpperCase().padStart(6, '0')},${i % 1000 === 0 ? '5' : ''},${i % 777 === 0 ? '2031-12-31T23:59:59Z' : ''}\n`;
    if (chunk.length > 1 << 16) { await write(chunk); chunk = ''; }
  }
  await write(chunk);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

async function main(): Promise<void> {
  const db = await prepareDatabase();
  const dir = mkdtempSync(join(os.tmpdir(), 'openpromo-coupons-csv-'));
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  const csvPath = join(dir, 'coupons.csv');
  await writeCsv(csvPath, ROWS);
  log(`csv: ${ROWS} rows, ${(statSync(csvPath).size / 1e6).toFixed(1)} MB; store: ${db.label}`);

  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_ENTRY, 'serve'], {
    env: { ...process.env, DATABASE_URL: db.url, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', OPENPROMO_MANAGEMENT_KEY: MANAGEMENT_KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(stopChild(child, 'openpromo'));
  // the server's log (import progress every 100 000 rows) goes to our stderr; stdout keeps the RESULT
  child.stdout.on('data', (b: Buffer) => {
    for (const line of b.toString().split('\n')) if (/coupon import/.test(line)) log(`server: ${line}`);
  });
  const base = `http://127.0.0.1:${port}`;
  for (let t = 0; ; t++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* not yet */ }
    if (t > 300) throw new Error('server not ready after 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  let polledKb = statusKb(pid, 'VmRSS');
  const poll = setInterval(() => { try { polledKb = Math.max(polledKb, statusKb(pid, 'VmRSS')); } catch { /* exited */ } }, 100);

  const headers = { authorization: `ManagementKey-v1 ${MANAGEMENT_KEY}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as { id: number };
  };
  const app = await post('/v1/applications', { name: 'Bench', currency: 'EUR', timezone: 'UTC', caseSensitivity: 'insensitive-uppercase' });
  const campaign = await post(`/v1/applications/${app.id}/campaigns`, { name: 'Import', tags: [], features: ['coupons'], limits: [] });

  const form = new FormData();
  form.append('upFile', await openAsBlob(csvPath, { type: 'text/csv' }), 'coupons.csv');
  const started = process.hrtime.bigint();
  const r = await fetch(`${base}/v1/applications/${app.id}/campaigns/${campaign.id}/import_coupons`, {
    method: 'POST', headers: { authorization: headers.authorization }, body: form,
  });
  const body = await r.text();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 200) throw new Error(`import: ${r.status} ${body}`);
  const imported = (JSON.parse(body) as { amount: number }).amount;
  log(`import: ${imported} coupons in ${seconds.toFixed(1)} s`);

  // count them back through the streaming export (values only)
  const exportStarted = process.hrtime.bigint();
  const ex = await fetch(`${base}/v1/applications/${app.id}/export_coupons?campaignId=${campaign.id}&valuesOnly=true`, { headers: { authorization: headers.authorization } });
  if (ex.status !== 200 || !ex.body) throw new Error(`export: ${ex.status}`);
  let newlines = 0;
  for await (const chunk of ex.body as unknown as AsyncIterable<Uint8Array>) for (const byte of chunk) if (byte === 10) newlines++;
  const exported = newlines - 1; // header
  const exportSeconds = Number(process.hrtime.bigint() - exportStarted) / 1e9;
  log(`export: ${exported} coupons in ${exportSeconds.toFixed(1)} s`);

  clearInterval(poll);
  const hwmKb = statusKb(pid, 'VmHWM');
  const peakMb = Math.round(Math.max(hwmKb, polledKb) / 1024);
  await cleanup();
  if (imported !== ROWS || exported !== ROWS) throw new Error(`expected ${ROWS} coupons, imported ${imported}, exported ${exported}`);
  const result = { coupons: exported, seconds: Number(seconds.toFixed(2)), peak_rss_mb: peakMb, export_seconds: Number(exportSeconds.toFixed(2)), store: db.url.startsWith('sqlite') ? 'sqlite' : 'postgres' };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().catch(async (err: Error) => {
  log(err.stack ?? err.message);
  await cleanup();
  process.exit(1);
});
