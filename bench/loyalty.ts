/**
 * bench/loyalty — loyalty on a seeded ledger, in one run:
 *
 * 1. `getLoyaltyBalances` (GET /v1/loyalty_programs/{id}/profile/{integrationId}/balances) of one profile
 *    with a long history: sequential requests on one keep-alive connection, each timed with hrtime in
 *    this process, after a warm-up, while nothing else runs; reads of a light profile are interleaved
 *    for comparison. Sequential rather than autocannon: autocannon's latencies are whole milliseconds.
 * 2. `PUT /v2/customer_sessions/{new id}` with an earn-and-spend loyalty campaign against the same
 *    update without it, measured side by side with autocannon in alternating rounds.
 *
 * Processes: this one seeds and generates load; OpenPromo (`node dist/src/cli/main.js serve`) runs in a
 * child process on a real store (prepareDatabase in bench/lib.ts).
 *
 * Seed (importLoyaltyPoints, CSV uploads of at most 50,000 rows): SEED_PROFILES profiles `p<i>` with
 * ENTRIES_PER_PROFILE entries each, and one profile `heavy` with HEAVY_ENTRIES entries, of which
 * DEDUCTIONS are deductions of 40 points (removeLoyaltyPoints, timed) and the rest imported additions.
 * Additions cycle through ten kinds: 1 expired (start and expiry in the past), 1 pending (start in 30
 * days), 8 active (half of them unlimited, half expiring in 200–365 days; some started in the past).
 * The heavy profile's balances are checked against the sums of what was seeded, and its entry count
 * through exportLoyaltyLedger.
 *
 * Session phases, two Applications provisioned identically but for loyalty, so that one server, one
 * store and one warm cache serve both and no configuration changes between rounds:
 *   A "without": a plain discount campaign (5 off from 50); not subscribed to the program.
 *   B "with":    the same plain campaign, subscribed to the program, and a loyalty campaign — rule
 *                "earn" (always): addLoyaltyPoints floor(Session.Total); rule "spend" (when
 *                loyaltyPointsCanBeRedeemed 100): deductLoyaltyPoints 100 and setDiscount 10.
 * B therefore carries everything loyalty adds to a session update (the program's subscription, the
 * campaign, the ledger writes of a close). Every request creates and closes a new session
 * (`bench-<n>`) of seeded profile p<n mod SEED_PROFILES> with the same 5-item cart, so each close in B
 * earns (and, with 100 points or more, spends) on that profile's ledger. Each round runs both phases
 * back to back, A → B in odd rounds and B → A in even ones (a drift of the host then favours neither);
 * `session_ratio` is the median of the per-round ratios B / A (req/s); `session_cpu_ratio` the median of
 * the per-round ratios of the server's CPU time per request A / B (from /proc; steadier on a shared
 * host). One request per Application is checked first (effects by type, and whether the close changed
 * the profile's balance).
 *
 * Environment:
 *   SEED_PROFILES=10000  ENTRIES_PER_PROFILE=10  HEAVY_ENTRIES=100000  DEDUCTIONS=10 (of HEAVY_ENTRIES)
 *   BALANCE_REQUESTS=2000  timed balance reads per profile   BALANCE_WARMUP=200  untimed reads first
 *   DURATION=5    seconds per measured session run           ROUNDS=10    runs per phase
 *   CONNECTIONS=10                                           WARMUP=2     unmeasured seconds per phase first
 *   DATABASE_URL  default: a fresh SQLite file under os.tmpdir(); postgres://… gets a fresh schema
 *
 * Last line: RESULT {"ledger_entries":…,"balance_p50_ms":…,"balance_p99_ms":…,"session_ratio":…,…}
 * (ledger_entries: the heavy profile's). Goals: balance p99 < 5 ms; session_ratio ≥ 0.7.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { cleanup, cleanups, freePort, prepareDatabase, sessionLoad, stopChild, type CannonResult } from './lib.js';


const SERVER_ENTRY = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

const num = (name: string, dflt: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number (got ${v})`);
  return Math.round(n);
};
const SEED_PROFILES = Math.max(1, num('SEED_PROFILES', 10_000));
const ENTRIES_PER_PROFILE = Math.max(1, num('ENTRIES_PER_PROFILE', 10));
const HEAVY_ENTRIES = Math.max(1, num('HEAVY_ENTRIES', 100_000));
const BALANCE_REQUESTS = Math.max(1, num('BALANCE_REQUESTS', 2000));
const BALANCE_WARMUP = num('BALANCE_WARMUP', 200);
const DURATION = Math.max(1, num('DURATION', 5));
const ROUNDS = Math.max(1, num('ROUNDS', 10));
const CONNECTIONS = Math.max(1, num('CONNECTIONS', 10));
const WARMUP = num('WARMUP', 2);
const IMPORT_ROWS = 50_000; // rows per uploaded file
const MANAGEMENT_KEY = randomBytes(24).toString('hex');
const HEAVY = 'heavy';
const DEDUCTIONS = Math.min(HEAVY_ENTRIES - 1, num('DEDUCTIONS', 10));
const DEDUCTION_POINTS = 40;
const DAY = 86_400_000;

const log = (msg: string) => process.stdout.write(`${msg}\n`);
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

// ---------------------------------------------------------------------------------------------
// server

let serverPid: number | undefined;

async function startOpenPromo(databaseUrl: string): Promise<string> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [SERVER_ENTRY, 'serve'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', OPENPROMO_MANAGEMENT_KEY: MANAGEMENT_KEY },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  cleanups.push(stopChild(child, 'OpenPromo'));
  serverPid = child.pid;
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    if (child.exitCode !== null) throw new Error(`OpenPromo exited with code ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return base;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('OpenPromo not ready after 30 s');
}

/** CPU time (user + system, all threads) of the server so far in µs, from /proc; null elsewhere. */
function serverCpuMicros(): number | null {
  if (serverPid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// provisioning through the Management API; every non-2xx answer ends the run

async function api(base: string, auth: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) as Record<string, unknown> : {};
}
const MGMT = `ManagementKey-v1 ${MANAGEMENT_KEY}`;

async function newApplication(base: string, name: string): Promise<{ id: number; key: string }> {
  const app = await api(base, MGMT, 'POST', '/v1/applications', { name, currency: 'EUR', timezone: 'UTC' });
  const id = Number(app.id);
  const key = await api(base, MGMT, 'POST', `/v1/applications/${id}/api_keys`, { title: 'bench', expires: '2099-01-01T00:00:00Z' });
  return { id, key: String(key.key) };
}

/** An enabled campaign running `rules` (createCampaign, createRuleset, and updateCampaign when the ruleset is not active yet). */
async function newCampaign(base: string, applicationId: number, name: string, features: string[], rules: unknown[]): Promise<void> {
  const campaign = { name, state: 'enabled', tags: [], features, limits: [] };
  const created = await api(base, MGMT, 'POST', `/v1/applications/${applicationId}/campaigns`, campaign);
  const path = `/v1/applications/${applicationId}/campaigns/${Number(created.id)}`;
  const ruleset = await api(base, MGMT, 'POST', `${path}/rulesets`, { rules, bindings: [] });
  const current = await api(base, MGMT, 'GET', path);
  if (Number(current.activeRulesetId) !== Number(ruleset.id)) await api(base, MGMT, 'PUT', path, { ...campaign, activeRulesetId: Number(ruleset.id) });
}

const PLAIN_RULES = [{ title: '5 off from 50', condition: ['and', ['>=', ['.', 'Session', 'Total'], 50]], effects: [['setDiscount', '5 off', 5]] }];
const loyaltyRules = (programId: number) => [
  { title: 'earn', condition: ['and', true], effects: [['addLoyaltyPoints', programId, '', ['floor', ['.', 'Session', 'Total']], 'earn 1 per EUR']] },
  {
    title: 'spend', condition: ['and', ['loyaltyPointsCanBeRedeemed', programId, 100]],
    effects: [['deductLoyaltyPoints', programId, '', 100, 'spend 100'], ['setDiscount', '100 points', 10]],
  },
];

// ---------------------------------------------------------------------------------------------
// seed

interface Sums { active: number; pending: number; expired: number; rows: number }

/**
 * The k-th addition of profile i as a CSV row (integer amounts, so the expected balances are exact);
 * adds its amount to `sums` by the state its dates give it now.
 */
function row(id: string, i: number, k: number, now: number, sums: Sums): string {
  const amount = 1 + ((k * 37 + i) % 50);
  const at = (ms: number) => new Date(now + ms + k * 1000).toISOString();
  sums.rows++;
  switch (k % 10) {
    case 0: sums.expired += amount; return `${id},${amount},${at(-400 * DAY)},${at(-30 * DAY)}\n`;
    case 1: sums.pending += amount; return `${id},${amount},${at(30 * DAY)},\n`;
    case 2: case 6: sums.active += amount; return `${id},${amount},,\n`;
    case 4: case 8: sums.active += amount; return `${id},${amount},${at(-100 * DAY)},\n`;
    case 3: case 7: sums.active += amount; return `${id},${amount},,${at(365 * DAY)}\n`;
    default: sums.active += amount; return `${id},${amount},${at(-10 * DAY)},${at(200 * DAY)}\n`;
  }
}

/** Uploads the rows in files of IMPORT_ROWS; returns the rows imported. */
async function importRows(base: string, programId: number, rows: Iterable<string>): Promise<number> {
  const HEADER = 'customerprofileid,amount,startdate,expirydate\n';
  let imported = 0;
  let chunk: string[] = [];
  const upload = async () => {
    const form = new FormData();
    form.append('upFile', new Blob([HEADER, ...chunk], { type: 'text/csv' }), 'points.csv');
    const r = await fetch(`${base}/v1/loyalty_programs/${programId}/import_points`, { method: 'POST', headers: { authorization: MGMT }, body: form });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`importLoyaltyPoints: ${r.status} ${text}`);
    const amount = (JSON.parse(text) as { amount: number }).amount;
    if (amount !== chunk.length) throw new Error(`importLoyaltyPoints: ${chunk.length} rows sent, ${amount} imported`);
    imported += amount;
    chunk = [];
  };
  for (const r of rows) {
    chunk.push(r);
    if (chunk.length === IMPORT_ROWS) await upload();
  }
  if (chunk.length > 0) await upload();
  return imported;
}

