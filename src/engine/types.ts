/**
 * Input and output types of the evaluation engine (docs/engine.md).
 *
 * The engine is pure: everything it needs arrives in `EngineInput` (already loaded by the service
 * layer), everything it decides leaves in `EngineResult`. Money and counters are Decimal.
 */
import type { Decimal } from '../domain/money.js';
import type { CompiledRuleset } from '../rules/contract.js';

// ------------------------------------------------------------------------------------------------
// Input

/** Attribute values as the service normalised them (numbers may be number or Decimal; time = Date). */
export type AttributeMap = Record<string, unknown>;

interface EngineAdditionalCost { price: Decimal }

export interface EngineCartItem {
  sku: string;
  name?: string;
  price: Decimal;
  quantity: number;
  category?: string;
  product?: { name: string };
  weight?: Decimal; height?: Decimal; width?: Decimal; length?: Decimal;
  catalogItemID?: number;
  selectedPriceType?: string;
  returnedQuantity?: number;
  remainingQuantity?: number;
  attributes?: AttributeMap;
  additionalCosts?: Record<string, EngineAdditionalCost>;
  /** Index of the line in the client's cartItems array. */
  position: number;
}

type SessionState = 'open' | 'closed' | 'partially_returned' | 'cancelled';

export interface EngineSession {
  integrationId: string;
  /** '' or null = anonymous. */
  profileId: string | null;
  state: SessionState;
  cartItems: EngineCartItem[];
  additionalCosts: Record<string, EngineAdditionalCost>;
  attributes: AttributeMap;
  couponCodes: string[];
  referralCode: string | null;
  identifiers: string[];
  storeIntegrationId: string | null;
  loyaltyCards: string[];
  totals: { cartItemTotal: Decimal; additionalCostTotal: Decimal; total: Decimal };
  firstSession: boolean;
  updateCount: number;
  created: Date;
  updated: Date;
}

export interface EngineProfile {
  integrationId: string;
  attributes: AttributeMap;
  closedSessions: number;
  totalSales: Decimal;
  created: Date;
  lastActivity: Date;
  audienceIds: number[];
}

export type DiscountScope = 'sessionTotal' | 'cartItems' | 'additionalCosts';
export type ItemDiscountScope = 'price' | 'itemTotal' | 'additionalCosts';
export type CaseSensitivity = 'sensitive' | 'insensitive-uppercase' | 'insensitive-lowercase';

export interface EngineApplication {
  id: number;
  name: string;
  currency: string;
  timezone: string;
  attributes: AttributeMap;
  enableCascadingDiscounts: boolean;
  enablePartialDiscounts: boolean;
  defaultDiscountScope: DiscountScope;
  defaultDiscountAdditionalCostPerItemScope: ItemDiscountScope;
  caseSensitivity: CaseSensitivity;
}

export interface EngineStore { id: number; integrationId: string; name: string; attributes: AttributeMap }

type CampaignState = 'enabled' | 'disabled' | 'archived' | 'running' | 'scheduled' | 'expired' | 'draft';

export type LimitAction =
  | 'redeemCoupon' | 'redeemReferral' | 'setDiscount' | 'setDiscountEffect' | 'createCoupon' | 'createReferral'
  | 'createLoyaltyPoints' | 'redeemLoyaltyPoints' | 'customEffect' | 'createLoyaltyPointsEffect'
  | 'redeemLoyaltyPointsEffect' | 'callApi' | 'awardGiveaway' | 'addFreeItemEffect' | 'reserveCoupon';
export type LimitEntity = 'Coupon' | 'Referral' | 'Profile' | 'Identifier' | 'Store' | 'Session';

interface EngineRuleset {
  id: number;
  compiled: CompiledRuleset;
}

export interface EngineCampaign {
  id: number;
  name: string;
  state: CampaignState;
  startTime?: Date | null;
  endTime?: Date | null;
  tags: string[];
  attributes: AttributeMap;
  features: string[];
  /** Store ids (Store.id); non-empty = only sessions of one of these stores. */
  linkedStoreIds: number[];
  evaluationGroupId?: number | null;
  experimentId?: number | null;
  /** Active ruleset (or the experiment variant's); null = campaign without rules. */
  ruleset: EngineRuleset | null;
}

export type EvaluationMode = 'stackable' | 'listOrder' | 'lowestDiscount' | 'highestDiscount';

export type GroupMember = { campaignId: number } | { groupId: number };

