#!/usr/bin/env node
/**
 * Writes src/http/talon-one-operations.json: every operation of Talon.One's public OpenAPI document
 * (method, path, operationId, which API, summary, and for a deprecated one the operation its
 * description points to instead). The server answers 501 naming the operation for each one it does
 * not serve (docs/api-coverage.md). Deterministic output, committed, so nothing needs ../shared at run time.
 *
 *   node scripts/extract-talon-operations.mjs [path/to/openapi.yaml]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(root, process.argv[2] ?? '../shared/reference/talon-one-openapi-25.17.yaml');
const target = resolve(root, 'src/http/talon-one-operations.json');

const doc = parse(readFileSync(source, 'utf8'));
const version = /openapi-([0-9.]+)\.ya?ml$/.exec(source)?.[1] ?? doc.info.version;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const operations = [];
for (const [path, item] of Object.entries(doc.paths)) {
  for (const method of METHODS) {
    const op = item[method];
    if (!op?.operationId) continue;
    const entry = {
      operationId: op.operationId,
      method: method.toUpperCase(),
      path,
      api: (op.tags ?? []).includes('integration') ? 'integration' : 'management',
      summary: String(op.summary ?? '').trim(),
    };
    if (op.deprecated) {
      // the last operation a deprecated one's description links to is its recommended replacement
      const links = [...String(op.description ?? '').matchAll(/operation\/([A-Za-z0-9]+)\)/g)].map((m) => m[1]).filter((id) => id !== op.operationId);
      if (links.length > 0) entry.insteadUse = links[links.length - 1];
    }
    operations.push(entry);
  }
}
operations.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
writeFileSync(target, JSON.stringify({ source: `Talon.One OpenAPI ${version}`, operations }, null, 1) + '\n');
console.log(`wrote ${operations.length} operations to ${target}`);
