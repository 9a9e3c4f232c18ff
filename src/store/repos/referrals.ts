import type { NewReferralRecord, Referral } from '../../domain/coupon.js';
import type { Param, Sql } from '../db.js';
import { fromJson, toJson } from './json.js';
import { rowsPerStatement, valuesPlaceholders } from './params.js';

export interface ReferralRow {
  id: number; application_id: number; campaign_id: number; code: string; usage_limit: number; usage_counter: number;
  start_date: string | null; expiry_date: string | null; advocate_profile_integration_id: string; friend_profile_integration_id: string | null;
  attributes: string; import_id: number | null; batch_id: string | null; created: string;
}

export function toReferral(r: ReferralRow): Referral {
  const x: Referral = {
    id: Number(r.id), created: r.created, applicationId: Number(r.application_id), campaignId: Number(r.campaign_id), code: r.code,
    usageLimit: Number(r.usage_limit), usageCounter: Number(r.usage_counter), advocateProfileIntegrationId: r.advocate_profile_integration_id,
    attributes: fromJson(r.attributes),
  };
  if (r.start_date) x.startDate = r.start_date;
  if (r.expiry_date) x.expiryDate = r.expiry_date;
  if (r.friend_profile_integration_id) x.friendProfileIntegrationId = r.friend_profile_integration_id;
  if (r.import_id !== null) x.importId = Number(r.import_id);
  if (r.batch_id) x.batchId = r.batch_id;
  return x;
}

const COLUMNS = 'application_id, campaign_id, code, usage_limit, start_date, expiry_date, advocate_profile_integration_id, friend_profile_integration_id, attributes, import_id, batch_id, created';
const PER_ROW = COLUMNS.split(',').length;
const rowParams = (r: NewReferralRecord): Param[] => [r.applicationId, r.campaignId, r.code, r.usageLimit, r.startDate, r.expiryDate,
  r.advocateProfileIntegrationId, r.friendProfileIntegrationId, toJson(r.attributes ?? {}), r.importId, r.batchId, r.created];

export async function insertReferral(sql: Sql, r: NewReferralRecord): Promise<Referral> {
  const row = await sql.get<ReferralRow>(`INSERT INTO referrals (${COLUMNS}) VALUES ${valuesPlaceholders(1, PER_ROW)} RETURNING *`, rowParams(r));
  return toReferral(row!);
}

