import type { Effect } from '../../domain/effect.js';
import { dec } from '../../domain/money.js';
import { sessionContent, type CustomerSession, type SessionContent, type SessionState } from '../../domain/session.js';
import type { Sql } from '../db.js';
import { fromJson, toJson } from './json.js';

interface Row {
  id: number; application_id: number; integration_id: string; profile_integration_id: string; state: SessionState;
  content: string; effects: string; effects_event_id: number | string | null; event_effects?: string | null; cart_item_total: string; additional_cost_total: string; total: string;
  first_session: number | boolean; update_count: number; created: string; updated: string;
}

export interface StoredSession { session: CustomerSession; effects: Effect[] }

/**
 * The effects a session row stores: its own list, or — when they are the effects of the event the
 * same request wrote, as on every evaluation — that event's id, so that the list (often several KB)
 * is written once (migration 21). Rows are read with SESSION_ROW, which brings the event's list along.
 */
export type SessionEffects = Effect[] | { eventId: number };

const SESSION_ROW = 'SELECT *, (SELECT e.effects FROM events e WHERE e.id = sessions.effects_event_id) AS event_effects FROM sessions';

const effectColumns = (effects: SessionEffects): [string, number | null] =>
  Array.isArray(effects) ? [toJson(effects), null] : ['', effects.eventId];

function toStored(r: Row): StoredSession {
  // the freshly parsed content object becomes the session (plain sets: no spread copy)
  const session = fromJson<SessionContent>(r.content) as CustomerSession;
  session.id = Number(r.id);
  session.integrationId = r.integration_id;
  session.applicationId = Number(r.application_id);
  session.state = r.state;
  session.firstSession = r.first_session === true || Number(r.first_session) === 1;
  session.updateCount = Number(r.update_count);
  session.cartItemTotal = dec(String(r.cart_item_total));
  session.additionalCostTotal = dec(String(r.additional_cost_total));
  session.total = dec(String(r.total));
  session.created = r.created;
  session.updated = r.updated;
  return { session, effects: fromJson<Effect[]>(r.effects_event_id === null ? r.effects : r.event_effects) };
}

export async function getSession(sql: Sql, applicationId: number, integrationId: string): Promise<StoredSession | undefined> {
  const row = await sql.get<Row>(`${SESSION_ROW} WHERE application_id = ? AND integration_id = ?`, [applicationId, integrationId]);
  return row && toStored(row);
}

export async function getSessionById(sql: Sql, applicationId: number, id: number): Promise<StoredSession | undefined> {
  const row = await sql.get<Row>(`${SESSION_ROW} WHERE application_id = ? AND id = ?`, [applicationId, id]);
  return row && toStored(row);
}

export async function insertSession(sql: Sql, s: Omit<CustomerSession, 'id'>, effects: SessionEffects): Promise<number> {
  const [effectsJson, eventId] = effectColumns(effects);
  return sql.insert(
    `INSERT INTO sessions (application_id, integration_id, profile_integration_id, state, content, effects, effects_event_id, cart_item_total,
       additional_cost_total, total, first_session, update_count, created, updated)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [s.applicationId, s.integrationId, s.profileId, s.state, toJson(sessionContent(s)), effectsJson, eventId,
      s.cartItemTotal.toString(), s.additionalCostTotal.toString(), s.total.toString(), s.firstSession, s.updateCount, s.created, s.updated]);
}

export async function updateSession(sql: Sql, s: CustomerSession, effects: SessionEffects): Promise<void> {
  const [effectsJson, eventId] = effectColumns(effects);
  await sql.run(
    `UPDATE sessions SET profile_integration_id = ?, state = ?, content = ?, effects = ?, effects_event_id = ?, cart_item_total = ?,
       additional_cost_total = ?, total = ?, first_session = ?, update_count = ?, updated = ? WHERE id = ?`,
    [s.profileId, s.state, toJson(sessionContent(s)), effectsJson, eventId, s.cartItemTotal.toString(), s.additionalCostTotal.toString(),
      s.total.toString(), s.firstSession, s.updateCount, s.updated, s.id]);
}

/** True when the profile has a session in this Application other than `exceptId` (`firstSession`, docs/sessions.md). */
export async function profileHasOtherSession(sql: Sql, applicationId: number, profileId: string, exceptIntegrationId: string): Promise<boolean> {
  const row = await sql.get('SELECT 1 AS x FROM sessions WHERE application_id = ? AND profile_integration_id = ? AND integration_id <> ? LIMIT 1',
    [applicationId, profileId, exceptIntegrationId]);
  return row !== undefined;
}

export interface SessionFilter {
  profile?: string; state?: SessionState; integrationId?: string; createdBefore?: string; createdAfter?: string;
  skip: number; limit: number; sort?: 'created' | '-created';
}

export async function listSessions(sql: Sql, applicationId: number, f: SessionFilter): Promise<{ total: number; data: StoredSession[] }> {
  const where = ['application_id = ?'];
  const params: (string | number)[] = [applicationId];
  if (f.profile !== undefined) { where.push('profile_integration_id = ?'); params.push(f.profile); }
  if (f.state !== undefined) { where.push('state = ?'); params.push(f.state); }
  if (f.integrationId !== undefined) { where.push('integration_id = ?'); params.push(f.integrationId); }
  if (f.createdBefore !== undefined) { where.push('created < ?'); params.push(f.createdBefore); }
  if (f.createdAfter !== undefined) { where.push('created > ?'); params.push(f.createdAfter); }
  const w = where.join(' AND ');
  const total = Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM sessions WHERE ${w}`, params))!.n);
  const order = f.sort === 'created' ? 'created ASC, id ASC' : 'created DESC, id DESC';
  const rows = await sql.all<Row>(`${SESSION_ROW} WHERE ${w} ORDER BY ${order} LIMIT ? OFFSET ?`, [...params, f.limit, f.skip]);
  return { total, data: rows.map(toStored) };
}

