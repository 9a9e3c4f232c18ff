/**
 * SQLite keeps configuration versions across transactions (Sql.versions, store/sqlite/driver.ts) and
 * reads them again only when another connection has committed (PRAGMA data_version) or when a unit or
 * batch rolled back: a change made by another process (the CLI, say) is seen on the next transaction,
 * and a rolled-back bump is never taken for the current version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from '../../src/store/sqlite/driver.js';
import { bumpConfigVersion, configVersion } from '../../src/store/repos/configVersions.js';

function open(t: { after(fn: () => unknown): void }): { a: SqliteDatabase; b: SqliteDatabase } {
  const dir = mkdtempSync(join(os.tmpdir(), 'openpromo-versions-'));
  const path = join(dir, 'db.sqlite');
  const a = new SqliteDatabase(path);
  const b = new SqliteDatabase(path);
  t.after(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { a, b };
}

test('a version read once is served from memory until another connection commits', async (t) => {
  const { a, b } = open(t);
  await a.migrate();
  assert.equal(await a.transaction((sql) => configVersion(sql, 'app:1')), 0);
  await a.transaction(async (sql) => {
    await bumpConfigVersion(sql, 'app:1');
    assert.equal(await configVersion(sql, 'app:1'), 1);
  });
  assert.equal(await a.transaction((sql) => configVersion(sql, 'app:1')), 1);
  // a later read does not go to the table again: change the row behind the cache's back (same connection)
  await a.transaction((sql) => sql.run("UPDATE config_versions SET version = 40 WHERE scope = 'app:1'"));
  assert.equal(await a.transaction((sql) => configVersion(sql, 'app:1')), 1, 'cached: no other connection committed');
  // another connection's commit moves data_version: the next batch reads again
  await b.transaction((sql) => bumpConfigVersion(sql, 'app:1'));
  assert.equal(await a.transaction((sql) => configVersion(sql, 'app:1')), 41);
  assert.equal(await b.transaction((sql) => configVersion(sql, 'app:1')), 41);
});

test('a bump that is rolled back is forgotten, whether its unit fails or the batch does', async (t) => {
  const { a } = open(t);
  await a.migrate();
  assert.equal(await a.transaction((sql) => configVersion(sql, 'account')), 0);
  const boom = new Error('boom');
  // two units in one batch: the first bumps, reads its own bump, then fails; the second reads
  const failing = a.transaction(async (sql) => {
    await bumpConfigVersion(sql, 'account');
    assert.equal(await configVersion(sql, 'account'), 1);
    throw boom;
  });
  const after = a.transaction((sql) => configVersion(sql, 'account'));
  await assert.rejects(failing, (e) => e === boom);
  assert.equal(await after, 0);
  assert.equal(await a.transaction((sql) => configVersion(sql, 'account')), 0);
  await a.transaction((sql) => bumpConfigVersion(sql, 'account'));
  assert.equal(await a.transaction((sql) => configVersion(sql, 'account')), 1);
});
