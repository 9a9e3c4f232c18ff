/** Loyalty programs and points: request and response shapes of 25.17 (docs/loyalty.md), and the wire form of programs and balances. */
import { Type, type Static } from '@sinclair/typebox';
import type { PointsEntry, Transaction } from '../../domain/loyalty.js';
import { toNumber } from '../../domain/money.js';
import type { LedgerBalance, ProfileBalances } from '../../services/loyalty/balances.js';
import type { SubLedgerView } from '../../services/loyalty/ledger.js';
import type { ProgramView } from '../../services/loyalty/read.js';
import type { ProjectedTier, TierInfo } from '../../services/loyalty/tiers.js';
import { DateTime, Int64, ref, StringEnum } from './common.js';

const POINTS_MAX = 999999999999.99;
/** Talon.One sets no bound; these keep one request's work bounded (docs/loyalty.md, "Limits"). */
const MAX_TIERS = 100;
const MAX_APPLICATIONS = 1000;

const JOIN = ['not_join', 'points_activated', 'points_earned'] as const;
const TIER_EXPIRATION = ['tier_start_date', 'program_join_date', 'customer_attribute', 'absolute_expiration'] as const;
const DOWNGRADE = ['one_down', 'balance_based'] as const;
const RETURN = ['only_pending', 'within_balance', 'unlimited'] as const;
const Text = (opts: object = {}) => Type.String({ maxLength: 1000, ...opts });

const NewLoyaltyTier = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  minPoints: Type.Number({ minimum: 0, maximum: POINTS_MAX }),
}, { $id: 'NewLoyaltyTier' });

const LoyaltyTier = Type.Object({
  id: Int64(), created: DateTime(), programID: Int64(), programName: Type.Optional(Type.String()), programTitle: Type.Optional(Type.String()),
  name: Type.String(), minPoints: Type.Number(),
}, { $id: 'LoyaltyTier' });

const settings = {
  description: Type.Optional(Text({ maxLength: 10000 })),
  subscribedApplications: Type.Optional(Type.Array(Int64({ minimum: 1 }), { maxItems: MAX_APPLICATIONS })),
  defaultValidity: Type.String({ maxLength: 64, description: '`unlimited` or a duration such as `30D`, `1Y_U` (docs/loyalty.md, "Durations")' }),
  defaultPending: Type.String({ maxLength: 64, description: '`immediate`, `on_action` or a duration' }),
  allowSubledger: Type.Boolean(),
  usersPerCardLimit: Type.Optional(Int64({ minimum: 0 })),
  sandbox: Type.Boolean(),
  programJoinPolicy: Type.Optional(StringEnum(JOIN)),
  tiersExpirationPolicy: Type.Optional(StringEnum(TIER_EXPIRATION)),
  tierCycleStartDate: Type.Optional(DateTime()),
  tiersExpireIn: Type.Optional(Type.String({ maxLength: 64 })),
  tiersDowngradePolicy: Type.Optional(StringEnum(DOWNGRADE)),
  cardCodeSettings: Type.Optional(Type.Ref('CodeGeneratorSettings')),
  returnPolicy: Type.Optional(StringEnum(RETURN)),
  tiers: Type.Optional(Type.Array(ref(NewLoyaltyTier), { maxItems: MAX_TIERS })),
};

export const NewLoyaltyProgram = Type.Object({
  title: Text({ minLength: 1 }),
  name: Type.String({ minLength: 1, maxLength: 255 }),
  timezone: Type.String({ minLength: 1, maxLength: 100 }),
  cardBased: Type.Boolean({ default: false }),
  ...settings,
}, { $id: 'NewLoyaltyProgram' });
export type NewLoyaltyProgram = Static<typeof NewLoyaltyProgram>;

export const UpdateLoyaltyProgram = Type.Partial(Type.Object({ title: Text({ minLength: 1 }), ...settings }), { $id: 'UpdateLoyaltyProgram' });
export type UpdateLoyaltyProgram = Static<typeof UpdateLoyaltyProgram>;