// --- Management API: search with the full getApplicationSessions filter set -------------------

/**
 * getApplicationSessions filters. Text filters match exactly, or with `partialMatch` (and at
 * least 3 characters) case-insensitively anywhere in the value. `coupon` matches any of the
 * session's coupon codes.
 */
export interface SessionSearch {
  profile?: string; state?: SessionState; integrationId?: string; createdBefore?: string; createdAfter?: string;
  coupon?: string; referral?: string; storeIntegrationId?: string; partialMatch?: boolean;
  skip: number; limit: number;
  sort: 'created' | '-created' | 'id' | '-id';
}

const likePattern = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One page of sessions and whether more follow (one extra row is read instead of counting). */
export async function searchSessions(sql: Sql, applicationId: number, f: SessionSearch): Promise<{ hasMore: boolean; data: StoredSession[] }> {
  const pg = sql.dialect === 'postgres';
  const where = ['application_id = ?'];
  const params: (string | number)[] = [applicationId];
  const text = (expr: string, value: string | undefined) => {
    if (value === undefined) return;
    if (f.partialMatch && value.length >= 3) { where.push(`LOWER(${expr}) LIKE ? ESCAPE '\\'`); params.push(likePattern(value)); } else { where.push(`${expr} = ?`); params.push(value); }
  };
  const field = (name: string) => (pg ? `(content::jsonb ->> '${name}')` : `json_extract(content, '$.${name}')`);
  text('profile_integration_id', f.profile);
  text('integration_id', f.integrationId);
  text(field('referralCode'), f.referral);
  text(field('storeIntegrationId'), f.storeIntegrationId);
  if (f.coupon !== undefined) {
    const elements = pg ? "jsonb_array_elements_text(content::jsonb -> 'couponCodes') AS c(value)" : "json_each(content, '$.couponCodes') AS c";
    if (f.partialMatch && f.coupon.length >= 3) { where.push(`EXISTS (SELECT 1 FROM ${elements} WHERE LOWER(c.value) LIKE ? ESCAPE '\\')`); params.push(likePattern(f.coupon)); } else { where.push(`EXISTS (SELECT 1 FROM ${elements} WHERE c.value = ?)`); params.push(f.coupon); }
  }
  if (f.state !== undefined) { where.push('state = ?'); params.push(f.state); }
  if (f.createdBefore !== undefined) { where.push('created < ?'); params.push(f.createdBefore); }
  if (f.createdAfter !== undefined) { where.push('created > ?'); params.push(f.createdAfter); }
  const dir = f.sort.startsWith('-') ? 'DESC' : 'ASC';
  const order = f.sort.endsWith('created') ? `created ${dir}, id ${dir}` : `id ${dir}`;
  const rows = await sql.all<Row>(`${SESSION_ROW} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`, [...params, f.limit + 1, f.skip]);
  return { hasMore: rows.length > f.limit, data: rows.slice(0, f.limit).map(toStored) };
}

/** True when the profile has at least one session in this Application. */
export async function profileHasSession(sql: Sql, applicationId: number, profileIntegrationId: string): Promise<boolean> {
  const row = await sql.get('SELECT 1 AS x FROM sessions WHERE application_id = ? AND profile_integration_id = ? LIMIT 1', [applicationId, profileIntegrationId]);
  return row !== undefined;
}

/** What a closed session consumed (services/sessions/usage.ts), kept to release it exactly. */
export async function getConsumed<T>(sql: Sql, id: number): Promise<T> {
  const row = await sql.get<{ consumed: string }>('SELECT consumed FROM sessions WHERE id = ?', [id]);
  return fromJson<T>(row?.consumed ?? '{}');
}

export async function setConsumed(sql: Sql, id: number, consumed: unknown): Promise<void> {
  await sql.run('UPDATE sessions SET consumed = ? WHERE id = ?', [toJson(consumed), id]);
}
