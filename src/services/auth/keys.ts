/**
 * Credentials: Integration API keys (scoped to one Application, stored hashed, expiring),
 * management bearer tokens from POST /v1/sessions, and the all-access management key.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField, notFound, Title, unauthorized } from '../../domain/errors.js';
import type { ApiKeyRecord } from '../../domain/records.js';
import { getApplication } from '../../store/repos/applications.js';
import { deleteToken, findKey, findToken, insertApiKey, insertToken, listApiKeys, revokeApiKey } from '../../store/repos/apiKeys.js';
import type { ServiceContext } from '../context.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const ADMIN_USER_ID = 1;
const TOKEN_LIFETIME_MS = 90 * 24 * 3600 * 1000; // Talon.One: valid 3 months
const KEY_CACHE_MS = 5_000;

export interface NewKeyInput { title: string; expires: string; platform?: string; type?: string; timeOffset?: number }

export async function createApiKey(ctx: ServiceContext, applicationId: number, input: NewKeyInput, createdBy = ADMIN_USER_ID): Promise<ApiKeyRecord & { key: string }> {
  const expires = new Date(input.expires);
  if (Number.isNaN(expires.getTime())) throw invalidField('/expires', Title.invalidValue, 'expires must be an RFC 3339 date-time');
  const key = randomBytes(32).toString('hex');
  const rec = await ctx.db.transaction(async (sql) => {
    if (!(await getApplication(sql, applicationId))) throw notFound('Application');
    return insertApiKey(sql, sha256(key), {
      title: input.title, expires: expires.toISOString(), createdBy, accountID: ACCOUNT_ID, applicationID: applicationId,
      created: ctx.now().toISOString(),
      ...(input.platform !== undefined ? { platform: input.platform } : {}),
      ...(input.type !== undefined ? { type: input.type } : {}),
      ...(input.timeOffset !== undefined ? { timeOffset: input.timeOffset } : {}),
    });
  });
  return { ...rec, key };
}

export async function listKeys(ctx: ServiceContext, applicationId: number): Promise<ApiKeyRecord[]> {
  return ctx.db.transaction(async (sql) => {
    if (!(await getApplication(sql, applicationId))) throw notFound('Application');
    return listApiKeys(sql, applicationId);
  });
}

export async function deleteKey(ctx: ServiceContext, applicationId: number, keyId: number): Promise<void> {
  const ok = await ctx.db.transaction((sql) => revokeApiKey(sql, applicationId, keyId));
  if (!ok) throw notFound('API key');
  // a revoked key must stop working at once in this process; other processes re-check within KEY_CACHE_MS
  ctx.caches.delete('apikeys');
}

/**
 * The Application an Integration key belongs to. Verified keys are cached briefly per process
 * (by hash, never beyond their expiry) so the hot path costs no query.
 */
export async function authenticateIntegrationKey(ctx: ServiceContext, key: string): Promise<number> {
  const hash = sha256(key);
  const now = ctx.now();
  let cache = ctx.caches.get('apikeys')?.value as Map<string, { applicationId: number; until: number }> | undefined;
  if (!cache) {
    cache = new Map();
    ctx.caches.set('apikeys', { version: 0, value: cache });
  }
  const hit = cache.get(hash);
  if (hit && hit.until > now.getTime()) return hit.applicationId;
  const found = await ctx.db.transaction((sql) => findKey(sql, hash, now.toISOString()));
  if (!found) throw unauthorized('Invalid or expired API key');
  if (cache.size > 10_000) cache.clear();
  cache.set(hash, { applicationId: found.applicationId, until: Math.min(now.getTime() + KEY_CACHE_MS, Date.parse(found.expires)) });
  return found.applicationId;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a));
  const y = Buffer.from(sha256(b));
  return timingSafeEqual(x, y);
}

const loginEnabled = (ctx: ServiceContext) => Boolean(ctx.config.adminEmail && ctx.config.adminPassword);

/**
 * A Management API call when the service has neither a management key nor an admin login configured: the
 * 401 says how to enable it instead of rejecting whatever credential was sent.
 */
export function checkManagementEnabled(ctx: ServiceContext): void {
  if (!ctx.config.managementKey && !loginEnabled(ctx)) {
    throw unauthorized('the Management API is disabled: set OPENPROMO_MANAGEMENT_KEY (or OPENPROMO_ADMIN_EMAIL and OPENPROMO_ADMIN_PASSWORD)');
  }
}

export function checkManagementKey(ctx: ServiceContext, key: string): void {
  const expected = ctx.config.managementKey;
  if (!expected) throw unauthorized('management keys are disabled: set OPENPROMO_MANAGEMENT_KEY, or log in with POST /v1/sessions and send "Bearer <token>"');
  if (!sameSecret(key, expected)) throw unauthorized('Invalid management key');
}

export async function login(ctx: ServiceContext, email: string, password: string): Promise<{ userId: number; token: string; created: string }> {
  const { adminEmail, adminPassword } = ctx.config;
  if (!adminEmail || !adminPassword) throw unauthorized('login is disabled: set OPENPROMO_ADMIN_EMAIL and OPENPROMO_ADMIN_PASSWORD');
  if (!sameSecret(email.toLowerCase(), adminEmail.toLowerCase()) || !sameSecret(password, adminPassword)) {
    throw unauthorized('Invalid email or password');
  }
  const token = randomBytes(32).toString('base64url');
  const created = ctx.now();
  await ctx.db.transaction((sql) => insertToken(sql, sha256(token), ADMIN_USER_ID, created.toISOString(), new Date(created.getTime() + TOKEN_LIFETIME_MS).toISOString()));
  return { userId: ADMIN_USER_ID, token, created: created.toISOString() };
}

export async function authenticateBearer(ctx: ServiceContext, token: string): Promise<number> {
  const found = await ctx.db.transaction((sql) => findToken(sql, sha256(token), ctx.now().toISOString()));
  if (!found) throw unauthorized('Invalid or expired token');
  return found.userId;
}

export async function logout(ctx: ServiceContext, token: string): Promise<void> {
  await ctx.db.transaction((sql) => deleteToken(sql, sha256(token)));
}
