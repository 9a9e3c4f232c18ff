/**
 * The start-up summary of `openpromo serve` (docs/cli.md, "Start-up summary"): where the server listens,
 * which store it uses (never a password), the schema's migration version, whether the Management API is
 * on, and where the API docs are. Human lines on a terminal, one JSON log line otherwise.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../store/db.js';
import { describeDatabaseUrl, type StoreDescription } from '../store/open.js';
import type { Config } from './config.js';

export interface StartupSummary {
  url: string;
  /** the interface as configured (HOST), when it differs from the URL's host (0.0.0.0, ::) */
  listen?: string;
  docs: string;
  openapi: string;
  store: StoreDescription & { schema?: string };
  migrations: { version: number; applied: number };
  management: {
    enabled: boolean;
    /** OPENPROMO_MANAGEMENT_KEY is set (its value is never shown) */
    managementKey: boolean;
    /** OPENPROMO_ADMIN_EMAIL and OPENPROMO_ADMIN_PASSWORD are both set: POST /v1/sessions logs in */
    adminLogin: boolean;
    adminEmail?: string;
    /** what is missing for the admin login when only half of it is set */
    missing?: string;
  };
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** Gathers the summary once the server listens on `port`; `applied` is what migrate() answered. */
export async function startupSummary(config: Config, db: Database, port: number, applied: number): Promise<StartupSummary> {
  const { version, schema } = await db.transaction(async (sql) => {
    const v = await sql.get<{ v: number | string | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const s = sql.dialect === 'postgres' ? await sql.get<{ s: string | null }>('SELECT current_schema() AS s') : undefined;
    return { version: Number(v?.v ?? 0), schema: s?.s ?? undefined };
  });
  const host = WILDCARD.has(config.host) ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const adminEmail = config.adminEmail;
  const adminLogin = adminEmail !== undefined && config.adminPassword !== undefined;
  const missing = adminEmail !== undefined && !adminLogin ? 'OPENPROMO_ADMIN_PASSWORD'
    : adminEmail === undefined && config.adminPassword !== undefined ? 'OPENPROMO_ADMIN_EMAIL' : undefined;
  const managementKey = config.managementKey !== undefined;
  return {
    url,
    ...(WILDCARD.has(config.host) ? { listen: `${config.host || '0.0.0.0'}:${port}` } : {}),
    docs: `${url}/docs`,
    openapi: `${url}/openapi.json`,
    store: { ...describeDatabaseUrl(config.databaseUrl), ...(schema !== undefined ? { schema } : {}) },
    migrations: { version, applied },
    management: {
      enabled: managementKey || adminLogin,
      managementKey,
      adminLogin,
      ...(adminEmail !== undefined ? { adminEmail } : {}),
      ...(missing !== undefined ? { missing } : {}),
    },
  };
}

function describeStore(store: StartupSummary['store']): string {
  if (store.kind === 'postgres') {
    const who = store.user !== undefined ? `${store.user}@` : '';
    return `PostgreSQL ${who}${store.host}:${store.port}, database ${store.database}${store.schema !== undefined ? `, schema ${store.schema}` : ''}`;
  }
  return 'memory' in store ? 'SQLite in memory (nothing is kept after exit)' : `SQLite file ${store.file} (this process only)`;
}

function describeManagement(m: StartupSummary['management']): string {
  const ways: string[] = [];
  if (m.managementKey) ways.push('management key set (OPENPROMO_MANAGEMENT_KEY)');
  if (m.adminLogin) ways.push(`admin login ${m.adminEmail} (POST /v1/sessions)`);
  const incomplete = m.missing !== undefined ? `; admin login incomplete: ${m.missing} is not set` : '';
  if (!m.enabled) return `disabled: set OPENPROMO_MANAGEMENT_KEY, or OPENPROMO_ADMIN_EMAIL and OPENPROMO_ADMIN_PASSWORD${incomplete}`;
  return `enabled: ${ways.join('; ')}${incomplete}`;
}

/** The summary as people read it on a terminal. */
export function renderStartupSummary(s: StartupSummary): string {
  const rows: [string, string][] = [
    ['API docs', `${s.docs} (OpenAPI document: ${s.openapi})`],
    ['Store', describeStore(s.store)],
    ['Migrations', `version ${s.migrations.version}${s.migrations.applied > 0 ? ` (${s.migrations.applied} applied now)` : ', up to date'}`],
    ['Management API', describeManagement(s.management)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const listen = s.listen !== undefined ? ` (listening on ${s.listen})` : '';
  return [
    `OpenPromo is running at ${s.url}${listen}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`),
    'Stop it with Ctrl-C.',
    '',
  ].join('\n');
}

/** Logs the summary at info level, one log line whose `startup` property holds every field. */
export function logStartupSummary(log: FastifyBaseLogger, s: StartupSummary): void {
  log.info({ startup: s }, `OpenPromo is running at ${s.url}`);
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * One pino JSON line as a person reads it: the start-up summary as its lines, any other record as
 * `time LEVEL message {other fields}`. A line that is not JSON passes through unchanged.
 */
export function prettyLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (record.startup !== undefined) return renderStartupSummary(record.startup as StartupSummary);
  const { level, time, msg, pid: _pid, hostname: _hostname, ...rest } = record;
  const when = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const name = (typeof level === 'number' ? LEVEL_NAMES[level] : undefined) ?? String(level);
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${when} ${name.padEnd(5)} ${typeof msg === 'string' ? msg : ''}${extra}\n`;
}

/** The logger's destination on a terminal: every line rendered by prettyLogLine. */
export const prettyLogStream = (write: (text: string) => void) => ({ write: (line: string) => write(prettyLogLine(line)) });
