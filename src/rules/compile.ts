/**
 * Compiles a checked ruleset into plain closures (docs/rules-language.md, "Performance"): path lookups are resolved to
 * slots and key lists, overloads to implementations, kind checks are inserted only where the
 * static kind is not already known. Evaluation never walks the AST.
 */
import { Decimal, isDec } from '../domain/money.js';
import type {
  CompileEnv, CompiledRule, CompiledRuleset, EffectCall, EvalOptions, PassScope, RuleCheckError, RuleOutcome,
  RulesetInput, Value, ValueMap,
} from './contract.js';
import { checkRuleset, exact, RulesetValidationError, type CheckedBinding, type CheckedRule } from './check.js';
import type { ArgCode, CallSite, Overload, ParamKind } from './fn.js';
import { COUPON_FUNCTIONS, REFERRAL_FUNCTIONS } from './functions/product.js';
import type { Arg, Call, Expr } from './parse.js';
import { paramAt } from './registry.js';
import { jitAnd, jitArg, jitExpr, type CatchCompare, type JitHooks } from './jit.js';
import { Ctx, errorMessage, UNSET, type Code, type LambdaCode } from './runtime.js';
import { coerce, describe, fail, hasKind, isMap, kindOf, RuleEvalError, valuesEqual } from './values.js';

export { RulesetValidationError } from './check.js';

// ---------------------------------------------------------------- expressions

function compileExpr(e: Expr): Code {
  switch (e.t) {
    case 'lit': { const v = e.v; return () => v; }
    case 'seq': {
      const codes = e.items.map(compileExpr);
      if (codes.length === 1) return codes[0];
      return (c) => {
        let v: Value = null;
        for (let i = 0; i < codes.length; i++) v = codes[i](c);
        return v;
      };
    }
    case 'call': return e.def!.name === '.' ? compilePath(e) : compileCall(e);
  }
}

function compileLambda(a: Extract<Arg, { t: 'lambda' }>): LambdaCode {
  const slot = a.slot!;
  const body = compileExpr(a.body);
  return (c, x) => { c.slots[slot] = x; return body(c); };
}

/** Compile argument i for a parameter of kind `kind`, converting/checking only when needed. */
function compileArg(call: Call, o: Overload | null, i: number): ArgCode {
  const a = call.args[i];
  if (a.t === 'lambda') return compileLambda(a);
  const e = a.t === 'pair' ? a.value : a;
  const code = compileExpr(e);
  if (o === null) return code;
  const kind = paramAt(o, i);
  if (exact(e.shape!, kind)) return code;
  const q = o.params[i] ?? o.params[o.params.length - 1];
  const what = `${call.def!.name}: argument ${i + 1} (${q.name})`;
  const converted: Code = (c) => coerce(code(c), kind, what);
  return converted;
}

function site(call: Call): CallSite {
  return {
    name: call.def!.name, path: call.path,
    shapes: call.args.map((a) => a.shape!),
    literals: call.args.map((a) => (a.t === 'lit' ? a.v : undefined)),
    keys: call.args.map((a) => (a.t === 'pair' ? a.key : '')),
  };
}

function compileCall(call: Call): Code {
  const o = call.overload;
  if (o === undefined) return compileDispatch(call);
  if (call.def!.name === 'catch') {
    const fast = compileCatchCompare(call);
    if (fast !== undefined) return fast;
  }
  const codes = call.args.map((_, i) => compileArg(call, o, i));
  if (o.build !== undefined) {
    const inner = o.build(codes, site(call));
    return (c) => { c.step(); return inner(c); };
  }
  const f = o.eager!;
  const k = codes as Code[];
  const folded = foldConstant(call, f, k);
  if (folded !== undefined) return folded;
  // Fixed-arity closures avoid a loop and give V8 monomorphic call sites for the common cases.
  switch (k.length) {
    case 0: return (c) => { c.step(); return f([], c); };
    case 1: { const [a0] = k as [Code]; return (c) => { c.step(); return f([a0(c)], c); }; }
    case 2: { const [a0, a1] = k as [Code, Code]; return (c) => { c.step(); return f([a0(c), a1(c)], c); }; }
    case 3: { const [a0, a1, a2] = k as [Code, Code, Code]; return (c) => { c.step(); return f([a0(c), a1(c), a2(c)], c); }; }
    default: return (c) => {
      c.step();
      const vals = new Array<Value>(k.length);
      for (let i = 0; i < k.length; i++) vals[i] = k[i](c);
      return f(vals, c);
    };
  }
}

