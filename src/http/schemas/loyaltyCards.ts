/** Loyalty cards: request and response shapes of 25.17 (docs/loyalty-cards.md), and the wire form of cards, balances and card ledger entries. */
import { Type, type Static } from '@sinclair/typebox';
import type { Counters, PointsEntry, Transaction } from '../../domain/loyalty.js';
import { toNumber } from '../../domain/money.js';
import type { CardBalances } from '../../services/loyalty/cards/balances.js';
import type { CardView } from '../../services/loyalty/cards/common.js';
import type { TierInfo } from '../../services/loyalty/tiers.js';
import { DateTime, Int64, ref, StringEnum } from './common.js';
import { tierFields, wireTierInfo } from './loyalty.js';

const CARD_ID = { minLength: 4, maxLength: 108, pattern: '^[A-Za-z0-9._%+@-]+$' };
const CardIdentifier = () => Type.String(CARD_ID);
const MAX_PROFILES = 1000;

export const LoyaltyCardBatch = Type.Object({
  numberOfCards: Int64({ minimum: 1, description: 'At most 20,000 per request (a 400 above)' }),
  batchId: Type.Optional(Type.String({ minLength: 4, maxLength: 20, pattern: '^[A-Za-z0-9_-]*$' })),
  status: Type.Optional(StringEnum(['active', 'inactive'], { default: 'active' })),
  cardCodeSettings: Type.Optional(Type.Ref('CodeGeneratorSettings')),
}, { $id: 'LoyaltyCardBatch' });
export type LoyaltyCardBatch = Static<typeof LoyaltyCardBatch>;

const LoyaltyCardBatchResponse = Type.Object({ numberOfCardsGenerated: Int64(), batchId: Type.String() }, { $id: 'LoyaltyCardBatchResponse' });

export const GenerateLoyaltyCard = Type.Object({
  status: Type.Optional(StringEnum(['active', 'inactive'], { default: 'active' })),
  customerProfileIds: Type.Optional(Type.Array(Type.String({ maxLength: 1000 }), { maxItems: MAX_PROFILES })),
  cardIdentifier: Type.Optional(CardIdentifier()),
}, { $id: 'GenerateLoyaltyCard' });
export type GenerateLoyaltyCard = Static<typeof GenerateLoyaltyCard>;

export const UpdateLoyaltyCardRequest = Type.Object({ status: Type.Optional(Type.String({ maxLength: 64, description: '`active` or `inactive`' })) }, { $id: 'UpdateLoyaltyCardRequest' });
export type UpdateLoyaltyCardRequest = Static<typeof UpdateLoyaltyCardRequest>;

export const TransferLoyaltyCard = Type.Object({
  newCardIdentifier: CardIdentifier(),
  blockReason: Type.Optional(Type.String({ maxLength: 1000 })),
}, { $id: 'TransferLoyaltyCard' });
export type TransferLoyaltyCard = Static<typeof TransferLoyaltyCard>;

export const LoyaltyCardRegistration = Type.Object({ integrationId: Type.String({ minLength: 1, maxLength: 1000 }) }, { $id: 'LoyaltyCardRegistration' });
export type LoyaltyCardRegistration = Static<typeof LoyaltyCardRegistration>;

const LoyaltyCardProfileRegistration = Type.Object({ integrationId: Type.String(), timestamp: DateTime() }, { $id: 'LoyaltyCardProfileRegistration' });

const LedgerInfo = Type.Object({
  currentBalance: Type.Number(), pendingBalance: Type.Number(), negativeBalance: Type.Optional(Type.Number()),
  expiredBalance: Type.Number({ description: 'Deprecated in 25.17: shown as 0' }), spentBalance: Type.Number({ description: 'Deprecated in 25.17: shown as 0' }),
  tentativeCurrentBalance: Type.Number(), tentativePendingBalance: Type.Optional(Type.Number()), tentativeNegativeBalance: Type.Optional(Type.Number()),
  ...tierFields,
}, { $id: 'LedgerInfo' });

const LoyaltyCard = Type.Object({
  id: Int64(), created: DateTime(), programID: Int64(), programName: Type.Optional(Type.String()), programTitle: Type.Optional(Type.String()),
  status: Type.String(), blockReason: Type.Optional(Type.String()), identifier: Type.String(), usersPerCardLimit: Int64(),
  profiles: Type.Optional(Type.Array(ref(LoyaltyCardProfileRegistration))), ledger: Type.Optional(ref(LedgerInfo)),
  subledgers: Type.Optional(Type.Record(Type.String(), ref(LedgerInfo))), modified: Type.Optional(DateTime()),
  oldCardIdentifier: Type.Optional(Type.String()), newCardIdentifier: Type.Optional(Type.String()), batchId: Type.Optional(Type.String()),
}, { $id: 'LoyaltyCard' });

