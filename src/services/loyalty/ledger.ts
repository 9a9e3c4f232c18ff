/**
 * getLoyaltyPoints: a profile's `LoyaltyLedger` — for the main ledger and each subledger, the balances now,
 * the latest entries, the points by status and the current tier. Each list holds at most LIST_LIMIT items (the paged
 * operations list everything: docs/loyalty.md).
 */
import type { Counters, PointsEntry, Transaction } from '../../domain/loyalty.js';
import { listPoints, listTransactions, lockLedger, ownerLedgers } from '../../store/repos/loyaltyLedgers.js';
import type { ServiceContext } from '../context.js';
import { countersAt, loadProgram, requireProfile, settle } from './common.js';
import { settleDue } from './balances.js';
import { refuseCardBased } from './points.js';
import { tierInfo, type WireTier } from './tiers.js';

const LIST_LIMIT = 1000;

export interface SubLedgerView {
  counters: Counters; transactions: Transaction[]; active: PointsEntry[]; pending: PointsEntry[]; expired: PointsEntry[]; tier: WireTier | null;
}

export function loyaltyLedger(ctx: ServiceContext, programId: number, integrationId: string): Promise<{ ledger: SubLedgerView; subLedgers: Map<string, SubLedgerView> }> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadProgram(sql, programId);
    refuseCardBased(program);
    await requireProfile(sql, integrationId);
    const now = ctx.now().toISOString();
    const ledgers = await ownerLedgers(sql, program.id, 'profile', integrationId);
    const views = new Map<string, SubLedgerView>();
    for (const l of ledgers.some((x) => x.subledgerId === '') ? ledgers : [undefined, ...ledgers]) {
      const subledgerId = l?.subledgerId ?? '';
      const settled = l && settleDue(l, now) ? await settle(sql, await lockLedger(sql, l, now), now, program) : l;
      const points = (status: 'active' | 'pending' | 'expired') =>
        listPoints(sql, { programId, profileIntegrationId: integrationId, subledgerId, status, now }, 0, LIST_LIMIT);
      const counters = await countersAt(sql, settled, now);
      views.set(subledgerId, {
        counters, tier: (await tierInfo(sql, program, settled, counters, now)).currentTier,
        transactions: await listTransactions(sql, { programId, profileIntegrationId: integrationId, subledgerId }, 0, LIST_LIMIT),
        active: await points('active'), pending: await points('pending'), expired: await points('expired'),
      });
    }
    const ledger = views.get('')!;
    views.delete('');
    return { ledger, subLedgers: views };
  });
}
