/**
 * importCoupons: a CSV upload of any size, with bounded memory.
 *
 * The upload is first streamed to a temporary file (no database lock is held while a client is
 * still sending), then parsed as a stream and inserted 1 000 rows per statement inside ONE
 * transaction: a bad row (400 naming its line in `errors[].source.line`) or a duplicate code rolls
 * the whole import back, so a failed import leaves nothing behind and a half-imported file is never
 * redeemable. Memory holds one batch, never the file. See docs/coupons.md.
 */
import { CsvError, parse } from 'csv-parse';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ACCOUNT_ID, type Application } from '../../domain/application.js';
import { normaliseCode, type NewCouponRecord } from '../../domain/coupon.js';
import { AppError, badRequest, lineError, Title } from '../../domain/errors.js';
import { dec } from '../../domain/money.js';
import type { Sql } from '../../store/db.js';
import { analyzeCoupons, insertCouponsReturningValues, nextImportId } from '../../store/repos/coupons.js';
import { checkAttributes } from '../definitions/validate.js';
import { loadDefinitions, type Definitions } from '../definitions/load.js';
import type { ServiceContext } from '../context.js';
import { loadCampaignOf, newBatchId, requireCouponFeature } from './common.js';

const IMPORT_BATCH = 1000;
const PROGRESS_EVERY = 100_000;
const COLUMNS = new Set(['value', 'expirydate', 'startdate', 'recipientintegrationid', 'limitval', 'attributes', 'discountlimit']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const MONEY = /^\d{1,16}(\.\d+)?$/;

interface ImportLog { info(obj: object, msg: string): void }
export interface ImportOptions { skipDuplicates: boolean; log?: ImportLog }
export interface ImportResult { id: number; created: string; accountId: number; userId: number; entity: 'Coupon'; amount: number }

const USER_ID = 1;

function invalidLine(line: number, title: Title, details: string): AppError {
  return badRequest(`Line ${line}: ${details}`, [lineError(line, title, details)]);
}

export async function importCoupons(ctx: ServiceContext, applicationId: number, campaignId: number, upload: Readable, opts: ImportOptions): Promise<ImportResult> {
  const { app, defs, importId } = await ctx.db.transaction(async (sql) => {
    const { app, campaign } = await loadCampaignOf(ctx, sql, applicationId, campaignId);
    requireCouponFeature(campaign);
    return { app, defs: await loadDefinitions(ctx, sql), importId: await nextImportId(sql) };
  });
  const dir = await mkdtemp(join(tmpdir(), 'openpromo-import-'));
  const path = join(dir, 'upload.csv');
  try {
    await pipeline(upload, createWriteStream(path));
    const created = ctx.now().toISOString();
    const base = { applicationId, campaignId, created, importId, batchId: newBatchId() };
    const amount = await ctx.db.transaction((sql) => insertFromCsv(sql, path, app, defs, base, opts));
    opts.log?.info({ importId, campaignId, amount }, 'coupon import committed');
    // a large load leaves the planner's statistics behind until autovacuum catches up: refresh them now
    if (amount >= 10_000) await ctx.db.transaction((sql) => analyzeCoupons(sql));
    return { id: importId, created, accountId: ACCOUNT_ID, userId: USER_ID, entity: 'Coupon', amount };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type Base = Pick<NewCouponRecord, 'applicationId' | 'campaignId' | 'created' | 'importId' | 'batchId'>;

/** A rejected row, known by its record number (0 = the header); its line is looked up only on failure. */
class RowError extends Error {
  constructor(readonly record: number, readonly title: Title, readonly details: string) { super(details); }
}

const PARSE = { bom: true, skip_empty_lines: true } as const;

/**
 * The line a record ends on, by parsing the spooled file again with line tracking. Tracking lines
 * for every record costs an object per row, so the happy path does without it.
 */
async function lineOf(path: string, record: number): Promise<number> {
  let n = 0;
  for await (const { info } of createReadStream(path).pipe(parse({ ...PARSE, info: true })) as AsyncIterable<{ info: { lines: number } }>) {
    if (n++ === record) return info.lines;
  }
  return n;
}

async function insertFromCsv(sql: Sql, path: string, app: Application, defs: Definitions, base: Base, opts: ImportOptions): Promise<number> {
  try {
    return await insertRecords(sql, createReadStream(path), app, defs, base, opts);
  } catch (err) {
    if (err instanceof RowError) throw invalidLine(await lineOf(path, err.record), err.title, err.details);
    if (err instanceof CsvError) throw invalidLine(typeof err.lines === 'number' ? err.lines : 0, Title.invalidCsv, err.message);
    throw err;
  }
}

async function insertRecords(sql: Sql, csv: Readable, app: Application, defs: Definitions, base: Base, opts: ImportOptions): Promise<number> {
  let header: string[] | undefined;
  let batch: NewCouponRecord[] = [];
  let records: number[] = [];
  let inBatch = new Map<string, number>();
  let record = 0;
  let rows = 0;
  let amount = 0;

  const insert = async (b: NewCouponRecord[], at: number[]) => {
    const inserted = await insertCouponsReturningValues(sql, b);
    if (!opts.skipDuplicates && inserted.size < b.length) {
      const k = b.findIndex((c) => !inserted.has(c.value));
      throw new RowError(at[k], Title.duplicate, `Coupon code ${JSON.stringify(b[k].value)} already exists in this Application`);
    }
    amount += inserted.size;
  };
  // one batch is inserted while the next is parsed (PostgreSQL works while Node parses); never more
  let inflight: Promise<void> = Promise.resolve();
  const flush = async () => {
    await inflight;
    inflight = insert(batch, records);
    inflight.catch(() => undefined); // awaited at the next flush or at the end
    batch = []; records = []; inBatch = new Map();
  };

  for await (const fields of csv.pipe(parse(PARSE)) as AsyncIterable<string[]>) {
    if (!header) {
      header = fields.map((h) => h.trim().toLowerCase());
      const unknown = header.find((h) => !COLUMNS.has(h));
      if (unknown !== undefined) throw new RowError(0, Title.unknown, `Unknown column ${JSON.stringify(unknown)}; the columns are ${[...COLUMNS].join(', ')}`);
      if (!header.includes('value')) throw new RowError(0, Title.required, 'The header has no "value" column');
      continue;
    }
    record++;
    const c = toRecord(header, fields, record, app, defs, base);
    const earlier = inBatch.get(c.value);
    if (earlier !== undefined) {
      if (opts.skipDuplicates) continue;
      throw new RowError(record, Title.duplicate, `Coupon code ${JSON.stringify(c.value)} is repeated in the file`);
    }
    inBatch.set(c.value, record);
    batch.push(c);
    records.push(record);
    if (++rows % PROGRESS_EVERY === 0) opts.log?.info({ importId: base.importId, rows }, 'coupon import progress');
    if (batch.length >= IMPORT_BATCH) await flush();
  }
  if (!header) throw invalidLine(1, Title.required, 'The file is empty: expected a header with a "value" column');
  if (batch.length) await flush();
  await inflight;
  return amount;
}

function toRecord(header: readonly string[], fields: readonly string[], line: number, app: Application, defs: Definitions, base: Base): NewCouponRecord {
  if (fields.length !== header.length) throw new RowError(line, Title.invalidCsv, `Expected ${header.length} fields, found ${fields.length}`);
  let raw: string | undefined;
  const c: NewCouponRecord = { ...base, value: '', usageLimit: 1, attributes: {}, limits: [], isReservationMandatory: false, implicitlyReserved: false };
  for (let i = 0; i < header.length; i++) {
    const v = fields[i].trim();
    switch (header[i]) {
      case 'value': raw = v; break;
      case 'expirydate': if (v) c.expiryDate = date(v, line, 'expirydate'); break;
      case 'startdate': if (v) c.startDate = date(v, line, 'startdate'); break;
      case 'recipientintegrationid':
        if (v.length > 1000) throw new RowError(line, Title.invalidValue, 'recipientintegrationid is longer than 1000 characters');
        if (v) c.recipientIntegrationId = v;
        break;
      case 'limitval':
        if (v) {
          if (!/^\d{1,6}$/.test(v)) throw new RowError(line, Title.invalidValue, `limitval must be an integer from 0 to 999999, got ${JSON.stringify(v)}`);
          c.usageLimit = Number(v);
        }
        break;
      case 'discountlimit':
        if (v) {
          if (!MONEY.test(v) || dec(v).gt(1e15)) throw new RowError(line, Title.invalidValue, `discountlimit must be a number from 0 to 1e15, got ${JSON.stringify(v)}`);
          c.discountLimit = dec(v);
        }
        break;
      case 'attributes': if (v) c.attributes = attributes(v, line, defs); break;
    }
  }
  if (raw === undefined || [...raw].length < 3) throw new RowError(line, Title.invalidValue, 'value must be at least 3 characters long');
  c.value = normaliseCode(raw, app.caseSensitivity);
  if (c.startDate && c.expiryDate && c.expiryDate <= c.startDate) throw new RowError(line, Title.invalidValue, 'expirydate must be after startdate');
  return c;
}

function date(v: string, line: number, column: string): string {
  const t = Date.parse(v);
  if (!RFC3339.test(v) || Number.isNaN(t)) throw new RowError(line, Title.invalidValue, `${column} must be an RFC 3339 date-time, got ${JSON.stringify(v)}`);
  return new Date(t).toISOString();
}

function attributes(v: string, line: number, defs: Definitions): Record<string, unknown> {
  let parsed: unknown;
  try { parsed = JSON.parse(v); } catch { throw new RowError(line, Title.invalidValue, 'attributes must be a JSON object'); }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new RowError(line, Title.invalidValue, 'attributes must be a JSON object');
  const attrs = parsed as Record<string, unknown>;
  try {
    checkAttributes(defs, 'Coupon', attrs, '/attributes');
  } catch (err) {
    if (err instanceof AppError) throw new RowError(line, err.errors[0]?.title ?? Title.invalidValue, err.message);
    throw err;
  }
  return attrs;
}