export async function referralByCode(sql: Sql, applicationId: number, code: string, lock = false): Promise<Referral | undefined> {
  const row = await sql.get<ReferralRow>(`SELECT * FROM referrals WHERE application_id = ? AND code = ?${lock && sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [applicationId, code]);
  return row && toReferral(row);
}

export async function redeemReferral(sql: Sql, id: number): Promise<boolean> {
  return (await sql.run('UPDATE referrals SET usage_counter = usage_counter + 1 WHERE id = ? AND (usage_limit = 0 OR usage_counter < usage_limit)', [id])) > 0;
}

export async function releaseReferral(sql: Sql, id: number): Promise<void> {
  await sql.run('UPDATE referrals SET usage_counter = usage_counter - 1 WHERE id = ? AND usage_counter > 0', [id]);
}

export async function insertReferee(sql: Sql, r: { applicationId: number; referralId: number; sessionIntegrationId: string; advocate: string; friend: string; code: string; created: string }): Promise<void> {
  await sql.run('INSERT INTO referees (application_id, referral_id, session_integration_id, advocate_integration_id, friend_integration_id, code, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [r.applicationId, r.referralId, r.sessionIntegrationId, r.advocate, r.friend, r.code, r.created]);
}

export async function deleteReferee(sql: Sql, applicationId: number, referralId: number, sessionIntegrationId: string): Promise<void> {
  await sql.run('DELETE FROM referees WHERE application_id = ? AND referral_id = ? AND session_integration_id = ?', [applicationId, referralId, sessionIntegrationId]);
}

/** Whether `friend` was already referred in this Application (ReferralCustomerAlreadyReferred). */
export async function wasReferred(sql: Sql, applicationId: number, friend: string): Promise<boolean> {
  return (await sql.get('SELECT 1 AS x FROM referees WHERE application_id = ? AND friend_integration_id = ? LIMIT 1', [applicationId, friend])) !== undefined;
}

export async function refereesOf(sql: Sql, referralId: number): Promise<string[]> {
  const rows = await sql.all<{ friend_integration_id: string }>('SELECT friend_integration_id FROM referees WHERE referral_id = ? ORDER BY id', [referralId]);
  return rows.map((r) => r.friend_integration_id);
}

// ---- management of referral codes: insert with conflict report, list/scan, update, delete, friends ----

/**
 * Inserts rows, skipping codes that exist in the Application (or repeat within `rows`), and returns
 * the rows actually inserted, so callers can tell exactly which codes collided (regenerate or report).
 */
export async function insertReferralsReturning(sql: Sql, rows: readonly NewReferralRecord[]): Promise<Referral[]> {
  const out: Referral[] = [];
  const chunk = rowsPerStatement(sql.dialect, PER_ROW);
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const inserted = await sql.all<ReferralRow>(`INSERT INTO referrals (${COLUMNS}) VALUES ${valuesPlaceholders(part.length, PER_ROW)}`
      + ' ON CONFLICT (application_id, code) DO NOTHING RETURNING *', part.flatMap(rowParams));
    for (const r of inserted) out.push(toReferral(r));
  }
  return out;
}

export async function referralById(sql: Sql, applicationId: number, campaignId: number, id: number): Promise<Referral | undefined> {
  const row = await sql.get<ReferralRow>('SELECT * FROM referrals WHERE application_id = ? AND campaign_id = ? AND id = ?', [applicationId, campaignId, id]);
  return row && toReferral(row);
}

/** Writes the fields UpdateReferral may change. */
export async function saveReferral(sql: Sql, r: Referral): Promise<Referral> {
  const row = await sql.get<ReferralRow>('UPDATE referrals SET usage_limit = ?, start_date = ?, expiry_date = ?, friend_profile_integration_id = ?, attributes = ? WHERE id = ? RETURNING *',
    [r.usageLimit, r.startDate, r.expiryDate, r.friendProfileIntegrationId, toJson(r.attributes ?? {}), r.id]);
  return toReferral(row!);
}

export async function deleteReferralById(sql: Sql, applicationId: number, campaignId: number, id: number): Promise<boolean> {
  return (await sql.run('DELETE FROM referrals WHERE application_id = ? AND campaign_id = ? AND id = ?', [applicationId, campaignId, id])) > 0;
}

/** Sets `import_id` on the rows of one import batch, whose smallest id is `firstId` (a primary-key range, no batch scan). */
export async function stampImport(sql: Sql, applicationId: number, batchId: string, firstId: number): Promise<void> {
  await sql.run('UPDATE referrals SET import_id = ? WHERE id >= ? AND application_id = ? AND batch_id = ?', [firstId, firstId, applicationId, batchId]);
}

/**
 * SQL filters over referrals. Dates are compared as text: every date is stored as
 * `Date.toISOString()` (fixed width, UTC), so text order is time order.
 */
export interface ReferralQuery {
  applicationId: number;
  campaignId?: number;
  createdBefore?: string;
  createdAfter?: string;
  /** `now` as an ISO string is required with `valid` */
  valid?: 'expired' | 'validNow' | 'validFuture';
  now?: string;
  usable?: boolean;
  advocate?: string;
  batchId?: string;
  /** only referrals of campaigns that are not deleted */
  liveCampaigns?: boolean;
}

function where(q: ReferralQuery): { clause: string; params: Param[] } {
  const parts = ['application_id = ?'];
  const params: Param[] = [q.applicationId];
  const add = (c: string, ...p: Param[]) => { parts.push(c); params.push(...p); };
  if (q.campaignId !== undefined) add('campaign_id = ?', q.campaignId);
  if (q.createdBefore !== undefined) add('created < ?', q.createdBefore);
  if (q.createdAfter !== undefined) add('created > ?', q.createdAfter);
  if (q.valid === 'expired') add('expiry_date IS NOT NULL AND expiry_date < ?', q.now);
  if (q.valid === 'validNow') add('(start_date IS NULL OR start_date <= ?) AND (expiry_date IS NULL OR expiry_date >= ?)', q.now, q.now);
  if (q.valid === 'validFuture') add('start_date IS NOT NULL AND start_date > ?', q.now);
  if (q.usable === true) add('(usage_limit = 0 OR usage_counter < usage_limit)');
  if (q.usable === false) add('usage_limit > 0 AND usage_counter >= usage_limit');
  if (q.advocate !== undefined) add('advocate_profile_integration_id = ?', q.advocate);
  if (q.batchId !== undefined) add('batch_id = ?', q.batchId);
  if (q.liveCampaigns) add('campaign_id IN (SELECT id FROM campaigns WHERE application_id = ? AND deleted = 0)', q.applicationId);
  return { clause: parts.join(' AND '), params };
}

/** One page of a keyset scan by id: rows after `afterId` (or before it when `descending`). */
export async function scanReferrals(sql: Sql, q: ReferralQuery, afterId: number | undefined, limit: number, descending = false): Promise<Referral[]> {
  const w = where(q);
  const keyset = afterId === undefined ? '' : descending ? ' AND id < ?' : ' AND id > ?';
  const rows = await sql.all<ReferralRow>(`SELECT * FROM referrals WHERE ${w.clause}${keyset} ORDER BY id ${descending ? 'DESC' : 'ASC'} LIMIT ?`,
    [...w.params, ...(afterId === undefined ? [] : [afterId]), limit]);
  return rows.map(toReferral);
}

/** An offset page (skip/limit) ordered by id. */
export async function pageReferrals(sql: Sql, q: ReferralQuery, skip: number, limit: number, descending = false): Promise<Referral[]> {
  const w = where(q);
  const rows = await sql.all<ReferralRow>(`SELECT * FROM referrals WHERE ${w.clause} ORDER BY id ${descending ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`, [...w.params, limit, skip]);
  return rows.map(toReferral);
}

export interface RefereeRecord { id: number; applicationId: number; referralId: number; sessionIntegrationId: string; advocate: string; friend: string; code: string; created: string }

/** The friends an advocate referred in an Application (ApplicationReferee rows), ordered by id. */
export async function refereesOfAdvocate(sql: Sql, applicationId: number, advocate: string, skip: number, limit: number, descending = false): Promise<RefereeRecord[]> {
  const rows = await sql.all<{ id: number; application_id: number; referral_id: number; session_integration_id: string; advocate_integration_id: string; friend_integration_id: string; code: string; created: string }>(
    `SELECT * FROM referees WHERE application_id = ? AND advocate_integration_id = ? ORDER BY id ${descending ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`,
    [applicationId, advocate, limit, skip]);
  return rows.map((r) => ({ id: Number(r.id), applicationId: Number(r.application_id), referralId: Number(r.referral_id), sessionIntegrationId: r.session_integration_id,
    advocate: r.advocate_integration_id, friend: r.friend_integration_id, code: r.code, created: r.created }));
}

export async function countRefereesOfAdvocate(sql: Sql, applicationId: number, advocate: string): Promise<number> {
  const row = await sql.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM referees WHERE application_id = ? AND advocate_integration_id = ?', [applicationId, advocate]);
  return Number(row?.n ?? 0);
}
