/**
 * bench/session-update — throughput of `PUT /v2/customer_sessions/{id}` (updateCustomerSessionV2)
 * against a bare Fastify echo server that parses and returns the same JSON body.
 *
 * Three processes: this one generates load (autocannon); OpenPromo (`node dist/src/cli/main.js
 * serve`) and the echo server (bench/echo-server.js) each run in a child process of their own.
 * Every request creates a new session (`bench-<n>`, never reused) with a cart of 5 items and its
 * own customer profile. Rounds alternate echo → OpenPromo; reported: the medians over rounds, and as
 * `ratio` the median of the per-round ratios (OpenPromo / the echo run just before it).
 *
 * Environment:
 *   DURATION=10       seconds per measured run          ROUNDS=5     runs per server
 *   CONNECTIONS=10    concurrent connections            WARMUP=2     unmeasured seconds per server first
 *   DATABASE_URL      default: a fresh SQLite file under os.tmpdir(); postgres://… gets a fresh
 *                     schema (search_path) that is dropped afterwards
 *   CAMPAIGNS=<n>     create n campaigns of 5 rules each first: the rule mix of bench/rule-engine.ts
 *                     (bench/rules.ts: mixed conditions over totals, attributes and cart item filters),
 *                     and every request then carries a cart of that benchmark (1–6 lines, a
 *                     ShippingCity, shipping on half of them, 10 % anonymous) instead of the fixed one
 *   RULE_MIX=match-all  with CAMPAIGNS: the worst case instead — 5 rules per campaign that all match
 *                     the fixed 5-item cart, so every request gets CAMPAIGNS × 5 discount effects
 *   PROFILE=1         run the OpenPromo child under `node --cpu-prof` and print the profile path
 *
 * On Linux it also prints the OpenPromo process's CPU time per request in each run (user + system, all
 * threads, from /proc): less sensitive to a noisy host than requests per second.
 *
 * Last line: RESULT {"openpromo_rps":…,"echo_rps":…,"ratio":…,"p50_ms":…,"p99_ms":…}
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, cleanups, freePort, prepareDatabase, sessionLoad, stopChild, type CannonResult } from './lib.js';
import { cents, randomCart, RULE_ATTRIBUTES, ruleMix, talang, type Cart } from './rules.js';


const SERVER_ENTRY = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const ECHO_ENTRY = fileURLToPath(new URL('./echo-server.js', import.meta.url));

const num = (name: string, dflt: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number (got ${v})`);
  return n;
};
const DURATION = num('DURATION', 10);
const ROUNDS = Math.max(1, Math.round(num('ROUNDS', 5)));
const CONNECTIONS = Math.max(1, Math.round(num('CONNECTIONS', 10)));
const WARMUP = num('WARMUP', 2);
const CAMPAIGNS = process.env.CAMPAIGNS ? Math.round(num('CAMPAIGNS', 0)) : 0;
const PROFILE = process.env.PROFILE === '1';
const MATCH_ALL = process.env.RULE_MIX === 'match-all';
if (process.env.RULE_MIX !== undefined && !MATCH_ALL && process.env.RULE_MIX !== 'mixed') throw new Error('RULE_MIX must be mixed (default) or match-all');
const MIXED = CAMPAIGNS > 0 && !MATCH_ALL;
const MANAGEMENT_KEY = randomBytes(24).toString('hex');

// ---------------------------------------------------------------------------------------------
// cleanup: every exit path stops the children and removes what this run created

async function exit(code: number): Promise<never> {
  await cleanup();
  process.exit(code);
}
process.on('SIGINT', () => void exit(130));

// ---------------------------------------------------------------------------------------------
// store

// ---------------------------------------------------------------------------------------------
// child processes

async function waitReady(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it was ready`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} not ready after 30 s (${url})`);
}

/**
 * CPU time (user + system, all threads) the OpenPromo child has used so far, in µs; null where
 * /proc is not available. Divided by the requests of a run it gives the server's CPU per request —
 * steadier than requests per second on a noisy machine, and the figure to compare between builds.
 */
let openpromoPid: number | undefined;
const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux architecture Node supports
function openpromoCpuMicros(): number | null {
  if (openpromoPid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${openpromoPid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / CLOCK_TICKS);
  } catch {
    return null;
  }
}

async function startOpenPromo(databaseUrl: string, profileDir: string | undefined): Promise<string> {
  const port = await freePort();
  const args = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), SERVER_ENTRY, 'serve'];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', OPENPROMO_MANAGEMENT_KEY: MANAGEMENT_KEY },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  cleanups.push(stopChild(child, 'OpenPromo'));
  openpromoPid = child.pid;
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/readyz`, child, 'OpenPromo');
  return base;
}

async function startEcho(): Promise<string> {
  const child = spawn(process.execPath, [ECHO_ENTRY], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(stopChild(child, 'echo server'));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`echo server exited with code ${code}`)));
  });
  return `http://127.0.0.1:${port}`; // it prints its port only once it accepts connections
}

