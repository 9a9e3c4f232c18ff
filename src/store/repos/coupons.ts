import type { Coupon, NewCouponRecord } from '../../domain/coupon.js';
import { dec } from '../../domain/money.js';
import type { Param, Sql } from '../db.js';
import { fromJson, toJson } from './json.js';

export interface CouponRow {
  id: number; application_id: number; campaign_id: number; value: string; usage_limit: number; usage_counter: number;
  discount_limit: string | null; discount_counter: string; reservation_limit: number | null; reservation_counter: number;
  start_date: string | null; expiry_date: string | null; recipient_integration_id: string | null; attributes: string; limits: string;
  batch_id: string | null; import_id: number | null; referral_id: number | null; is_reservation_mandatory: number; implicitly_reserved: number; created: string;
}

export function toCoupon(r: CouponRow): Coupon {
  const c: Coupon = {
    id: Number(r.id), created: r.created, applicationId: Number(r.application_id), campaignId: Number(r.campaign_id), value: r.value,
    usageLimit: Number(r.usage_limit), usageCounter: Number(r.usage_counter), discountCounter: dec(String(r.discount_counter)),
    reservationCounter: Number(r.reservation_counter), attributes: fromJson(r.attributes), limits: fromJson(r.limits),
    isReservationMandatory: Number(r.is_reservation_mandatory) === 1, implicitlyReserved: Number(r.implicitly_reserved) === 1,
  };
  if (r.discount_limit !== null) c.discountLimit = dec(String(r.discount_limit));
  if (r.reservation_limit !== null) c.reservationLimit = Number(r.reservation_limit);
  if (r.start_date) c.startDate = r.start_date;
  if (r.expiry_date) c.expiryDate = r.expiry_date;
  if (r.recipient_integration_id) c.recipientIntegrationId = r.recipient_integration_id;
  if (r.batch_id) c.batchId = r.batch_id;
  if (r.import_id !== null) c.importId = Number(r.import_id);
  if (r.referral_id !== null) c.referralId = Number(r.referral_id);
  return c;
}

const COLUMNS = 'application_id, campaign_id, value, usage_limit, discount_limit, reservation_limit, start_date, expiry_date, recipient_integration_id, attributes, limits, batch_id, import_id, referral_id, is_reservation_mandatory, implicitly_reserved, created';
const PER_ROW = COLUMNS.split(',').length;

function rowParams(c: NewCouponRecord): Param[] {
  return [c.applicationId, c.campaignId, c.value, c.usageLimit, c.discountLimit?.toString(), c.reservationLimit, c.startDate, c.expiryDate,
    c.recipientIntegrationId, toJson(c.attributes ?? {}), toJson(c.limits ?? []), c.batchId, c.importId, c.referralId, c.isReservationMandatory, c.implicitlyReserved, c.created];
}

/**
 * Inserts coupons in multi-row statements. With `skipDuplicates`, codes that already exist in the
 * Application are skipped; otherwise a duplicate fails the whole transaction (unique index).
 * Returns how many rows were inserted.
 */
export async function insertCoupons(sql: Sql, coupons: readonly NewCouponRecord[], skipDuplicates = false): Promise<number> {
  let inserted = 0;
  const chunk = Math.floor(900 / PER_ROW); // SQLite's default limit on bound parameters is generous, stay well below
  for (let i = 0; i < coupons.length; i += chunk) {
    const part = coupons.slice(i, i + chunk);
    const placeholders = part.map(() => `(${new Array(PER_ROW).fill('?').join(', ')})`).join(', ');
    const conflict = skipDuplicates ? ' ON CONFLICT (application_id, value) DO NOTHING' : '';
    inserted += await sql.run(`INSERT INTO coupons (${COLUMNS}) VALUES ${placeholders}${conflict}`, part.flatMap(rowParams));
  }
  return inserted;
}

export async function insertCoupon(sql: Sql, c: NewCouponRecord): Promise<Coupon> {
  const row = await sql.get<CouponRow>(`INSERT INTO coupons (${COLUMNS}) VALUES (${new Array(PER_ROW).fill('?').join(', ')}) RETURNING *`, rowParams(c));
  return toCoupon(row!);
}

/** Which of `values` already exist in the Application. */
export async function existingValues(sql: Sql, applicationId: number, values: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < values.length; i += 500) {
    const part = values.slice(i, i + 500);
    const rows = await sql.all<{ value: string }>(`SELECT value FROM coupons WHERE application_id = ? AND value IN (${part.map(() => '?').join(', ')})`, [applicationId, ...part]);
    for (const r of rows) found.add(r.value);
  }
  return found;
}

