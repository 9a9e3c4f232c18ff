/**
 * importLoyaltyCustomersTiers: a CSV upload assigning tiers to profiles' ledgers, as the points import does it
 * (importPoints.ts): spooled to a temporary file, parsed as a stream, written 1 000 rows at a time inside ONE
 * transaction; a bad row is a 400 naming its line and nothing is written. Each batch locks its ledgers (in id
 * order) and settles them; a ledger already in the tier named only gets the new expiry (docs/loyalty.md, "Tiers").
 */
import type { Readable } from 'node:stream';
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField, Title } from '../../domain/errors.js';
import type { LoyaltyProgram, Tier } from '../../domain/loyalty.js';
import type { Decimal } from '../../domain/money.js';
import { onBalance, tierExpiry, tierRules, type TierState } from '../../domain/loyaltyTier.js';
import type { Sql } from '../../store/db.js';
import { nextImportId } from '../../store/repos/coupons.js';
import { ledgerTiers, saveCounters, saveTier } from '../../store/repos/loyaltyLedgers.js';
import { ensureProfiles, lockProfileLedgers } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { loadProgram, settle } from './common.js';
import { IMPORT_USER_ID, importCsvFile, RowError, withSpooledUpload } from './csvImport.js';

const COLUMNS = new Set(['subledgerid', 'customerprofileid', 'tiername', 'expirydate']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export interface TierImportResult { id: number; created: string; accountId: number; userId: number; entity: 'LoyaltyTiers'; amount: number }

/** Only programs whose tiers expire take imported tiers: without expiry a tier follows the balance at once, and an assigned one could not hold. */
function checkProgram(program: LoyaltyProgram): void {
  if (program.cardBased) throw invalidField('/', Title.invalidValue, `Loyalty program ${program.id} is card-based: tiers are imported for customer profiles only`);
  if (program.tiers.length === 0) throw invalidField('/', Title.invalidValue, `Loyalty program ${program.id} has no tiers`);
  if (!tierRules(program, null).expiry) {
    throw invalidField('/', Title.invalidValue, `Loyalty program ${program.id} has no tier expiry (tiersExpireIn, or absolute_expiration with tierCycleStartDate): its tiers follow the balance, so they cannot be assigned`);
  }
}

export async function importLoyaltyCustomersTiers(ctx: ServiceContext, programId: number, upload: Readable): Promise<TierImportResult> {
  const { program, importId } = await ctx.db.transaction(async (sql) => {
    const program = await loadProgram(sql, programId);
    checkProgram(program);
    return { program, importId: await nextImportId(sql) };
  });
  return withSpooledUpload(upload, async (path) => {
    const created = ctx.now().toISOString();
    const amount = await ctx.db.transaction((sql) => importCsvFile<Row>(path, {
      empty: 'The file is empty: expected a header with the columns subledgerid, customerprofileid, tiername, expirydate',
      header: checkHeader,
      row: (cells, record) => toRow(cells, record, program, created),
      write: (rows) => writeBatch(sql, program, rows, created),
    }));
    return { id: importId, created, accountId: ACCOUNT_ID, userId: IMPORT_USER_ID, entity: 'LoyaltyTiers' as const, amount };
  });
}

interface Row { integrationId: string; subledgerId: string; tier: Tier; expiry: string | null }

function checkHeader(header: readonly string[]): void {
  const unknown = header.find((h) => !COLUMNS.has(h));
  if (unknown !== undefined) throw new RowError(0, Title.unknown, `Unknown column ${JSON.stringify(unknown)}; the columns are subledgerid, customerprofileid, tiername, expirydate`);
  for (const c of ['customerprofileid', 'tiername']) if (!header.includes(c)) throw new RowError(0, Title.required, `The header has no "${c}" column`);
}

function toRow(cell: Readonly<Record<string, string>>, record: number, program: LoyaltyProgram, now: string): Row {
  const integrationId = cell.customerprofileid ?? '';
  if (integrationId === '' || integrationId.length > 1000) throw new RowError(record, Title.invalidValue, 'customerprofileid must be 1 to 1000 characters long');
  const subledgerId = cell.subledgerid ?? '';
  if (subledgerId.length > 64) throw new RowError(record, Title.invalidValue, 'subledgerid is longer than 64 characters');
  if (subledgerId !== '' && !program.allowSubledger) throw new RowError(record, Title.invalidValue, `Loyalty program ${program.id} does not allow subledgers`);
  const name = cell.tiername ?? '';
  const tier = program.tiers.find((t) => t.name === name);
  if (!tier) throw new RowError(record, Title.unknown, `Loyalty program ${program.id} has no tier ${JSON.stringify(name)}; its tiers are ${program.tiers.map((t) => t.name).join(', ')}`);
  const raw = cell.expirydate ?? '';
  let expiry: string | null = null;
  if (raw !== '') {
    const t = Date.parse(raw);
    if (!RFC3339.test(raw) || Number.isNaN(t)) throw new RowError(record, Title.invalidValue, `expirydate must be an RFC 3339 date-time, got ${JSON.stringify(raw)}`);
    expiry = new Date(t).toISOString();
    if (expiry <= now) throw new RowError(record, Title.invalidValue, `expirydate must be in the future, got ${raw}`);
  }
  return { integrationId, subledgerId, tier, expiry };
}

const keyOf = (integrationId: string, subledgerId: string) => `${integrationId}\u0000${subledgerId}`;

/**
 * One batch: profiles and ledgers created if missing, ledgers locked in id order and settled, then each row's
 * tier: the same tier keeps its start and takes the new expiry, another tier starts now (an empty expirydate:
 * the program's expiry from now). A balance already above the tier upgrades at once, as any upgrade.
 */
async function writeBatch(sql: Sql, program: LoyaltyProgram, rows: readonly Row[], now: string): Promise<void> {
  await ensureProfiles(sql, ACCOUNT_ID, rows.map((r) => r.integrationId), now);
  const keys = new Map(rows.map((r) => [keyOf(r.integrationId, r.subledgerId), { ownerId: r.integrationId, subledgerId: r.subledgerId }]));
  const locked = await lockProfileLedgers(sql, program.id, [...keys.values()], now);
  const stored = await ledgerTiers(sql, locked.map((l) => l.id));
  const ledgers = new Map<string, { id: number; state: TierState; joinBase: string; active: Decimal }>();
  for (const l of locked) {
    const s = await settle(sql, { ...l, tier: stored.get(l.id)! }, now, program);
    // the stored tier is valid from now: past reads replay the history without it
    await saveCounters(sql, l.id, s.counters, now, s.nextChangeAt);
    ledgers.set(keyOf(l.ownerId, l.subledgerId), { id: l.id, state: s.tier!.state, joinBase: s.tier!.joinBase, active: s.counters.active });
  }
  for (const r of rows) {
    const l = ledgers.get(keyOf(r.integrationId, r.subledgerId))!;
    const rules = tierRules(program, l.joinBase);
    const assigned: TierState = l.state.tierId === r.tier.id && l.state.start !== null
      ? { ...l.state, expiry: r.expiry ?? tierExpiry(rules, l.state.start, now) }
      : { tierId: r.tier.id, start: now, expiry: r.expiry ?? tierExpiry(rules, now, now) };
    l.state = onBalance(rules, assigned, l.active, now);
  }
  for (const l of ledgers.values()) await saveTier(sql, l.id, l.state);
}
