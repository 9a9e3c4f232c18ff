/**
 * Evaluation of one campaign (docs/engine.md, "Passes" and "Errors"): pass 0 without coupon, one pass per coupon code of
 * the campaign, rule outcomes → committed effects, failure reasons and per-code outcomes.
 */
import { add, dec, Decimal, ZERO } from '../domain/money.js';
import type { CompiledRule, CompiledRuleset, EffectCall, PassScope, ProductFacts, Roots, RuleOutcome, ValueMap } from '../rules/contract.js';
import { couponInvalidReason, type PassRejection, referralInvalidReason } from './coupons.js';
import { applyCalls, currentTier, EffectError, spendablePoints, tentativePoints, type EffectEnv, type Pending, type RuleContext } from './effects.js';
import type { Ledger } from './ledger.js';
import { ONE } from './num.js';
import { buildRoots, campaignMap, couponMap, passRoots, profileMap, referralMap } from './roots.js';
import type { Exclusion } from './select.js';
import type {
  CouponRedemption, CreatedCoupon, CreatedReferral, Effect, EngineCampaign, EngineCoupon, EngineEvaluationGroup,
  EngineInput, EngineReferral, ReferralRedemption, RuleFailureReason,
} from './types.js';

/** One code of `session.couponCodes` (deduplicated after case normalisation). */
export interface CodeEntry { received: string; normalized: string; coupon: EngineCoupon | null }

interface CodeResult { accepted: boolean; rejections: PassRejection[] }

/** Results of evaluating a node of the evaluation tree; merged into the parent unless discarded. */
export interface NodeResults {
  effects: Effect[];
  failures: RuleFailureReason[];
  fired: boolean;
  /** Money granted by the discount effects committed here (summed only where a group compares it). */
  discounts: Decimal[];
  triggered: number[];
  codes: Map<string, CodeResult>;
  referral: CodeResult | null;
  redemptions: CouponRedemption[];
  referralRedemption: ReferralRedemption | null;
  createdCoupons: CreatedCoupon[];
  createdReferrals: CreatedReferral[];
  excluded: Map<number, Exclusion>;
}

export function newNodeResults(): NodeResults {
  return {
    effects: [], failures: [], fired: false, discounts: [], triggered: [], codes: new Map(), referral: null,
    redemptions: [], referralRedemption: null, createdCoupons: [], createdReferrals: [], excluded: new Map(),
  };
}

/** Total discount granted in `results` (lowest/highestDiscount groups). */
export function totalDiscount(results: NodeResults): Decimal {
  let s = ZERO;
  for (const d of results.discounts) s = add(s, d);
  return s;
}

export function mergeNodeResults(into: NodeResults, from: NodeResults): void {
  into.effects.push(...from.effects);
  into.failures.push(...from.failures);
  into.fired ||= from.fired;
  for (const d of from.discounts) into.discounts.push(d);
  into.triggered.push(...from.triggered);
  for (const [k, v] of from.codes) {
    const cur = into.codes.get(k);
    if (!cur) into.codes.set(k, v);
    else { cur.accepted ||= v.accepted; cur.rejections.push(...v.rejections); }
  }
  if (from.referral) {
    if (!into.referral) into.referral = from.referral;
    else { into.referral.accepted ||= from.referral.accepted; into.referral.rejections.push(...from.referral.rejections); }
  }
  into.redemptions.push(...from.redemptions);
  into.referralRedemption ??= from.referralRedemption;
  into.createdCoupons.push(...from.createdCoupons);
  into.createdReferrals.push(...from.createdReferrals);
  for (const [k, v] of from.excluded) into.excluded.set(k, v);
}

/** Facts beyond the original contract (docs/rules-language.md, "Functions"); extra keys are harmless if the contract lacks them. */
interface ExtraFacts {
  couponValidNoRedeem(): boolean;
  referralValid(): boolean;
  couponCanBeCreated(): boolean;
  loyaltyPointsCanBeRedeemed(programId: Decimal, points: Decimal, subledgerId?: string): boolean;
  achievementCompleted(achievementId: Decimal): boolean;
  hasJoinedAudience(audienceId: Decimal): boolean;
  hasLeftAudience(audienceId: Decimal): boolean;
}

/**
 * Product facts for the rule language, one object per evaluation whose current campaign / coupon are
 * set before each pass (passes are evaluated one after the other, so no per-pass closures are needed).
 */