function* seedRows(now: number, sums: Sums): Generator<string> {
  for (let i = 0; i < SEED_PROFILES; i++) for (let k = 0; k < ENTRIES_PER_PROFILE; k++) yield row(`p${i}`, i, k, now, sums);
}
function* heavyRows(now: number, sums: Sums): Generator<string> {
  for (let k = 0; k < HEAVY_ENTRIES - DEDUCTIONS; k++) yield row(HEAVY, 0, k, now, sums);
}

/** The heavy profile's entries, counted through exportLoyaltyLedger (CSV, one line per entry after the header). */
async function countEntries(base: string, programId: number, profile: string): Promise<number> {
  const q = `rangeStart=2000-01-01T00:00:00Z&rangeEnd=${encodeURIComponent(new Date(Date.now() + DAY).toISOString())}`;
  const r = await fetch(`${base}/v1/loyalty_programs/${programId}/profile/${profile}/export_log?${q}`, { headers: { authorization: MGMT } });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`exportLoyaltyLedger: ${r.status} ${text}`);
  return text.split('\n').filter((l) => l !== '').length - 1;
}

// ---------------------------------------------------------------------------------------------
// balance latency

interface Balance { activePoints: number; pendingPoints: number; spentPoints: number; expiredPoints: number; negativePoints: number }

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(url: string, auth: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, headers: { authorization: auth } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * `n` sequential reads of each URL, interleaved (so a noisy spell weighs on all of them), after `warmup`
 * untimed rounds; returns each URL's milliseconds per read, sorted.
 */
async function timeReads(urls: string[], auth: string, warmup: number, n: number): Promise<number[][]> {
  const ms = urls.map((): number[] => []);
  for (let i = -warmup; i < n; i++) {
    for (let u = 0; u < urls.length; u++) {
      const t0 = process.hrtime.bigint();
      const r = await get(urls[u], auth);
      if (i >= 0) ms[u].push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 200) throw new Error(`GET ${urls[u]}: ${r.status} ${r.body}`);
    }
  }
  return ms.map((m) => m.sort((a, b) => a - b));
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];

