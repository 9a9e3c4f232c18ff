/**
 * importLoyaltyCards: a CSV upload of any size creating cards in a card-based program, as the points import
 * does it (csvImport.ts): spooled, parsed as a stream, written 1 000 rows at a time inside ONE transaction, a
 * bad row a 400 naming its line and nothing left behind. Columns `identifier` and `state` (required),
 * `customerprofileids` (optional, `;`-separated): each batch creates the missing profiles, inserts its cards
 * (multi-row, `import_id` set) and links their profiles (docs/loyalty-cards.md, "Importing cards").
 */
import type { Readable } from 'node:stream';
import { ACCOUNT_ID } from '../../../domain/application.js';
import { Title } from '../../../domain/errors.js';
import type { LoyaltyProgram } from '../../../domain/loyalty.js';
import { cardIdentifierProblem, type CardStatus } from '../../../domain/loyaltyCard.js';
import type { Sql } from '../../../store/db.js';
import { nextImportId } from '../../../store/repos/coupons.js';
import { insertImportedCards, linkProfiles } from '../../../store/repos/loyaltyCards.js';
import { ensureProfiles } from '../../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../../context.js';
import { IMPORT_USER_ID, importCsvFile, RowError, withSpooledUpload } from '../csvImport.js';
import { cardLimit, loadCardProgram } from './common.js';

const COLUMNS = ['identifier', 'state', 'customerprofileids'];
const PROFILE_ID_MAX = 1000;
/** profiles created per statement (4 parameters each: within either store's limit) */
const PROFILES_PER_STATEMENT = 5000;

export interface CardImportResult { id: number; created: string; accountId: number; userId: number; entity: 'LoyaltyCards'; amount: number }

interface Row { identifier: string; status: CardStatus; profiles: string[] }

export async function importLoyaltyCards(ctx: ServiceContext, programId: number, upload: Readable): Promise<CardImportResult> {
  const { program, importId } = await ctx.db.transaction(async (sql) => ({ program: await loadCardProgram(sql, programId), importId: await nextImportId(sql) }));
  return withSpooledUpload(upload, async (path) => {
    const created = ctx.now().toISOString();
    const amount = await ctx.db.transaction((sql) => importCsvFile<Row>(path, {
      empty: 'The file is empty: expected a header with the columns identifier, state and customerprofileids',
      header: checkHeader,
      row: (cells, record) => toRow(cells, record, program),
      write: (rows, records) => writeBatch(sql, program, rows, records, importId, created),
    }));
    return { id: importId, created, accountId: ACCOUNT_ID, userId: IMPORT_USER_ID, entity: 'LoyaltyCards', amount };
  });
}

function checkHeader(header: readonly string[]): void {
  const unknown = header.find((h) => !COLUMNS.includes(h));
  if (unknown !== undefined) throw new RowError(0, Title.unknown, `Unknown column ${JSON.stringify(unknown)}; the columns are ${COLUMNS.join(', ')}`);
  for (const c of ['identifier', 'state']) if (!header.includes(c)) throw new RowError(0, Title.required, `The header has no "${c}" column`);
}

function toRow(cell: Readonly<Record<string, string>>, record: number, program: LoyaltyProgram): Row {
  const identifier = cell.identifier ?? '';
  const problem = cardIdentifierProblem(identifier);
  if (problem) throw new RowError(record, Title.invalidValue, `identifier: ${problem}`);
  const status = cell.state ?? '';
  if (status !== 'active' && status !== 'inactive') throw new RowError(record, Title.invalidValue, `state must be "active" or "inactive", got ${JSON.stringify(status)}`);
  const profiles = [...new Set((cell.customerprofileids ?? '').split(';').map((p) => p.trim()).filter((p) => p !== ''))];
  const long = profiles.find((p) => p.length > PROFILE_ID_MAX);
  if (long !== undefined) throw new RowError(record, Title.invalidValue, `customerprofileids: a profile integration id has at most ${PROFILE_ID_MAX} characters`);
  const limit = cardLimit(program);
  if (limit > 0 && profiles.length > limit) {
    throw new RowError(record, Title.invalidValue, `Loyalty program ${program.id} links at most ${limit} profile(s) to a card (usersPerCardLimit); got ${profiles.length}`);
  }
  return { identifier, status, profiles };
}

/** One batch: the profiles missing, the cards (an identifier repeated or taken already is the 400 of its line), their links. */
async function writeBatch(sql: Sql, program: LoyaltyProgram, rows: readonly Row[], records: readonly number[], importId: number, now: string): Promise<void> {
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (seen.has(r.identifier)) throw new RowError(records[i], Title.duplicate, `Loyalty card ${JSON.stringify(r.identifier)} is repeated in the file`);
    seen.add(r.identifier);
  });
  const profiles = [...new Set(rows.flatMap((r) => r.profiles))];
  for (let i = 0; i < profiles.length; i += PROFILES_PER_STATEMENT) await ensureProfiles(sql, ACCOUNT_ID, profiles.slice(i, i + PROFILES_PER_STATEMENT), now);
  const limit = cardLimit(program);
  const ids = await insertImportedCards(sql, rows.map((r) => ({ programId: program.id, identifier: r.identifier, status: r.status, usersPerCardLimit: limit, created: now })), importId);
  const missing = rows.findIndex((r) => !ids.has(r.identifier));
  if (missing >= 0) {
    throw new RowError(records[missing], Title.duplicate, `Loyalty program ${program.id} has a card ${JSON.stringify(rows[missing].identifier)} already (earlier in the file, or before the import)`);
  }
  await linkProfiles(sql, rows.flatMap((r) => r.profiles.map((integrationId) => ({ cardId: ids.get(r.identifier)!, integrationId }))), now);
}
