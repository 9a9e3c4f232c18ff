import type { Effect } from '../../domain/effect.js';
import type { Return, SessionEvent } from '../../domain/records.js';
import type { Sql } from '../db.js';
import { fromJson, toJson } from './json.js';

/** `effectsJson`: `e.effects` already serialised (the session update also sends that text with its response). */
export async function insertEvent(sql: Sql, e: Omit<SessionEvent, 'id'>, effectsJson = toJson(e.effects)): Promise<SessionEvent> {
  const id = await sql.insert(
    `INSERT INTO events (application_id, type, profile_integration_id, session_integration_id, store_integration_id, attributes, effects, created)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [e.applicationId, e.type, e.profileId, e.sessionId, e.storeIntegrationId, toJson(e.attributes), effectsJson, e.created]);
  return { ...e, id };
}

interface EventRow { id: number; application_id: number; type: string; profile_integration_id: string; session_integration_id: string; store_integration_id: string | null; attributes: string; effects: string; created: string }

export async function listSessionEvents(sql: Sql, applicationId: number, sessionIntegrationId: string): Promise<SessionEvent[]> {
  const rows = await sql.all<EventRow>('SELECT * FROM events WHERE application_id = ? AND session_integration_id = ? ORDER BY id', [applicationId, sessionIntegrationId]);
  return rows.map((r) => ({
    id: Number(r.id), applicationId: Number(r.application_id), type: r.type, profileId: r.profile_integration_id, sessionId: r.session_integration_id,
    ...(r.store_integration_id ? { storeIntegrationId: r.store_integration_id } : {}),
    attributes: fromJson(r.attributes), effects: fromJson<Effect[]>(r.effects), created: r.created,
  }));
}

export async function insertReturn(sql: Sql, r: Omit<Return, 'id'>): Promise<Return> {
  const row = await sql.get<{ id: number }>('INSERT INTO returns (application_id, session_id, event_id, data, created) VALUES (?, ?, ?, ?, ?) RETURNING id',
    [r.applicationId, r.sessionId, r.eventId, toJson(r), r.created]);
  return { id: Number(row!.id), ...r };
}

export async function listReturns(sql: Sql, sessionId: number): Promise<Return[]> {
  const rows = await sql.all<{ id: number; data: string }>('SELECT id, data FROM returns WHERE session_id = ? ORDER BY id', [sessionId]);
  return rows.map((r) => ({ ...fromJson<Omit<Return, 'id'>>(r.data), id: Number(r.id) }));
}

/** Stored responses of keyed requests (docs/sessions.md, "Idempotency-Key (returns)"). */
export async function findIdempotent(sql: Sql, applicationId: number, endpoint: string, key: string, notBefore: string): Promise<{ status: number; body: unknown } | undefined> {
  const row = await sql.get<{ status: number; body: string }>('SELECT status, body FROM idempotency WHERE application_id = ? AND endpoint = ? AND key = ? AND created > ?',
    [applicationId, endpoint, key, notBefore]);
  return row && { status: Number(row.status), body: fromJson(row.body) };
}

export async function saveIdempotent(sql: Sql, applicationId: number, endpoint: string, key: string, status: number, body: unknown, now: string): Promise<void> {
  await sql.run(`INSERT INTO idempotency (application_id, endpoint, key, status, body, created) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (application_id, endpoint, key) DO UPDATE SET status = excluded.status, body = excluded.body, created = excluded.created`,
  [applicationId, endpoint, key, status, toJson(body), now]);
}