const LoyaltyProgram = Type.Object({
  id: Int64(), created: DateTime(), title: Type.String(), description: Type.String(), subscribedApplications: Type.Array(Int64()),
  defaultValidity: Type.String(), defaultPending: Type.String(), allowSubledger: Type.Boolean(), usersPerCardLimit: Type.Optional(Int64()),
  sandbox: Type.Boolean(), programJoinPolicy: Type.Optional(Type.String()), tiersExpirationPolicy: Type.Optional(Type.String()),
  tierCycleStartDate: Type.Optional(DateTime()), tiersExpireIn: Type.Optional(Type.String()), tiersDowngradePolicy: Type.Optional(Type.String()),
  cardCodeSettings: Type.Optional(Type.Ref('CodeGeneratorSettings')), returnPolicy: Type.Optional(Type.String()), accountID: Int64(), name: Type.String(),
  tiers: Type.Optional(Type.Array(ref(LoyaltyTier))), timezone: Type.String(), cardBased: Type.Boolean(),
  canUpdateTiers: Type.Boolean(), canUpdateTierExpirationPolicy: Type.Boolean(), canUpgradeToAdvancedTiers: Type.Boolean(), canUpdateSubledgers: Type.Boolean(),
}, { $id: 'LoyaltyProgram' });

const LoyaltyProgramPage = Type.Object({ totalResultSize: Int64(), data: Type.Array(ref(LoyaltyProgram)) }, { $id: 'LoyaltyProgramPage' });

const pointsFields = {
  points: Type.Number({ maximum: POINTS_MAX, description: 'Greater than 0; kept exactly as sent (110.5 stays 110.5)' }),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  subledgerId: Type.Optional(Type.String({ maxLength: 64 })),
  subLedgerID: Type.Optional(Type.String({ maxLength: 64, description: 'The older API\'s spelling of subledgerId (body LoyaltyPoints), accepted for older SDKs' })),
  applicationId: Type.Optional(Int64({ minimum: 1 })),
};

export const AddLoyaltyPoints = Type.Object({
  ...pointsFields,
  validityDuration: Type.Optional(Type.String({ maxLength: 64 })),
  validUntil: Type.Optional(DateTime()),
  pendingDuration: Type.Optional(Type.String({ maxLength: 64 })),
  pendingUntil: Type.Optional(DateTime()),
}, { $id: 'AddLoyaltyPoints' });
export type AddLoyaltyPoints = Static<typeof AddLoyaltyPoints>;

export const DeductLoyaltyPoints = Type.Object(pointsFields, { $id: 'DeductLoyaltyPoints' });
export type DeductLoyaltyPoints = Static<typeof DeductLoyaltyPoints>;

const Tier = Type.Object({
  id: Int64(), name: Type.String(), startDate: Type.Optional(DateTime()), expiryDate: Type.Optional(DateTime()), downgradePolicy: Type.Optional(StringEnum(DOWNGRADE)),
}, { $id: 'Tier', description: 'A customer\'s current tier; dates in the program\'s time zone (docs/loyalty.md, "Tiers")' });

const ProjectedTier = Type.Object({
  projectedActivePoints: Type.Number(), stayInTierPoints: Type.Optional(Type.Number()), projectedTierName: Type.Optional(Type.String()),
}, { $id: 'ProjectedTier' });

/** The tier fields of a balance and of LedgerInfo; each is left out when it has no value (nextTierName at the top tier). */
export const tierFields = {
  currentTier: Type.Optional(ref(Tier)), pointsToNextTier: Type.Optional(Type.Number()), nextTierName: Type.Optional(Type.String()),
};

const LoyaltyBalanceWithTier = Type.Object({
  activePoints: Type.Number(), pendingPoints: Type.Number(), spentPoints: Type.Number(), expiredPoints: Type.Number(), negativePoints: Type.Number(),
  ...tierFields, projectedTier: Type.Optional(ref(ProjectedTier)),
}, { $id: 'LoyaltyBalanceWithTier', description: 'Tier fields with includeTiers=true, projectedTier with includeProjectedTier=true (docs/loyalty.md, "Tiers")' });

const LoyaltyBalancesWithTiers = Type.Object({
  balance: Type.Optional(ref(LoyaltyBalanceWithTier)),
  subledgerBalances: Type.Record(Type.String(), ref(LoyaltyBalanceWithTier)),
}, { $id: 'LoyaltyBalancesWithTiers' });