// ---------------------------------------------------------------------------------------------
// provisioning through the Management API

async function management(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `ManagementKey-v1 ${MANAGEMENT_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

async function provision(base: string): Promise<{ applicationId: number; key: string }> {
  const app = await management(base, 'POST', '/v1/applications', { name: 'bench', currency: 'EUR', timezone: 'UTC' });
  if (app.status !== 201) throw new Error(`createApplication: ${app.status} ${JSON.stringify(app.json)}`);
  const applicationId = Number(app.json.id);
  const key = await management(base, 'POST', `/v1/applications/${applicationId}/api_keys`, { title: 'bench', expires: '2099-01-01T00:00:00Z' });
  if (key.status !== 201) throw new Error(`createApplicationAPIKey: ${key.status} ${JSON.stringify(key.json)}`);
  return { applicationId, key: String(key.json.key) };
}

/**
 * RULE_MIX=match-all: five rules per campaign (a session-total threshold, a cart item filter (exists), a
 * sum over filtered items, a count and a per-item discount over a filter), every one matching the fixed
 * cart; discounts are small (0.01) so that 100 campaigns never exhaust the cart and every effect is
 * emitted (the engine caps at what remains).
 */
function matchAllRules(c: number) {
  const accessories = ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['=', ['.', 'Item', 'Category'], 'accessories']]];
  const conditions: unknown[] = [
    ['>', ['.', 'Session', 'Total'], 10 + (c % 50)],
    ['exists', ['.', 'Session', 'CartItems'], [['Item'], ['=', ['.', 'Item', 'Sku'], 'SKU-CAP']]],
    ['>', ['sum', accessories, [['Item'], ['.', 'Item', 'Price']]], 20],
    ['>=', ['count', ['.', 'Session', 'CartItems']], 3],
    ['not', ['isEmpty', accessories]],
  ];
  return conditions.map((condition, r) => ({
    title: `bench ${c}.${r}`,
    condition: ['and', condition],
    effects: [['setDiscount', `bench-${c}-${r}`, 0.01]],
  }));
}

/**
 * Creates `n` enabled campaigns (createCampaign, then createRuleset with 5 rules, then points the
 * campaign at that ruleset with updateCampaign when it does not already). Returns false when the
 * Management API has no campaigns route yet (404 on the first create).
 */
async function createCampaigns(base: string, applicationId: number, n: number): Promise<boolean> {
  const mix = ruleMix(n, 5);
  if (MIXED) {
    for (const a of RULE_ATTRIBUTES) {
      const r = await management(base, 'POST', '/v1/attributes', { ...a, title: a.name, description: '', suggestions: [], editable: true });
      if (r.status !== 201) throw new Error(`createAttribute: ${r.status} ${JSON.stringify(r.json)}`);
    }
    const cost = await management(base, 'POST', '/v1/additional_costs', { name: 'shipping', title: 'Shipping', description: 'Shipping fee' });
    if (cost.status !== 201) throw new Error(`createAdditionalCost: ${cost.status} ${JSON.stringify(cost.json)}`);
    carts = Array.from({ length: 5000 }, (_, i) => cartJson(randomCart(mix.draw, mix.products, i)));
  }
  for (let c = 0; c < n; c++) {
    const campaign = { name: `bench campaign ${c}`, state: 'enabled', tags: [], features: [], limits: [] };
    const created = await management(base, 'POST', `/v1/applications/${applicationId}/campaigns`, campaign);
    if (created.status === 404 && c === 0) return false;
    if (created.status !== 201 && created.status !== 200) throw new Error(`createCampaign: ${created.status} ${JSON.stringify(created.json)}`);
    const campaignId = Number(created.json.id);
    const ruleset = await management(base, 'POST', `/v1/applications/${applicationId}/campaigns/${campaignId}/rulesets`, { rules: MATCH_ALL ? matchAllRules(c) : mix.specs[c].map((spec, r) => talang(spec, `c${c + 1} r${r}`)), bindings: [] });
    if (ruleset.status !== 201 && ruleset.status !== 200) throw new Error(`createRuleset: ${ruleset.status} ${JSON.stringify(ruleset.json)}`);
    const rulesetId = Number(ruleset.json.id);
    const current = await management(base, 'GET', `/v1/applications/${applicationId}/campaigns/${campaignId}`);
    if (Number(current.json.activeRulesetId) !== rulesetId) {
      const updated = await management(base, 'PUT', `/v1/applications/${applicationId}/campaigns/${campaignId}`, { ...campaign, activeRulesetId: rulesetId });
      if (updated.status !== 200) throw new Error(`updateCampaign: ${updated.status} ${JSON.stringify(updated.json)}`);
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// load

let sequence = 0;
const CART = [
  { name: 'Shirt', sku: 'SKU-SHIRT', quantity: 2, price: 19.99, category: 'tops' },
  { name: 'Jeans', sku: 'SKU-JEANS', quantity: 1, price: 59.9, category: 'bottoms' },
  { name: 'Socks', sku: 'SKU-SOCKS', quantity: 3, price: 4.5, category: 'accessories' },
  { name: 'Cap', sku: 'SKU-CAP', quantity: 1, price: 14.95, category: 'accessories' },
  { name: 'Belt', sku: 'SKU-BELT', quantity: 1, price: 24.0, category: 'accessories' },
];
const CART_TOTAL = 152.33; // 39.98 + 59.9 + 13.5 + 14.95 + 24
const CART_JSON = JSON.stringify(CART);

/** With the mixed rules: 5,000 carts of the rule-engine benchmark, as `customerSession` JSON without the profile. */
let carts: string[] = [];

function cartJson(c: Cart): string {
  const items = c.lines.map((l) => ({ name: l.sku, sku: l.sku, quantity: l.quantity, price: cents(l.cents), category: l.category }));
  return `"cartItems":${JSON.stringify(items)}${c.city ? `,"attributes":{"ShippingCity":${JSON.stringify(c.city)}}` : ''}`
    + `${c.shippingCents ? `,"additionalCosts":{"shipping":{"price":${cents(c.shippingCents)}}}` : ''}`;
}

/**
 * The request body for session n: its own customer profile and the fixed 5-item cart; with the mixed
 * rules, cart n of the rule-engine carts (anonymous ones without a profile).
 */
function bodyFor(n: number): string {
  if (carts.length === 0) return `{"customerSession":{"profileId":"bench-customer-${n}","cartItems":${CART_JSON}},"responseContent":["customerSession"]}`;
  const cart = carts[n % carts.length];
  const profile = n % 10 === 0 ? '' : `"profileId":"bench-customer-${n}",`;
  return `{"customerSession":{${profile}${cart}},"responseContent":["customerSession"]}`;
}

function load(base: string, key: string, duration: number): Promise<CannonResult> {
  return sessionLoad(base, key, duration, CONNECTIONS, () => ++sequence, bodyFor);
}

/** One request to each server before the load: both must answer what the benchmark assumes. */
async function sanityCheck(openpromo: string, echo: string, key: string): Promise<void> {
  const n = ++sequence;
  const init = { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `ApiKey-v1 ${key}` }, body: bodyFor(n) };
  const a = await fetch(`${openpromo}/v2/customer_sessions/bench-${n}`, init);
  const state = await a.json() as { effects?: unknown[]; customerSession?: { cartItemTotal: number; cartItems: unknown[]; updateCount: number } };
  if (a.status !== 200 || state.customerSession?.updateCount !== 1
    || (!MIXED && (state.customerSession.cartItemTotal !== CART_TOTAL || state.customerSession.cartItems.length !== 5))) {
    throw new Error(`OpenPromo sanity check failed: ${a.status} ${JSON.stringify(state)}`);
  }
  // match-all: every bench rule matches this cart, 5 setDiscount effects per campaign
  if (CAMPAIGNS > 0 && MATCH_ALL && state.effects?.length !== CAMPAIGNS * 5) {
    throw new Error(`OpenPromo sanity check failed: expected ${CAMPAIGNS * 5} effects, got ${JSON.stringify(state.effects)}`);
  }
  if (MIXED) {
    // the mixed rules fire on some carts only: count the effects of the next 50 carts
    let effects = 0;
    for (let k = 0; k < 50; k++) {
      const m = ++sequence;
      const r = await fetch(`${openpromo}/v2/customer_sessions/bench-${m}`, { ...init, body: bodyFor(m) });
      if (r.status !== 200) throw new Error(`OpenPromo sanity check failed: ${r.status} ${await r.text()}`);
      effects += ((await r.json()) as { effects: unknown[] }).effects.length;
    }
    if (effects === 0) throw new Error('OpenPromo sanity check failed: no effects on 50 carts of the mixed rules');
    process.stdout.write(`mixed rules: ${(effects / 50).toFixed(1)} effects per response on average (50 carts)\n`);
  }
  const b = await fetch(`${echo}/v2/customer_sessions/bench-${n}`, init);
  const echoed = await b.text();
  if (b.status !== 200 || JSON.stringify(JSON.parse(echoed)) !== JSON.stringify(JSON.parse(init.body))) throw new Error(`echo sanity check failed: ${b.status} ${echoed}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round2 = (x: number) => Math.round(x * 100) / 100;
const pad = (s: string | number, n: number) => String(s).padStart(n);

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const db = await prepareDatabase();
  const profileDir = PROFILE ? mkdtempSync(join(os.tmpdir(), 'openpromo-prof-')) : undefined;
  const openpromo = await startOpenPromo(db.url, profileDir);
  const echo = await startEcho();
  const { applicationId, key } = await provision(openpromo);

  if (CAMPAIGNS > 0) {
    if (!(await createCampaigns(openpromo, applicationId, CAMPAIGNS))) {
      process.stdout.write(`CAMPAIGNS=${CAMPAIGNS}: campaigns are not supported yet (POST /v1/applications/{id}/campaigns answers 404)\n`);
      await exit(2);
    }
  }
  await sanityCheck(openpromo, echo, key);

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write([
    'bench/session-update: PUT /v2/customer_sessions/bench-<n> (new session per request, 5 cart items, own profile)',
    `machine: ${os.availableParallelism()} CPUs (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`,
    `store:   ${db.label}`,
    `load:    autocannon ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} rounds (echo then OpenPromo), ${WARMUP} s warm-up each${CAMPAIGNS ? `, ${CAMPAIGNS} campaigns × 5 rules (${MATCH_ALL ? 'all matching the fixed cart' : 'mixed rules of bench/rule-engine, its carts'})` : ''}`,
    '',
  ].join('\n'));

  if (WARMUP > 0) {
    await load(echo, key, WARMUP);
    await load(openpromo, key, WARMUP);
  }

  const rows: { server: string; round: number; r: CannonResult; cpu: number | null }[] = [];
  process.stdout.write(`${'server'.padEnd(10)} ${pad('round', 5)} ${pad('req/s', 9)} ${pad('p50 ms', 7)} ${pad('p99 ms', 7)} ${pad('non-2xx', 8)} ${pad('errors', 7)} ${pad('server CPU µs/req', 18)}\n`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [server, base] of [['echo', echo], ['openpromo', openpromo]] as const) {
      const before = server === 'openpromo' ? openpromoCpuMicros() : null;
      const r = await load(base, key, DURATION);
      const after = before === null ? null : openpromoCpuMicros();
      const cpu = before === null || after === null || r.requests.total === 0 ? null : (after - before) / r.requests.total;
      rows.push({ server, round, r, cpu });
      process.stdout.write(`${server.padEnd(10)} ${pad(round, 5)} ${pad(r.requests.average.toFixed(0), 9)} ${pad(r.latency.p50, 7)} ${pad(r.latency.p99, 7)} ${pad(r.non2xx, 8)} ${pad(r.errors + r.timeouts, 7)} ${pad(cpu === null ? '' : cpu.toFixed(0), 18)}\n`);
    }
  }

  const of = (server: string) => rows.filter((x) => x.server === server).map((x) => x.r);
  const op = of('openpromo');
  const ec = of('echo');
  const result = {
    openpromo_rps: Math.round(median(op.map((r) => r.requests.average))),
    echo_rps: Math.round(median(ec.map((r) => r.requests.average))),
    ratio: 0,
    p50_ms: round2(median(op.map((r) => r.latency.p50))),
    p99_ms: round2(median(op.map((r) => r.latency.p99))),
  };
  // the median of the per-round ratios: each round runs echo then OpenPromo back to back, so a slow
  // spell of the shared machine weighs on both sides of a pair rather than on one side's median
  result.ratio = Math.round(median(op.map((r, i) => r.requests.average / ec[i].requests.average)) * 1000) / 1000;
  const cpus = rows.filter((x) => x.server === 'openpromo' && x.cpu !== null).map((x) => x.cpu!);
  const failed = op.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0);
  const total = op.reduce((s, r) => s + r.requests.total, 0);

  process.stdout.write([
    '',
    `median over ${ROUNDS} rounds: OpenPromo ${result.openpromo_rps} req/s, echo ${result.echo_rps} req/s, median of the per-round ratios ${result.ratio}; OpenPromo p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms`,
    `OpenPromo answered ${total} requests, ${failed} of them not 2xx or failed`
      + (cpus.length > 0 ? `; its process used a median ${median(cpus).toFixed(0)} µs of CPU per request (all threads)` : ''),
    '',
  ].join('\n'));

  await cleanup();
  if (profileDir) {
    for (const f of readdirSync(profileDir)) process.stdout.write(`cpu profile: ${join(profileDir, f)}\n`);
  }
  if (failed > 0) {
    process.stderr.write('some OpenPromo requests failed: the figures are not a valid measurement\n');
    process.exitCode = 1;
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().catch(async (err: Error) => {
  process.stderr.write(`bench/session-update: ${err.stack ?? err.message}\n`);
  await exit(1);
});