export interface EngineEvaluationGroup {
  id: number;
  name: string;
  /** null / undefined = child of the application root. */
  parentId?: number | null;
  mode: EvaluationMode;
  evaluationScope?: 'cartItem' | 'session';
  locked?: boolean;
  /** Explicit evaluation order of the group's members; default: campaigns by id, then groups by id. */
  members?: GroupMember[];
}

export interface EngineCoupon {
  id: number;
  value: string;
  campaignId: number;
  usageLimit: number;
  usageCounter: number;
  discountLimit?: Decimal | null;
  discountCounter?: Decimal | null;
  startDate?: Date | null;
  expiryDate?: Date | null;
  recipientIntegrationId?: string | null;
  batchId?: string | null;
  isReservationMandatory?: boolean;
  /** The session profile holds a reservation for this code. */
  reservedByProfile?: boolean;
  attributes?: AttributeMap;
}

export interface EngineReferral {
  id: number;
  code: string;
  campaignId: number;
  advocateProfileIntegrationId: string;
  friendProfileIntegrationId?: string | null;
  usageLimit: number;
  usageCounter: number;
  startDate?: Date | null;
  expiryDate?: Date | null;
  attributes?: AttributeMap;
  /** The advocate's profile; null = the advocate profile does not exist (AdvocateNotFound). */
  advocateProfile?: EngineProfile | null;
  /** The session profile was already referred in this Application (ReferralCustomerAlreadyReferred). */
  friendAlreadyReferred?: boolean;
}

/**
 * Remaining room of one budget bucket that applies to this session (limit − committed counter),
 * computed by the service for the buckets keyed by this session's profile/identifiers/store/session.
 * `couponId` / `referralId` restrict a `Coupon` / `Referral`-keyed bucket to that code.
 */
export interface BudgetRemaining {
  campaignId: number;
  action: LimitAction;
  entities: LimitEntity[];
  remaining: Decimal;
  couponId?: number;
  referralId?: number;
}

export interface CustomEffectDef { id: number; name: string; payload: string; params: { name: string; type: string }[] }
export interface NamedRef { id: number; name: string }
interface AchievementRef { id: number; name: string; target: Decimal; currentProgress: Decimal }
/** Active points of one (sub)ledger of the session's profile or loyalty card, and its current tier. */
export interface LoyaltyBalance { programId: number; subledgerId: string; balance: Decimal; tier?: string | null }

/**
 * A loyalty program the Application is subscribed to, as its rules may use it (docs/loyalty-sessions.md). A
 * card-based program's points go to the session's card: `cardIdentifier` when the session names a valid one.
 */
export interface EngineLoyaltyProgram {
  id: number;
  cardBased: boolean;
  /** ascending by minPoints */
  tiers: { name: string; minPoints: Decimal }[];
  /** new points wait (a future or on-action start) unless the rule gives a start date */
  pendingByDefault: boolean;
  cardIdentifier?: string | null;
  /** the card's status (`active` | `inactive`), when the session names a card of this program */
  cardStatus?: string;
  /** the session's card of this program exists, is active and may be used by the session's profile */
  cardValid?: boolean;
}

/** Id generators: injected so the engine stays deterministic under test. */
export interface EngineIds {
  uuid(): string;
  couponCode(campaignId: number): string;
  referralCode(campaignId: number): string;
  /** Allocates a giveaway code on close; null = pool empty (effect dropped). */
  giveaway?(poolId: number): { id: number; code: string } | null;
}

/**
 * The type of the event being evaluated: one of the built-in `talon_session_created`, `…_updated`,
 * `…_closed`, `…_reopened`, `…_partially_returned`, `talon_profile_created`, `…_updated`, or a custom
 * event type.
 */
type EngineEventType = string;

interface EngineOptions {
  dry?: boolean;
  /** Dry runs only: evaluate exactly these campaigns (even disabled, never archived). */
  evaluableCampaignIds?: number[] | null;
  includeFailureReasons?: boolean;
  /** Per-request step budget passed to the rule language. */
  maxSteps?: number;
}