export class Facts implements ProductFacts, ExtraFacts {
  campaignId = 0;
  coupon: EngineCoupon | null = null;
  referralOk = false;
  constructor(private readonly input: EngineInput, private readonly ledger: Ledger) {}

  couponValid(): boolean { return this.coupon !== null; }
  couponValidNoRedeem(): boolean { return this.coupon !== null; }
  referralValid(): boolean { return this.referralOk; }
  budgetRemaining(action: string): Decimal | null {
    return this.ledger.room({ campaignId: this.campaignId, action: action as never, ...(this.coupon ? { couponId: this.coupon.id } : {}) })?.room ?? null;
  }
  couponCanBeCreated(): boolean { const r = this.budgetRemaining('createCoupon'); return r === null || r.greaterThanOrEqualTo(1); }
  /** Tentative active balance: committed points, plus this evaluation's active additions, minus its deductions. */
  loyaltyBalance(programId: Decimal, sub?: string): Decimal {
    return tentativePoints(this.input, this.ledger, programId.toNumber(), sub ?? '');
  }
  loyaltyTier(programId: Decimal): string | null {
    return currentTier(this.input, this.ledger, programId.toNumber(), '');
  }
  /** What a deduction may spend: committed points not yet spent by this evaluation (docs/loyalty-sessions.md). */
  loyaltyPointsCanBeRedeemed(programId: Decimal, points: Decimal, sub?: string): boolean {
    const r = this.budgetRemaining('redeemLoyaltyPoints');
    return spendablePoints(this.input, this.ledger, programId.toNumber(), sub ?? '').greaterThanOrEqualTo(points) && (r === null || r.greaterThanOrEqualTo(points));
  }
  loyaltyCardValid(programId: Decimal): boolean {
    return this.input.loyaltyPrograms?.find((p) => p.id === programId.toNumber())?.cardValid === true;
  }
  inAudience(audienceId: Decimal): boolean {
    return !!this.input.profile && !!this.input.session.profileId && this.input.profile.audienceIds.includes(audienceId.toNumber());
  }
  achievementCompleted(id: Decimal): boolean {
    const a = this.input.achievements?.find((x) => x.id === id.toNumber());
    return !!a && dec(a.currentProgress).greaterThanOrEqualTo(a.target);
  }
  // Membership changes within this session are not known to the engine.
  hasJoinedAudience(): boolean { return false; }
  hasLeftAudience(): boolean { return false; }
}

/** Shared state of one `evaluate` call. */
export interface Run {
  input: EngineInput;
  env: EffectEnv;
  ledger: Ledger;
  base: Roots;
  baseVersion: number;
  codesByCampaign: Map<number, CodeEntry[]>;
  includeFailures: boolean;
  groups: Map<number, EngineEvaluationGroup>;
  facts: Facts;
  /** See plainRoots. */
  roots?: Roots;
  /** The last pass's scope, handed to the next pass's ruleset to reuse (CompiledRuleset.rebind). */
  scope?: PassScope;
}

/** With cascading discounts, later campaigns read net amounts: rebuild `Session` when discounts changed. */
function currentRoots(run: Run): Roots {
  if (run.input.application.enableCascadingDiscounts && run.ledger.version !== run.baseVersion) {
    run.base = buildRoots(run.input, run.env.units, run.ledger.netView());
    run.baseVersion = run.ledger.version;
  }
  return run.base;
}

/**
 * What each evaluation of a campaign reuses: its `Campaign` map and its rules split by pass
 * (docs/engine.md, "Passes"). Campaigns are long-lived objects evaluated many times; the entry is kept on the campaign object
 * itself (a symbol key), which is cheaper to read than a WeakMap entry per campaign and evaluation. The
 * split is redone when the campaign's compiled ruleset changes.
 */
interface CampaignCache { map: ValueMap; compiled: CompiledRuleset | null; plain: readonly CompiledRule[]; coupon: readonly CompiledRule[] }
const CACHE = Symbol('openpromo.campaignCache');
type Cached = EngineCampaign & { [CACHE]?: CampaignCache };
function cached(c: EngineCampaign): CampaignCache {
  const x = c as Cached;
  let e = x[CACHE];
  if (e === undefined) {
    e = { map: campaignMap(c), compiled: null, plain: [], coupon: [] };
    // not enumerable: a copy made with a spread does not carry the entry of the original
    Object.defineProperty(x, CACHE, { value: e, writable: true });
  }
  const rs = c.ruleset?.compiled ?? null;
  if (e.compiled !== rs && rs !== null) {
    e.compiled = rs;
    e.plain = rs.rules.filter((r) => !r.referencesCoupon);
    e.coupon = rs.rules.filter((r) => r.referencesCoupon);
  }
  return e;
}

