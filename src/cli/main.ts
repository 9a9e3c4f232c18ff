#!/usr/bin/env node
/** `openpromo <command>`: serve the API, or provision without curl. */
import { parseArgs } from 'node:util';
import { buildServer } from '../http/server.js';
import { createApplication } from '../services/applications/manage.js';
import { createApiKey } from '../services/auth/keys.js';
import { createContext } from '../services/context.js';
import { openDatabase } from '../store/open.js';
import { configFromEnv } from './config.js';

const USAGE = `Usage: openpromo <command> [options]

Commands:
  serve                                         serve the API (HOST, PORT, DATABASE_URL…)
  create-application --name N --currency C [--timezone TZ]
                                                create an Application; prints its id
  create-api-key --application ID [--title T] [--expires ISO-DATE]
                                                create an Integration API key; prints it once
`;

async function openContext() {
  const config = configFromEnv();
  const db = openDatabase(config.databaseUrl);
  await db.migrate();
  return { config, db, ctx: createContext(db, config) };
}

async function serve(): Promise<void> {
  const { config, db, ctx } = await openContext();
  const app = await buildServer(ctx, { logLevel: config.logLevel });
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
}

async function provision(command: string, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' }, currency: { type: 'string' }, timezone: { type: 'string' },
      application: { type: 'string' }, title: { type: 'string' }, expires: { type: 'string' },
    },
  });
  const { db, ctx } = await openContext();
  try {
    if (command === 'create-application') {
      if (!values.name || !values.currency) throw new Error('create-application needs --name and --currency');
      const app = await createApplication(ctx, { name: values.name, currency: values.currency, timezone: values.timezone ?? 'UTC' });
      process.stdout.write(`${JSON.stringify({ id: app.id, name: app.name, currency: app.currency, timezone: app.timezone })}\n`);
    } else {
      const id = Number(values.application);
      if (!Number.isInteger(id) || id < 1) throw new Error('create-api-key needs --application <id>');
      const expires = values.expires ?? new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString();
      const key = await createApiKey(ctx, id, { title: values.title ?? 'cli', expires });
      process.stdout.write(`${JSON.stringify({ id: key.id, applicationId: id, expires: key.expires, key: key.key })}\n`);
    }
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'serve' || command === undefined) return serve();
  if (command === 'create-application' || command === 'create-api-key') return provision(command, rest);
  process.stderr.write(USAGE);
  process.exit(command === 'help' || command === '--help' ? 0 : 2);
}

main().catch((err: Error) => {
  process.stderr.write(`openpromo: ${err.message}\n`);
  process.exit(1);
});
