/**
 * Comments cite what a clone contains: every docs/*.md a source, test or benchmark file names exists,
 * and no comment points at the specification folder (§ sections, OQ-n) or carries a work-log "stop N".
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// compiled to dist/test/repo/: the repository root is three levels up
const root = resolve(fileURLToPath(import.meta.url), '../../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = ['src', 'test', 'bench'].flatMap((d) => sources(join(root, d)));

test('the sources are found', () => {
  assert.ok(files.length > 100, `only ${files.length} files under src, test and bench`);
});

test('every docs page a source file names exists', () => {
  const missing: string[] = [];
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bdocs\/([a-z0-9-]+\.md)/g)) {
      if (!existsSync(join(root, 'docs', m[1]))) missing.push(`${relative(root, file)}: docs/${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('no source comment cites the specification folder or a work-log stop', () => {
  const spec = /(?:\b[a-z-]+\.md ?§|§ ?\d|\bOQ-\d+|\bstop \d+\b)/;
  const found: string[] = [];
  for (const file of files) {
    if (file.endsWith(join('test', 'repo', 'references.test.ts'))) continue;
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const comment = /\/\/.*|\/\*.*|^\s*\*.*/.exec(line)?.[0];
      if (comment && spec.test(comment)) found.push(`${relative(root, file)}:${i + 1}: ${comment.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});