/**
 * The roots of a campaign's coupon-less pass, one object per evaluation rewritten for each campaign:
 * passes run one after the other and nothing keeps their roots, so a fresh object per campaign (of
 * the same shape, passRoots) would only be garbage.
 */
function plainRoots(run: Run, campaign: ValueMap, referral: ValueMap | undefined, advocate: ValueMap | undefined): Roots {
  const b = currentRoots(run);
  const r = run.roots ??= passRoots(b);
  r.Session = b.Session; r.Profile = b.Profile; r.Application = b.Application; r.Event = b.Event;
  r.Store = b.Store; r.LoyaltyCard = b.LoyaltyCard; r.Item = b.Item; r.Coupon = b.Coupon;
  r.Campaign = campaign;
  r.Referral = referral ?? b.Referral;
  r.AdvocateProfile = advocate ?? b.AdvocateProfile;
  return r;
}

// not frozen: for…of over a frozen array is not inlined by TurboFan (a builtin call per loop)
const NO_CODES: readonly CodeEntry[] = [];

interface CampaignPass {
  scope: PassScope;
  coupon: EngineCoupon | null;
  code: CodeEntry | null;
  referral: EngineReferral | null;
  ctx?: RuleContext;
}

class CampaignEval {
  private readonly group: EngineEvaluationGroup | null;
  private readonly rulesetId: number;
  private couponAccepted: Set<number> | null = null;
  private referralAccepted = false;

  constructor(private readonly run: Run, private readonly c: EngineCampaign, private readonly results: NodeResults) {
    const gid = c.evaluationGroupId;
    this.group = gid != null ? run.groups.get(gid) ?? null : null;
    this.rulesetId = c.ruleset ? c.ruleset.id : 0;
  }

  private envelope(ruleIndex: number, ruleName: string, effectType: Effect['effectType'], props: Effect['props'], coupon: EngineCoupon | null): Effect {
    const e: Effect = { campaignId: this.c.id, rulesetId: this.rulesetId, ruleIndex, ruleName, effectType, props };
    if (this.c.experimentId != null) e.experimentId = this.c.experimentId;
    if (coupon) e.triggeredByCoupon = coupon.id;
    if (this.group) { e.evaluationGroupID = this.group.id; e.evaluationGroupMode = this.group.mode; }
    return e;
  }

  private failure(rule: CompiledRule, pass: CampaignPass, extra: { conditionIndex?: number; effectIndex?: number; details?: string }): void {
    if (!this.run.includeFailures) return;
    const f: RuleFailureReason = {
      campaignID: this.c.id, campaignName: this.c.name, rulesetID: this.rulesetId, ruleIndex: rule.index, ruleName: rule.title,
    };
    if (pass.coupon) { f.couponID = pass.coupon.id; f.couponValue = pass.coupon.value; }
    if (pass.referral) { f.referralID = pass.referral.id; f.referralValue = pass.referral.code; }
    if (extra.conditionIndex !== undefined) f.conditionIndex = extra.conditionIndex;
    if (extra.effectIndex !== undefined) f.effectIndex = extra.effectIndex;
    if (extra.details !== undefined) f.details = extra.details;
    if (this.group) { f.evaluationGroupID = this.group.id; f.evaluationGroupMode = this.group.mode; }
    this.results.failures.push(f);
  }

  private reject(rule: CompiledRule, pass: CampaignPass, r: Omit<PassRejection, 'reason'>, kind: 'Condition' | 'Effect'): void {
    if (pass.code && rule.referencesCoupon) {
      this.codeResult(pass.code).rejections.push(kind === 'Condition' ? { ...r, reason: 'CouponRejectedByCondition' } : { ...r, reason: 'EffectCouldNotBeApplied' });
    }
    if (pass.referral && rule.referencesReferral && this.results.referral) {
      this.results.referral.rejections.push(kind === 'Condition' ? { ...r, reason: 'ReferralRejectedByCondition' } : { ...r, reason: 'EffectCouldNotBeApplied' });
    }
  }