const PURE_FAMILIES = new Set(['logic', 'comparison', 'math', 'lists', 'strings']);

/**
 * Constant folding: a pure call whose arguments are all literals (e.g. ["/", 10, 100]) is
 * evaluated once at compile time. On failure the call is left for evaluation time, so the error
 * surfaces (and can be caught) exactly as without folding.
 */
function foldConstant(call: Call, f: NonNullable<Overload['eager']>, codes: Code[]): Code | undefined {
  if (!PURE_FAMILIES.has(call.def!.family) || !call.args.every((a) => a.t === 'lit' || (a.t === 'call' && a.folded === true))) return undefined;
  try {
    const probe = new Ctx({ now: new Date(0), roots: {}, maxSteps: 1000 }, 0, []);
    const v = f(codes.map((k) => k(probe)), probe);
    if (typeof v === 'object' && v !== null && !isDec(v)) return undefined; // lists/maps/times: keep fresh per evaluation
    call.folded = true;
    return () => v;
  } catch {
    return undefined;
  }
}

/** Overloads that static kinds could not tell apart (e.g. `+` on two attributes of unknown kind). */
function compileDispatch(call: Call): Code {
  const cands = call.candidates!;
  const codes = call.args.map((_, i) => compileArg(call, null, i)) as Code[];
  const name = call.def!.name;
  const tryConvert = (o: Overload, vals: Value[]): Value[] | null => {
    const out = new Array<Value>(vals.length);
    for (let i = 0; i < vals.length; i++) {
      const k: ParamKind = paramAt(o, i);
      if (hasKind(vals[i], k)) out[i] = vals[i]!;
      else if (k === 'time' && typeof vals[i] === 'string') {
        try { out[i] = coerce(vals[i], k, name); } catch { return null; }
      } else return null;
    }
    return out;
  };
  return (c) => {
    c.step();
    const vals = codes.map((k) => k(c));
    for (const o of cands) {
      const conv = tryConvert(o, vals);
      if (conv !== null) return o.eager!(conv, c);
    }
    return fail(`${name} does not accept (${vals.map(describe).join(', ')})`);
  };
}

/**
 * `["catch", <literal>, ["=" | "!=", <path>, <literal>]]` (either operand order) — the cart item filter
 * idiom (docs/rules-language.md, "Paths") — as one closure: a missing key or unbound root yields the fallback without
 * raising and catching an error. Same result and step charge as the general route: a non-atom value
 * would fail `=`'s atom parameter, so it yields the fallback too. Paths through lazy bindings or with
 * computed keys keep the general route.
 */
function catchCompareParts(call: Call): CatchCompare | undefined {
  const [fb, ex] = call.args;
  if (call.args.length !== 2 || fb?.t !== 'lit' || ex?.t !== 'call' || ex.overload === undefined || ex.args.length !== 2) return undefined;
  const name = ex.def!.name;
  if (name !== '=' && name !== '!=') return undefined;
  const [x, y] = ex.args;
  const pathFirst = x?.t === 'call' && x.def?.name === '.' && y?.t === 'lit';
  const path = (pathFirst ? x : y) as Call;
  const lit = (pathFirst ? y : x);
  if (path?.t !== 'call' || path.def?.name !== '.' || lit?.t !== 'lit' || typeof lit.v === 'object') return undefined;
  const ref = path.pathRef;
  if (!ref || (ref.base.kind === 'slot' && ref.base.binding) || !ref.keys.every((k) => typeof k === 'string')) return undefined;
  const base = ref.base;
  return {
    keys: ref.keys, rootName: base.kind === 'root' ? base.name : '', slot: base.kind === 'slot' ? base.slot : -1,
    fallback: fb.v, literal: lit.v as Value, negate: name === '!=', pathFirst,
  };
}