const LoyaltyCardPage = Type.Object({ hasMore: Type.Boolean(), data: Type.Array(ref(LoyaltyCard)) }, { $id: 'LoyaltyCardPage' });

const LoyaltyBalance = Type.Object({
  activePoints: Type.Number(), pendingPoints: Type.Number(), spentPoints: Type.Number(), expiredPoints: Type.Number(), negativePoints: Type.Number(),
}, { $id: 'LoyaltyBalance' });

const LoyaltyCardBalances = Type.Object({
  balance: Type.Optional(ref(LoyaltyBalance)), subledgerBalances: Type.Record(Type.String(), ref(LoyaltyBalance)),
  profiles: Type.Array(ref(LoyaltyCardProfileRegistration)),
}, { $id: 'LoyaltyCardBalances' });

const cardEntry = {
  transactionUUID: Type.String(), created: DateTime(), programId: Int64(), cardIdentifier: Type.String(), customerSessionId: Type.Optional(Type.String()),
  type: StringEnum(['addition', 'subtraction']), name: Type.String(), startDate: Type.String(), expiryDate: Type.String(), subledgerId: Type.String(),
  amount: Type.Number(), id: Int64(),
};
const CardLedgerTransactionLogEntryIntegrationAPI = Type.Object({
  ...cardEntry, rulesetId: Type.Optional(Int64()), ruleName: Type.Optional(Type.String()), validityDuration: Type.Optional(Type.String()),
}, { $id: 'CardLedgerTransactionLogEntryIntegrationAPI' });
const CardLedgerTransactionLogEntry = Type.Object({
  ...cardEntry, applicationId: Type.Optional(Int64()), sessionId: Type.Optional(Int64()),
}, { $id: 'CardLedgerTransactionLogEntry' });
const CardLedgerPointsEntryIntegrationAPI = Type.Object({
  id: Int64(), transactionUUID: Type.String(), created: DateTime(), programId: Int64(), customerProfileID: Type.Optional(Type.String()),
  customerSessionId: Type.Optional(Type.String()), name: Type.String(), startDate: Type.String(), expiryDate: Type.String(), subledgerId: Type.String(),
  amount: Type.Number(), validityDuration: Type.Optional(Type.String()),
}, { $id: 'CardLedgerPointsEntryIntegrationAPI' });

const CardTransactionPage = Type.Object({ hasMore: Type.Boolean(), data: Type.Array(ref(CardLedgerTransactionLogEntryIntegrationAPI)) }, { $id: 'CardLedgerTransactionLogPage' });
const CardLogPage = Type.Object({ hasMore: Type.Boolean(), data: Type.Array(ref(CardLedgerTransactionLogEntry)) }, { $id: 'CardLedgerTransactionLogEntryPage' });
const CardPointsPage = Type.Object({ hasMore: Type.Boolean(), data: Type.Array(ref(CardLedgerPointsEntryIntegrationAPI)) }, { $id: 'CardLedgerPointsPage' });

/** A list query parameter: repeat the key for several (`?subledgerId=a&subledgerId=b`). */
const List = (max = 255) => Type.Union([Type.Array(Type.String({ maxLength: max }), { maxItems: 1000 }), Type.String({ maxLength: max })]);
const paging = (pageSizeDefault: number) => ({
  pageSize: Type.Optional(Int64({ minimum: 1, maximum: 1000, default: pageSizeDefault })), skip: Type.Optional(Int64({ minimum: 0 })),
});

export const CardsQuery = Type.Object({
  ...paging(1000), sort: Type.Optional(Type.String({ maxLength: 64 })), identifier: Type.Optional(Type.String({ minLength: 4, maxLength: 108 })),
  profileId: Type.Optional(Int64({ minimum: 1 })), batchId: Type.Optional(Type.String({ maxLength: 20 })),
});
export const CardBalancesQuery = Type.Object({ endDate: Type.Optional(DateTime()), subledgerId: Type.Optional(List(64)) });
const dates = { startDate: Type.Optional(DateTime()), endDate: Type.Optional(DateTime()) };
const ids = { customerSessionIDs: Type.Optional(List()), transactionUUIDs: Type.Optional(List()) };
export const CardTransactionsQuery = Type.Object({
  subledgerId: Type.Optional(List(64)), loyaltyTransactionType: Type.Optional(StringEnum(['manual', 'session', 'import'])), ...dates, ...ids,
  ...paging(50), awaitsActivation: Type.Optional(Type.Boolean({ description: 'Only `true` is accepted' })),
});
export const CardLogsQuery = Type.Object({ ...dates, ...paging(1000), subledgerId: Type.Optional(Type.String({ maxLength: 64 })), ...ids });
export const CardPointsQuery = Type.Object({
  status: Type.Optional(StringEnum(['active', 'pending', 'expired'], { default: 'active' })), subledgerId: Type.Optional(List(64)), ...ids, ...paging(50),
  sort: Type.Optional(StringEnum(['startDate', 'expiryDate'])),
});