  private codeResult(code: CodeEntry): CodeResult {
    let r = this.results.codes.get(code.normalized);
    if (!r) { r = { accepted: false, rejections: [] }; this.results.codes.set(code.normalized, r); }
    return r;
  }

  /** One rule context per pass, renamed for each rule that fires (a pass applies one rule at a time). */
  private context(rule: CompiledRule, pass: CampaignPass): RuleContext {
    const ctx = pass.ctx ??= { env: this.run.env, ledger: this.run.ledger, campaign: this.c, ruleName: rule.title, coupon: pass.coupon, referral: pass.referral };
    ctx.ruleName = rule.title;
    return ctx;
  }

  private outcome(rule: CompiledRule, pass: CampaignPass): RuleOutcome {
    try {
      return pass.scope.evaluate(rule.index);
    } catch (e) {
      // Defensive: the rule language should report errors in the outcome, never throw.
      return { fired: false, error: 'effect', details: `error: ${e instanceof Error ? e.message : JSON.stringify(e)}`, failureEffects: [] };
    }
  }

  private emitError(rule: CompiledRule, pass: CampaignPass, details: string, effectIndex: number | undefined): void {
    const message = details.startsWith('error: ') ? details.slice(7) : details;
    this.results.effects.push(this.envelope(rule.index, rule.title, 'error', { message }, pass.coupon));
    this.failure(rule, pass, { effectIndex, details: details.startsWith('error: ') ? details : `error: ${details}` });
    this.reject(rule, pass, { effectIndex, details }, 'Effect');
  }

  /** Applies calls transactionally; returns the pending effects or null after reporting the failure. */
  private apply(rule: CompiledRule, pass: CampaignPass, calls: readonly EffectCall[]): { effects: Pending[]; dropped: { effectIndex: number; details: string }[] } | null {
    const mark = this.run.ledger.mark();
    try {
      const res = applyCalls(this.context(rule, pass), calls);
      if (res.ok) return res;
      this.run.ledger.undo(mark);
      this.failure(rule, pass, { effectIndex: res.effectIndex, details: res.details });
      this.reject(rule, pass, { effectIndex: res.effectIndex, details: res.details }, 'Effect');
      return null;
    } catch (e) {
      this.run.ledger.undo(mark);
      if (!(e instanceof EffectError)) throw e;
      this.emitError(rule, pass, e.message, e.effectIndex);
      return null;
    }
  }

  private commit(rule: CompiledRule, pass: CampaignPass, effects: Pending[], conditionIndex?: number): void {
    for (const p of effects) {
      const e = this.envelope(rule.index, rule.title, p.effectType, p.props, pass.coupon);
      if (conditionIndex !== undefined) e.conditionIndex = conditionIndex;
      this.results.effects.push(e);
      if (p.discount) this.results.discounts.push(p.discount);
      if (p.created?.coupon) this.results.createdCoupons.push(p.created.coupon);
      if (p.created?.referral) this.results.createdReferrals.push(p.created.referral);
    }
  }

  private acceptCodes(rule: CompiledRule, pass: CampaignPass): void {
    const { coupon, code, referral } = pass;
    if (coupon && code && rule.referencesCoupon && !this.couponAccepted?.has(coupon.id)) {
      (this.couponAccepted ??= new Set()).add(coupon.id);
      this.codeResult(code).accepted = true;
      this.results.effects.push(this.envelope(rule.index, rule.title, 'acceptCoupon', { value: coupon.value }, coupon));
      this.results.redemptions.push({ couponId: coupon.id, campaignId: this.c.id, value: coupon.value });
      this.run.ledger.consume({ campaignId: this.c.id, action: 'redeemCoupon', couponId: coupon.id, ...(referral ? { referralId: referral.id } : {}) }, ONE);
    }
    if (referral && rule.referencesReferral && !this.referralAccepted && this.results.referral) {
      this.referralAccepted = true;
      this.results.referral.accepted = true;
      this.results.effects.push(this.envelope(rule.index, rule.title, 'acceptReferral', { value: referral.code }, coupon));
      this.results.referralRedemption = { referralId: referral.id, campaignId: this.c.id, code: referral.code };
      this.run.ledger.consume({ campaignId: this.c.id, action: 'redeemReferral', referralId: referral.id, ...(coupon ? { couponId: coupon.id } : {}) }, ONE);
    }
  }