function compileCatchCompare(call: Call): Code | undefined {
  const parts = catchCompareParts(call);
  if (parts === undefined) return undefined;
  const { keys, rootName, slot, fallback, literal, negate, pathFirst } = parts;
  return (c) => {
    c.step(3); // catch, the comparison, the path
    let v: Value | undefined = slot >= 0 ? c.slots[slot] as Value : (c.roots as Record<string, ValueMap | undefined>)[rootName];
    for (let i = 0; i < keys.length; i++) {
      if (v === undefined || !isMap(v)) return fallback;
      const k = keys[i];
      v = Object.hasOwn(v, k) ? (v)[k] : undefined;
    }
    if (v === undefined || Array.isArray(v) || isMap(v)) return fallback;
    const eq = pathFirst ? valuesEqual(normalizeNumber(v), literal) : valuesEqual(literal, normalizeNumber(v));
    return negate ? !eq : eq;
  };
}

// ---------------------------------------------------------------- generated code (jit.ts)

const PROBE = new Ctx({ now: new Date(0), roots: {}, maxSteps: 1000 }, 0, []);

const hooks: JitHooks = {
  closure: compileExpr,
  catchCompare: catchCompareParts,
  fold(call) {
    const o = call.overload;
    if (o?.eager === undefined || !PURE_FAMILIES.has(call.def!.family)) return undefined;
    const code = compileCall(call);
    return call.folded === true ? { v: code(PROBE) } : undefined;
  },
};

/** Top-level code of a rule part or binding: generated when it pays off, closures otherwise. */
function compileTop(e: Expr): Code {
  return jitExpr(e, hooks) ?? compileExpr(e);
}

// ---------------------------------------------------------------- paths

function compileBase(call: Call): Code {
  const base = call.pathRef!.base;
  if (base.kind === 'root') {
    const name = base.name;
    return (c) => {
      const r = (c.roots as Record<string, ValueMap | undefined>)[name];
      if (r === undefined) fail(`Unable to find \`${name}\` (not bound in this evaluation)`);
      return r;
    };
  }
  const slot = base.slot;
  return base.binding ? (c) => c.binding(slot) : (c) => c.slots[slot] as Value;
}

/** Read `key` from `v` as own data only: `__proto__`, `constructor` etc. are just absent keys. */
function readKey(v: Value, key: string, text: string): Value {
  if (!isMap(v)) fail(`Unable to find \`${text}\``);
  const x = Object.hasOwn(v, key) ? v[key] : undefined;
  if (x === undefined) fail(`Unable to find \`${text}\``);
  return x;
}

function normalizeNumber(v: Value): Value {
  return typeof v === 'number' ? new Decimal(v) : v;
}

function compilePath(call: Call): Code {
  const ref = call.pathRef!;
  const base = compileBase(call);
  const text = ref.text;
  if (ref.keys.every((k) => typeof k === 'string')) {
    const keys = ref.keys;
    switch (keys.length) {
      case 0: return (c) => { c.step(); return base(c); };
      case 1: { const [k0] = keys as [string]; return (c) => { c.step(); return normalizeNumber(readKey(base(c), k0, text)); }; }
      case 2: { const [k0, k1] = keys as [string, string]; return (c) => { c.step(); return normalizeNumber(readKey(readKey(base(c), k0, text), k1, text)); }; }
      default: return (c) => {
        c.step();
        let v = base(c);
        for (let i = 0; i < keys.length; i++) v = readKey(v, keys[i], text);
        return normalizeNumber(v);
      };
    }
  }
  const keyCodes: Code[] = ref.keys.map((k) => (typeof k === 'string' ? () => k : compileExpr(k)));
  return (c) => {
    c.step();
    let v = base(c);
    for (const k of keyCodes) {
      const key = k(c);
      if (typeof key !== 'string') fail(`path key of \`${text}\` must be a string, got ${describe(key)}`);
      v = readKey(v, key, text);
    }
    return normalizeNumber(v);
  };
}

// ---------------------------------------------------------------- rules

const FALSE_DETAILS = 'condition evaluated to false';
/** Shared (frozen) empty list of failure effect calls: most rules have none. */
const NO_CALLS = Object.freeze([]) as unknown as EffectCall[];

