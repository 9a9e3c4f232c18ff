/**
 * README.md's "Using the official SDK" table is the one rendered from test/fixtures/talon-one-sdk-calls.json,
 * which the compatibility tests check against what they actually exercised (test/compat/sdk-calls.ts): the
 * table cannot claim a call no test drives, nor miss one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readSdkCalls, repoRoot, type SdkCall } from './sdk-calls.js';

const BEGIN = '<!-- sdk-calls:begin (generated from test/fixtures/talon-one-sdk-calls.json, checked by test/compat/sdk-readme.test.ts) -->';
const END = '<!-- sdk-calls:end -->';

/** One row per call and endpoint: the 4.3.0 methods first, then the endpoints driven through `ApiClient.callApi`. */
function renderTable(files: Record<string, SdkCall[]>): string {
  const rows = new Map<string, SdkCall>();
  for (const calls of Object.values(files)) for (const c of calls) rows.set(`${c.call} ${c.method} ${c.path}`, c);
  const order = (c: SdkCall) => (c.call.startsWith('IntegrationApi.') ? 0 : c.call.startsWith('ManagementApi.') ? 1 : 2);
  const sorted = [...rows.values()].sort((a, b) => order(a) - order(b) || a.call.localeCompare(b.call) || a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  const line = (c: SdkCall) => `| \`${c.call === 'ApiClient.callApi' ? 'ApiClient.callApi' : c.call + '()'}\` | \`${c.method} ${c.path}\` |`;
  return ['| talon_one 4.3.0 call | endpoint |', '|---|---|', ...sorted.map(line)].join('\n');
}

test('README.md lists exactly the talon_one calls the compatibility tests exercise', () => {
  const readme = readFileSync(new URL('README.md', repoRoot()), 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  const expected = renderTable(readSdkCalls().files);
  assert.ok(start >= 0 && end > start, `README.md must hold the generated table between\n${BEGIN}\nand\n${END}\n\n${expected}`);
  assert.equal(readme.slice(start + BEGIN.length, end).trim(), expected, `README.md's SDK table is out of date; replace it with:\n\n${expected}`);
});
