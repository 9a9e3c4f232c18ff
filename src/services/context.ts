import type { Database } from '../store/db.js';

/** What every use case receives: the database and a clock (tests pass their own). */
export interface ServiceContext {
  db: Database;
  now(): Date;
  /** Lock keys of this process's requests in flight (services/exclusive.ts: 409 before queueing; PostgreSQL adds an advisory lock). */
  inflight: Set<string>;
  /** Per-process caches, rebuilt from the database when a config version moves. */
  caches: Map<string, { version: number; value: unknown }>;
  config: { managementKey?: string; adminEmail?: string; adminPassword?: string; ignoreUnknownResponseContent?: boolean };
}

export function createContext(db: Database, config: ServiceContext['config'] = {}, now: () => Date = () => new Date()): ServiceContext {
  return { db, now, inflight: new Set(), caches: new Map(), config };
}