class Rule implements CompiledRule {
  readonly referencesCoupon: boolean;
  readonly referencesReferral: boolean;
  readonly redeemsCoupon: boolean;
  readonly bindingSlots: number[];
  /** Operands of a top-level `and` (for conditionIndex), or null. */
  readonly andOps: Code[] | null;
  /** The same operands fused into one generated function (index of the first false one, or -1). */
  readonly andAll: ((c: Ctx, K: readonly unknown[]) => number) | null;
  /** andAll's constant table (called directly: the hottest call of an evaluation). */
  readonly andK: readonly unknown[];
  readonly condition: Code;
  readonly isOr: boolean;
  readonly effects: Code[];
  readonly failureEffects: Code[];
  /** Frozen "condition evaluated to false" outcomes by conditionIndex (rules without failure effects). */
  readonly falseOutcomes: RuleOutcome[] = [];

  constructor(r: CheckedRule, bindingCodes: (Code | undefined)[]) {
    this.index = r.index;
    this.title = r.title;
    this.referencesCoupon = COUPON_FUNCTIONS.some((f) => r.refs.has(f));
    this.redeemsCoupon = r.refs.has('couponValid');
    this.referencesReferral = REFERRAL_FUNCTIONS.some((f) => r.refs.has(f));
    this.bindingSlots = r.bindings.map((b) => b.slot);
    for (const b of r.bindings) bindingCodes[b.slot] = compileTop(b.expr);
    const cond = r.condition;
    const top = cond.t === 'call' && cond.overload !== undefined ? cond.def!.name : '';
    this.isOr = top === 'or';
    const fused = top === 'and' ? jitAnd(cond as Call, (cond as Call).overload!, hooks) : null;
    this.andAll = fused?.fn ?? null;
    this.andK = fused?.K ?? [];
    // With a fused condition the per-operand codes are not needed (an empty list still marks a top-level `and`).
    this.andOps = top !== 'and' ? null : this.andAll !== null ? []
      : (cond as Call).args.map((_, i) => jitArg(cond as Call, (cond as Call).overload!, i, hooks) ?? compileArg(cond as Call, (cond as Call).overload!, i) as Code);
    const code = top === 'and' ? compileExpr(cond) : compileTop(cond);
    this.condition = (c) => {
      const v = code(c);
      if (typeof v !== 'boolean') fail(`condition must evaluate to a boolean, got ${describe(v)}`);
      return v;
    };
    this.effects = r.effects.map(compileTop);
    this.failureEffects = r.failureEffects.map(compileTop);
  }

  readonly index: number;
  readonly title: string;
}

class RulesetPassScope implements PassScope {
  /** The outcome of the rule `next` stopped at. */
  outcome: RuleOutcome | undefined = undefined;

  constructor(readonly ctx: Ctx, public rules: readonly Rule[], public strike: readonly Rule[]) {}

  evaluate(ruleIndex: number): RuleOutcome {
    const r = this.rules[ruleIndex];
    if (r === undefined) throw new RangeError(`no rule ${ruleIndex}`);
    return this.run(r);
  }

  evaluateStrikethrough(index: number): RuleOutcome {
    const r = this.strike[index];
    if (r === undefined) throw new RangeError(`no strikethrough rule ${index}`);
    return this.run(r);
  }

  next(from: number, couponRules: boolean, quiet: boolean): number {
    const rules = this.rules;
    for (let i = from; i < rules.length; i++) {
      const r = rules[i];
      if (r.referencesCoupon !== couponRules) continue;
      if (quiet && r.andAll !== null && r.failureEffects.length === 0) {
        // the common case — a rule that does not fire and that nobody asks about — costs its condition only
        const c = this.begin(r);
        c.opIndex = 0;
        let k: number;
        try {
          k = r.andAll(c, r.andK);
        } catch {
          continue; // a failing condition: not fired, no failure effects, nothing to report
        }
        if (k >= 0) continue;
        this.outcome = this.fire(r);
        return i;
      }
      const out = this.run(r);
      if (quiet && !out.fired && out.error === undefined && out.failureEffects.length === 0) continue;
      this.outcome = out;
      return i;
    }
    this.outcome = undefined;
    return -1;
  }

