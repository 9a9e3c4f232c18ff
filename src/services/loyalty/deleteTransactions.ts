/**
 * deleteLoyaltyTransactionsFromLedgers: removes a profile's entries, buckets and spends from all its
 * (sub)ledgers or the named ones (`""` = the main ledger), and resets their counters, in one transaction
 * under the ledgers' locks (docs/loyalty.md, "Deleting a customer's transactions").
 */
import { invalidField, Title } from '../../domain/errors.js';
import { ownerLedgers } from '../../store/repos/loyaltyLedgers.js';
import { clearLedger, lockLedgersById } from '../../store/repos/loyaltyOps.js';
import type { ServiceContext } from '../context.js';
import { loadProgramFor, requireProfile } from './common.js';

export interface DeleteTransactionsInput { scope: 'AllSubledgers' | 'SelectedSubledgers'; subledgerIds?: string[] | null }

export function deleteLoyaltyTransactions(ctx: ServiceContext, applicationId: number, programId: number, integrationId: string, input: DeleteTransactionsInput): Promise<void> {
  if (input.scope === 'SelectedSubledgers' && !input.subledgerIds?.length) {
    throw invalidField('/subledgerIds', Title.required, 'subledgerIds is required when scope is SelectedSubledgers ("" names the main ledger)');
  }
  return ctx.db.transaction(async (sql) => {
    const program = await loadProgramFor(sql, programId, applicationId);
    if (program.cardBased) throw invalidField('/', Title.invalidValue, `Loyalty program ${program.id} is card-based: its points belong to loyalty cards, not to profiles`);
    await requireProfile(sql, integrationId);
    const now = ctx.now().toISOString();
    const selected = input.scope === 'SelectedSubledgers' ? new Set(input.subledgerIds) : null;
    const targets = (await ownerLedgers(sql, programId, 'profile', integrationId)).filter((l) => selected === null || selected.has(l.subledgerId));
    for (const l of await lockLedgersById(sql, targets.map((t) => t.id))) await clearLedger(sql, l.id, now);
  });
}
