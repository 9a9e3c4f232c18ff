/**
 * What the loyalty CSV imports (points, cards) share: the upload spooled to a temporary file (no database
 * lock is held while a client is still sending), then parsed as a stream and handed over 1 000 rows at a
 * time inside the caller's ONE transaction. A bad row — a `RowError` thrown by the caller — or a CSV syntax
 * error is a 400 naming its line (`errors[].source.line`, 1 = the header), and the caller's transaction
 * rolls the whole import back (docs/loyalty.md, "Importing points"; docs/loyalty-cards.md, "Importing cards").
 */
import { CsvError, parse } from 'csv-parse';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { badRequest, lineError, Title, type AppError } from '../../domain/errors.js';

const BATCH = 1000;
const PARSE = { bom: true, skip_empty_lines: true } as const;

/** The user an import is recorded under (`Import.userId`). */
export const IMPORT_USER_ID = 1;

/** A rejected row, known by its record number (0 = the header); its line is looked up only on failure. */
export class RowError extends Error {
  constructor(readonly record: number, readonly title: Title, readonly details: string) { super(details); }
}

const invalidLine = (line: number, title: Title, details: string): AppError => badRequest(`Line ${line}: ${details}`, [lineError(line, title, details)]);

/** Streams the upload to a temporary file, runs `work` on its path, and removes the file whatever happens. */
export async function withSpooledUpload<T>(upload: Readable, work: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'openpromo-loyalty-'));
  const path = join(dir, 'upload.csv');
  try {
    await pipeline(upload, createWriteStream(path));
    return await work(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The line a record ends on, by parsing the spooled file again with line tracking (only on failure). */
async function lineOf(path: string, record: number): Promise<number> {
  let n = 0;
  for await (const { info } of createReadStream(path).pipe(parse({ ...PARSE, info: true })) as AsyncIterable<{ info: { lines: number } }>) {
    if (n++ === record) return info.lines;
  }
  return n;
}

export interface CsvImport<R> {
  /** the 400's text for a file without even a header */
  empty: string;
  /** checks the header (trimmed, lower-cased names); a RowError with record 0 refuses it */
  header(names: readonly string[]): void;
  /** a record's cells by column name (trimmed) → the row to write, or a RowError */
  row(cells: Readonly<Record<string, string>>, record: number): R;
  /** writes a batch (at most 1000 rows; `records` their record numbers), or throws a RowError naming one */
  write(rows: R[], records: number[]): Promise<void>;
}

/** Reads the spooled file: the header, then the records in batches. Answers the number of rows written. */
export async function importCsvFile<R>(path: string, imp: CsvImport<R>): Promise<number> {
  try {
    return await readRecords(createReadStream(path), imp);
  } catch (err) {
    if (err instanceof RowError) throw invalidLine(await lineOf(path, err.record), err.title, err.details);
    if (err instanceof CsvError) throw invalidLine(typeof err.lines === 'number' ? err.lines : 0, Title.invalidCsv, err.message);
    throw err;
  }
}

async function readRecords<R>(csv: Readable, imp: CsvImport<R>): Promise<number> {
  let header: string[] | undefined;
  let batch: R[] = [];
  let records: number[] = [];
  let record = 0;
  let amount = 0;
  for await (const fields of csv.pipe(parse(PARSE)) as AsyncIterable<string[]>) {
    if (!header) {
      header = fields.map((h) => h.trim().toLowerCase());
      imp.header(header);
      continue;
    }
    record++;
    if (fields.length !== header.length) throw new RowError(record, Title.invalidCsv, `Expected ${header.length} fields, found ${fields.length}`);
    const cells: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) cells[header[i]] = fields[i].trim();
    batch.push(imp.row(cells, record));
    records.push(record);
    if (batch.length >= BATCH) {
      await imp.write(batch, records);
      amount += batch.length;
      batch = [];
      records = [];
    }
  }
  if (!header) throw invalidLine(1, Title.required, imp.empty);
  if (batch.length) await imp.write(batch, records);
  return amount + batch.length;
}
