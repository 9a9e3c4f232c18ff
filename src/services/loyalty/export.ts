/**
 * exportLoyaltyLedger: a profile's ledger entries created in [rangeStart, rangeEnd] as CSV, produced page by
 * page (a keyset scan per page, each in its own transaction, as the coupon export does), so a long history
 * is never held in memory. Also what every loyalty CSV export shares: the cell quoting, the `dateFormat`,
 * and the keyset-paged stream itself (`csvPages`).
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import { notFound } from '../../domain/errors.js';
import type { Transaction } from '../../domain/loyalty.js';
import { toNumber } from '../../domain/money.js';
import type { Sql } from '../../store/db.js';
import { transactionsAfter, type TransactionQuery } from '../../store/repos/loyaltyLedgers.js';
import { getProfile } from '../../store/repos/profiles.js';
import type { ServiceContext } from '../context.js';
import { loadProgram } from './common.js';
import { refuseCardBased } from './points.js';

/** Rows per read transaction of every loyalty export. */
const EXPORT_PAGE = 5000;
const LEDGER_COLUMNS = ['customersessionid', 'rulesetid', 'rulename', 'programid', 'type', 'name', 'subledgerid', 'startdate', 'expirydate',
  'id', 'created', 'amount', 'archived', 'campaignid', 'flags', 'transactionUUID'] as const;

export type DateFormat = 'excel' | 'ISO8601';

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** `excel`: `YYYY-MM-DD HH:MM:SS` in UTC; words (`immediate`, `unlimited`, `on_action`) stay as they are. */
export function formatDate(s: string, format: DateFormat | undefined): string {
  if (format !== 'excel' || !/^\d{4}-/.test(s)) return s;
  return new Date(s).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * A loyalty CSV export as a stream of chunks: the header, then a chunk per page. Each page is read in its
 * own transaction by `read` (a keyset scan: up to `limit` rows after the key of the previous page's last row,
 * `start` before the first page), so nothing holds a transaction or the whole result while the client reads.
 * `cells` gives a row's cells, or null to leave the row out (its key still moves the scan on).
 */
export async function* csvPages<T, K>(ctx: ServiceContext, header: readonly string[], start: K, read: (sql: Sql, after: K, limit: number) => Promise<T[]>,
  key: (row: T) => K, cells: (row: T) => readonly string[] | null): AsyncGenerator<string> {
  yield `${header.join(',')}\n`;
  for (let after = start; ;) {
    const rows = await ctx.db.transaction((sql) => read(sql, after, EXPORT_PAGE));
    if (rows.length === 0) return;
    after = key(rows[rows.length - 1]);
    const lines: string[] = [];
    for (const r of rows) {
      const c = cells(r);
      if (c) lines.push(c.map(csvField).join(','));
    }
    if (lines.length) yield `${lines.join('\n')}\n`;
  }
}

/** A ledger export (a profile's or a card's): the owner's column first, then the entry's, oldest first. */
export function ledgerCsv(ctx: ServiceContext, q: TransactionQuery, owner: { column: string; cell: (t: Transaction) => string }, f: DateFormat | undefined): AsyncGenerator<string> {
  return csvPages(ctx, [owner.column, ...LEDGER_COLUMNS], 0, (sql, after, limit) => transactionsAfter(sql, q, after, limit), (t) => t.id, (t) => [
    owner.cell(t), t.customerSessionId ?? '', t.rulesetId !== undefined ? String(t.rulesetId) : '', t.ruleName ?? '', String(t.programId), t.type, t.name,
    t.subledgerId, formatDate(t.startDate, f), formatDate(t.expiryDate, f), String(t.id), formatDate(t.created, f), toNumber(t.amount).toString(), 'false',
    t.campaignId !== undefined ? String(t.campaignId) : '', JSON.stringify(t.flags), t.uuid,
  ]);
}

/** Checks the request (404 for an unknown program or profile) before the first byte is sent. */
export function prepareLedgerExport(ctx: ServiceContext, programId: number, integrationId: string, rangeStart: string, rangeEnd: string): Promise<TransactionQuery> {
  return ctx.db.transaction(async (sql) => {
    refuseCardBased(await loadProgram(sql, programId));
    if (!(await getProfile(sql, ACCOUNT_ID, integrationId))) throw notFound('Customer profile');
    return { programId, profileIntegrationId: integrationId, createdFrom: new Date(rangeStart).toISOString(), createdTo: new Date(rangeEnd).toISOString() };
  });
}

/** The CSV text, a chunk per page: the header, then the entries oldest first. */
export const exportLedgerCsv = (ctx: ServiceContext, q: TransactionQuery, format: DateFormat | undefined) =>
  ledgerCsv(ctx, q, { column: 'customerprofileid', cell: (t) => t.profileIntegrationId }, format);