  /** The rules of one pass, in order (those a coupon pass runs when `couponRules`). */
  private runPass(rules: readonly CompiledRule[], couponRules: boolean, pass: CampaignPass): void {
    const scope = pass.scope;
    if (scope.next === undefined) {
      for (let i = 0; i < rules.length; i++) this.evaluateRule(rules[i], pass, this.outcome(rules[i], pass));
      return;
    }
    const all = this.c.ruleset!.compiled.rules;
    const quiet = !this.run.includeFailures && pass.code === null && pass.referral === null;
    for (let i = scope.next(0, couponRules, quiet); i >= 0; i = scope.next(i + 1, couponRules, quiet)) this.evaluateRule(all[i], pass, scope.outcome!);
  }

  private evaluateRule(rule: CompiledRule, pass: CampaignPass, out: RuleOutcome): void {
    if (out.fired) {
      const res = this.apply(rule, pass, out.effects);
      if (!res) return;
      this.acceptCodes(rule, pass);
      this.commit(rule, pass, res.effects);
      for (let i = 0; i < res.dropped.length; i++) this.failure(rule, pass, res.dropped[i]);
      this.results.fired = true;
      return;
    }
    if (out.error === 'effect') { this.emitError(rule, pass, out.details, out.effectIndex); return; }
    // most rules do not fire: failure() reads the outcome itself (and records only when asked), and
    // only coupon and referral passes have a code to reject, so no reason object is built otherwise
    this.failure(rule, pass, out);
    if (pass.code !== null || pass.referral !== null) this.reject(rule, pass, { conditionIndex: out.conditionIndex, details: out.details }, 'Condition');
    if (out.failureEffects.length > 0) {
      const res = this.apply(rule, pass, out.failureEffects);
      if (res) this.commit(rule, pass, res.effects, out.conditionIndex);
    }
  }

  private bindPass(roots: Roots, coupon: EngineCoupon | null, referralOk: boolean): PassScope {
    const run = this.run;
    const f = run.facts;
    f.campaignId = this.c.id;
    f.coupon = coupon;
    f.referralOk = referralOk;
    const opts = { now: run.input.now, roots, facts: f, maxSteps: run.input.options?.maxSteps };
    const compiled = this.c.ruleset!.compiled;
    // passes run one at a time: the previous one's scope is free for this one
    const scope = run.scope !== undefined && compiled.rebind !== undefined ? compiled.rebind(run.scope, opts) : compiled.bind(opts);
    run.scope = scope;
    return scope;
  }

  evaluate(): void {
    const ruleset = this.c.ruleset;
    const codes = this.run.codesByCampaign.get(this.c.id) ?? NO_CODES;
    // Codes of this campaign are "evaluated" even when no rule references them (→ RejectedByCondition).
    for (const code of codes) this.codeResult(code);
    const input = this.run.input;
    const ref = input.referral && input.referral.campaignId === this.c.id ? input.referral : null;
    let referralOk = false;
    if (ref) {
      const reason = referralInvalidReason(ref, input, this.run.ledger);
      this.results.referral = { accepted: false, rejections: reason ? [{ reason }] : [] };
      referralOk = reason === null;
    }
    if (!ruleset) return;
    const refRoots = ref !== null && referralOk;
    const cache = cached(this.c);
    const roots = plainRoots(this.run, cache.map, refRoots ? referralMap(ref) : undefined,
      refRoots && ref.advocateProfile ? profileMap(ref.advocateProfile) : undefined);
    const passRef = referralOk ? ref : null;
    const plain = cache.plain;
    const couponRules = cache.coupon;
    if (plain.length > 0) {
      const pass: CampaignPass = { scope: this.bindPass(roots, null, referralOk), coupon: null, code: null, referral: passRef };
      this.runPass(plain, false, pass);
    }
    if (couponRules.length === 0) return;
    for (const code of codes) {
      const coupon = code.coupon!;
      const reason = couponInvalidReason(coupon, input, this.run.ledger);
      if (reason) { this.codeResult(code).rejections.unshift({ reason }); continue; }
      const pass: CampaignPass = { scope: this.bindPass(passRoots(roots, undefined, undefined, undefined, couponMap(coupon)), coupon, referralOk), coupon, code, referral: passRef };
      this.runPass(couponRules, true, pass);
    }
  }
}

export function evaluateCampaign(run: Run, c: EngineCampaign, results: NodeResults): void {
  const before = results.fired;
  results.fired = false;
  new CampaignEval(run, c, results).evaluate();
  if (results.fired) results.triggered.push(c.id);
  results.fired ||= before;
}
