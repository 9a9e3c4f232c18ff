/**
 * importReferrals (CSV, docs/referrals.md): columns `code` and
 * `advocateprofileintegrationid` required, `startdate`, `expirydate` (RFC 3339, any offset, stored
 * in UTC), `limitval` (empty → 1, 0 = unlimited), `attributes` (a JSON object of Referral
 * attributes). All or nothing: every bad line is reported (errors[].source.line, 1 = header) and
 * nothing is stored. Codes are normalised to the Application's case and must be new in the
 * Application and unique in the file. Advocate profiles are not created.
 */
import { randomInt } from 'node:crypto';
import { normaliseCode, type NewReferralRecord } from '../../domain/coupon.js';
import { AppError, badRequest, lineError, Title, type ApiError } from '../../domain/errors.js';
import { insertReferralsReturning, stampImport } from '../../store/repos/referrals.js';
import { loadDefinitions } from '../definitions/load.js';
import { checkAttributes } from '../definitions/validate.js';
import type { ServiceContext } from '../context.js';
import { newBatchId, pathCampaign, requireReferralFeature } from './common.js';

/** One CSV record: its cells and the file line it starts on (1-based). */
export interface CsvRecord { line: number; cells: string[] }

export interface ImportResult { id: number; created: string; accountId: number; userId: number; entity: 'Referral'; amount: number }

const COLUMNS = ['code', 'advocateprofileintegrationid', 'startdate', 'expirydate', 'limitval', 'attributes'] as const;
/** The extra columns of our own export: accepted so an export can be imported elsewhere, and ignored. */
const EXPORT_ONLY = ['id', 'created', 'campaignid', 'friendprofileintegrationid', 'counter', 'importid', 'batchid'];
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const MAX_ERRORS = 100;
const MIN_CODE = 3;
const MAX_CODE = 100;
const USER_ID = 1;

type Row = Omit<NewReferralRecord, 'applicationId' | 'campaignId' | 'created' | 'batchId'> & { line: number };

