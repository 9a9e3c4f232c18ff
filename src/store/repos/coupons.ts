import type { Coupon, NewCouponRecord, Referral } from '../../domain/coupon.js';
import { dec } from '../../domain/money.js';
import { isDeepStrictEqual } from 'node:util';
import type { Dialect, Param, Sql } from '../db.js';
import { fromJson, toJson } from './json.js';
import { inChunks, inList, rowsPerStatement, valuesPlaceholders } from './params.js';
import { toReferral, type ReferralRow } from './referrals.js';

export interface CouponRow {
  id: number; application_id: number; campaign_id: number; value: string; usage_limit: number; usage_counter: number;
  discount_limit: string | null; discount_counter: string; reservation_limit: number | null; reservation_counter: number;
  start_date: string | null; expiry_date: string | null; recipient_integration_id: string | null; attributes: string; limits: string;
  batch_id: string | null; import_id: number | null; referral_id: number | null; is_reservation_mandatory: number; implicitly_reserved: number; created: string;
}

function toCoupon(r: CouponRow): Coupon {
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

/** Coupons per INSERT statement: as many rows as the store's parameter limit holds (SQLite 1927, PostgreSQL 3855). */
export const couponRowsPerStatement = (dialect: Dialect): number => rowsPerStatement(dialect, PER_ROW);

const ON_DUPLICATE_SKIP = ' ON CONFLICT (application_id, value) DO NOTHING';

/**
 * The one INSERT of coupons: multi-row VALUES, split into statements of couponRowsPerStatement rows,
 * `run` once per statement. `skipDuplicates` skips codes that already exist in the Application
 * (ON CONFLICT DO NOTHING); without it a duplicate fails the transaction (unique index).
 */
async function insertStatements<T>(sql: Sql, coupons: readonly NewCouponRecord[], skipDuplicates: boolean, returning: string,
  run: (text: string, params: Param[]) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  const chunk = couponRowsPerStatement(sql.dialect);
  for (let i = 0; i < coupons.length; i += chunk) {
    const part = coupons.slice(i, i + chunk);
    const text = `INSERT INTO coupons (${COLUMNS}) VALUES ${valuesPlaceholders(part.length, PER_ROW)}${skipDuplicates ? ON_DUPLICATE_SKIP : ''}${returning}`;
    out.push(await run(text, part.flatMap(rowParams)));
  }
  return out;
}

/** Inserts coupons; with `skipDuplicates` codes already in the Application are skipped. Returns how many rows went in. */
export async function insertCoupons(sql: Sql, coupons: readonly NewCouponRecord[], skipDuplicates = false): Promise<number> {
  const counts = await insertStatements(sql, coupons, skipDuplicates, '', (text, params) => sql.run(text, params));
  return counts.reduce((a, b) => a + b, 0);
}

/** Inserts coupons, skipping codes already in the Application; returns the values inserted, so the caller can name the duplicates. */
export async function insertCouponsReturningValues(sql: Sql, coupons: readonly NewCouponRecord[]): Promise<Set<string>> {
  const parts = await insertStatements(sql, coupons, true, ' RETURNING value', (text, params) => sql.all<{ value: string }>(text, params));
  return new Set(parts.flat().map((r) => r.value));
}

/** As `insertCouponsReturningValues`, returning the inserted coupons in id order (for `silent=no`). */
export async function insertCouponsReturningRows(sql: Sql, coupons: readonly NewCouponRecord[]): Promise<Coupon[]> {
  const parts = await insertStatements(sql, coupons, true, ' RETURNING *', (text, params) => sql.all<CouponRow>(text, params));
  return parts.flat().map(toCoupon).sort((a, b) => a.id - b.id);
}

/** The coupons with these exact (already normalised) values; `lock` takes row locks in id order (close). */
export async function couponsByValues(sql: Sql, applicationId: number, values: readonly string[], lock = false): Promise<Coupon[]> {
  if (values.length === 0) return [];
  const forUpdate = lock && sql.dialect === 'postgres' ? ' FOR UPDATE' : '';
  const chunks = inChunks(sql.dialect, [...new Set(values)], 1);
  const select = (chunk: readonly string[], suffix: string) =>
    sql.all<CouponRow>(`SELECT * FROM coupons WHERE application_id = ? AND value IN (${inList(chunk.length)}) ORDER BY id${suffix}`, [applicationId, ...chunk]);
  if (chunks.length === 1) return (await select(chunks[0], forUpdate)).map(toCoupon);
  const found: CouponRow[] = [];
  for (const chunk of chunks) found.push(...await select(chunk, ''));
  if (!forUpdate) return found.map(toCoupon).sort((a, b) => a.id - b.id);
  // locks over several statements: ids first, then locked in ascending id ranges, so every transaction locks in one order
  const ids = found.map((r) => Number(r.id)).sort((a, b) => a - b);
  const locked: CouponRow[] = [];
  for (const chunk of inChunks(sql.dialect, ids)) {
    locked.push(...await sql.all<CouponRow>(`SELECT * FROM coupons WHERE id IN (${inList(chunk.length)}) ORDER BY id FOR UPDATE`, chunk));
  }
  return locked.map(toCoupon);
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
  const out = new Set<number>();
  for (const chunk of inChunks(sql.dialect, couponIds, 1)) {
    const rows = await sql.all<{ coupon_id: number }>(`SELECT coupon_id FROM coupon_reservations WHERE profile_integration_id = ? AND coupon_id IN (${inList(chunk.length)})`,
      [profileIntegrationId, ...chunk]);
    for (const r of rows) out.add(Number(r.coupon_id));
  }
  return out;
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
  for (const chunk of inChunks(sql.dialect, [...new Set(couponIds)], 1)) {
    const rows = await sql.all<{ coupon_id: number; n: number }>(
      `SELECT coupon_id, COUNT(*) AS n FROM coupon_redemptions WHERE profile_integration_id = ? AND coupon_id IN (${inList(chunk.length)}) GROUP BY coupon_id`,
      [profileIntegrationId, ...chunk]);
    for (const r of rows) out.set(Number(r.coupon_id), Number(r.n));
  }
  return out;
}

export async function recordRedemption(sql: Sql, couponId: number, sessionId: number, profileIntegrationId: string, now: string): Promise<void> {
  await sql.run('INSERT INTO coupon_redemptions (coupon_id, session_id, profile_integration_id, created) VALUES (?, ?, ?, ?) ON CONFLICT (coupon_id, session_id) DO NOTHING',
    [couponId, sessionId, profileIntegrationId, now]);
}

export async function deleteRedemption(sql: Sql, couponId: number, sessionId: number): Promise<void> {
  await sql.run('DELETE FROM coupon_redemptions WHERE coupon_id = ? AND session_id = ?', [couponId, sessionId]);
}

/**
 * The listing filters shared by list, search, export and delete (docs/coupons.md). Dates are RFC 3339 in UTC
 * as stored (`toISOString`). `campaignIds` undefined = every campaign of the Application.
 */
export interface CouponQuery {
  applicationId: number;
  campaignIds?: readonly number[];
  value?: string;
  exactMatch?: boolean;
  createdBefore?: string; createdAfter?: string;
  startsBefore?: string; startsAfter?: string;
  expiresBefore?: string; expiresAfter?: string;
  valid?: 'expired' | 'validNow' | 'validFuture';
  usable?: boolean;
  redeemed?: boolean;
  recipientIntegrationId?: string;
  batchId?: string;
  referralId?: number;
  /** AttributeQuery: every key must equal the coupon's attribute */
  attributes?: Record<string, unknown>;
  /** the clock for `valid` */
  now: string;
}

/** Codes are compared with case and non-alphanumerics folded away (the `value` filter). */
const foldCode = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

interface Compiled { where: string; params: Param[]; post?: (c: Coupon) => boolean }

/** At least the parameters the filters below and a page (limit, offset, keyset id) bind beside the campaign ids. */
const FILTER_PARAMS = 32;

function compile(q: CouponQuery, dialect: Dialect): Compiled {
  const w: string[] = ['application_id = ?'];
  const p: Param[] = [q.applicationId];
  const post: ((c: Coupon) => boolean)[] = [];
  if (q.campaignIds) {
    if (q.campaignIds.length === 0) w.push('1 = 0');
    else if (inChunks(dialect, q.campaignIds, FILTER_PARAMS).length === 1) { w.push(`campaign_id IN (${inList(q.campaignIds.length)})`); p.push(...q.campaignIds); } else {
      // more campaigns than one statement can bind: filtered after SQL instead
      const ids = new Set(q.campaignIds);
      post.push((c) => ids.has(c.campaignId));
    }
  }
  if (q.value !== undefined && q.value !== '') {
    if (q.exactMatch) {
      const lower = q.value.toLowerCase();
      w.push('lower(value) = ?'); p.push(lower);
      post.push((c) => c.value.toLowerCase() === lower);
    } else {
      const folded = foldCode(q.value);
      if (folded) {
        // the LIKE is a superset (any characters between the folded ones); the exact fold runs after
        w.push('lower(value) LIKE ?'); p.push(`%${[...folded].join('%')}%`);
        post.push((c) => foldCode(c.value).includes(folded));
      }
    }
  }
  const cmp = (col: string, op: string, v?: string) => { if (v !== undefined) { w.push(`${col} IS NOT NULL AND ${col} ${op} ?`); p.push(v); } };
  cmp('created', '<', q.createdBefore); cmp('created', '>', q.createdAfter);
  cmp('start_date', '<', q.startsBefore); cmp('start_date', '>', q.startsAfter);
  cmp('expiry_date', '<', q.expiresBefore); cmp('expiry_date', '>', q.expiresAfter);
  if (q.valid === 'expired') { w.push('expiry_date IS NOT NULL AND expiry_date < ?'); p.push(q.now); }
  if (q.valid === 'validNow') { w.push('(start_date IS NULL OR start_date <= ?) AND (expiry_date IS NULL OR expiry_date > ?)'); p.push(q.now, q.now); }
  if (q.valid === 'validFuture') { w.push('start_date IS NOT NULL AND start_date > ?'); p.push(q.now); }
  if (q.usable === true) w.push('(usage_limit = 0 OR usage_counter < usage_limit)');
  if (q.usable === false) w.push('usage_limit > 0 AND usage_counter >= usage_limit');
  if (q.redeemed === true) w.push('usage_counter > 0');
  if (q.redeemed === false) w.push('usage_counter = 0');
  if (q.recipientIntegrationId !== undefined) { w.push('recipient_integration_id = ?'); p.push(q.recipientIntegrationId); }
  if (q.batchId !== undefined) { w.push('batch_id = ?'); p.push(q.batchId); }
  if (q.referralId !== undefined) { w.push('referral_id = ?'); p.push(q.referralId); }
  if (q.attributes && Object.keys(q.attributes).length > 0) {
    const want = Object.entries(q.attributes);
    post.push((c) => want.every(([k, v]) => Object.prototype.hasOwnProperty.call(c.attributes, k) && isDeepStrictEqual(c.attributes[k], v)));
  }
  const out: Compiled = { where: w.join(' AND '), params: p };
  if (post.length) out.post = (c) => post.every((f) => f(c));
  return out;
}

export const COUPON_SORT: Record<string, string> = {
  id: 'id', created: 'created', value: 'value', campaignId: 'campaign_id', startDate: 'start_date', expiryDate: 'expiry_date',
  usageCounter: 'usage_counter', usageLimit: 'usage_limit',
};

/** One page of matching coupons in `sort` order (a COUPON_SORT key, `-` for descending; id breaks ties). */
export async function findCoupons(sql: Sql, q: CouponQuery, page: { skip: number; limit: number; sort?: string }): Promise<Coupon[]> {
  const c = compile(q, sql.dialect);
  const desc = page.sort?.startsWith('-') ?? false;
  const col = COUPON_SORT[(page.sort ?? 'id').replace(/^-/, '')] ?? 'id';
  const order = `ORDER BY ${col}${desc ? ' DESC' : ''}${col === 'id' ? '' : `, id${desc ? ' DESC' : ''}`}`;
  const base = `SELECT * FROM coupons WHERE ${c.where} ${order} LIMIT ? OFFSET ?`;
  if (!c.post) return (await sql.all<CouponRow>(base, [...c.params, page.limit, page.skip])).map(toCoupon);
  // a filter SQL cannot express exactly: scan candidates in chunks, count matches
  const out: Coupon[] = [];
  let skipped = 0;
  for (let offset = 0; ; offset += 1000) {
    const rows = (await sql.all<CouponRow>(base, [...c.params, 1000, offset])).map(toCoupon);
    for (const x of rows) {
      if (!c.post(x)) continue;
      if (skipped < page.skip) { skipped++; continue; }
      out.push(x);
      if (out.length >= page.limit) return out;
    }
    if (rows.length < 1000) return out;
  }
}

/** How many coupons match (getCoupons' `totalResultSize`): one COUNT, or a keyset scan when a filter runs after SQL. */
export async function countCoupons(sql: Sql, q: CouponQuery): Promise<number> {
  const c = compile(q, sql.dialect);
  if (!c.post) return Number((await sql.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM coupons WHERE ${c.where}`, c.params))?.n ?? 0);
  let total = 0;
  let after = 0;
  for (;;) {
    const { rows, lastId } = await couponsAfter(sql, q, after, 1000);
    if (lastId === undefined) return total;
    total += rows.length;
    after = lastId;
  }
}

/** Keyset page in id order after `afterId` (export, filtered delete): never an OFFSET scan. */
export async function couponsAfter(sql: Sql, q: CouponQuery, afterId: number, limit: number): Promise<{ rows: Coupon[]; lastId: number | undefined }> {
  const c = compile(q, sql.dialect);
  const rows = (await sql.all<CouponRow>(`SELECT * FROM coupons WHERE ${c.where} AND id > ? ORDER BY id LIMIT ?`, [...c.params, afterId, limit])).map(toCoupon);
  return { rows: c.post ? rows.filter(c.post) : rows, lastId: rows.at(-1)?.id };
}

/** Deletes every matching coupon; returns how many. */
export async function deleteMatchingCoupons(sql: Sql, q: CouponQuery): Promise<number> {
  const c = compile(q, sql.dialect);
  if (!c.post) return sql.run(`DELETE FROM coupons WHERE ${c.where}`, c.params);
  let deleted = 0;
  let after = 0;
  for (;;) {
    const { rows, lastId } = await couponsAfter(sql, q, after, 1000);
    if (lastId === undefined) return deleted;
    after = lastId;
    if (rows.length) deleted += await sql.run(`DELETE FROM coupons WHERE id IN (${inList(rows.length)})`, rows.map((r) => r.id));
  }
}

export async function deleteCouponById(sql: Sql, applicationId: number, campaignId: number, id: number): Promise<boolean> {
  return (await sql.run('DELETE FROM coupons WHERE application_id = ? AND campaign_id = ? AND id = ?', [applicationId, campaignId, id])) > 0;
}

/** Writes the mutable fields of a coupon (never its value, counters or provenance). */
export async function saveCoupon(sql: Sql, c: Coupon): Promise<Coupon> {
  const row = await sql.get<CouponRow>(
    `UPDATE coupons SET usage_limit = ?, discount_limit = ?, reservation_limit = ?, start_date = ?, expiry_date = ?, recipient_integration_id = ?,
       attributes = ?, limits = ?, is_reservation_mandatory = ?, implicitly_reserved = ? WHERE id = ? AND application_id = ? RETURNING *`,
    [c.usageLimit, c.discountLimit?.toString(), c.reservationLimit, c.startDate, c.expiryDate, c.recipientIntegrationId, toJson(c.attributes),
      toJson(c.limits), c.isReservationMandatory, c.implicitlyReserved, c.id, c.applicationId]);
  return toCoupon(row!);
}

export interface CouponBatchUpdate {
  usageLimit?: number; discountLimit?: string; reservationLimit?: number; attributes?: Record<string, unknown>;
  startDate: string | null; expiryDate: string | null;
}

/** updateCouponBatch: the given fields on every coupon of the campaign (or of one batch). */
export async function updateCouponsOfCampaign(sql: Sql, applicationId: number, campaignId: number, batchId: string | undefined, u: CouponBatchUpdate): Promise<number> {
  const set = ['start_date = ?', 'expiry_date = ?'];
  const p: Param[] = [u.startDate, u.expiryDate];
  if (u.usageLimit !== undefined) { set.push('usage_limit = ?'); p.push(u.usageLimit); }
  if (u.discountLimit !== undefined) { set.push('discount_limit = ?'); p.push(u.discountLimit); }
  if (u.reservationLimit !== undefined) { set.push('reservation_limit = ?'); p.push(u.reservationLimit); }
  if (u.attributes !== undefined) { set.push('attributes = ?'); p.push(toJson(u.attributes)); }
  p.push(applicationId, campaignId);
  const batch = batchId !== undefined ? ' AND batch_id = ?' : '';
  if (batchId !== undefined) p.push(batchId);
  return sql.run(`UPDATE coupons SET ${set.join(', ')} WHERE application_id = ? AND campaign_id = ?${batch}`, p);
}

/** Fresh planner statistics after a bulk load (PostgreSQL; SQLite plans without them). */
export async function analyzeCoupons(sql: Sql): Promise<void> {
  if (sql.dialect === 'postgres') await sql.run('ANALYZE coupons');
}

/** The next id of the import sequence (kept in config_versions under `seq:imports` until imports get a table). */
export async function nextImportId(sql: Sql): Promise<number> {
  const row = await sql.get<{ version: number }>(
    'INSERT INTO config_versions (scope, version) VALUES (?, 1) ON CONFLICT (scope) DO UPDATE SET version = config_versions.version + 1 RETURNING version', ['seq:imports']);
  return Number(row!.version);
}

/** Integration ids holding a reservation of the coupon, oldest first. */
export async function reservationHolders(sql: Sql, couponId: number): Promise<string[]> {
  const rows = await sql.all<{ profile_integration_id: string }>('SELECT profile_integration_id FROM coupon_reservations WHERE coupon_id = ? ORDER BY created, profile_integration_id', [couponId]);
  return rows.map((r) => r.profile_integration_id);
}

/** The coupons in a profile's inventory: reserved (incl. redeemed), personal, and implicitly reserved ones of the Application. */
export async function inventoryCoupons(sql: Sql, applicationId: number, profileIntegrationId: string): Promise<Coupon[]> {
  const rows = await sql.all<CouponRow>(
    `SELECT * FROM coupons WHERE application_id = ? AND (
       id IN (SELECT coupon_id FROM coupon_reservations WHERE profile_integration_id = ?)
       OR recipient_integration_id = ? OR implicitly_reserved = 1) ORDER BY id`,
    [applicationId, profileIntegrationId, profileIntegrationId]);
  return rows.map(toCoupon);
}

/** The referral codes a profile advocates in the Application (its inventory's `referrals`). */
export async function referralsOfAdvocate(sql: Sql, applicationId: number, advocate: string): Promise<Referral[]> {
  const rows = await sql.all<ReferralRow>('SELECT * FROM referrals WHERE application_id = ? AND advocate_profile_integration_id = ? ORDER BY id', [applicationId, advocate]);
  return rows.map(toReferral);
}
