/**
 * Save-time checking (docs/rules-language.md, "Static checking"): parses every expression of a
 * ruleset, resolves names and paths against the data model (model.ts) and the Application's attributes, resolves overloads on
 * static kinds and annotates the AST for the compiler. Errors are collected, not thrown.
 */
import type { CompileEnv, RuleCheckError, RuleInput, RulesetInput } from './contract.js';
import type { CallSite, CheckApi, Overload, ParamKind } from './fn.js';
import { COUPON_FUNCTIONS, REFERRAL_FUNCTIONS } from './functions/product.js';
import { ANY, attributeShape, findAttribute, NULL, ROOT_ALIASES, ROOTS, shapeOf, type Shape } from './model.js';
import { Parser, type Arg, type Call, type Expr, type Lambda } from './parse.js';
import { maxArity, minArity, paramAt, signatureText } from './registry.js';
import { kindOf } from './values.js';

export class RulesetValidationError extends Error {
  override name = 'RulesetValidationError';
  constructor(readonly errors: RuleCheckError[]) {
    super(errors.length === 1 ? `invalid ruleset: ${errors[0].path}: ${errors[0].message}`
      : `invalid ruleset: ${errors.length} errors, first at ${errors[0]?.path}: ${errors[0]?.message}`);
  }
}

const BINDING_TYPES = ['cartItemFilter', 'subledgerBalance', 'templateParameter', 'bundle'];

interface Var { kind: 'lambda' | 'binding'; slot: number; shape: Shape; refs: ReadonlySet<string> }
interface Scope { name: string; v: Var; parent: Scope | null }

export interface CheckedBinding {
  name: string;
  slot: number;
  expr: Expr;
  shape: Shape;
  path: string;
  input: NonNullable<RuleInput['bindings']>[number];
}

export interface CheckedRule {
  index: number;
  title: string;
  bindings: CheckedBinding[];
  condition: Expr;
  effects: Expr[];
  failureEffects: Expr[];
  /** Product predicates the condition (or the bindings it reads) calls — for referencesCoupon. */
  refs: ReadonlySet<string>;
}

export interface CheckedRuleset {
  bindings: CheckedBinding[];
  rules: CheckedRule[];
  strikethroughRules: CheckedRule[];
  slotCount: number;
  errors: RuleCheckError[];
}

function lookup(scope: Scope | null, name: string): Var | undefined {
  for (let s = scope; s !== null; s = s.parent) if (s.name === name) return s.v;
  return undefined;
}

function kindText(k: ParamKind): string {
  return k === 'atom' ? 'an atom (number, string, boolean, time or null)' : k === 'collection' ? 'a list or map' : k === 'any' ? 'any value' : `a ${k}`;
}

function compatible(s: Shape, k: ParamKind, arg: Arg): boolean {
  if (k === 'lambda' || arg.t === 'lambda') return k === 'lambda' && arg.t === 'lambda';
  if (s.kind === 'any' || k === 'any') return true;
  switch (k) {
    case 'atom': return s.kind !== 'list' && s.kind !== 'map';
    case 'collection': return s.kind === 'list' || s.kind === 'map';
    case 'time': return s.kind === 'time' || s.kind === 'string';
    default: return s.kind === k;
  }
}

/** No evaluation-time conversion or check is needed for a value of shape `s` in a `k` slot. */
export function exact(s: Shape, k: ParamKind): boolean {
  if (k === 'any' || k === 'lambda') return true;
  if (s.kind === 'any') return false;
  if (k === 'atom') return s.kind !== 'list' && s.kind !== 'map';
  if (k === 'collection') return s.kind === 'list' || s.kind === 'map';
  return s.kind === k;
}

class Checker {
  slots = 0;
  private refs: Set<string> | null = null;
  private effectMode: null | 'effects' | 'failure' = null;
  private itemRoot = false;

  constructor(readonly env: CompileEnv, readonly parser: Parser, readonly errors: RuleCheckError[]) {}

