/** A real server on a test database, with helpers to provision an Application and its key. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildServer } from '../../src/http/server.js';
import { createContext, type ServiceContext } from '../../src/services/context.js';
import type { Database } from '../../src/store/db.js';
import { openTestDatabase, type StoreKind } from './stores.js';

export const MANAGEMENT_KEY = 'test-management-key';
export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };

export interface TestServer {
  app: FastifyInstance;
  ctx: ServiceContext;
  db: Database;
  /** management request with the all-access key */
  mgmt(method: string, url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  /** integration request with an Integration key */
  integ(key: string, method: string, url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** a new Application (EUR, UTC unless overridden) and an Integration key for it */
  newApplication(settings?: Record<string, unknown>): Promise<{ id: number; key: string }>;
  close(): Promise<void>;
}

/** How many coupons an Application has (created by rules, imported or generated), read from the store. */
export async function couponCount(s: TestServer, applicationId: number): Promise<number> {
  return Number((await s.db.transaction((sql) => sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM coupons WHERE application_id = ?', [applicationId])))!.n);
}

export async function startTestServer(db: Database, now?: () => Date): Promise<TestServer> {
  const ctx = createContext(db, { managementKey: MANAGEMENT_KEY, adminEmail: ADMIN.email, adminPassword: ADMIN.password }, now);
  const app = await buildServer(ctx, { logger: false });
  const mgmt = (method: string, url: string, payload?: unknown) =>
    app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `ManagementKey-v1 ${MANAGEMENT_KEY}` } });
  const integ = (key: string, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `ApiKey-v1 ${key}`, ...headers } });
  return {
    app, ctx, db, mgmt, integ,
    async newApplication(settings = {}) {
      const a = await mgmt('POST', '/v1/applications', { name: 'Shop', currency: 'EUR', timezone: 'UTC', ...settings });
      if (a.statusCode !== 201) throw new Error(`createApplication: ${a.statusCode} ${a.body}`);
      const id = a.json().id as number;
      const k = await mgmt('POST', `/v1/applications/${id}/api_keys`, { title: 'test', expires: '2099-01-01T00:00:00Z' });
      if (k.statusCode !== 201) throw new Error(`createApplicationAPIKey: ${k.statusCode} ${k.body}`);
      return { id, key: k.json().key as string };
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * Runs `fn` against a server on a fresh, migrated store of `kind` (clock `now`, default the real one)
 * and closes both afterwards. Skips the test when PostgreSQL is unavailable locally (under CI
 * openTestDatabase fails instead).
 */
export async function withTestServer(kind: StoreKind, t: { skip(m: string): void }, fn: (s: TestServer) => Promise<void>, now?: () => Date): Promise<void> {
  const s = await freshTestServer(kind, t, now);
  if (!s) return;
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** A server on a fresh, migrated store of `kind`, or null after skipping the test (PostgreSQL unavailable locally). The caller closes it. */
export async function freshTestServer(kind: StoreKind, t: { skip(m: string): void }, now?: () => Date): Promise<TestServer | null> {
  const db = await openTestDatabase(kind);
  if (!db) { t.skip('PostgreSQL not available'); return null; }
  return startTestServer(db, now);
}

/**
 * A server on a fresh store of `kind` listening on a free local port, for real HTTP clients (the official
 * SDK); pushed onto `servers` for the suite to close. Null after skipping the test (PostgreSQL unavailable locally).
 */
export async function listeningTestServer(kind: StoreKind, t: { skip(m: string): void }, servers: TestServer[]): Promise<{ s: TestServer; port: number } | null> {
  const s = await freshTestServer(kind, t);
  if (!s) return null;
  servers.push(s);
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  return { s, port: (s.app.server.address() as AddressInfo).port };
}
