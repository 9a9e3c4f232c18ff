/**
 * Which talon_one 4.3.0 calls the compatibility tests exercise, recorded per test file in
 * test/fixtures/talon-one-sdk-calls.json. README.md's "Using the official SDK" table is rendered from
 * that file and checked by test/compat/sdk-readme.test.ts, so the table says exactly what the tests drive.
 *
 * A call counts when it resolves, i.e. the server answered 2xx and the SDK parsed the answer. Calls made
 * through `ApiClient.callApi` directly (endpoints 4.3.0 has no method for) are recorded as `ApiClient.callApi`.
 * The last test of a file compares what ran with the file's entry; `UPDATE_SDK_CALLS=1` rewrites the entry instead.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';

export interface SdkCall { call: string; method: string; path: string }
interface SdkCallsFixture { note: string; files: Record<string, SdkCall[]> }

const FIXTURE = 'test/fixtures/talon-one-sdk-calls.json';

/** The repository root, found from this file upwards (the source tree and any build directory alike). */
export function repoRoot(): URL {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    if (existsSync(new URL('README.md', dir)) && existsSync(new URL('test/compat/', dir))) return dir;
    if (dir.pathname === '/') throw new Error('repository root (README.md next to test/compat/) not found');
  }
}

export function readSdkCalls(): SdkCallsFixture {
  const f = new URL(FIXTURE, repoRoot());
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) as SdkCallsFixture : { note: '', files: {} };
}

const key = (c: SdkCall) => `${c.call} ${c.method} ${c.path}`;
const byKey = (a: SdkCall, b: SdkCall) => key(a).localeCompare(key(b));

/**
 * Wraps the SDK's operations and transport to record every call that resolves; `file` names the test file
 * (its entry in the fixture). Registers the check as the file's last test, so call it after the file's suites.
 */
export function recordSdkCalls(TalonOne: any, file: string): void {
  const seen = new Map<string, SdkCall>();
  let current: string | undefined;
  for (const api of ['IntegrationApi', 'ManagementApi']) {
    const proto = TalonOne[api].prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!name.endsWith('WithHttpInfo')) continue;
      const original = proto[name] as (...args: unknown[]) => unknown;
      const call = `${api}.${name.slice(0, -'WithHttpInfo'.length)}`;
      // the operation calls callApi synchronously, so the transport sees which operation it serves
      proto[name] = function (this: unknown, ...args: unknown[]) {
        const outer = current;
        current = call;
        try { return original.apply(this, args); } finally { current = outer; }
      };
    }
  }
  const transport = TalonOne.ApiClient.prototype.callApi as (...args: unknown[]) => Promise<unknown>;
  TalonOne.ApiClient.prototype.callApi = function (this: unknown, path: string, method: string, ...rest: unknown[]) {
    const entry = { call: current ?? 'ApiClient.callApi', method, path };
    return transport.call(this, path, method, ...rest).then((r) => { seen.set(key(entry), entry); return r; });
  };

  test(`the talon_one calls this file exercises are the ones listed in ${FIXTURE}`, () => {
    const ran = [...seen.values()].sort(byKey);
    const fixture = readSdkCalls();
    if (process.env.UPDATE_SDK_CALLS === '1') {
      fixture.note = 'Written by test/compat/sdk-calls.ts (UPDATE_SDK_CALLS=1): the talon_one 4.3.0 calls each compatibility test file drives to a 2xx answer. README.md renders it.';
      fixture.files = Object.fromEntries(Object.entries({ ...fixture.files, [file]: ran }).sort(([a], [b]) => a.localeCompare(b)));
      writeFileSync(new URL(FIXTURE, repoRoot()), `${JSON.stringify(fixture, null, 1)}\n`);
      return;
    }
    assert.deepEqual(ran, fixture.files[file] ?? [], `the calls ${file} exercised differ from ${FIXTURE}: run the tests with UPDATE_SDK_CALLS=1 and update README.md`);
  });
}
