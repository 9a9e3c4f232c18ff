/** Per-pass evaluation state shared by all compiled closures. */
import type { EffectCall, EvalOptions, ProductFacts, Roots, Value } from './contract.js';
import { RuleEvalError, StepBudgetError, fail } from './values.js';

export type Code = (c: Ctx) => Value;
export type LambdaCode = (c: Ctx, x: Value) => Value;

/** Marks a lazy binding slot that has not been computed in this pass / rule. */
export const UNSET: unique symbol = Symbol('unset');

/** A binding whose evaluation failed: the error is re-raised wherever the binding is read. */
export class FailedBinding {
  constructor(readonly error: unknown) {}
}

const DEFAULT_MAX_STEPS = 1_000_000;
/** Largest list any function may build (docs/rules-language.md, "Bounds"); iteration is also charged per element. */
export const MAX_LIST = 100_000;
/** Largest string any function may build. */
export const MAX_STRING = 1_000_000;

const NO_FACTS: ProductFacts = Object.freeze({});

export class Ctx {
  steps = 0;
  maxSteps: number;
  now: Date;
  roots: Roots;
  facts: ProductFacts;
  timezone: string;
  /** Binding values and lambda parameters, one slot each (allocated at compile time). */
  readonly slots: unknown[];
  /** Pending effect calls of the rule being evaluated; null outside effects. */
  effects: EffectCall[] | null = null;
  effectIndex = 0;
  /** Top-level `and` operand being evaluated by a fused condition (jit.ts `jitAnd`), for conditionIndex. */
  opIndex = 0;

  /** One context per pass (compile.ts `Ruleset.bind`), or one reused by the passes of an evaluation (`rebind`). */
  constructor(opts: EvalOptions, slotCount: number, public bindingCodes: readonly (Code | undefined)[]) {
    this.maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
    this.now = opts.now;
    this.roots = opts.roots;
    this.facts = opts.facts ?? NO_FACTS;
    this.timezone = opts.timezone ?? 'UTC';
    this.slots = new Array<unknown>(slotCount).fill(UNSET);
  }

  /**
   * The state of a new context for another pass, in this object: every field the constructor sets, and
   * slots 0 … slotCount − 1 unset (a ruleset reads no slot beyond its own count). False when the slots
   * are too few for that ruleset (the caller makes a new context).
   */
  reset(opts: EvalOptions, slotCount: number, bindingCodes: readonly (Code | undefined)[]): boolean {
    const slots = this.slots;
    if (slots.length < slotCount) return false;
    for (let i = 0; i < slotCount; i++) slots[i] = UNSET;
    this.steps = 0;
    this.maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
    this.now = opts.now;
    this.roots = opts.roots;
    this.facts = opts.facts ?? NO_FACTS;
    this.timezone = opts.timezone ?? 'UTC';
    this.bindingCodes = bindingCodes;
    this.effects = null;
    this.effectIndex = 0;
    this.opIndex = 0;
    return true;
  }

  /** Charge `n` steps; throws StepBudgetError when the pass budget is spent. */
  step(n = 1): void {
    if ((this.steps += n) > this.maxSteps) throw new StepBudgetError(this.maxSteps);
  }

  emit(fn: string, args: Value[]): void {
    if (this.effects === null) fail(`effect function ${fn} called outside effects`);
    this.effects.push({ fn, args, index: this.effectIndex });
  }

  /** Read a lazily evaluated binding (memoised per pass for ruleset bindings, per rule for rule bindings). */
  binding(slot: number): Value {
    let v = this.slots[slot];
    if (v === UNSET) {
      const code = this.bindingCodes[slot]!;
      const saved = this.effects;
      this.effects = null; // bindings never record effects, even when first read inside effects
      try {
        v = code(this);
      } catch (e) {
        if (e instanceof StepBudgetError) throw e;
        v = new FailedBinding(e);
      } finally {
        this.effects = saved;
      }
      this.slots[slot] = v;
    }
    if (v instanceof FailedBinding) throw v.error;
    return v as Value;
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof RuleEvalError || e instanceof StepBudgetError) return e.message;
  return e instanceof Error ? `internal error: ${e.message}` : String(e);
}
