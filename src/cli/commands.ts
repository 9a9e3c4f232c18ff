/**
 * The command line of `openpromo` (docs/cli.md): its commands, their options and usage texts, and the
 * parser that turns argv into a command to run, a help text to print, or a UsageError.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

interface CommandSpec {
  /** one line, for the list of commands */
  summary: string;
  /** the command's own usage (after "Usage: openpromo ") */
  usage: string;
  options: Options;
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies Options;

const ENVIRONMENT = `Configuration is read from the environment (docs/cli.md, README "Configuration"):
  DATABASE_URL              sqlite:<path> (default sqlite:./data/openpromo.db), sqlite::memory:,
                            or postgres://user:pass@host:5432/db
  HOST, PORT                where serve listens (default 127.0.0.1:3000)
  OPENPROMO_MANAGEMENT_KEY  enables the Management API for "ManagementKey-v1 <key>"
  OPENPROMO_ADMIN_EMAIL, OPENPROMO_ADMIN_PASSWORD
                            enable the Management API login (POST /v1/sessions)
  LOG_LEVEL                 fatal, error, warn, info (default), debug, trace, silent`;

const COMMANDS = {
  serve: {
    summary: 'serve the Integration and Management APIs (runs migrations first)',
    usage: `serve

Serves the APIs on HOST:PORT with the store DATABASE_URL, after running its migrations, and prints a
start-up summary: human lines on a terminal, JSON log lines otherwise. Only one process may serve a
SQLite file; several processes share PostgreSQL. SIGTERM or SIGINT (Ctrl-C) stops it after the requests
in flight have been answered.

Options:
  -h, --help    show this help

${ENVIRONMENT}`,
    options: { ...HELP_OPTION },
  },
  'create-application': {
    summary: 'create an Application; prints it as JSON',
    usage: `create-application --name <name> --currency <code> [--timezone <zone>]

Creates an Application in DATABASE_URL and prints it as JSON (its id is what create-api-key needs).

Options:
  --name <name>       the Application's name (required)
  --currency <code>   ISO 4217 currency code, such as EUR or USD (required)
  --timezone <zone>   IANA time zone name, such as Europe/Berlin (default UTC)
  -h, --help          show this help`,
    options: { name: { type: 'string' }, currency: { type: 'string' }, timezone: { type: 'string' }, ...HELP_OPTION },
  },
  'create-api-key': {
    summary: 'create an Integration API key for an Application; prints it once',
    usage: `create-api-key --application <id> [--title <title>] [--expires <date-time>]

Creates an Integration API key ("Authorization: ApiKey-v1 <key>") for one Application and prints it as
JSON. The key is shown only this once; it is stored hashed.

Options:
  --application <id>      the Application's id (required)
  --title <title>         a name for the key (default cli)
  --expires <date-time>   RFC 3339 date-time, such as 2030-01-01T00:00:00Z (default: a year from now)
  -h, --help              show this help`,
    options: { application: { type: 'string' }, title: { type: 'string' }, expires: { type: 'string' }, ...HELP_OPTION },
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

const isCommand = (s: string): s is CommandName => Object.hasOwn(COMMANDS, s);

/** The general usage, or a command's own. */
export function usage(command?: CommandName): string {
  if (command) return `Usage: openpromo ${COMMANDS[command].usage}\n`;
  const names = Object.keys(COMMANDS) as CommandName[];
  const width = Math.max(...names.map((n) => n.length), 'help [command]'.length) + 2;
  const line = (name: string, text: string) => `  ${name.padEnd(width)}${text}`;
  return `Usage: openpromo <command> [options]

Commands:
${names.map((n) => line(n, COMMANDS[n].summary)).join('\n')}
${line('help [command]', 'show this help, or a command\'s')}

Options:
${line('-h, --help', 'show this help (after a command: the command\'s own)')}

Run "openpromo <command> --help" for a command's options. npm start runs "openpromo serve".

${ENVIRONMENT}
`;
}

/** A command line that cannot run: the caller prints the message and the usage (of `command`, if known) and exits 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: CommandName) {
    super(message);
    this.name = 'UsageError';
  }
}

export type CommandLine =
  | { kind: 'help'; text: string }
  | { kind: 'run'; command: CommandName; values: Record<string, string | undefined> };

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given');
  if (first === '-h' || first === '--help') return { kind: 'help', text: usage() };
  if (first === 'help') {
    const [topic, ...extra] = rest;
    if (topic === undefined || topic === '-h' || topic === '--help') return { kind: 'help', text: usage() };
    if (!isCommand(topic)) throw new UsageError(`unknown command "${topic}"`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    return { kind: 'help', text: usage(topic) };
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option "${first}" (options follow the command)`);
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}"`);
  const options: Options = COMMANDS[first].options;
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(parseArgsMessage(err), first);
  }
  if (values.help === true) return { kind: 'help', text: usage(first) };
  const strings: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string') strings[k] = v;
  return { kind: 'run', command: first, values: strings };
}

/** node:util parseArgs's errors, said shortly: which option or argument, and what is wrong with it. */
function parseArgsMessage(err: unknown): string {
  const { code, message } = err as { code?: string; message: string };
  const quoted = /'([^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option "${quoted}"`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted) return `unexpected argument "${quoted}"`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /(--[\w-]+)/.exec(message)?.[1];
    if (option) return message.includes('does not take an argument') ? `option "${option}" takes no value` : `option "${option}" needs a value`;
  }
  return message;
}