  /** A rule starts with its own bindings unset and no effects being recorded. */
  private begin(r: Rule): Ctx {
    const c = this.ctx;
    const bs = r.bindingSlots;
    for (let i = 0; i < bs.length; i++) c.slots[bs[i]] = UNSET;
    c.effects = null;
    return c;
  }

  private run(r: Rule): RuleOutcome {
    const c = this.begin(r);
    const ops = r.andOps;
    let at = 0;
    try {
      if (r.andAll !== null) {
        c.opIndex = 0;
        const k = r.andAll(c, r.andK);
        if (k >= 0) return this.falseOutcome(r, k);
      } else if (ops !== null) {
        for (; at < ops.length; at++) if (ops[at](c) === false) return this.falseOutcome(r, at);
      } else if (!r.condition(c)) {
        return this.falseOutcome(r, r.isOr ? undefined : 0);
      }
    } catch (e) {
      if (r.andAll !== null) at = c.opIndex;
      return this.notFired(r, ops !== null ? at : r.isOr ? undefined : 0, `error: ${errorMessage(e)}`);
    }
    return this.fire(r);
  }

  /** The effects of a rule whose condition held. */
  private fire(r: Rule): RuleOutcome {
    const c = this.ctx;
    const effects: EffectCall[] = [];
    c.effects = effects;
    let k = 0;
    try {
      for (; k < r.effects.length; k++) {
        c.effectIndex = k;
        r.effects[k](c);
      }
    } catch (e) {
      c.effects = null;
      return { fired: false, error: 'effect', effectIndex: k, details: `error: ${errorMessage(e)}`, failureEffects: [] };
    }
    c.effects = null;
    return { fired: true, effects };
  }

  /** Most rules do not fire and have no failure effects: their outcome is the same frozen object each time. */
  private falseOutcome(r: Rule, conditionIndex: number | undefined): RuleOutcome {
    if (r.failureEffects.length > 0) return this.notFired(r, conditionIndex, FALSE_DETAILS);
    const k = conditionIndex ?? -1;
    return r.falseOutcomes[k + 1] ??= Object.freeze(this.notFired(r, conditionIndex, FALSE_DETAILS));
  }

  private notFired(r: Rule, conditionIndex: number | undefined, details: string): RuleOutcome {
    const failureEffects = this.runFailureEffects(r);
    return conditionIndex === undefined ? { fired: false, details, failureEffects } : { fired: false, conditionIndex, details, failureEffects };
  }

  /** Failure effects are atomic too: an error in them yields none. */
  private runFailureEffects(r: Rule): EffectCall[] {
    if (r.failureEffects.length === 0) return NO_CALLS;
    const c = this.ctx;
    const out: EffectCall[] = [];
    c.effects = out;
    try {
      for (let k = 0; k < r.failureEffects.length; k++) {
        c.effectIndex = k;
        r.failureEffects[k](c);
      }
      return out;
    } catch {
      return [];
    } finally {
      c.effects = null;
    }
  }
}

class Ruleset implements CompiledRuleset {
  constructor(
    readonly rules: readonly Rule[],
    readonly strikethroughRules: readonly Rule[],
    private readonly slotCount: number,
    private readonly bindingCodes: readonly (Code | undefined)[],
  ) {}

  /**
   * A new scope and context per pass, not one kept per ruleset: a kept context moves to the old
   * generation, and every pass writes young values into it (roots, lambda parameters, bindings, effect
   * lists), each write taking the write barrier's slow path and a remembered-set entry.
   */
  bind(opts: EvalOptions): PassScope {
    return new RulesetPassScope(this.context(opts), this.rules, this.strikethroughRules);
  }

  /**
   * The passes of one evaluation run one after the other, and a campaign's pass is done with when the
   * next campaign's starts: the engine hands the previous scope back, and it is reset for this ruleset
   * instead of allocating a scope, a context and its slots per campaign. Within one evaluation the
   * reused objects are young (unlike a context kept per ruleset across evaluations, see above).
   */
  rebind(scope: PassScope, opts: EvalOptions): PassScope {
    if (!(scope instanceof RulesetPassScope) || !scope.ctx.reset(opts, this.slotCount, this.bindingCodes)) return this.bind(opts);
    scope.rules = this.rules;
    scope.strike = this.strikethroughRules;
    scope.outcome = undefined;
    return scope;
  }