export const BalancesQuery = Type.Object({
  endDate: Type.Optional(DateTime()),
  subledgerId: Type.Optional(Type.String({ maxLength: 64 })),
  includeTiers: Type.Optional(Type.Boolean({ default: false })),
  includeProjectedTier: Type.Optional(Type.Boolean({ default: false })),
});

/** Filters of the transaction lists; a list parameter repeats its key (`?transactionUUIDs=a&transactionUUIDs=b`). */
const IdList = () => Type.Union([Type.Array(Type.String({ maxLength: 255 }), { maxItems: 1000 }), Type.String({ maxLength: 255 })]);
const listFilters = {
  subledgerId: Type.Optional(Type.String({ maxLength: 64 })),
  customerSessionIDs: Type.Optional(IdList()),
  transactionUUIDs: Type.Optional(IdList()),
  pageSize: Type.Optional(Int64({ minimum: 1, maximum: 1000, default: 50 })),
  skip: Type.Optional(Int64({ minimum: 0 })),
};
export const TransactionsQuery = Type.Object({
  ...listFilters,
  loyaltyTransactionType: Type.Optional(StringEnum(['manual', 'session', 'import'])),
  startDate: Type.Optional(DateTime()), endDate: Type.Optional(DateTime()),
  awaitsActivation: Type.Optional(Type.Boolean({ description: 'Only `true` is accepted' })),
});
export const PointsQuery = Type.Object({
  ...listFilters,
  status: Type.Optional(StringEnum(['active', 'pending', 'expired'], { default: 'active' })),
  sort: Type.Optional(StringEnum(['startDate', '-startDate', 'expiryDate', '-expiryDate'])),
});

/** A repeated query key arrives as an array, a single one as a string. */
export const idList = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

const Flags = Type.Object({ createsNegativeBalance: Type.Optional(Type.Boolean()) }, { $id: 'LoyaltyLedgerEntryFlags' });
const logEntry = {
  transactionUUID: Type.String(), created: DateTime(), programId: Int64(), customerSessionId: Type.Optional(Type.String()),
  type: StringEnum(['addition', 'subtraction']), name: Type.String(), startDate: Type.String(), expiryDate: Type.String(), subledgerId: Type.String(),
  amount: Type.Number(), id: Int64(), rulesetId: Type.Optional(Int64()), ruleName: Type.Optional(Type.String()), flags: Type.Optional(ref(Flags)),
  validityDuration: Type.Optional(Type.String()),
};
const LedgerTransactionLogEntryIntegrationAPI = Type.Object(logEntry, { $id: 'LedgerTransactionLogEntryIntegrationAPI' });
const LoyaltyProgramTransaction = Type.Object({
  ...logEntry, campaignId: Type.Optional(Int64()), customerProfileId: Type.Optional(Type.String()), cardIdentifier: Type.Optional(Type.String()),
  importId: Type.Optional(Int64()), userId: Type.Optional(Int64()), userEmail: Type.Optional(Type.String()),
}, { $id: 'LoyaltyProgramTransaction' });
const LedgerPointsEntryIntegrationAPI = Type.Object({
  id: Int64(), transactionUUID: Type.String(), created: DateTime(), programId: Int64(), customerSessionId: Type.Optional(Type.String()), name: Type.String(),
  startDate: Type.String(), expiryDate: Type.String(), subledgerId: Type.String(), amount: Type.Number(), validityDuration: Type.Optional(Type.String()),
}, { $id: 'LedgerPointsEntryIntegrationAPI' });
const TransactionLogPage = Type.Object({ hasMore: Type.Boolean(), data: Type.Array(ref(LedgerTransactionLogEntryIntegrationAPI)) }, { $id: 'LedgerTransactionLogPage' });
const ProgramTransactionPage = Type.Object({ hasMore: Type.Boolean(), data: Type.Array(ref(LoyaltyProgramTransaction)) }, { $id: 'LoyaltyProgramTransactionPage' });
const PointsPage = Type.Object({ hasMore: Type.Boolean(), data: Type.Array(ref(LedgerPointsEntryIntegrationAPI)) }, { $id: 'LedgerPointsPage' });

