import type { NewReferralRecord, Referral } from '../../domain/coupon.js';
import type { Param, Sql } from '../db.js';
import { fromJson, toJson } from './json.js';

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
  const row = await sql.get<ReferralRow>(`INSERT INTO referrals (${COLUMNS}) VALUES (${new Array(PER_ROW).fill('?').join(', ')}) RETURNING *`, rowParams(r));
  return toReferral(row!);
}

/** Multi-row insert; `skipDuplicates` ignores codes that exist already. Returns rows inserted. */
export async function insertReferrals(sql: Sql, rows: readonly NewReferralRecord[], skipDuplicates = false): Promise<number> {
  let inserted = 0;
  const chunk = Math.floor(900 / PER_ROW);
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const conflict = skipDuplicates ? ' ON CONFLICT (application_id, code) DO NOTHING' : '';
    inserted += await sql.run(`INSERT INTO referrals (${COLUMNS}) VALUES ${part.map(() => `(${new Array(PER_ROW).fill('?').join(', ')})`).join(', ')}${conflict}`, part.flatMap(rowParams));
  }
  return inserted;
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