  error(path: string, message: string): void {
    this.parser.error(path, message);
  }

  expr(e: Expr, scope: Scope | null): Shape {
    switch (e.t) {
      case 'lit': return (e.shape = shapeOf(kindOf(e.v)));
      case 'seq': {
        let s = NULL;
        for (const x of e.items) s = this.expr(x, scope);
        return (e.shape = s);
      }
      case 'call': return (e.shape = this.call(e, scope));
    }
  }

  private loose(args: Arg[], scope: Scope | null): void {
    for (const a of args) {
      if (a.t === 'lambda') { a.slot = this.slots++; this.expr(a.body, { name: a.param, v: { kind: 'lambda', slot: a.slot, shape: ANY, refs: new Set() }, parent: scope }); }
      else if (a.t === 'pair') this.expr(a.value, scope);
      else this.expr(a, scope);
    }
  }

  private call(e: Call, scope: Scope | null): Shape {
    const def = e.def;
    if (def === undefined || e.broken) { this.loose(e.args, scope); return ANY; }
    if (def.forbidden !== undefined) { this.error(e.path, def.forbidden); this.loose(e.args, scope); return ANY; }
    if (def.effect && this.effectMode === null) this.error(e.path, `effect function ${def.name} is only allowed in effects or failureEffects`);
    else if (def.effect && this.effectMode === 'failure' && !def.failureEffect) this.error(e.path, `${def.name} is not allowed in failureEffects (only notifications and custom effects are)`);
    if (def.name === '.') return this.path(e, scope);
    if (def.name === 'isSet' && (e.args.length !== 1 || e.args[0].t !== 'call' || (e.args[0]).def?.name !== '.')) {
      this.error(e.path, 'isSet expects a path, e.g. ["isSet", [".", "Profile", "Attributes", "Segment"]]');
    }
    if (this.refs !== null && (COUPON_FUNCTIONS.includes(def.name) || REFERRAL_FUNCTIONS.includes(def.name))) this.refs.add(def.name);

    const n = e.args.length;
    const arityOk = def.overloads.filter((o) => n >= minArity(o) && n <= maxArity(o));
    const sigs = def.overloads.map((o) => signatureText(def.name, o));
    if (arityOk.length === 0) {
      this.error(e.path, `${def.name} does not take ${n} argument${n === 1 ? '' : 's'}; expected ${sigs.join(' or ')}`);
      this.loose(e.args, scope);
      return ANY;
    }
    const shapes: Shape[] = new Array<Shape>(n).fill(ANY);
    e.args.forEach((a, i) => {
      if (a.t === 'pair') shapes[i] = a.shape = this.expr(a.value, scope);
      else if (a.t !== 'lambda') shapes[i] = this.expr(a, scope);
    });
    e.args.forEach((a, i) => { if (a.t === 'lambda') shapes[i] = this.lambda(a, arityOk, i, shapes, scope); });

    const cands = arityOk.filter((o) => e.args.every((a, i) => compatible(shapes[i], paramAt(o, i), a)));
    if (cands.length === 0) {
      const only = arityOk.length === 1 ? arityOk[0] : undefined;
      const bad = only && e.args.findIndex((a, i) => !compatible(shapes[i], paramAt(only, i), a));
      if (only !== undefined && bad !== undefined && bad >= 0) {
        const q = only.params[bad] ?? only.params[only.params.length - 1];
        this.error(e.args[bad].path, `${def.name}: argument ${bad + 1} (${q.name}) must be ${kindText(q.kind)}, got ${shapes[bad].kind}`);
      } else {
        this.error(e.path, `${def.name} does not accept (${shapes.map((s) => s.kind).join(', ')}); expected ${sigs.join(' or ')}`);
      }
      return ANY;
    }
    const exactOne = cands.find((o) => e.args.every((_, i) => exact(shapes[i], paramAt(o, i))));
    if (exactOne !== undefined || cands.length === 1) e.overload = exactOne ?? cands[0];
    else e.candidates = cands;

    let result: Shape;
    if (def.name === 'kv') {
      const fields: Record<string, Shape> = Object.create(null) as Record<string, Shape>;
      for (const a of e.args) if (a.t === 'pair') fields[a.key] = a.shape!;
      result = { kind: 'map', fields };
    } else {
      const results = (e.overload ? [e.overload] : cands).map((o) => (typeof o.result === 'string' ? shapeOf(o.result) : o.result(shapes)));
      result = results.every((r) => r.kind === results[0].kind) ? results[0] : ANY;
    }
    if (def.check !== undefined) {
      const site: CallSite = { name: def.name, path: e.path, shapes, literals: e.args.map((a) => (a.t === 'lit' ? a.v : undefined)) };
      const api: CheckApi = { env: this.env, error: (p, m) => this.error(p, m), argPath: (i) => e.args[i]?.path ?? e.path };
      def.check(site, api);
    }
    return result;
  }