const LoyaltyLedgerEntry = Type.Object({
  created: DateTime(), programID: Int64(), customerProfileID: Type.Optional(Type.String()), cardID: Type.Optional(Int64()),
  customerSessionID: Type.Optional(Type.String()), eventID: Type.Optional(Int64()), type: Type.String(), amount: Type.Number(),
  startDate: Type.Optional(DateTime()), expiryDate: Type.Optional(DateTime()), name: Type.String(), subLedgerID: Type.String(),
  userID: Type.Optional(Int64()), archived: Type.Optional(Type.Boolean()), flags: Type.Optional(ref(Flags)), validityDuration: Type.Optional(Type.String()),
}, { $id: 'LoyaltyLedgerEntry' });
const Entries = () => Type.Array(ref(LoyaltyLedgerEntry));
const LoyaltySubLedger = Type.Object({
  total: Type.Number(), totalActivePoints: Type.Number(), totalPendingPoints: Type.Number(), totalSpentPoints: Type.Number(),
  totalExpiredPoints: Type.Number(), totalNegativePoints: Type.Number(),
  transactions: Entries(), expiringPoints: Entries(), activePoints: Entries(), pendingPoints: Entries(), expiredPoints: Entries(),
  currentTier: Type.Optional(ref(Tier)),
}, { $id: 'LoyaltySubLedger' });
const LoyaltyLedger = Type.Object({ ledger: ref(LoyaltySubLedger), subLedgers: Type.Record(Type.String(), ref(LoyaltySubLedger)) }, { $id: 'LoyaltyLedger' });

export const loyaltySchemas = [LoyaltyLedgerEntry, LoyaltySubLedger, LoyaltyLedger, Flags, LedgerTransactionLogEntryIntegrationAPI, LoyaltyProgramTransaction, LedgerPointsEntryIntegrationAPI, TransactionLogPage,
  ProgramTransactionPage, PointsPage, NewLoyaltyTier, LoyaltyTier, NewLoyaltyProgram, UpdateLoyaltyProgram, LoyaltyProgram, LoyaltyProgramPage, AddLoyaltyPoints, DeductLoyaltyPoints,
  Tier, ProjectedTier, LoyaltyBalanceWithTier, LoyaltyBalancesWithTiers];

export function wireProgram({ program: p, hasTransactions }: ProgramView) {
  const { accountId, tiers, ...rest } = p;
  return {
    ...rest, accountID: accountId,
    tiers: tiers.map((t) => ({ id: t.id, created: t.created, programID: p.id, programName: p.name, programTitle: p.title, name: t.name, minPoints: toNumber(t.minPoints) })),
    canUpdateTiers: !hasTransactions, canUpdateTierExpirationPolicy: !hasTransactions, canUpgradeToAdvancedTiers: false, canUpdateSubledgers: !hasTransactions,
  };
}

/** The tier fields of a balance or LedgerInfo, each left out when it has no value. */
export function wireTierInfo(t: TierInfo | undefined) {
  if (!t) return {};
  return {
    ...(t.currentTier ? { currentTier: t.currentTier } : {}), ...(t.pointsToNextTier !== null ? { pointsToNextTier: toNumber(t.pointsToNextTier) } : {}),
    ...(t.nextTierName !== null ? { nextTierName: t.nextTierName } : {}),
  };
}

const wireProjected = (p: ProjectedTier) => ({
  projectedActivePoints: toNumber(p.projectedActivePoints), ...(p.stayInTierPoints !== undefined ? { stayInTierPoints: toNumber(p.stayInTierPoints) } : {}),
  ...(p.projectedTierName !== undefined ? { projectedTierName: p.projectedTierName } : {}),
});

const wireBalance = ({ counters: c, tier, projected }: LedgerBalance) => ({
  activePoints: toNumber(c.active), pendingPoints: toNumber(c.pending), spentPoints: toNumber(c.spent), expiredPoints: toNumber(c.expired), negativePoints: toNumber(c.negative),
  ...wireTierInfo(tier), ...(projected ? { projectedTier: wireProjected(projected) } : {}),
});

export function wireBalances(b: ProfileBalances) {
  return {
    ...(b.balance ? { balance: wireBalance(b.balance) } : {}),
    subledgerBalances: Object.fromEntries([...b.subledgerBalances].map(([k, v]) => [k, wireBalance(v)])),
  };
}

