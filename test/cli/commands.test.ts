/**
 * The command line (docs/cli.md), run through the package's bin as `npx openpromo …` runs it: help for
 * every spelling exits 0 on stdout; no command, an unknown command or option exits 2 with the usage on
 * stderr; currency and time zone are checked (ISO 4217, IANA) and a refusal names the flag.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openpromo } from './processes.js';

const dir = mkdtempSync(join(os.tmpdir(), 'openpromo-commands-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'op.db')}`, LOG_LEVEL: 'warn' };
const run = (...args: string[]) => openpromo(args, env);

test('--help, -h and help print the usage on stdout and exit 0', async () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    const r = await run(...args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /^Usage: openpromo <command> \[options\]$/m);
    for (const c of ['serve', 'create-application', 'create-api-key', 'help \\[command\\]']) assert.match(r.stdout, new RegExp(`^ {2}${c} `, 'm'));
    assert.equal(r.stderr, '');
  }
});

test('a command\'s --help, -h, and help <command> print that command\'s usage and run nothing', async () => {
  const expect: Record<string, RegExp> = {
    serve: /^Usage: openpromo serve$/m,
    'create-application': /^Usage: openpromo create-application --name <name> --currency <code> \[--timezone <zone>\]$/m,
    'create-api-key': /^Usage: openpromo create-api-key --application <id> /m,
  };
  for (const [command, usage] of Object.entries(expect)) {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command]]) {
      const r = await run(...args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, usage);
      assert.doesNotMatch(r.stdout, /<command>/, 'the command\'s own usage, not the general one');
    }
  }
  // help does not start a server nor create anything, even with the other options given
  const r = await run('create-application', '--name', 'X', '--currency', 'EUR', '--help');
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stdout, /"id"/);
});

test('no command is a usage error: the usage on stderr, exit 2, no server started', async () => {
  const r = await run();
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^openpromo: no command given$/m);
  assert.match(r.stderr, /^Usage: openpromo <command> \[options\]$/m);
});

test('unknown commands and options say which, with the usage of the command they were given to', async () => {
  const cmd = await run('frobnicate');
  assert.equal(cmd.code, 2);
  assert.match(cmd.stderr, /^openpromo: unknown command "frobnicate"$/m);
  assert.match(cmd.stderr, /^Usage: openpromo <command>/m);

  const opt = await run('serve', '--port', '8080');
  assert.equal(opt.code, 2);
  assert.match(opt.stderr, /^openpromo serve: unknown option "--port"$/m);
  assert.match(opt.stderr, /^Usage: openpromo serve$/m);

  const first = await run('--verbose');
  assert.equal(first.code, 2);
  assert.match(first.stderr, /^openpromo: unknown option "--verbose"/m);

  const extra = await run('create-api-key', '--application', '1', 'extra');
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /^openpromo create-api-key: unexpected argument "extra"$/m);
  assert.match(extra.stderr, /^Usage: openpromo create-api-key /m);

  const missing = await run('create-application', '--name', 'Shop');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^openpromo create-application: missing --currency$/m);
  assert.match(missing.stderr, /^Usage: openpromo create-application /m);

  const noValue = await run('create-application', '--name');
  assert.equal(noValue.code, 2);
  assert.match(noValue.stderr, /^openpromo create-application: option "--name" needs a value$/m);

  const notId = await run('create-api-key', '--application', 'abc');
  assert.equal(notId.code, 2);
  assert.match(notId.stderr, /--application must be an Application id/);
});

test('create-application takes ISO 4217 currencies and IANA time zones; a refusal names the flag and exits 2', async () => {
  const bad: [string[], RegExp][] = [
    [['--currency', 'euro'], /^openpromo create-application: --currency must be an ISO 4217 currency code .*; got "euro"$/m],
    [['--currency', 'eur'], /--currency must be an ISO 4217 currency code \(did you mean EUR\?\)/],
    [['--currency', 'EUR', '--timezone', 'Mars/Base'], /^openpromo create-application: --timezone must be an IANA time zone name .*; got "Mars\/Base"$/m],
    [['--currency', 'EUR', '--timezone', 'europe/berlin'], /--timezone must be an IANA time zone name \(did you mean Europe\/Berlin\?\)/],
    [['--currency', 'EUR', '--timezone', '+01:00'], /--timezone must be an IANA time zone name/],
  ];
  for (const [args, message] of bad) {
    const r = await run('create-application', '--name', 'Shop', ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
  for (const [currency, timezone] of [['EUR', 'Europe/Berlin'], ['JPY', 'Asia/Tokyo'], ['USD', 'America/New_York'], ['CHF', 'UTC'], ['GBP', 'Etc/UTC']]) {
    const r = await run('create-application', '--name', 'Shop', '--currency', currency, '--timezone', timezone);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual({ ...JSON.parse(r.stdout), id: 0 }, { id: 0, name: 'Shop', currency, timezone });
  }
  const expires = await run('create-api-key', '--application', '1', '--expires', 'soon');
  assert.equal(expires.code, 2);
  assert.match(expires.stderr, /^openpromo create-api-key: --expires must be an RFC 3339 date-time$/m);
});
