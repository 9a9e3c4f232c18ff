import assert from 'node:assert/strict';
import { Decimal, dec } from '../../src/domain/money.js';
import { compileExpression, compileRuleset, RulesetValidationError } from '../../src/rules/compile.js';
import type { CompileEnv, EvalOptions, RuleCheckError, RuleInput, RulesetInput, Roots, Value, ValueMap } from '../../src/rules/contract.js';
import { setJit } from '../../src/rules/jit.js';
import { RuleEvalError } from '../../src/rules/values.js';

export const NOW = new Date('2024-03-15T10:30:00Z');

export const ENV: CompileEnv = {
  attributes: [
    { entity: 'CustomerSession', name: 'ShippingCity', type: 'string' },
    { entity: 'CustomerSession', name: 'PointsToSpend', type: 'number' },
    { entity: 'CustomerProfile', name: 'Segment', type: 'string' },
    { entity: 'CustomerProfile', name: 'LastPromo', type: 'string' },
    { entity: 'CartItem', name: 'c_productType', type: 'string' },
    { entity: 'CartItem', name: 'Tags', type: '(list string)' },
  ],
  additionalCosts: ['shipping'],
  customEffects: [{ name: 'GiftWrap', params: [{ name: 'color', type: 'string' }] }],
  templates: [{ name: 'PercentOf', expr: ['*', ['#', 0], ['/', ['#', 1], 100]], args: [{}, {}] }],
};

/** A null-prototype map from plain data (numbers become Decimals, nested objects maps). */
export function map(o: Record<string, unknown>): ValueMap {
  const m = Object.create(null) as ValueMap;
  for (const [k, v] of Object.entries(o)) m[k] = value(v);
  return m;
}

export function value(v: unknown): Value {
  if (typeof v === 'number') return dec(v);
  if (Array.isArray(v)) return v.map(value);
  if (v instanceof Date || v === null || typeof v !== 'object' || v instanceof Decimal) return v as Value;
  return map(v as Record<string, unknown>);
}

/** Flatten cart lines the way the engine does (docs/rules-language.md, "Data model"). */
export function cart(lines: Record<string, unknown>[]): ValueMap[] {
  const out: ValueMap[] = [];
  lines.forEach((line, position) => {
    const qty = (line.quantity as number | undefined) ?? 1;
    for (let sub = 0; sub < qty; sub++) {
      const fields: Record<string, unknown> = { Quantity: 1, Position: position, SubPosition: sub };
      for (const [k, v] of Object.entries(line)) if (k !== 'quantity') fields[k[0].toUpperCase() + k.slice(1)] = v;
      out.push(map(fields));
    }
  });
  return out;
}

export function session(fields: Record<string, unknown>, lines: Record<string, unknown>[] = []): ValueMap {
  const items = cart(lines);
  const itemTotal = items.reduce((s, i) => s.plus(i.Price as Decimal), dec(0));
  const m = map({ State: 'open', FirstSession: false, Attributes: {}, AdditionalCosts: {}, ...fields });
  m.CartItems = items;
  m.CartItemTotal = itemTotal;
  let costs = dec(0);
  for (const c of Object.values(m.AdditionalCosts as ValueMap)) costs = costs.plus((c as ValueMap).Price as Decimal);
  m.AdditionalCostTotal = costs;
  m.Total = itemTotal.plus(costs);
  return m;
}

export function opts(roots: Roots = {}, extra: Partial<EvalOptions> = {}): EvalOptions {
  return { now: NOW, roots, ...extra };
}

/**
 * Every rule's outcome (as JSON) in one pass over `roots`, with the generated-code tier on or off (jit.ts):
 * the two tiers must agree, step budget included.
 */
export function tierOutcomes(jit: boolean, rules: RuleInput[], roots: Roots, maxSteps: number): unknown[] {
  const was = setJit(jit);
  try {
    const pass = compileRuleset({ rules }, ENV).bind(opts(roots, { maxSteps }));
    return rules.map((_, i) => JSON.parse(JSON.stringify(pass.evaluate(i))) as unknown);
  } finally {
    setJit(was);
  }
}

/** Evaluate one expression. */
export function ev(expression: unknown, roots: Roots = {}, extra: Partial<EvalOptions> = {}, env: CompileEnv = ENV): Value {
  return compileExpression(expression, env)(opts(roots, extra));
}

/** Plain JS view of a value for deepEqual: Decimal → number, Date → ISO string, maps → objects. */
export function js(v: Value | undefined): unknown {
  if (v instanceof Decimal) return v.toNumber();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(js);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, js(x)]));
  return v;
}

/** Compile and expect a RulesetValidationError containing an error at `path` (and rule index). */
export function rejects(input: RulesetInput, path: string, message: RegExp, ruleIndex: number | null = 0, env: CompileEnv = ENV): RuleCheckError {
  let err: unknown;
  try {
    compileRuleset(input, env);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof RulesetValidationError, 'expected a RulesetValidationError');
  const hit = err.errors.find((x) => x.path === path);
  assert.ok(hit, `no error at ${path}; got ${JSON.stringify(err.errors)}`);
  assert.match(hit.message, message);
  assert.equal(hit.ruleIndex, ruleIndex);
  return hit;
}

/** A one-rule ruleset with the given condition (and effects). */
export function rule(condition: unknown[], effects: unknown[] = [], extra: Record<string, unknown> = {}): RulesetInput {
  return { rules: [{ title: 'r', condition, effects, ...extra }] };
}

/** Reject a bad expression used as a ruleset binding (errors carry ruleIndex null). */
export function rejectsExpr(expression: unknown, pathSuffix: string, message: RegExp): RuleCheckError {
  return rejects({ bindings: [{ name: 'x', expression }], rules: [] }, `bindings[0].expression${pathSuffix}`, message, null);
}

/** Evaluate an expression and expect an evaluation error. */
export function throwsEval(expression: unknown, message: RegExp, roots: Roots = {}, extra: Partial<EvalOptions> = {}): void {
  assert.throws(() => ev(expression, roots, extra), (e) => e instanceof RuleEvalError && message.test(e.message));
}
