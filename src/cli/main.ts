#!/usr/bin/env node
/** `openpromo <command>`: serve the API, or provision without curl (docs/cli.md). */
import { buildServer } from '../http/server.js';
import { AppError } from '../domain/errors.js';
import { createApplication } from '../services/applications/manage.js';
import { createApiKey } from '../services/auth/keys.js';
import { createContext } from '../services/context.js';
import { openDatabase } from '../store/open.js';
import { parseCommandLine, usage, UsageError, type CommandName } from './commands.js';
import { configFromEnv } from './config.js';
import { logStartupSummary, prettyLogStream, startupSummary } from './startup.js';

/** Exit codes: 0 done (or help printed), 1 failed, 2 the command line is wrong (a usage error). */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

async function serve(): Promise<void> {
  const config = configFromEnv();
  // exclusive: a SQLite file is locked for this process, and a second one is refused (store/sqlite/lock.ts)
  const db = openDatabase(config.databaseUrl, { exclusive: true });
  let applied: number;
  try {
    applied = await db.migrate();
  } catch (err) {
    await db.close();
    throw err;
  }
  const ctx = createContext(db, config);
  // people read a terminal, machines read everything else: the same log lines, rendered for the reader
  const logStream = process.stdout.isTTY ? prettyLogStream((text) => process.stdout.write(text)) : undefined;
  const app = await buildServer(ctx, { logLevel: config.logLevel, ...(logStream ? { logStream } : {}) });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close(); // stops accepting, waits for in-flight requests
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  try {
    const summary = await startupSummary(config, db, port, applied);
    logStartupSummary(app.log, summary);
  } catch (err) {
    // the server runs; /readyz tells whether the store answers
    app.log.warn({ err }, 'start-up summary unavailable');
  }
}

/** The flag a service's field error is about, per command (its JSON pointer → the option that set it). */
const FLAGS: Partial<Record<CommandName, Record<string, string>>> = {
  'create-application': { '/name': '--name', '/currency': '--currency', '/timezone': '--timezone' },
  'create-api-key': { '/expires': '--expires', '/title': '--title' },
};

async function provision(command: 'create-application' | 'create-api-key', values: Record<string, string | undefined>): Promise<void> {
  // the command line first: a wrong one is refused before the store is opened
  let run: (ctx: ReturnType<typeof createContext>) => Promise<unknown>;
  if (command === 'create-application') {
    const { name, currency, timezone } = values;
    if (name === undefined || currency === undefined) throw new UsageError(`missing ${name === undefined ? '--name' : '--currency'}`, command);
    run = async (ctx) => {
      const app = await createApplication(ctx, { name, currency, timezone: timezone ?? 'UTC' });
      return { id: app.id, name: app.name, currency: app.currency, timezone: app.timezone };
    };
  } else {
    if (values.application === undefined) throw new UsageError('missing --application', command);
    const id = Number(values.application);
    if (!/^\d+$/.test(values.application) || !Number.isSafeInteger(id) || id < 1) {
      throw new UsageError(`--application must be an Application id (a positive integer); got ${JSON.stringify(values.application)}`, command);
    }
    const expires = values.expires ?? new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString();
    run = async (ctx) => {
      const key = await createApiKey(ctx, id, { title: values.title ?? 'cli', expires });
      return { id: key.id, applicationId: id, expires: key.expires, key: key.key };
    };
  }
  const config = configFromEnv();
  const db = openDatabase(config.databaseUrl);
  try {
    await db.migrate();
    const out = await run(createContext(db, config)).catch((err: unknown) => {
      throw flagError(command, err);
    });
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await db.close();
  }
}

/** A service's 400 naming a field the command line set, said as a usage error naming its flag. */
function flagError(command: CommandName, err: unknown): unknown {
  if (!(err instanceof AppError) || err.status !== 400) return err;
  const pointer = err.errors[0]?.source.pointer;
  const flag = pointer !== undefined ? FLAGS[command]?.[pointer] : undefined;
  if (flag === undefined) return err;
  const field = pointer!.slice(1);
  const text = err.message.startsWith(`${field} `) ? `${flag}${err.message.slice(field.length)}` : `${flag}: ${err.message}`;
  return new UsageError(text, command);
}

async function main(argv: readonly string[]): Promise<void> {
  const line = parseCommandLine(argv);
  if (line.kind === 'help') {
    process.stdout.write(line.text);
    return;
  }
  if (line.command === 'serve') return serve();
  return provision(line.command, line.values);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    const where = err.command !== undefined ? `openpromo ${err.command}` : 'openpromo';
    const hint = err.command !== undefined ? `Run "openpromo ${err.command} --help" for its usage.` : 'Run "openpromo --help" for usage.';
    // an unknown option or a missing command: the usage itself; a wrong value: the message and where to look
    const full = /^(unknown|unexpected|no command|missing)/.test(err.message);
    process.stderr.write(`${where}: ${err.message}\n${full ? `\n${usage(err.command)}` : `${hint}\n`}`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`openpromo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT_FAILED);
});