// ---------------------------------------------------------------------------------------------
// session load

const CART = JSON.stringify([
  { name: 'Shirt', sku: 'SKU-SHIRT', quantity: 2, price: 19.99, category: 'tops' },
  { name: 'Jeans', sku: 'SKU-JEANS', quantity: 1, price: 59.9, category: 'bottoms' },
  { name: 'Socks', sku: 'SKU-SOCKS', quantity: 3, price: 4.5, category: 'accessories' },
  { name: 'Cap', sku: 'SKU-CAP', quantity: 1, price: 14.95, category: 'accessories' },
  { name: 'Belt', sku: 'SKU-BELT', quantity: 1, price: 24.0, category: 'accessories' },
]);
let sequence = 0;
const profileFor = (n: number) => `p${n % SEED_PROFILES}`;
const sessionBody = (n: number) =>
  `{"customerSession":{"profileId":"${profileFor(n)}","state":"closed","cartItems":${CART}},"responseContent":["customerSession","loyalty"]}`;

function load(base: string, key: string, duration: number): Promise<CannonResult> {
  return sessionLoad(base, key, duration, CONNECTIONS, () => ++sequence, sessionBody);
}

/**
 * One closed session per Application before the load: both must answer 200 with the plain discount,
 * B with the earn effect. Prints the effects by type and the profile's balance before and after the
 * close, so a setup that earns or spends nothing is visible.
 */