export const loyaltyCardSchemas = [LoyaltyCardBatch, LoyaltyCardBatchResponse, GenerateLoyaltyCard, UpdateLoyaltyCardRequest, TransferLoyaltyCard, LoyaltyCardRegistration,
  LoyaltyCardProfileRegistration, LedgerInfo, LoyaltyCard, LoyaltyCardPage, LoyaltyBalance, LoyaltyCardBalances, CardLedgerTransactionLogEntryIntegrationAPI,
  CardLedgerTransactionLogEntry, CardLedgerPointsEntryIntegrationAPI, CardTransactionPage, CardLogPage, CardPointsPage];

/** LedgerInfo: 25.17 shows the deprecated expiredBalance and spentBalance as 0; the tentative balances are the balances (no open session here). */
const ledgerInfo = (c: Counters, t?: TierInfo) => ({
  currentBalance: toNumber(c.active), pendingBalance: toNumber(c.pending), negativeBalance: toNumber(c.negative), expiredBalance: 0, spentBalance: 0,
  tentativeCurrentBalance: toNumber(c.active), tentativePendingBalance: toNumber(c.pending), tentativeNegativeBalance: toNumber(c.negative), ...wireTierInfo(t),
});

const ZERO_INFO = { currentBalance: 0, pendingBalance: 0, negativeBalance: 0, expiredBalance: 0, spentBalance: 0, tentativeCurrentBalance: 0, tentativePendingBalance: 0, tentativeNegativeBalance: 0 };

export function wireCard({ card: c, program, balances, tiers }: CardView) {
  const main = balances.get('');
  return {
    id: c.id, created: c.created, programID: c.programId, programName: program.name, programTitle: program.title, status: c.status,
    ...(c.blockReason !== undefined ? { blockReason: c.blockReason } : {}), identifier: c.identifier, usersPerCardLimit: program.usersPerCardLimit ?? 0,
    profiles: c.profiles, ledger: main ? ledgerInfo(main, tiers.get('')) : { ...ZERO_INFO, ...wireTierInfo(tiers.get('')) },
    subledgers: Object.fromEntries([...balances].filter(([k]) => k !== '').map(([k, v]) => [k, ledgerInfo(v, tiers.get(k))])), modified: c.modified,
    ...(c.oldCardIdentifier !== undefined ? { oldCardIdentifier: c.oldCardIdentifier } : {}),
    ...(c.newCardIdentifier !== undefined ? { newCardIdentifier: c.newCardIdentifier } : {}), ...(c.batchId !== undefined ? { batchId: c.batchId } : {}),
  };
}

const wireBalance = (c: Counters) => ({
  activePoints: toNumber(c.active), pendingPoints: toNumber(c.pending), spentPoints: toNumber(c.spent), expiredPoints: toNumber(c.expired), negativePoints: toNumber(c.negative),
});

export function wireCardBalances(b: CardBalances) {
  return {
    ...(b.balance ? { balance: wireBalance(b.balance) } : {}),
    subledgerBalances: Object.fromEntries([...b.subledgerBalances].map(([k, v]) => [k, wireBalance(v)])), profiles: b.profiles,
  };
}

function entry(t: Transaction, cardIdentifier: string) {
  return {
    transactionUUID: t.uuid, created: t.created, programId: t.programId, cardIdentifier, ...(t.customerSessionId !== undefined ? { customerSessionId: t.customerSessionId } : {}),
    type: t.type, name: t.name, startDate: t.startDate, expiryDate: t.expiryDate, subledgerId: t.subledgerId, amount: toNumber(t.amount), id: t.id,
  };
}

export const wireCardTransaction = (t: Transaction, cardIdentifier: string) => ({
  ...entry(t, cardIdentifier), ...(t.rulesetId !== undefined ? { rulesetId: t.rulesetId } : {}), ...(t.ruleName !== undefined ? { ruleName: t.ruleName } : {}),
  ...(t.validityDuration !== undefined ? { validityDuration: t.validityDuration } : {}),
});

export const wireCardLog = (t: Transaction, cardIdentifier: string) => ({ ...entry(t, cardIdentifier), ...(t.applicationId !== undefined ? { applicationId: t.applicationId } : {}) });

export function wireCardPoints(p: PointsEntry) {
  return {
    id: p.transactionId, transactionUUID: p.uuid, created: p.created, programId: p.programId, ...(p.customerSessionId !== undefined ? { customerSessionId: p.customerSessionId } : {}),
    name: p.name, startDate: p.startDate, expiryDate: p.expiryDate, subledgerId: p.subledgerId, amount: toNumber(p.remaining),
    ...(p.validityDuration !== undefined ? { validityDuration: p.validityDuration } : {}),
  };
}