  context(opts: EvalOptions): Ctx {
    return new Ctx(opts, this.slotCount, this.bindingCodes);
  }
}

/** Template parameters must satisfy valueType / minValue / maxValue when their value is constant. */
function checkTemplateParameter(b: CheckedBinding, code: Code, slotCount: number, codes: readonly (Code | undefined)[], errors: RuleCheckError[], ruleIndex: number | null): void {
  if (b.input.type !== 'templateParameter') return;
  let v: Value;
  try {
    v = code(new Ctx({ now: new Date(0), roots: {}, maxSteps: 10_000 }, slotCount, codes));
  } catch {
    return; // depends on evaluation data: checked when evaluated
  }
  const want = b.input.valueType === 'percent' ? 'number' : b.input.valueType;
  if (want !== undefined && kindOf(v) !== want) {
    errors.push({ ruleIndex, path: b.path, message: `template parameter "${b.name}" must be a ${want}, got ${describe(v)}` });
    return;
  }
  if (isDec(v)) {
    const { minValue, maxValue } = b.input;
    if (minValue !== undefined && v.lt(minValue)) errors.push({ ruleIndex, path: b.path, message: `template parameter "${b.name}" is ${v.toString()}, below minValue ${minValue}` });
    if (maxValue !== undefined && v.gt(maxValue)) errors.push({ ruleIndex, path: b.path, message: `template parameter "${b.name}" is ${v.toString()}, above maxValue ${maxValue}` });
  }
}

/** Check and compile a ruleset; throws RulesetValidationError listing every problem found. */
export function compileRuleset(input: RulesetInput, env: CompileEnv): CompiledRuleset {
  const checked = checkRuleset(input, env);
  if (checked.errors.length > 0) throw new RulesetValidationError(checked.errors);
  const codes: (Code | undefined)[] = new Array<Code | undefined>(checked.slotCount);
  for (const b of checked.bindings) codes[b.slot] = compileTop(b.expr);
  const rules = checked.rules.map((r) => new Rule(r, codes));
  const strike = checked.strikethroughRules.map((r) => new Rule(r, codes));
  const errors: RuleCheckError[] = [];
  for (const b of checked.bindings) checkTemplateParameter(b, codes[b.slot]!, checked.slotCount, codes, errors, null);
  for (const r of [...checked.rules, ...checked.strikethroughRules]) {
    for (const b of r.bindings) checkTemplateParameter(b, codes[b.slot]!, checked.slotCount, codes, errors, r.index);
  }
  if (errors.length > 0) throw new RulesetValidationError(errors);
  return new Ruleset(rules, strike, checked.slotCount, codes);
}

/** Save-time validation only: the list of errors (empty when the ruleset is valid). */
export function validateRuleset(input: RulesetInput, env: CompileEnv): RuleCheckError[] {
  try {
    compileRuleset(input, env);
    return [];
  } catch (e) {
    if (e instanceof RulesetValidationError) return e.errors;
    throw e;
  }
}

/**
 * Compile a standalone expression (e.g. an Application cart item filter: docs/rules-language.md,
 * "Templates and parameters").
 * The returned function raises RuleEvalError when evaluation fails.
 */
export function compileExpression(expression: unknown, env: CompileEnv): (opts: EvalOptions) => Value {
  let compiled: CompiledRuleset;
  try {
    compiled = compileRuleset({ rules: [], bindings: [{ name: 'value', expression }] }, env);
  } catch (e) {
    if (e instanceof RulesetValidationError) {
      throw new RulesetValidationError(e.errors.map((x) => ({ ...x, path: x.path.replace(/^bindings\[0\]\.expression/, 'expression') })));
    }
    throw e;
  }
  const rs = compiled as Ruleset;
  return (opts) => {
    const ctx = rs.context(opts);
    try {
      return ctx.binding(0); // the only binding is allocated slot 0
    } catch (e) {
      if (e instanceof RuleEvalError) throw e;
      throw new RuleEvalError(errorMessage(e));
    }
  };
}
