/** CSV records of an uploaded file with the line each starts on (a quoted cell may span lines). */
import { CsvError, parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { badRequest, lineError, Title } from '../../domain/errors.js';
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
    if (err instanceof CsvError) {
      throw badRequest(`Invalid CSV: ${err.message}`, [lineError(typeof err.lines === 'number' ? err.lines : 'N/A', Title.invalidCsv, err.message)]);
    }
    throw err;
  } finally {
    input.resume(); // drain what the parser left so the request completes
  }
}