  private lambda(a: Lambda, overloads: Overload[], i: number, shapes: Shape[], scope: Scope | null): Shape {
    const o = overloads.find((x) => paramAt(x, i) === 'lambda');
    const param = o?.lambdaParam?.(shapes) ?? ANY;
    a.slot = this.slots++;
    const body = this.expr(a.body, { name: a.param, v: { kind: 'lambda', slot: a.slot, shape: param, refs: new Set() }, parent: scope });
    return (a.shape = body);
  }

  private path(e: Call, scope: Scope | null): Shape {
    const [first, ...rest] = e.args as Expr[];
    if (first === undefined) { this.error(e.path, 'a path needs at least one name'); return ANY; }
    if (first.t !== 'lit' || typeof first.v !== 'string') { this.error(first.path, 'the first key of a path must be a literal name'); this.loose(e.args, scope); return ANY; }
    const name = first.v;
    const v = lookup(scope, name);
    let shape: Shape;
    let base: NonNullable<Call['pathRef']>['base'];
    if (v !== undefined) {
      base = { kind: 'slot', slot: v.slot, binding: v.kind === 'binding' };
      shape = v.shape;
      if (this.refs !== null) for (const r of v.refs) this.refs.add(r);
    } else {
      const root = ROOTS[name] !== undefined ? name : ROOT_ALIASES[name];
      if (root === undefined) {
        this.error(first.path, `unknown name "${name}": not a lambda parameter, a binding defined before this point, or a root (${Object.keys(ROOTS).join(', ')})`);
        return ANY;
      }
      if (root === 'Item' && !this.itemRoot) {
        this.error(first.path, `"${name}" is only bound inside a lambda, e.g. ["filter", [".", "Session", "CartItems"], [["Item"], …]], or in strikethrough rules`);
        return ANY;
      }
      base = { kind: 'root', name: root };
      shape = ROOTS[root]!;
    }
    const keys: (string | Expr)[] = [];
    let text = name;
    let ok = true;
    for (const k of rest) {
      if (k.t === 'lit' && typeof k.v === 'string') {
        if (ok) {
          const r = this.step(shape, k.v, text, k.path);
          if (r === null) ok = false;
          else { shape = r.shape; keys.push(r.key); }
        }
        if (!ok) keys.push(k.v);
        text += `.${k.v}`;
      } else {
        const ks = this.expr(k, scope);
        if (ks.kind !== 'string' && ks.kind !== 'any') this.error(k.path, `path keys must be strings, got ${ks.kind}`);
        keys.push(k);
        shape = ANY;
        text += '.<expr>';
      }
    }
    e.pathRef = { base, keys, text };
    return ok ? shape : ANY;
  }

