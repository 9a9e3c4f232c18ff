/** CSV records of an uploaded file with the line each starts on (a quoted cell may span lines). */
import { parse, type CsvError } from 'csv-parse';
import type { Readable } from 'node:stream';
import { AppError, Title } from '../../domain/errors.js';
import type { CsvRecord } from './import.js';

const BREAK = /\r\n|\r|\n/g;

export async function* csvRecords(input: Readable): AsyncIterable<CsvRecord> {
  // `info.lines` is the line a record ends on; count the breaks inside it to find where it starts
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, info: true, raw: true }));
  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
      const inner = (raw.replace(/(\r\n|\r|\n)$/, '').match(BREAK) ?? []).length;
      yield { line: info.lines - inner, cells: record };
    }
  } catch (err) {
    const e = err as CsvError & { lines?: number };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      throw new AppError(400, `Invalid CSV: ${e.message}`, [{ title: Title.invalidCsv, details: e.message, source: { line: e.lines === undefined ? 'N/A' : String(e.lines) } }]);
    }
    throw err;
  } finally {
    input.resume(); // drain what the parser left so the request completes
  }
}
