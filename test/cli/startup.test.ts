/**
 * The start-up summary of `openpromo serve` (docs/cli.md, "Start-up summary"): with stdout piped it is
 * one JSON log line carrying every field; on a terminal the same fields as human lines
 * (renderStartupSummary). Secrets — the management key, the admin password, a database password — never
 * appear.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Fastify from 'fastify';
import { logStartupSummary, prettyLogLine, prettyLogStream, renderStartupSummary, type StartupSummary } from '../../src/cli/startup.js';
import { migrations } from '../../src/store/migrations.js';
import { freshPostgresUrl, dropTestSchemas } from '../helpers/stores.js';
import { startServe, stop, type Serving } from './processes.js';

const dir = mkdtempSync(join(os.tmpdir(), 'openpromo-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));
after(() => dropTestSchemas());

const LATEST = Math.max(...migrations('sqlite').map((m) => m.version));
const SECRETS = { OPENPROMO_MANAGEMENT_KEY: 'mgmt-secret-4711', OPENPROMO_ADMIN_PASSWORD: 'admin-secret-0815' };

/** The JSON log lines a server wrote so far, once the start-up summary is among them. */
async function summaryOf(s: Serving): Promise<{ lines: Record<string, any>[]; summary: Record<string, any> }> {
  for (let i = 0; i < 100; i++) {
    const lines = s.out().split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, any>);
    const line = lines.find((l) => l.startup !== undefined);
    if (line) return { lines, summary: line };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no start-up summary in:\n${s.out()}`);
}

test('piped stdout: the summary is one JSON log line with the URL, the SQLite file, the migration version, the Management API and /docs', async () => {
  const file = join(dir, 'shop.db');
  const env = { ...process.env, DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'info', OPENPROMO_ADMIN_EMAIL: 'admin@example.com', ...SECRETS };
  const s = await startServe(env);
  try {
    const { summary } = await summaryOf(s);
    assert.equal(summary.level, 30, 'an info line of the pino logger');
    assert.equal(summary.msg, `OpenPromo is running at ${s.base}`);
    const st = summary.startup;
    assert.equal(st.url, s.base);
    assert.equal(st.docs, `${s.base}/docs`);
    assert.equal(st.openapi, `${s.base}/openapi.json`);
    assert.deepEqual(st.store, { kind: 'sqlite', file });
    assert.deepEqual(st.migrations, { version: LATEST, applied: migrations('sqlite').length });
    assert.deepEqual(st.management, { enabled: true, managementKey: true, adminLogin: true, adminEmail: 'admin@example.com' });
    // the places it names are really there
    assert.equal((await fetch(st.docs)).status, 200);
    assert.equal((await fetch(st.openapi)).status, 200);
    for (const secret of Object.values(SECRETS)) assert.ok(!s.out().includes(secret), 'no secret in the log');
  } finally {
    await stop(s.child);
  }
  // a second start on the same file: nothing left to migrate; the Management API off, half an admin login said so
  const again = await startServe({ ...process.env, DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'info', OPENPROMO_ADMIN_EMAIL: 'admin@example.com' });
  try {
    const { summary } = await summaryOf(again);
    assert.deepEqual(summary.startup.migrations, { version: LATEST, applied: 0 });
    assert.deepEqual(summary.startup.management, {
      enabled: false, managementKey: false, adminLogin: false, adminEmail: 'admin@example.com', missing: 'OPENPROMO_ADMIN_PASSWORD',
    });
  } finally {
    await stop(again.child);
  }
});

test('PostgreSQL: host, port, database, user and schema, never the password', async (t) => {
  const url = await freshPostgresUrl();
  if (!url) return t.skip('PostgreSQL not available');
  const u = new URL(url);
  u.password = 'pg-secret-1234'; // trust authentication ignores it; the summary must not show it
  const schema = /search_path=(\w+)/.exec(decodeURIComponent(u.search))![1];
  const s = await startServe({ ...process.env, DATABASE_URL: u.toString(), LOG_LEVEL: 'info' });
  try {
    const { summary } = await summaryOf(s);
    assert.deepEqual(summary.startup.store, {
      kind: 'postgres', host: u.hostname, port: Number(u.port || 5432), database: u.pathname.slice(1), user: decodeURIComponent(u.username), schema,
    });
    assert.equal(summary.startup.migrations.version, Math.max(...migrations('postgres').map((m) => m.version)));
    assert.ok(!s.out().includes('pg-secret-1234'));
  } finally {
    await stop(s.child);
  }
});

const base: StartupSummary = {
  url: 'http://127.0.0.1:3000',
  docs: 'http://127.0.0.1:3000/docs',
  openapi: 'http://127.0.0.1:3000/openapi.json',
  store: { kind: 'sqlite', file: '/srv/openpromo/data/openpromo.db' },
  migrations: { version: 21, applied: 4 },
  management: { enabled: true, managementKey: true, adminLogin: false },
};

test('on a terminal: the same summary as plain lines', () => {
  assert.equal(renderStartupSummary(base), [
    'OpenPromo is running at http://127.0.0.1:3000',
    '  API docs        http://127.0.0.1:3000/docs (OpenAPI document: http://127.0.0.1:3000/openapi.json)',
    '  Store           SQLite file /srv/openpromo/data/openpromo.db (this process only)',
    '  Migrations      version 21 (4 applied now)',
    '  Management API  enabled: management key set (OPENPROMO_MANAGEMENT_KEY)',
    'Stop it with Ctrl-C.',
    '',
  ].join('\n'));
  const pg = renderStartupSummary({
    ...base,
    url: 'http://localhost:8080', listen: '0.0.0.0:8080',
    store: { kind: 'postgres', host: 'db.internal', port: 5432, database: 'promo', user: 'openpromo', schema: 'shop' },
    migrations: { version: 21, applied: 0 },
    management: { enabled: false, managementKey: false, adminLogin: false, adminEmail: 'a@example.com', missing: 'OPENPROMO_ADMIN_PASSWORD' },
  });
  assert.match(pg, /^OpenPromo is running at http:\/\/localhost:8080 \(listening on 0\.0\.0\.0:8080\)$/m);
  assert.match(pg, /^ {2}Store {11}PostgreSQL openpromo@db\.internal:5432, database promo, schema shop$/m);
  assert.match(pg, /^ {2}Migrations {6}version 21, up to date$/m);
  assert.match(pg, /^ {2}Management API {2}disabled: set OPENPROMO_MANAGEMENT_KEY, or OPENPROMO_ADMIN_EMAIL and OPENPROMO_ADMIN_PASSWORD; admin login incomplete: OPENPROMO_ADMIN_PASSWORD is not set$/m);
  assert.ok(!pg.includes('{'), 'no JSON on a terminal');
  assert.match(renderStartupSummary({ ...base, store: { kind: 'sqlite', memory: true } }), /Store {11}SQLite in memory/);
});

test('on a terminal the summary still goes through the logger: its stream renders the record as those lines', async () => {
  const out: string[] = [];
  const app = Fastify({ logger: { level: 'info', stream: prettyLogStream((text) => out.push(text)) } });
  logStartupSummary(app.log, base);
  app.log.info({ signal: 'SIGTERM' }, 'shutting down');
  app.log.debug('below the level: not written');
  await app.close();
  assert.equal(out[0], renderStartupSummary(base));
  assert.match(out[1], /^\d{2}:\d{2}:\d{2}\.\d{3} INFO {2}shutting down \{"signal":"SIGTERM"\}\n$/);
  assert.ok(out.slice(1).every((line) => !line.includes('"pid"')), 'pid and hostname are left out');
  assert.equal(out.filter((l) => l.includes('below the level')).length, 0);
  const silent = Fastify({ logger: { level: 'warn', stream: prettyLogStream((text) => out.push(text)) } });
  const before = out.length;
  logStartupSummary(silent.log, base);
  await silent.close();
  assert.equal(out.length, before, 'LOG_LEVEL=warn hides the summary too');
  assert.equal(prettyLogLine('not json\n'), 'not json\n');
});