  /** Resolve one key of a path statically; reports and returns null when it cannot exist. */
  private step(shape: Shape, key: string, text: string, path: string): { shape: Shape; key: string } | null {
    if (shape.kind === 'any') return { shape: ANY, key };
    if (shape.kind !== 'map') {
      this.error(path, `cannot read "${key}" from ${text}: it is a ${shape.kind}`);
      return null;
    }
    if (shape.attributesOf !== undefined) {
      const attr = findAttribute(this.env, shape.attributesOf, key);
      if (attr === undefined) {
        this.error(path, `attribute "${key}" is not defined for ${shape.attributesOf} (${text}.${key})`);
        return null;
      }
      return { shape: attributeShape(attr.type), key };
    }
    const f = shape.fields !== undefined && Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
    if (f !== undefined) return { shape: f, key: f.aliasOf ?? key };
    if (shape.open !== undefined) {
      if (shape.openIsAdditionalCost && !this.env.additionalCosts.includes(key)) {
        this.error(path, `additional cost "${key}" is not defined (${text}.${key})`);
        return null;
      }
      return { shape: shape.open, key };
    }
    if (shape.fields !== undefined) {
      this.error(path, `${text}.${key} does not exist; ${text} has ${Object.keys(shape.fields).join(', ')}`);
      return null;
    }
    return { shape: ANY, key };
  }

  bindings(list: unknown, prefix: string, scope: Scope | null, outer: ReadonlySet<string>): { checked: CheckedBinding[]; scope: Scope | null } {
    const checked: CheckedBinding[] = [];
    if (list === undefined || list === null) return { checked, scope };
    if (!Array.isArray(list)) { this.error(`${prefix}bindings`, 'bindings must be an array'); return { checked, scope }; }
    const names = new Set<string>();
    list.forEach((b: unknown, i) => {
      const bp = `${prefix}bindings[${i}]`;
      if (typeof b !== 'object' || b === null) { this.error(bp, 'a binding must be an object {name, expression}'); return; }
      const input = b as CheckedBinding['input'];
      const name = input.name;
      if (typeof name !== 'string' || name === '') { this.error(`${bp}.name`, 'binding name must be a non-empty string'); return; }
      if (names.has(name)) this.error(`${bp}.name`, `duplicate binding name "${name}"`);
      else if (ROOTS[name] !== undefined || ROOT_ALIASES[name] !== undefined) this.error(`${bp}.name`, `binding name "${name}" is reserved (root name)`);
      else if (outer.has(name)) this.error(`${bp}.name`, `rule binding "${name}" would shadow the ruleset binding of the same name`);
      names.add(name);
      const expr = this.parser.expr(input.expression, `${bp}.expression`);
      if (expr === null) return;
      const slot = this.slots++;
      this.refs = new Set();
      const shape = this.expr(expr, scope);
      const refs = this.refs;
      this.refs = null;
      this.bindingType(input, shape, bp);
      scope = { name, v: { kind: 'binding', slot, shape, refs }, parent: scope };
      checked.push({ name, slot, expr, shape, path: `${bp}.expression`, input });
    });
    return { checked, scope };
  }

  private bindingType(b: CheckedBinding['input'], shape: Shape, bp: string): void {
    if (b.type === undefined) return;
    if (!BINDING_TYPES.includes(b.type)) { this.error(`${bp}.type`, `unknown binding type "${b.type}" (expected ${BINDING_TYPES.join(', ')})`); return; }
    const k = shape.kind;
    const expect = b.type === 'cartItemFilter' ? ['list', 'number'] : b.type === 'subledgerBalance' ? ['number'] : b.type === 'bundle' ? ['list']
      : b.valueType !== undefined ? [b.valueType === 'percent' ? 'number' : b.valueType] : [];
    if (b.type === 'templateParameter' && b.valueType !== undefined && !['string', 'number', 'boolean', 'percent'].includes(b.valueType)) {
      this.error(`${bp}.valueType`, `unknown valueType "${b.valueType}" (expected string, number or boolean)`);
      return;
    }
    if (k !== 'any' && expect.length > 0 && !expect.includes(k)) this.error(`${bp}.expression`, `a ${b.type} binding must evaluate to ${expect.join(' or ')}, got ${k}`);
  }

