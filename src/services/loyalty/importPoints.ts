/**
 * importLoyaltyPoints: a CSV upload of any size adding points to profiles (created if missing), as the coupon
 * import does it: the upload is spooled to a temporary file, then parsed as a stream and written 1 000 rows at
 * a time inside ONE transaction. A bad row is a 400 naming its line (`errors[].source.line`) and rolls the whole
 * import back. Each batch locks its ledgers (in id order), settles them, inserts the entries and buckets in two
 * statements, and writes each ledger's counters once (docs/loyalty.md, "Importing points").
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField, Title } from '../../domain/errors.js';
import { applyDuration, changeAt, durationProblem, parseDuration, stateAt, type Counters, type LoyaltyProgram } from '../../domain/loyalty.js';
import { dec } from '../../domain/money.js';
import type { Sql } from '../../store/db.js';
import { nextImportId } from '../../store/repos/coupons.js';
import { ledgerTiers, type Ledger } from '../../store/repos/loyaltyLedgers.js';
import { ensureProfiles, insertAdditions, lockProfileLedgers, saveLedgers, type ImportedAddition } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { loadProgram, settle } from './common.js';
import { IMPORT_USER_ID, importCsvFile, RowError, withSpooledUpload } from './csvImport.js';
import { noteTier } from './tiers.js';
import { joinCandidate } from './join.js';

const COLUMNS = new Set(['customerprofileid', 'identifier', 'amount', 'startdate', 'expirydate', 'validityduration', 'subledgerid', 'reason']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const AMOUNT = /^\d{1,12}(\.\d+)?$/;
const POINTS_MAX = dec('999999999999.99');

export interface ImportResult { id: number; created: string; accountId: number; userId: number; entity: 'LoyaltyPoints'; amount: number }

export async function importLoyaltyPoints(ctx: ServiceContext, programId: number, upload: Readable): Promise<ImportResult> {
  const { program, importId } = await ctx.db.transaction(async (sql) => {
    const program = await loadProgram(sql, programId);
    if (program.cardBased) throw invalidField('/', Title.invalidValue, `Loyalty program ${programId} is card-based: importing points to loyalty cards is not served yet`);
    return { program, importId: await nextImportId(sql) };
  });
  return withSpooledUpload(upload, async (path) => {
    const created = ctx.now().toISOString();
    const amount = await ctx.db.transaction((sql) => importCsvFile<Row>(path, {
      empty: 'The file is empty: expected a header with the columns customerprofileid and amount',
      header: checkHeader,
      row: (cells, record) => toRow(cells, record, program, created),
      write: (rows) => writeBatch(sql, program, rows, importId, created),
    }));
    return { id: importId, created, accountId: ACCOUNT_ID, userId: IMPORT_USER_ID, entity: 'LoyaltyPoints', amount };
  });
}

type Row = Omit<ImportedAddition, 'ledgerId' | 'importId' | 'created' | 'state' | 'changeAt'>;

function checkHeader(header: readonly string[]): void {
  const unknown = header.find((h) => !COLUMNS.has(h));
  if (unknown !== undefined) throw new RowError(0, Title.unknown, `Unknown column ${JSON.stringify(unknown)}; the columns are customerprofileid, amount, startdate, expirydate, validityDuration, subledgerid, reason`);
  if (header.includes('identifier')) throw new RowError(0, Title.invalidValue, 'The column "identifier" names loyalty cards; this program is profile-based: use "customerprofileid"');
  for (const c of ['customerprofileid', 'amount']) if (!header.includes(c)) throw new RowError(0, Title.required, `The header has no "${c}" column`);
}

function toRow(cell: Readonly<Record<string, string>>, record: number, program: LoyaltyProgram, now: string): Row {
  const integrationId = cell.customerprofileid ?? '';
  if (integrationId === '' || integrationId.length > 1000) throw new RowError(record, Title.invalidValue, 'customerprofileid must be 1 to 1000 characters long');
  const raw = cell.amount ?? '';
  if (!AMOUNT.test(raw) || dec(raw).lte(0) || dec(raw).gt(POINTS_MAX)) {
    throw new RowError(record, Title.invalidValue, `amount must be a number greater than 0 and at most 999999999999.99, got ${JSON.stringify(raw)}`);
  }
  const subledgerId = cell.subledgerid ?? '';
  if (subledgerId.length > 64) throw new RowError(record, Title.invalidValue, 'subledgerid is longer than 64 characters');
  if (subledgerId !== '' && !program.allowSubledger) throw new RowError(record, Title.invalidValue, `Loyalty program ${program.id} does not allow subledgers`);
  const name = cell.reason ?? '';
  if (name.length > 255) throw new RowError(record, Title.invalidValue, 'reason is longer than 255 characters');

  const startCell = cell.startdate ?? '';
  let start: string | null;
  let startWire: string;
  if (startCell === '' || startCell === 'immediate') { start = now; startWire = 'immediate'; }
  else if (startCell === 'on_action') { start = null; startWire = 'on_action'; }
  else { start = date(startCell, record, 'startdate'); startWire = start; }

  const expiryCell = cell.expirydate ?? '';
  const validity = cell.validityduration ?? '';
  if (expiryCell !== '' && validity !== '') throw new RowError(record, Title.invalidValue, 'Give expirydate or validityDuration, not both');
  let expiry: string | null = null;
  let validityDuration: string | undefined;
  if (expiryCell !== '' && expiryCell !== 'unlimited') {
    expiry = date(expiryCell, record, 'expirydate');
    if (expiry <= (start ?? now)) throw new RowError(record, Title.invalidValue, 'expirydate must be after the points start');
  } else if (validity !== '' && validity !== 'unlimited') {
    const problem = durationProblem(validity, ['unlimited']);
    if (problem) throw new RowError(record, Title.invalidValue, `validityDuration ${problem}`);
    validityDuration = validity;
    // on-action points: the validity counts from their activation
    if (start !== null) expiry = applyDuration(new Date(start), parseDuration(validity)!, program.timezone).toISOString();
  }
  return {
    uuid: randomUUID(), integrationId, subledgerId, amount: dec(raw), name, startWire, expiryWire: expiry ?? 'unlimited', start, expiry,
    ...(validityDuration !== undefined ? { validityDuration } : {}),
  };
}

function date(v: string, record: number, column: string): string {
  const t = Date.parse(v);
  if (!RFC3339.test(v) || Number.isNaN(t)) throw new RowError(record, Title.invalidValue, `${column} must be an RFC 3339 date-time, got ${JSON.stringify(v)}`);
  return new Date(t).toISOString();
}

const keyOf = (integrationId: string, subledgerId: string) => `${integrationId}\u0000${subledgerId}`;

/** One batch: profiles, ledgers (locked in id order, settled), entries and buckets, then each ledger's counters and join date. */
async function writeBatch(sql: Sql, program: LoyaltyProgram, rows: readonly Row[], importId: number, now: string): Promise<void> {
  await ensureProfiles(sql, ACCOUNT_ID, rows.map((r) => r.integrationId), now);
  const keys = new Map(rows.map((r) => [keyOf(r.integrationId, r.subledgerId), { ownerId: r.integrationId, subledgerId: r.subledgerId }]));
  const ids = new Map<string, number>();
  const ledgers = new Map<number, { counters: Counters; next: string | null; join: string | null }>();
  const settled = new Map<number, Ledger>();
  const locked = await lockProfileLedgers(sql, program.id, [...keys.values()], now);
  const tiers = program.tiers.length ? await ledgerTiers(sql, locked.map((l) => l.id)) : undefined;
  for (const l of locked) {
    const s = await settle(sql, tiers ? { ...l, tier: tiers.get(l.id)! } : l, now, program);
    settled.set(l.id, s);
    ids.set(keyOf(l.ownerId, l.subledgerId), l.id);
    ledgers.set(l.id, { counters: s.counters, next: s.nextChangeAt, join: null });
  }
  const additions: ImportedAddition[] = rows.map((r) => {
    const ledgerId = ids.get(keyOf(r.integrationId, r.subledgerId))!;
    const state = stateAt(r, now);
    const next = changeAt({ ...r, state });
    const l = ledgers.get(ledgerId)!;
    l.counters = { ...l.counters, [state]: l.counters[state].plus(r.amount) };
    if (next !== null && (l.next === null || next < l.next)) l.next = next;
    const join = joinCandidate(program, r.start, now);
    if (join !== null && (l.join === null || join < l.join)) l.join = join;
    return { ...r, ledgerId, importId, created: now, state, changeAt: next };
  });
  await insertAdditions(sql, program.id, additions);
  await saveLedgers(sql, now, [...ledgers].map(([id, l]) => ({ id, ...l })));
  for (const [id, l] of ledgers) await noteTier(sql, program, settled.get(id)!, l.counters, now);
}
