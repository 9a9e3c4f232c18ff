/**
 * The contract between the rule language (src/rules) and the evaluation engine (src/engine).
 *
 * The rule language knows nothing of discounts, budgets or coupons: evaluating a rule yields the
 * *calls* to effect functions it made (in order, with evaluated arguments). The engine turns those
 * calls into Talon.One effects (caps, budgets, envelopes): docs/engine.md, "Passes" and "Effect shapes".
 */
import type { Decimal } from '../domain/money.js';

/** A runtime value of the rule language. Numbers are always Decimal; maps are null-prototype objects. */
export type Value = null | boolean | string | Decimal | Date | Value[] | ValueMap;
export interface ValueMap { [key: string]: Value | undefined }

/** Kinds the static checker knows (docs/rules-language.md, "Values and equality"). */
export type Kind = 'any' | 'null' | 'boolean' | 'string' | 'number' | 'time' | 'list' | 'map';

/** Declared custom attribute (NewAttribute) visible to rules as <Root>.Attributes.<name>. */
export interface AttributeDef {
  entity: string;                // NewAttribute.entity, e.g. 'CustomerSession', 'CartItem', 'CustomerProfile'
  name: string;
  type: 'string' | 'number' | 'boolean' | 'time' | '(list string)' | '(list number)' | 'location';
  eventType?: string;
}

/** What the checker needs to know about the Application when a ruleset is saved. */
export interface CompileEnv {
  attributes: AttributeDef[];
  additionalCosts: string[];                      // names of AccountAdditionalCost
  customEffects: { name: string; params: { name: string; type: string }[] }[];
  /** Talang templates (docs/rules-language.md, "Templates and parameters") callable with ["!", name, args…]. */
  templates?: { name: string; expr: unknown; args?: unknown[] }[];
  /**
   * Loyalty programs subscribed to the Application, checked when a ruleset is saved (a literal program id must
   * name one; a subledger only where allowed). Absent when stored rulesets are compiled: a program unsubscribed
   * later fails the rule at evaluation instead (docs/loyalty-sessions.md).
   */
  loyaltyPrograms?: { id: number; allowSubledger: boolean }[];
}

/** One rule of NewRuleset.rules, as sent by clients (Talon.One JSON form). */
export interface RuleInput {
  title: string;
  description?: string;
  bindings?: { name: string; type?: string; expression: unknown; valueType?: string; minValue?: number; maxValue?: number }[];
  condition: unknown[];
  effects: unknown[];
  failureEffects?: unknown[];                     // our extension (docs/rules-language.md, "Evaluation")
}

export interface RulesetInput {
  rules: RuleInput[];
  bindings?: RuleInput['bindings'];               // ruleset-level bindings
  strikethroughRules?: RuleInput[];
}

/** A save-time error: `path` is a JSON-ish path such as `rules[1].effects[0][2]`. */
export interface RuleCheckError { ruleIndex: number | null; path: string; message: string }

/** An effect function call recorded while evaluating a rule's effects (args already evaluated). */
export interface EffectCall {
  fn: string;                                     // canonical function name, e.g. 'setDiscount', 'setDiscountPerItem'
  args: Value[];
  index: number;                                  // effectIndex: position in the rule's effects sequence
}

/** Roots bound for one evaluation pass (docs/rules-language.md, "Data model"). Absent = unbound. */
export interface Roots {
  Session?: ValueMap;
  Item?: ValueMap;                                // only for strikethrough rules (the catalog item)
  Profile?: ValueMap;
  AdvocateProfile?: ValueMap;
  Coupon?: ValueMap;
  Referral?: ValueMap;
  Application?: ValueMap;
  Campaign?: ValueMap;
  Event?: ValueMap;
  Store?: ValueMap;
  LoyaltyCard?: ValueMap;
}

/** Read-only facts some product predicates need (docs/rules-language.md, "Functions"); supplied by the engine. */
export interface ProductFacts {
  couponValid?(): boolean;                        // is the bound coupon valid for this session
  loyaltyBalance?(programId: Decimal, subledgerId: string): Decimal;
  loyaltyTier?(programId: Decimal): string | null;
  inAudience?(audienceId: Decimal): boolean;
  budgetRemaining?(action: string): Decimal | null;
  // Optional additions; a predicate whose callback is absent raises an evaluation error.
  couponValidNoRedeem?(): boolean;                // defaults to couponValid() when absent
  couponCanBeCreated?(): boolean;
  referralValid?(): boolean;
  hasJoinedAudience?(audienceId: Decimal): boolean;
  hasLeftAudience?(audienceId: Decimal): boolean;
  loyaltyPointsCanBeRedeemed?(programId: Decimal, points: Decimal, subledgerId: string): boolean;
  loyaltyCardValid?(programId: Decimal): boolean;
  achievementCompleted?(achievementId: Decimal): boolean;
  appCartItemFilter?(filterId: Decimal): Value[];
}

export interface EvalOptions {
  now: Date;                                      // fixed per request
  roots: Roots;
  facts?: ProductFacts;
  maxSteps?: number;                              // default 1e6 per pass (docs/rules-language.md, "Bounds")
  timezone?: string;                              // IANA zone for calendar functions (Application.timezone); default UTC
}

export type RuleOutcome =
  | { fired: true; effects: EffectCall[] }
  | { fired: false; error?: undefined; conditionIndex?: number; details: string; failureEffects: EffectCall[] }
  | { fired: false; error: 'effect'; effectIndex?: number; details: string; failureEffects: EffectCall[] };

/** A compiled ruleset: compile once at save time, evaluate many. */
export interface CompiledRuleset {
  readonly rules: readonly CompiledRule[];
  readonly strikethroughRules?: readonly CompiledRule[];
  /** Evaluate ruleset-level bindings for one pass; the returned scope is reused for each rule. */
  bind(opts: EvalOptions): PassScope;
  /**
   * `bind`, reusing `previous` (a scope of this compiler, for any ruleset, that nobody uses any more)
   * where it can: for callers that evaluate many rulesets one after the other.
   */
  rebind?(previous: PassScope, opts: EvalOptions): PassScope;
}

export interface PassScope {
  evaluate(ruleIndex: number): RuleOutcome;
  /**
   * Evaluates the rules from index `from` on, in order — those that reference a coupon when
   * `couponRules`, the others otherwise — and returns the index of the first one whose outcome the caller
   * needs, with that outcome in `outcome`; -1 when none is left. With `quiet` (no failure reasons asked,
   * no code to reject) a rule that does not fire and has no failure effects to run is passed over: the
   * same evaluation as `evaluate`, without an outcome nobody reads.
   */
  next?(from: number, couponRules: boolean, quiet: boolean): number;
  readonly outcome?: RuleOutcome | undefined;
  /** Evaluate strikethroughRules[index] (docs/rules-language.md, "Strikethrough rules"; bind with roots.Item = the catalog item). */
  evaluateStrikethrough?(index: number): RuleOutcome;
}

export interface CompiledRule {
  readonly index: number;
  readonly title: string;
  /** Statically references couponValid / couponValidNoRedeem (docs/engine.md, "Passes"). */
  readonly referencesCoupon: boolean;
  readonly referencesReferral: boolean;
  /** References couponValid (redeeming), not only couponValidNoRedeem. */
  readonly redeemsCoupon?: boolean;
}