export async function importReferrals(ctx: ServiceContext, applicationId: number, campaignId: number, records: AsyncIterable<CsvRecord>): Promise<ImportResult> {
  const { app, defs } = await ctx.db.transaction(async (sql) => {
    const { app, campaign } = await pathCampaign(ctx, sql, applicationId, campaignId);
    requireReferralFeature(campaign, '/campaignId');
    return { app, defs: await loadDefinitions(ctx, sql) };
  });

  // 1. parse and check every line (no transaction open while the upload is read)
  const errors: ApiError[] = [];
  const fail = (line: number | string, title: Title, details: string) => {
    if (errors.length < MAX_ERRORS) errors.push(lineError(line, title, details));
  };
  let index: Map<string, number> | undefined;
  let width = 0;
  const rows: Row[] = [];
  const firstLine = new Map<string, number>();
  for await (const rec of records) {
    if (!index) {
      index = new Map(rec.cells.map((c, i) => [c.trim().toLowerCase(), i]));
      width = rec.cells.length;
      if (index.size < width) fail(rec.line, Title.duplicate, 'A column appears twice in the header');
      for (const name of index.keys()) {
        if (!(COLUMNS as readonly string[]).includes(name) && !EXPORT_ONLY.includes(name)) fail(rec.line, Title.unknown, `Unknown column ${JSON.stringify(name)}: expected ${COLUMNS.join(', ')}`);
      }
      for (const name of ['code', 'advocateprofileintegrationid']) if (!index.has(name)) fail(rec.line, Title.required, `The file has no ${name} column`);
      if (errors.length) break;
      continue;
    }
    if (rec.cells.length === 1 && rec.cells[0].trim() === '') continue; // blank line
    if (rec.cells.length !== width) {
      fail(rec.line, Title.invalidCsv, `The line has ${rec.cells.length} cells but the header has ${width} columns`);
      continue;
    }
    const cell = (name: string) => { const i = index!.get(name); return i === undefined ? '' : (rec.cells[i] ?? '').trim(); };
    const before = errors.length;
    const code = normaliseCode(cell('code'), app.caseSensitivity);
    if ([...code].length < MIN_CODE || [...code].length > MAX_CODE) fail(rec.line, Title.invalidValue, `code must be ${MIN_CODE} to ${MAX_CODE} characters`);
    else if (firstLine.has(code)) fail(rec.line, Title.duplicate, `Code ${JSON.stringify(code)} already appears on line ${firstLine.get(code)}`);
    else firstLine.set(code, rec.line);
    const advocate = cell('advocateprofileintegrationid');
    if (advocate === '' || advocate.length > 1000) fail(rec.line, Title.invalidValue, 'advocateprofileintegrationid must be 1 to 1000 characters');
    const date = (name: string): string | undefined => {
      const v = cell(name);
      if (v === '') return undefined;
      if (!RFC3339.test(v) || Number.isNaN(Date.parse(v))) { fail(rec.line, Title.invalidValue, `${name} must be an RFC 3339 timestamp, got ${JSON.stringify(v)}`); return undefined; }
      return new Date(v).toISOString();
    };
    const startDate = date('startdate');
    const expiryDate = date('expirydate');
    if (startDate && expiryDate && expiryDate <= startDate) fail(rec.line, Title.invalidValue, 'expirydate must be after startdate');
    const limitText = cell('limitval');
    const usageLimit = limitText === '' ? 1 : Number(limitText);
    if (!/^\d+$/.test(limitText || '1') || usageLimit > 999_999) fail(rec.line, Title.invalidValue, `limitval must be an integer from 0 to 999999, got ${JSON.stringify(limitText)}`);
    let attributes: Record<string, unknown> = {};
    const attrText = cell('attributes');
    if (attrText !== '') {
      try {
        const parsed: unknown = JSON.parse(attrText);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        attributes = parsed as Record<string, unknown>;
        checkAttributes(defs, 'Referral', attributes, '/attributes');
      } catch (err) {
        if (err instanceof AppError) fail(rec.line, err.errors[0]?.title ?? Title.invalidValue, err.message);
        else fail(rec.line, Title.invalidValue, 'attributes must be a JSON object');
      }
    }
    if (errors.length === before) {
      const row: Row = { line: rec.line, code, advocateProfileIntegrationId: advocate, usageLimit, attributes };
      if (startDate) row.startDate = startDate;
      if (expiryDate) row.expiryDate = expiryDate;
      rows.push(row);
    }
  }
  if (!index) errors.push(lineError('N/A', Title.required, 'The file is empty: expected a header line'));
  else if (errors.length === 0 && rows.length === 0) errors.push(lineError('N/A', Title.required, 'The file contains no referrals'));
  if (errors.length) throw badRequest(`The file has ${errors.length >= MAX_ERRORS ? 'at least ' : ''}${errors.length} invalid line(s): ${errors[0].details}`, errors);

  // 2. store in one transaction; a code that exists in the Application fails its line and rolls everything back
  const created = ctx.now().toISOString();
  const batchId = newBatchId(randomInt);
  return ctx.db.transaction(async (sql) => {
    const inserted = await insertReferralsReturning(sql, rows.map(({ line: _line, ...r }) => ({ ...r, applicationId, campaignId, created, batchId })));
    const codes = new Set(inserted.map((r) => r.code));
    for (const r of rows) if (!codes.has(r.code)) fail(r.line, Title.duplicate, `Code ${JSON.stringify(r.code)} already exists in this Application`);
    if (errors.length) throw badRequest(`${errors.length} code(s) already exist: ${errors[0].details}`, errors);
    // the import's id is its smallest referral id: unique, and no imports table is needed
    const id = inserted.reduce((min, r) => Math.min(min, r.id), Number.POSITIVE_INFINITY);
    await stampImport(sql, applicationId, batchId, id);
    return { id, created, accountId: app.accountId, userId: USER_ID, entity: 'Referral', amount: rows.length };
  });
}
