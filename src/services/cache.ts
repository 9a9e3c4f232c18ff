import type { Sql } from '../store/db.js';
import { configVersion } from '../store/repos/configVersions.js';
import type { ServiceContext } from './context.js';

/**
 * A value derived from configuration, cached per process and rebuilt when the scope's version
 * (bumped in the writing transaction) moves — one indexed read per use, correct across processes.
 */
export async function cached<T>(ctx: ServiceContext, sql: Sql, scope: string, name: string, build: () => Promise<T>): Promise<T> {
  const version = await configVersion(sql, scope);
  const key = `${scope}/${name}`;
  const hit = ctx.caches.get(key);
  if (hit && hit.version === version) return hit.value as T;
  const value = await build();
  ctx.caches.set(key, { version, value });
  return value;
}
