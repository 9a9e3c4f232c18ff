/**
 * exportLoyaltyCardLedger: a card's ledger entries created in [rangeStart, rangeEnd] as CSV, oldest first,
 * a page per transaction (a keyset scan), streamed as the profile export is.
 */
import type { Transaction } from '../../../domain/loyalty.js';
import { toNumber } from '../../../domain/money.js';
import { transactionsAfter, type TransactionQuery } from '../../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../../context.js';
import type { DateFormat } from '../export.js';
import { loadCardProgram, requireCard } from './common.js';

const EXPORT_PAGE = 5000;
const COLUMNS = ['loyaltycardidentifier', 'customersessionid', 'rulesetid', 'rulename', 'programid', 'type', 'name', 'subledgerid', 'startdate', 'expirydate',
  'id', 'created', 'amount', 'archived', 'campaignid', 'flags', 'transactionUUID'] as const;

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const formatDate = (s: string, f: DateFormat | undefined) => (f !== 'excel' || !/^\d{4}-/.test(s) ? s : new Date(s).toISOString().slice(0, 19).replace('T', ' '));

function row(t: Transaction, identifier: string, f: DateFormat | undefined): string {
  const cells: Record<(typeof COLUMNS)[number], string> = {
    loyaltycardidentifier: identifier, customersessionid: t.customerSessionId ?? '', rulesetid: t.rulesetId !== undefined ? String(t.rulesetId) : '',
    rulename: t.ruleName ?? '', programid: String(t.programId), type: t.type, name: t.name, subledgerid: t.subledgerId,
    startdate: formatDate(t.startDate, f), expirydate: formatDate(t.expiryDate, f), id: String(t.id), created: formatDate(t.created, f),
    amount: toNumber(t.amount).toString(), archived: 'false', campaignid: t.campaignId !== undefined ? String(t.campaignId) : '', flags: JSON.stringify(t.flags),
    transactionUUID: t.uuid,
  };
  return COLUMNS.map((k) => csvField(cells[k])).join(',');
}

/** Checks the request (400 for a program that is not card-based, 404 for an unknown program or card) before the first byte is sent. */
export function prepareCardLedgerExport(ctx: ServiceContext, programId: number, identifier: string, rangeStart: string, rangeEnd: string): Promise<{ q: TransactionQuery; identifier: string }> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadCardProgram(sql, programId);
    const card = await requireCard(sql, program.id, identifier);
    return { q: { programId, cardId: card.id, createdFrom: new Date(rangeStart).toISOString(), createdTo: new Date(rangeEnd).toISOString() }, identifier: card.identifier };
  });
}

export async function* exportCardLedgerCsv(ctx: ServiceContext, q: TransactionQuery, identifier: string, format: DateFormat | undefined): AsyncGenerator<string> {
  yield `${COLUMNS.join(',')}\n`;
  let after = 0;
  for (;;) {
    const rows = await ctx.db.transaction((sql) => transactionsAfter(sql, q, after, EXPORT_PAGE));
    if (rows.length === 0) return;
    after = rows[rows.length - 1].id;
    yield `${rows.map((t) => row(t, identifier, format)).join('\n')}\n`;
  }
}
