/** Loyalty activation, deletion, imports, exports and statistics: request and response shapes of 25.17 (docs/loyalty.md). */
import { Type, type Static } from '@sinclair/typebox';
import type { Transaction } from '../../domain/loyalty.js';
import { toNumber } from '../../domain/money.js';
import type { ProgramStatistics } from '../../services/loyalty/statistics.js';
import { DateTime, Int64, Nullable, ref, StringEnum } from './common.js';

export const ActivateLoyaltyPoints = Type.Object({
  transactionUUIDs: Type.Optional(Type.Array(Type.String({ format: 'uuid', maxLength: 36 }), { minItems: 1, maxItems: 50, uniqueItems: true })),
  sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
}, { $id: 'ActivateLoyaltyPoints', description: 'Give either sessionId or transactionUUIDs' });
export type ActivateLoyaltyPoints = Static<typeof ActivateLoyaltyPoints>;

const ActivateLoyaltyPointsResponse = Type.Object({ ledgerEntries: Type.Array(Type.Ref('LoyaltyLedgerEntry')) }, { $id: 'ActivateLoyaltyPointsResponse' });

export const DeleteLoyaltyTransactionsRequest = Type.Object({
  scope: StringEnum(['AllSubledgers', 'SelectedSubledgers']),
  subledgerIds: Type.Optional(Nullable(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000, description: '"" names the main ledger' }))),
}, { $id: 'DeleteLoyaltyTransactionsRequest' });
export type DeleteLoyaltyTransactionsRequest = Static<typeof DeleteLoyaltyTransactionsRequest>;

const Breakdown = Type.Object({ createdManually: Type.Number(), createdViaRuleEngine: Type.Number() }, { $id: 'LoyaltyDashboardPointsBreakdown' });
const LoyaltyDashboardData = Type.Object({
  date: DateTime(), totalActivePoints: Type.Number(), totalPendingPoints: Type.Number(), totalSpentPoints: Type.Number(), totalExpiredPoints: Type.Number(),
  totalNegativePoints: Type.Number(), totalMembers: Type.Number(), newMembers: Type.Number(), spentPoints: ref(Breakdown), earnedPoints: ref(Breakdown),
}, { $id: 'LoyaltyDashboardData' });

/** `inline_response_200_18`: getDashboardStatistics. */
const LoyaltyDashboardDataPage = Type.Object({ totalResultSize: Int64(), data: Type.Array(ref(LoyaltyDashboardData)) }, { $id: 'LoyaltyDashboardDataPage' });

export const DashboardQuery = Type.Object({
  rangeStart: DateTime(), rangeEnd: DateTime(), subledgerId: Type.Optional(Type.String({ maxLength: 64, description: '"" names the main ledger' })),
});

export const loyaltyOpsSchemas = [ActivateLoyaltyPoints, ActivateLoyaltyPointsResponse, DeleteLoyaltyTransactionsRequest, Breakdown, LoyaltyDashboardData, LoyaltyDashboardDataPage];

/** A LoyaltyLedgerEntry of an activated entry: its dates are timestamps now (an `unlimited` expiry is left out). */
export function wireActivated(t: Transaction) {
  return {
    created: t.created, programID: t.programId, ...(t.ownerKind === 'profile' ? { customerProfileID: t.profileIntegrationId } : {}),
    ...(t.cardId !== undefined ? { cardID: t.cardId } : {}), ...(t.customerSessionId !== undefined ? { customerSessionID: t.customerSessionId } : {}),
    ...(t.eventId !== undefined ? { eventID: t.eventId } : {}), type: t.type, amount: toNumber(t.amount), startDate: t.startDate,
    ...(t.expiryDate !== 'unlimited' ? { expiryDate: t.expiryDate } : {}), name: t.name, subLedgerID: t.subledgerId,
    ...(t.userId !== undefined ? { userID: t.userId } : {}), archived: false, flags: t.flags, ...(t.validityDuration !== undefined ? { validityDuration: t.validityDuration } : {}),
  };
}

export function wireStatistics(s: ProgramStatistics) {
  return {
    date: s.date, totalActivePoints: toNumber(s.totals.active), totalPendingPoints: toNumber(s.totals.pending), totalSpentPoints: toNumber(s.totals.spent),
    totalExpiredPoints: toNumber(s.totals.expired), totalNegativePoints: toNumber(s.totals.negative), totalMembers: s.members, newMembers: s.newMembers,
    spentPoints: { createdManually: toNumber(s.spent.manual), createdViaRuleEngine: toNumber(s.spent.rules) },
    earnedPoints: { createdManually: toNumber(s.earned.manual), createdViaRuleEngine: toNumber(s.earned.rules) },
  };
}