export interface EngineInput {
  /** With `sessionless`, an empty placeholder (no items, zero totals, no codes) carrying the profile id and store. */
  session: EngineSession;
  /**
   * No session belongs to this evaluation (custom events, profile updates): `Session` and `LoyaltyCard`
   * stay unbound (a rule reading them fails its condition), `Profile` is bound whenever `profile` is given.
   */
  sessionless?: boolean;
  profile: EngineProfile | null;
  application: EngineApplication;
  store?: EngineStore | null;
  additionalCostDefs: NamedRef[];
  /** All non-deleted campaigns of the Application (the engine selects; coupons of others get reasons). */
  campaigns: EngineCampaign[];
  evaluationGroups?: EngineEvaluationGroup[];
  /** Order of the root's members; default campaigns without group by id, then top-level groups by id. */
  rootMembers?: GroupMember[];
  /** Coupons whose value matches one of the session's codes (after case normalisation). */
  coupons: EngineCoupon[];
  referral?: EngineReferral | null;
  budgets?: BudgetRemaining[];
  customEffects?: CustomEffectDef[];
  webhooks?: NamedRef[];
  audiences?: NamedRef[];
  giveawayPools?: NamedRef[];
  achievements?: AchievementRef[];
  loyaltyBalances?: LoyaltyBalance[];
  /** Given: effects naming another program fail their rule; absent (unit tests): any program id is taken. */
  loyaltyPrograms?: EngineLoyaltyProgram[];
  event: { type: EngineEventType; attributes?: AttributeMap; created?: Date };
  now: Date;
  ids?: EngineIds;
  options?: EngineOptions;
}

// ------------------------------------------------------------------------------------------------
// Output

export type EffectType =
  | 'setDiscount' | 'setDiscountPerItem' | 'setDiscountPerAdditionalCost' | 'setDiscountPerAdditionalCostPerItem'
  | 'acceptCoupon' | 'rejectCoupon' | 'couponCreated' | 'reserveCoupon'
  | 'acceptReferral' | 'rejectReferral' | 'redeemReferral' | 'referralCreated'
  | 'addLoyaltyPoints' | 'deductLoyaltyPoints' | 'changeLoyaltyTierLevel'
  | 'extendLoyaltyPointsExpiryDate' | 'setLoyaltyPointsExpiryDate'
  | 'rollbackDiscount' | 'rollbackCoupon' | 'rollbackReferral' | 'rollbackAddedLoyaltyPoints'
  | 'rollbackDeductedLoyaltyPoints' | 'rollbackIncreasedAchievementProgress'
  | 'addFreeItem' | 'showNotification' | 'customEffect' | 'set' | 'callApi'
  | 'awardGiveaway' | 'willAwardGiveaway' | 'addToAudience' | 'removeFromAudience'
  | 'increaseAchievementProgress' | 'showBundleMetadata' | 'error';

/** Prop values: Decimal for numbers computed by rules, plain JSON otherwise (see wire.ts). */
export type Props = Record<string, unknown>;

export interface Effect {
  campaignId: number;
  rulesetId: number;
  ruleIndex: number;
  ruleName: string;
  effectType: EffectType;
  props: Props;
  experimentId?: number;
  triggeredByCoupon?: number;
  conditionIndex?: number;
  evaluationGroupID?: number;
  evaluationGroupMode?: EvaluationMode;
}

export interface RuleFailureReason {
  campaignID: number;
  campaignName: string;
  rulesetID: number;
  ruleIndex: number;
  ruleName: string;
  couponID?: number;
  couponValue?: string;
  referralID?: number;
  referralValue?: string;
  conditionIndex?: number;
  effectIndex?: number;
  details?: string;
  evaluationGroupID?: number;
  evaluationGroupMode?: EvaluationMode;
}

export interface CouponRedemption { couponId: number; campaignId: number; value: string }
export interface ReferralRedemption { referralId: number; campaignId: number; code: string }

/** What closing the session would consume (aggregated per campaign/action/code). */
export interface BudgetUsage {
  campaignId: number;
  action: LimitAction;
  amount: Decimal;
  couponId?: number;
  referralId?: number;
}

export interface CreatedCoupon { campaignId: number; value: string; recipientIntegrationId: string; usageLimit?: Decimal; validityDays?: Decimal }
export interface CreatedReferral { campaignId: number; code: string; advocateProfileIntegrationId: string }

export interface EngineUsage {
  couponRedemptions: CouponRedemption[];
  referralRedemption: ReferralRedemption | null;
  budgets: BudgetUsage[];
  /** Discount money per coupon, for `Coupon.discountCounter`. */
  couponDiscounts: { couponId: number; amount: Decimal }[];
}

export interface EngineResult {
  effects: Effect[];
  ruleFailureReasons: RuleFailureReason[];
  triggeredCampaignIds: number[];
  usage: EngineUsage;
  createdCoupons: CreatedCoupon[];
  createdReferrals: CreatedReferral[];
}
