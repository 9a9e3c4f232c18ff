/**
 * exportCoupons: the matching coupons of an Application as CSV, produced page by page.
 * Each page is one short keyset query (`id > last ORDER BY id LIMIT 5000`) in its own
 * transaction, so an export of millions of rows never holds them in memory nor blocks writers;
 * the export is therefore not one snapshot (coupons created meanwhile may or may not appear).
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { Coupon } from '../../domain/coupon.js';
import { loadApplication } from '../applications/load.js';
import { couponsAfter, type CouponQuery } from '../../store/repos/coupons.js';
import type { ServiceContext } from '../context.js';
import { couponQuery, type CouponFilterInput } from './common.js';

const EXPORT_PAGE = 5000;
const EXPORT_COLUMNS = ['accountid', 'applicationid', 'attributes', 'batchid', 'campaignid', 'counter', 'created', 'deleted', 'deleted_changelogid',
  'discount_counter', 'discount_limitval', 'expirydate', 'id', 'importid', 'is_reservation_mandatory', 'limits', 'limitval', 'recipientintegrationid',
  'referralid', 'reservation', 'reservation_counter', 'reservation_limitval', 'startdate', 'value'] as const;

export interface ExportOptions { campaignId?: number; valuesOnly?: boolean; dateFormat?: 'excel' | 'ISO8601' }

/** RFC 4180: quote when needed, double the quotes. */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** `excel`: `YYYY-MM-DD HH:MM:SS` in UTC, which spreadsheets read as a date; otherwise RFC 3339 as stored. */
function formatDate(s: string | undefined, format: ExportOptions['dateFormat']): string {
  if (!s) return '';
  if (format !== 'excel') return s;
  return new Date(s).toISOString().slice(0, 19).replace('T', ' ');
}

function row(c: Coupon, f: ExportOptions['dateFormat']): string {
  const cells: Record<(typeof EXPORT_COLUMNS)[number], string> = {
    accountid: String(ACCOUNT_ID), applicationid: String(c.applicationId), attributes: JSON.stringify(c.attributes), batchid: c.batchId ?? '',
    campaignid: String(c.campaignId), counter: String(c.usageCounter), created: formatDate(c.created, f), deleted: 'false', deleted_changelogid: '0',
    discount_counter: c.discountCounter.toString(), discount_limitval: c.discountLimit?.toString() ?? '', expirydate: formatDate(c.expiryDate, f),
    id: String(c.id), importid: c.importId !== undefined ? String(c.importId) : '', is_reservation_mandatory: String(c.isReservationMandatory),
    limits: JSON.stringify(c.limits), limitval: String(c.usageLimit), recipientintegrationid: c.recipientIntegrationId ?? '',
    referralid: c.referralId !== undefined ? String(c.referralId) : '', reservation: String(c.recipientIntegrationId === undefined),
    reservation_counter: String(c.reservationCounter), reservation_limitval: c.reservationLimit !== undefined ? String(c.reservationLimit) : '',
    startdate: formatDate(c.startDate, f), value: c.value,
  };
  return EXPORT_COLUMNS.map((k) => csvField(cells[k])).join(',');
}

/** Checks the request (404 for an unknown Application, 400 for bad filters) before the first byte is sent. */
export function prepareExport(ctx: ServiceContext, applicationId: number, f: CouponFilterInput, o: ExportOptions): Promise<CouponQuery> {
  return ctx.db.transaction(async (sql) => {
    await loadApplication(ctx, sql, applicationId);
    return couponQuery(ctx, sql, applicationId, f, o.campaignId);
  });
}

/** The CSV text, a chunk per page: the header, then the rows in id order. */
export async function* exportCouponsCsv(ctx: ServiceContext, q: CouponQuery, o: ExportOptions): AsyncGenerator<string> {
  yield `${o.valuesOnly ? 'value' : EXPORT_COLUMNS.join(',')}\n`;
  let after = 0;
  for (;;) {
    const { rows, lastId } = await ctx.db.transaction((sql) => couponsAfter(sql, q, after, EXPORT_PAGE));
    if (lastId === undefined) return;
    after = lastId;
    if (rows.length) yield `${rows.map((c) => (o.valuesOnly ? csvField(c.value) : row(c, o.dateFormat))).join('\n')}\n`;
  }
}
