/**
 * exportLoyaltyLedger: a profile's ledger entries created in [rangeStart, rangeEnd] as CSV, produced page by
 * page (a keyset scan per page, each in its own transaction, as the coupon export does), so a long history
 * is never held in memory.
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import { notFound } from '../../domain/errors.js';
import type { Transaction } from '../../domain/loyalty.js';
import { toNumber } from '../../domain/money.js';
import { transactionsAfter, type TransactionQuery } from '../../store/repos/loyaltyLedgers.js';
import { getProfile } from '../../store/repos/profiles.js';
import type { ServiceContext } from '../context.js';
import { loadProgram } from './common.js';
import { refuseCardBased } from './points.js';

const EXPORT_PAGE = 5000;
const COLUMNS = ['customerprofileid', 'customersessionid', 'rulesetid', 'rulename', 'programid', 'type', 'name', 'subledgerid', 'startdate', 'expirydate',
  'id', 'created', 'amount', 'archived', 'campaignid', 'flags', 'transactionUUID'] as const;

export type DateFormat = 'excel' | 'ISO8601';

export const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** `excel`: `YYYY-MM-DD HH:MM:SS` in UTC; words (`immediate`, `unlimited`, `on_action`) stay as they are. */
function formatDate(s: string, format: DateFormat | undefined): string {
  if (format !== 'excel' || !/^\d{4}-/.test(s)) return s;
  return new Date(s).toISOString().slice(0, 19).replace('T', ' ');
}

function row(t: Transaction, f: DateFormat | undefined): string {
  const cells: Record<(typeof COLUMNS)[number], string> = {
    customerprofileid: t.profileIntegrationId, customersessionid: t.customerSessionId ?? '', rulesetid: t.rulesetId !== undefined ? String(t.rulesetId) : '',
    rulename: t.ruleName ?? '', programid: String(t.programId), type: t.type, name: t.name, subledgerid: t.subledgerId,
    startdate: formatDate(t.startDate, f), expirydate: formatDate(t.expiryDate, f), id: String(t.id), created: formatDate(t.created, f),
    amount: toNumber(t.amount).toString(), archived: 'false', campaignid: t.campaignId !== undefined ? String(t.campaignId) : '', flags: JSON.stringify(t.flags),
    transactionUUID: t.uuid,
  };
  return COLUMNS.map((k) => csvField(cells[k])).join(',');
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
export async function* exportLedgerCsv(ctx: ServiceContext, q: TransactionQuery, format: DateFormat | undefined): AsyncGenerator<string> {
  yield `${COLUMNS.join(',')}\n`;
  let after = 0;
  for (;;) {
    const rows = await ctx.db.transaction((sql) => transactionsAfter(sql, q, after, EXPORT_PAGE));
    if (rows.length === 0) return;
    after = rows[rows.length - 1].id;
    yield `${rows.map((t) => row(t, format)).join('\n')}\n`;
  }
}