async function checkSessions(base: string, a: { key: string }, b: { key: string }, programId: number): Promise<void> {
  const balanceOf = async (profile: string) => {
    const r = await get(`${base}/v1/loyalty_programs/${programId}/profile/${profile}/balances`, `ApiKey-v1 ${b.key}`);
    if (r.status !== 200) throw new Error(`getLoyaltyBalances ${profile}: ${r.status} ${r.body}`);
    return (JSON.parse(r.body) as { balance: Balance }).balance;
  };
  for (const [phase, key] of [['A without', a.key], ['B with', b.key]] as const) {
    const n = ++sequence;
    const before = await balanceOf(profileFor(n));
    const r = await fetch(`${base}/v2/customer_sessions/bench-${n}`, {
      method: 'PUT', headers: { 'content-type': 'application/json', authorization: `ApiKey-v1 ${key}` }, body: sessionBody(n),
    });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`session check (${phase}): ${r.status} ${text}`);
    const state = JSON.parse(text) as { effects?: { effectType: string }[]; customerSession?: { state: string }; loyalty?: unknown };
    const effects = state.effects ?? [];
    const byType = new Map<string, number>();
    for (const e of effects) byType.set(e.effectType, (byType.get(e.effectType) ?? 0) + 1);
    const after = await balanceOf(profileFor(n));
    log(`session check ${phase} loyalty: state ${state.customerSession?.state}, effects ${JSON.stringify(Object.fromEntries(byType))}, `
      + `loyalty ${JSON.stringify(state.loyalty)}; ${profileFor(n)} active points ${before.activePoints} → ${after.activePoints}, spent ${before.spentPoints} → ${after.spentPoints}`);
    if (state.customerSession?.state !== 'closed' || !byType.has('setDiscount')) throw new Error(`session check (${phase}): expected a closed session with the plain discount: ${text}`);
    if (phase === 'A without' && (byType.has('addLoyaltyPoints') || after.activePoints !== before.activePoints)) throw new Error(`session check (A): loyalty without the loyalty campaign: ${text}`);
    if (phase === 'B with' && !byType.has('addLoyaltyPoints')) throw new Error(`session check (B): no addLoyaltyPoints effect: ${text}`);
    if (phase === 'B with' && before.activePoints >= 100 && !byType.has('deductLoyaltyPoints')) log('  note: no deductLoyaltyPoints although the profile has ≥ 100 active points (the engine does not see the balance)');
    if (phase === 'B with' && after.activePoints === before.activePoints && after.spentPoints === before.spentPoints) log('  note: the close did not change the ledger (session closes do not write loyalty entries on this build)');
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const pad = (s: string | number, n: number) => String(s).padStart(n);

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const db = await prepareDatabase();
  const base = await startOpenPromo(db.url);
  log([
    'bench/loyalty: getLoyaltyBalances of a long ledger; session closes with and without an earn-and-spend loyalty campaign',
    `machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}, ${os.platform()} ${os.release()}`,
    `store:   ${db.label}`,
    `seed:    ${SEED_PROFILES} profiles × ${ENTRIES_PER_PROFILE} entries, profile "${HEAVY}" with ${HEAVY_ENTRIES} (${DEDUCTIONS} of them deductions)`,
    `load:    balances ${BALANCE_REQUESTS} sequential reads after ${BALANCE_WARMUP}; sessions autocannon ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} rounds (A without and B with, the order swapped every round), ${WARMUP} s warm-up each`,
    '',
  ].join('\n'));

  const a = await newApplication(base, 'bench without loyalty');
  const b = await newApplication(base, 'bench with loyalty');
  const program = await api(base, MGMT, 'POST', '/v1/loyalty_programs', {
    title: 'Bench points', name: 'bench-points', subscribedApplications: [b.id], defaultValidity: 'unlimited', defaultPending: 'immediate',
    allowSubledger: false, sandbox: false, timezone: 'UTC', cardBased: false,
  });
  const programId = Number(program.id);
  await newCampaign(base, a.id, 'plain discount', [], PLAIN_RULES);
  await newCampaign(base, b.id, 'plain discount', [], PLAIN_RULES);
  await newCampaign(base, b.id, 'earn and spend', ['loyalty'], loyaltyRules(programId));

  // seed: the profiles' entries, then the heavy profile's additions and deductions
  const now = Date.now();
  const seeded: Sums = { active: 0, pending: 0, expired: 0, rows: 0 };
  const heavy: Sums = { active: 0, pending: 0, expired: 0, rows: 0 };
  const since = (t0: bigint) => `${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`;
  let t0 = process.hrtime.bigint();
  const seededRows = await importRows(base, programId, seedRows(now, seeded));
  log(`seed: ${seededRows} entries of ${SEED_PROFILES} profiles imported in ${since(t0)}`);
  t0 = process.hrtime.bigint();
  const heavyImported = await importRows(base, programId, heavyRows(now, heavy));
  log(`seed: ${heavyImported} entries of "${HEAVY}" imported in ${since(t0)}`);
  t0 = process.hrtime.bigint();
  for (let d = 0; d < DEDUCTIONS; d++) {
    await api(base, MGMT, 'PUT', `/v1/loyalty_programs/${programId}/profile/${HEAVY}/deduct_points`, { points: DEDUCTION_POINTS, name: 'bench spend' });
  }
  log(`seed: ${DEDUCTIONS} deductions of ${DEDUCTION_POINTS} points from "${HEAVY}" in ${since(t0)}`
    + (DEDUCTIONS > 0 ? ` (${(Number(process.hrtime.bigint() - t0) / 1e6 / DEDUCTIONS).toFixed(0)} ms each)` : ''));
  const ledgerEntries = await countEntries(base, programId, HEAVY);
  log(`"${HEAVY}" has ${ledgerEntries} ledger entries (exportLoyaltyLedger)`);
  if (ledgerEntries !== HEAVY_ENTRIES) throw new Error(`"${HEAVY}" should have ${HEAVY_ENTRIES} ledger entries, the export lists ${ledgerEntries}`);

  // balances: the heavy profile's must be the sums of what was seeded
  const spent = DEDUCTIONS * DEDUCTION_POINTS;
  const expected: Balance = { activePoints: heavy.active - spent, pendingPoints: heavy.pending, spentPoints: spent, expiredPoints: heavy.expired, negativePoints: 0 };
  const heavyUrl = `${base}/v1/loyalty_programs/${programId}/profile/${HEAVY}/balances`;
  const first = await get(heavyUrl, `ApiKey-v1 ${b.key}`);
  const got = (JSON.parse(first.body) as { balance?: Balance }).balance;
  log(`"${HEAVY}" balance: ${JSON.stringify(got)}`);
  const keys = Object.keys(expected) as (keyof Balance)[];
  if (first.status !== 200 || !got || keys.some((k) => got[k] !== expected[k])) throw new Error(`"${HEAVY}" balance: expected ${JSON.stringify(expected)}, got ${first.status} ${first.body}`);

  const [heavyMs, lightMs] = await timeReads([heavyUrl, `${base}/v1/loyalty_programs/${programId}/profile/p0/balances`], `ApiKey-v1 ${b.key}`, BALANCE_WARMUP, BALANCE_REQUESTS);
  const fmt = (s: number[]) => `p50 ${percentile(s, 0.5).toFixed(3)} ms, p99 ${percentile(s, 0.99).toFixed(3)} ms, max ${s[s.length - 1].toFixed(3)} ms`;
  log(`getLoyaltyBalances "${HEAVY}" (${ledgerEntries} entries): ${fmt(heavyMs)}`);
  log(`getLoyaltyBalances "p0" (${ENTRIES_PER_PROFILE} entries): ${fmt(lightMs)}`);
  agent.destroy();
  log('');

  // sessions: A without, B with, alternating
  await checkSessions(base, a, b, programId);
  if (WARMUP > 0) {
    await load(base, a.key, WARMUP);
    await load(base, b.key, WARMUP);
  }
  const rows: { phase: 'A' | 'B'; r: CannonResult; cpu: number | null }[] = [];
  log(`${'phase'.padEnd(12)} ${pad('round', 5)} ${pad('req/s', 8)} ${pad('p50 ms', 7)} ${pad('p99 ms', 7)} ${pad('non-2xx', 8)} ${pad('errors', 7)} ${pad('server CPU µs/req', 18)}`);
  for (let round = 1; round <= ROUNDS; round++) {
    const pair = [['A', a.key], ['B', b.key]] as const;
    for (const [phase, key] of round % 2 === 1 ? pair : [pair[1], pair[0]]) {
      const before = serverCpuMicros();
      const r = await load(base, key, DURATION);
      const after = serverCpuMicros();
      const cpu = before === null || after === null || r.requests.total === 0 ? null : (after - before) / r.requests.total;
      rows.push({ phase, r, cpu });
      log(`${(phase === 'A' ? 'A without' : 'B with').padEnd(12)} ${pad(round, 5)} ${pad(r.requests.average.toFixed(0), 8)} ${pad(r.latency.p50, 7)} ${pad(r.latency.p99, 7)} `
        + `${pad(r.non2xx, 8)} ${pad(r.errors + r.timeouts, 7)} ${pad(cpu === null ? '' : cpu.toFixed(0), 18)}`);
    }
  }
  const of = (phase: 'A' | 'B') => rows.filter((x) => x.phase === phase);
  const without = of('A');
  const withLoyalty = of('B');
  // per-round ratios: a slow spell of the shared machine weighs on both sides of a pair
  const ratio = round3(median(withLoyalty.map((x, i) => x.r.requests.average / without[i].r.requests.average)));
  const cpuMedian = (xs: typeof rows) => {
    const c = xs.filter((x) => x.cpu !== null).map((x) => x.cpu!);
    return c.length > 0 ? `${median(c).toFixed(0)} µs` : 'n/a';
  };
  // the same ratio by the server's CPU time per request (A / B): less sensitive to other processes on the host
  const cpuPairs = without.flatMap((x, i) => (x.cpu !== null && withLoyalty[i].cpu !== null ? [x.cpu / withLoyalty[i].cpu] : []));
  const cpuRatio = cpuPairs.length > 0 ? round3(median(cpuPairs)) : null;
  const failed = rows.reduce((s, x) => s + x.r.non2xx + x.r.errors + x.r.timeouts, 0);
  const result = {
    ledger_entries: ledgerEntries,
    balance_p50_ms: round3(percentile(heavyMs, 0.5)),
    balance_p99_ms: round3(percentile(heavyMs, 0.99)),
    session_ratio: ratio,
    sessions_rps_without: Math.round(median(without.map((x) => x.r.requests.average))),
    sessions_rps_with: Math.round(median(withLoyalty.map((x) => x.r.requests.average))),
    session_cpu_ratio: cpuRatio,
    store: db.url.startsWith('sqlite') ? 'sqlite' : 'postgres',
  };
  log('');
  log(`median over ${ROUNDS} rounds: without ${result.sessions_rps_without} req/s (server CPU ${cpuMedian(without)}/req), with ${result.sessions_rps_with} req/s `
    + `(${cpuMedian(withLoyalty)}/req); median of the per-round ratios ${ratio} (by server CPU per request ${cpuRatio}); ${failed} of ${rows.reduce((s, x) => s + x.r.requests.total, 0)} requests not 2xx or failed`);
  await cleanup();
  if (failed > 0) {
    process.stderr.write('some session requests failed: the figures are not a valid measurement\n');
    process.exitCode = 1;
  }
  log(`RESULT ${JSON.stringify(result)}`);
}

main().catch(async (err: Error) => {
  process.stderr.write(`bench/loyalty: ${err.stack ?? err.message}\n`);
  await cleanup();
  process.exit(1);
});