  private effectsList(j: unknown, path: string, mode: 'effects' | 'failure', scope: Scope | null): Expr[] {
    if (!Array.isArray(j)) { this.error(path, `${mode === 'effects' ? 'effects' : 'failureEffects'} must be an array of effect calls`); return []; }
    if (j.length === 0) return [];
    const raw = typeof j[0] === 'string' ? [[j, path] as const] : j.map((x, k) => [x, `${path}[${k}]`] as const);
    const out: Expr[] = [];
    this.effectMode = mode;
    for (const [x, p] of raw) {
      const e = this.parser.expr(x, p);
      if (e !== null) { this.expr(e, scope); out.push(e); }
    }
    this.effectMode = null;
    return out;
  }

  rule(r: unknown, i: number, list: 'rules' | 'strikethroughRules', scope: Scope | null, outer: ReadonlySet<string>): CheckedRule | null {
    const prefix = `${list}[${i}]`;
    this.parser.ruleIndex = i;
    this.itemRoot = list === 'strikethroughRules';
    try {
      if (typeof r !== 'object' || r === null) { this.error(prefix, 'a rule must be an object {title, condition, effects}'); return null; }
      const rule = r as RuleInput;
      if (typeof rule.title !== 'string') this.error(`${prefix}.title`, 'rule title must be a string');
      const b = this.bindings(rule.bindings, `${prefix}.`, scope, outer);
      let condition: Expr | null = null;
      this.refs = new Set();
      if (!Array.isArray(rule.condition)) this.error(`${prefix}.condition`, 'condition must be an expression array, e.g. ["and", true]');
      else {
        condition = this.parser.expr(rule.condition, `${prefix}.condition`);
        if (condition !== null) {
          const k = this.expr(condition, b.scope).kind;
          if (k !== 'boolean' && k !== 'any') this.error(`${prefix}.condition`, `condition must be a boolean expression, got ${k}`);
        }
      }
      const refs = new Set(this.refs);
      this.refs = null;
      const effects = this.effectsList(rule.effects, `${prefix}.effects`, 'effects', b.scope);
      const failureEffects = rule.failureEffects === undefined ? [] : this.effectsList(rule.failureEffects, `${prefix}.failureEffects`, 'failure', b.scope);
      if (condition === null) return null;
      return { index: i, title: typeof rule.title === 'string' ? rule.title : '', bindings: b.checked, condition, effects, failureEffects, refs };
    } finally {
      this.parser.ruleIndex = null;
      this.itemRoot = false;
    }
  }
}

/** Parse and check a whole ruleset; the result carries the annotated AST and every error found. */
export function checkRuleset(input: RulesetInput, env: CompileEnv): CheckedRuleset {
  const errors: RuleCheckError[] = [];
  const parser = new Parser(env, errors);
  const ck = new Checker(env, parser, errors);
  const out: CheckedRuleset = { bindings: [], rules: [], strikethroughRules: [], slotCount: 0, errors };
  if (typeof input !== 'object' || input === null) {
    errors.push({ ruleIndex: null, path: '', message: 'a ruleset must be an object {rules, bindings}' });
    return out;
  }
  const rs = ck.bindings(input.bindings, '', null, new Set());
  out.bindings = rs.checked;
  const names = new Set(rs.checked.map((b) => b.name));
  if (!Array.isArray(input.rules)) errors.push({ ruleIndex: null, path: 'rules', message: 'rules must be an array' });
  else input.rules.forEach((r, i) => { const c = ck.rule(r, i, 'rules', rs.scope, names); if (c) out.rules.push(c); });
  if (input.strikethroughRules !== undefined) {
    if (!Array.isArray(input.strikethroughRules)) errors.push({ ruleIndex: null, path: 'strikethroughRules', message: 'strikethroughRules must be an array' });
    else input.strikethroughRules.forEach((r, i) => { const c = ck.rule(r, i, 'strikethroughRules', rs.scope, names); if (c) out.strikethroughRules.push(c); });
  }
  out.slotCount = ck.slots;
  return out;
}