/** The coupons with these exact (already normalised) values; `lock` takes row locks in id order (close). */
export async function couponsByValues(sql: Sql, applicationId: number, values: readonly string[], lock = false): Promise<Coupon[]> {
  if (values.length === 0) return [];
  const forUpdate = lock && sql.dialect === 'postgres' ? ' FOR UPDATE' : '';
  const rows = await sql.all<CouponRow>(`SELECT * FROM coupons WHERE application_id = ? AND value IN (${values.map(() => '?').join(', ')}) ORDER BY id${forUpdate}`,
    [applicationId, ...values]);
  return rows.map(toCoupon);
}

export async function getCouponById(sql: Sql, applicationId: number, id: number): Promise<Coupon | undefined> {
  const row = await sql.get<CouponRow>('SELECT * FROM coupons WHERE application_id = ? AND id = ?', [applicationId, id]);
  return row && toCoupon(row);
}

/** Redeems one use if the coupon has room: false when the usage limit is exhausted (never over-redeems). */
export async function redeemCoupon(sql: Sql, id: number): Promise<boolean> {
  return (await sql.run('UPDATE coupons SET usage_counter = usage_counter + 1 WHERE id = ? AND (usage_limit = 0 OR usage_counter < usage_limit)', [id])) > 0;
}

export async function releaseCoupon(sql: Sql, id: number): Promise<void> {
  await sql.run('UPDATE coupons SET usage_counter = usage_counter - 1 WHERE id = ? AND usage_counter > 0', [id]);
}

/** Sets the coupon's discount counter (computed in exact decimals by the caller from the locked row). */
export async function setDiscountCounter(sql: Sql, id: number, value: string): Promise<void> {
  await sql.run('UPDATE coupons SET discount_counter = ? WHERE id = ?', [value, id]);
}

/** Profiles holding a reservation for the coupons given. */
export async function reservationsFor(sql: Sql, couponIds: readonly number[], profileIntegrationId: string): Promise<Set<number>> {
  if (couponIds.length === 0 || profileIntegrationId === '') return new Set();
  const rows = await sql.all<{ coupon_id: number }>(`SELECT coupon_id FROM coupon_reservations WHERE profile_integration_id = ? AND coupon_id IN (${couponIds.map(() => '?').join(', ')})`,
    [profileIntegrationId, ...couponIds]);
  return new Set(rows.map((r) => Number(r.coupon_id)));
}

export async function addReservation(sql: Sql, couponId: number, profileIntegrationId: string, now: string): Promise<boolean> {
  const added = await sql.run('INSERT INTO coupon_reservations (coupon_id, profile_integration_id, created) VALUES (?, ?, ?) ON CONFLICT (coupon_id, profile_integration_id) DO NOTHING',
    [couponId, profileIntegrationId, now]);
  if (added > 0) await sql.run('UPDATE coupons SET reservation_counter = reservation_counter + 1 WHERE id = ?', [couponId]);
  return added > 0;
}

export async function removeReservation(sql: Sql, couponId: number, profileIntegrationId: string): Promise<boolean> {
  const removed = await sql.run('DELETE FROM coupon_reservations WHERE coupon_id = ? AND profile_integration_id = ?', [couponId, profileIntegrationId]);
  if (removed > 0) await sql.run('UPDATE coupons SET reservation_counter = reservation_counter - 1 WHERE id = ? AND reservation_counter > 0', [couponId]);
  return removed > 0;
}

/** How many times `profileIntegrationId` redeemed each coupon in closed sessions (IntegrationCoupon.profileRedemptionCount). */
export async function profileRedemptions(sql: Sql, couponIds: readonly number[], profileIntegrationId: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (couponIds.length === 0 || !profileIntegrationId) return out;
  const rows = await sql.all<{ coupon_id: number; n: number }>(
    `SELECT coupon_id, COUNT(*) AS n FROM coupon_redemptions WHERE profile_integration_id = ? AND coupon_id IN (${couponIds.map(() => '?').join(', ')}) GROUP BY coupon_id`,
    [profileIntegrationId, ...couponIds]);
  for (const r of rows) out.set(Number(r.coupon_id), Number(r.n));
  return out;
}

export async function recordRedemption(sql: Sql, couponId: number, sessionId: number, profileIntegrationId: string, now: string): Promise<void> {
  await sql.run('INSERT INTO coupon_redemptions (coupon_id, session_id, profile_integration_id, created) VALUES (?, ?, ?, ?) ON CONFLICT (coupon_id, session_id) DO NOTHING',
    [couponId, sessionId, profileIntegrationId, now]);
}

export async function deleteRedemption(sql: Sql, couponId: number, sessionId: number): Promise<void> {
  await sql.run('DELETE FROM coupon_redemptions WHERE coupon_id = ? AND session_id = ?', [couponId, sessionId]);
}