export function wireLogEntry(t: Transaction) {
  return {
    transactionUUID: t.uuid, created: t.created, programId: t.programId, ...(t.customerSessionId !== undefined ? { customerSessionId: t.customerSessionId } : {}),
    type: t.type, name: t.name, startDate: t.startDate, expiryDate: t.expiryDate, subledgerId: t.subledgerId, amount: toNumber(t.amount), id: t.id,
    ...(t.rulesetId !== undefined ? { rulesetId: t.rulesetId } : {}), ...(t.ruleName !== undefined ? { ruleName: t.ruleName } : {}),
    flags: t.flags, ...(t.validityDuration !== undefined ? { validityDuration: t.validityDuration } : {}),
  };
}

export function wireProgramTransaction(t: Transaction, cardIdentifier?: string) {
  return {
    ...wireLogEntry(t), ...(t.campaignId !== undefined ? { campaignId: t.campaignId } : {}),
    ...(t.ownerKind === 'profile' ? { customerProfileId: t.profileIntegrationId } : {}), ...(cardIdentifier !== undefined ? { cardIdentifier } : {}),
    ...(t.importId !== undefined ? { importId: t.importId } : {}), ...(t.userId !== undefined ? { userId: t.userId } : {}),
  };
}

export function wirePoints(p: PointsEntry) {
  return {
    id: p.transactionId, transactionUUID: p.uuid, created: p.created, programId: p.programId, ...(p.customerSessionId !== undefined ? { customerSessionId: p.customerSessionId } : {}),
    name: p.name, startDate: p.startDate, expiryDate: p.expiryDate, subledgerId: p.subledgerId, amount: toNumber(p.remaining),
    ...(p.validityDuration !== undefined ? { validityDuration: p.validityDuration } : {}),
  };
}

/** A LoyaltyLedgerEntry's dates are timestamps: `immediate` is the entry's creation, `on_action` and `unlimited` are left out. */
function ledgerEntry(e: { created: string; programId: number; customerSessionId?: string; name: string; startDate: string; expiryDate: string;
  subledgerId: string; validityDuration?: string }, integrationId: string, type: string, amount: number, extra: { userId?: number; flags?: object } = {}) {
  const start = e.startDate === 'immediate' ? e.created : e.startDate === 'on_action' ? undefined : e.startDate;
  return {
    created: e.created, programID: e.programId, customerProfileID: integrationId, ...(e.customerSessionId !== undefined ? { customerSessionID: e.customerSessionId } : {}),
    type, amount, ...(start !== undefined ? { startDate: start } : {}), ...(e.expiryDate !== 'unlimited' ? { expiryDate: e.expiryDate } : {}),
    name: e.name, subLedgerID: e.subledgerId, ...(extra.userId !== undefined ? { userID: extra.userId } : {}), archived: false,
    ...(extra.flags ? { flags: extra.flags } : {}), ...(e.validityDuration !== undefined ? { validityDuration: e.validityDuration } : {}),
  };
}

function wireSubLedger(v: SubLedgerView, integrationId: string) {
  const points = (list: PointsEntry[], type = 'addition') => list.map((p) => ledgerEntry(p, integrationId, type, toNumber(p.remaining)));
  return {
    total: toNumber(v.counters.active), totalActivePoints: toNumber(v.counters.active), totalPendingPoints: toNumber(v.counters.pending),
    totalSpentPoints: toNumber(v.counters.spent), totalExpiredPoints: toNumber(v.counters.expired), totalNegativePoints: toNumber(v.counters.negative),
    transactions: v.transactions.map((t) => ledgerEntry(t, integrationId, t.type, toNumber(t.amount), { ...(t.userId !== undefined ? { userId: t.userId } : {}), flags: t.flags })),
    expiringPoints: points(v.active.filter((p) => p.expiryDate !== 'unlimited'), 'expiring'),
    activePoints: points(v.active), pendingPoints: points(v.pending), expiredPoints: points(v.expired, 'expire'),
    ...(v.tier ? { currentTier: v.tier } : {}),
  };
}

export function wireLedger(l: { ledger: SubLedgerView; subLedgers: Map<string, SubLedgerView> }, integrationId: string) {
  return {
    ledger: wireSubLedger(l.ledger, integrationId),
    subLedgers: Object.fromEntries([...l.subLedgers].map(([k, v]) => [k, wireSubLedger(v, integrationId)])),
  };
}
