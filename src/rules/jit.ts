/**
 * Second compilation tier (docs/engine.md, performance): a checked expression is turned into the
 * source of one JavaScript function, built with `new Function`, instead of a tree of shared closures.
 *
 * Why: closures built from the same function literal share one set of V8 type feedback, so every call
 * inside them is megamorphic and nothing is inlined. A generated function has its own feedback: calls
 * to implementation functions are monomorphic and inlined, arguments live in locals, lambda bodies of
 * `exists` / `filter` / `map` / `sum` / `every` become plain loops. Expressions of the same shape (the
 * same source once literals are in K) share one generated function (see `shared`).
 *
 * Semantics are those of the closure compiler, node by node: the same step charges in the same order
 * (one per call or path, one per iterated element), the same conversions (`coerce` exactly where the
 * static kind is not already known), the same errors. Nodes the generator does not cover (dynamic
 * dispatch, `catch`, `.|`, `kv`, sorts, paths with computed keys, …) are compiled by the closure
 * compiler and called from the generated code.
 *
 * Safety: the generated source contains only generated identifiers, numbers, and key / root names
 * passed through JSON.stringify (a valid JS string literal); every other value (literals, messages,
 * implementations, fallback closures) is referenced through the constant table `K`.
 * If code generation from strings is disabled (--disallow-code-generation-from-strings), or
 * OPENPROMO_RULES_JIT=0, the closure compiler is used alone.
 */
import { add, Decimal, mul, sub, ZERO } from '../domain/money.js';
import type { Value, ValueMap } from './contract.js';
import { exact } from './check.js';
import type { Overload } from './fn.js';
import type { Arg, Call, Expr, Lambda } from './parse.js';
import { paramAt } from './registry.js';
import { FailedBinding, UNSET, type Code, type Ctx } from './runtime.js';
import { bare, coerce, describe, fail, isDecimal, isMap, StepBudgetError, textOf, valuesEqual } from './values.js';
import { cmpDecimal } from './functions/comparison.js';

export interface JitHooks {
  /** The closure compiler's code for an expression (used for nodes the generator does not cover). */
  closure(e: Expr): Code;
  /** The folded constant of a pure call with constant arguments, when the closure compiler folds it. */
  fold(call: Call): { v: Value } | undefined;
  /** The parts of a `["catch", lit, ["=" | "!=", path, lit]]` idiom the closure compiler specialises. */
  catchCompare(call: Call): CatchCompare | undefined;
}

/**
 * `["catch", <literal>, ["=" | "!=", <path>, <literal>]]`: a missing key, unbound root or non-atom value
 * yields the fallback without raising an error; three steps (catch, comparison, path).
 */
export interface CatchCompare {
  keys: string[];
  /** Root of the path, or '' when it starts at a lambda parameter (`slot`). */
  rootName: string;
  slot: number;
  fallback: Value;
  literal: Value;
  negate: boolean;
  /** The path is the comparison's first operand. */
  pathFirst: boolean;
}

let enabled = process.env.OPENPROMO_RULES_JIT !== '0';

/** For tests: switch the generator off (closures only) or on. Returns the previous setting. */
export function setJit(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

// ---------------------------------------------------------------- runtime helpers of generated code

function budget(c: Ctx): never {
  throw new StepBudgetError(c.maxSteps);
}

/** Own-data read: a null-prototype map has nothing inherited, so a plain read is an own read. */
function own(v: ValueMap, key: string): Value | undefined {
  if (bare(v)) return v[key];
  return Object.hasOwn(v, key) ? v[key] : undefined;
}

/** Own-data read of `key` (the closure compiler's readKey); `msg` is the precomputed error text. */
function readKey(v: Value, key: string, msg: string): Value {
  if (!isMap(v)) fail(msg);
  const x = own(v, key);
  if (x === undefined) fail(msg);
  return x;
}

/** `(= v lit)` / `(= lit v)` for an atom read by the catch-compare idiom (strings compared directly). */
function atomEquals(v: Value | number, lit: Value, pathFirst: boolean): boolean {
  if (v === lit) return true;
  if (typeof v === 'string' && typeof lit === 'string') return false;
  const x = typeof v === 'number' ? new Decimal(v) : v;
  return pathFirst ? valuesEqual(x, lit) : valuesEqual(lit, x);
}

/** `count` / `isEmpty` of a list or map (already converted to a collection). */
function sizeOf(v: Value): number {
  return Array.isArray(v) ? v.length : Object.keys(v as ValueMap).length;
}

/**
 * Two-argument calls of the most frequent strict functions, as JS operators on the converted arguments
 * (same results as their `eager` implementations, without the argument array).
 */
const RELATIONS: Readonly<Record<string, string>> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const ARITH: Readonly<Record<string, string>> = { '+': 'add', '-': 'sub', '*': 'mul' };

function inlineOp(name: string, o: Overload, v: string[]): string | null {
  const k0 = o.params[0]?.kind;
  if (v.length === 2) {
    const rel = RELATIONS[name];
    if (rel !== undefined && k0 === 'number') return `cmpDecimal(${v[0]}, ${v[1]}) ${rel} 0`;
    if (rel !== undefined && k0 === 'time') return `(${v[0]}.getTime() - ${v[1]}.getTime()) ${rel} 0`;
    if (name === '=') return `valuesEqual(${v[0]}, ${v[1]})`;
    if (name === '!=') return `!valuesEqual(${v[0]}, ${v[1]})`;
    const op = ARITH[name];
    if (op !== undefined && k0 === 'number' && o.params.length === 2) return `${op}(${v[0]}, ${v[1]})`;
  }
  if (v.length === 1) {
    if (name === 'not') return `!${v[0]}`;
    if (name === 'isEmpty') return `sizeOf(${v[0]}) === 0`;
  }
  return null;
}

function predFail(fn: string, r: Value): never {
  return fail(`${fn}: the lambda must return a boolean, got ${describe(r)}`);
}

function sumFail(v: Value): never {
  return fail(`sum: the lambda must return a number, got ${describe(v)}`);
}

// ---------------------------------------------------------------- indexed cart item tests

/**
 * What the elements of a list hold at a path (keys read as own keys of maps), computed once per list and
 * path, on first use, and kept as long as the list lives: the lists of the evaluation's roots
 * (Session.CartItems) are shared by every campaign, so a test that 100 campaigns repeat costs a lookup
 * instead of a loop each. `texts`: positions by the canonical text of an atom found there (`=` of an
 * atom and a string or boolean literal compares canonical texts, so `(= 1 "1")`: docs/rules-language.md,
 * "Values and equality");
 * `missing`: positions where the path cannot be read (a missing key or a non-map on the way).
 */
interface ListIndex { texts: Map<string, number[]>; missing: number[]; positions: Map<string, readonly number[]> }
const indexes = new WeakMap<readonly Value[], Map<string, ListIndex>>();
const NONE: readonly number[] = Object.freeze([]);
/** The list ixPositions saw last and its entry of `indexes` (a strong reference to one list at most). */
let lastList: readonly Value[] | null = null;
let lastByPath: Map<string, ListIndex> | null = null;

function atomText(v: Value): string | undefined {
  if (typeof v === 'object' && v !== null && (Array.isArray(v) || isMap(v))) return undefined;
  if (typeof v === 'string') return v;
  return textOf(typeof v === 'number' ? new Decimal(v) : v);
}

function buildIndex(xs: readonly Value[], keys: readonly string[]): ListIndex {
  const texts = new Map<string, number[]>();
  const missing: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    let v: Value | undefined = xs[i];
    for (let k = 0; k < keys.length && v !== undefined; k++) v = isMap(v) ? own(v, keys[k]) : undefined;
    if (v === undefined) { missing.push(i); continue; }
    const t = atomText(v);
    if (t === undefined) continue;
    const l = texts.get(t);
    if (l === undefined) texts.set(t, [i]); else l.push(i);
  }
  return { texts, missing, positions: new Map() };
}

/**
 * The positions of `xs` where a test `(= <element>.<keys> <literal>)` must be evaluated: those holding
 * the literal's text, and with `strict` (a plain path, which fails where it cannot be read; the
 * catch-compare idiom yields false there) those where the path is missing. Every other element makes
 * the test false without an error.
 */
function ixPositions(xs: readonly Value[], path: string, keys: readonly string[], text: string, strict: boolean): readonly number[] {
  // one evaluation asks about the same list (Session.CartItems) hundreds of times: the last one is kept
  // beside the WeakMap, which costs a hash lookup per call
  let byPath: Map<string, ListIndex> | undefined;
  if (xs === lastList) byPath = lastByPath!;
  else {
    byPath = indexes.get(xs);
    if (byPath === undefined) indexes.set(xs, byPath = new Map<string, ListIndex>());
    lastList = xs;
    lastByPath = byPath;
  }
  let ix = byPath.get(path);
  if (ix === undefined) byPath.set(path, ix = buildIndex(xs, keys));
  const hits = ix.texts.get(text);
  if (!strict || ix.missing.length === 0) return hits ?? NONE;
  const key = `\u0000${text}`;
  let p = ix.positions.get(key);
  if (p === undefined) ix.positions.set(key, p = hits === undefined ? ix.missing : [...hits, ...ix.missing].sort((a, b) => a - b));
  return p;
}

/** Lists are arrays (anything else takes the plain loop). */
function ixList(v: Value): v is Value[] {
  return Array.isArray(v);
}

const HELPER_NAMES = ['bare', 'cmpDecimal', 'valuesEqual', 'sizeOf', 'budget', 'fail', 'readKey', 'atomEquals', 'own', 'isMap', 'UNSET', 'FailedBinding', 'coerce', 'predFail', 'sumFail', 'isDecimal', 'ZERO', 'Decimal', 'add', 'sub', 'mul', 'ixPositions', 'ixList'];
const HELPERS = [bare, cmpDecimal, valuesEqual, sizeOf, budget, fail, readKey, atomEquals, own, isMap, UNSET, FailedBinding, coerce, predFail, sumFail, isDecimal, ZERO, Decimal, add, sub, mul, ixPositions, ixList];

// ---------------------------------------------------------------- generator

const ITERATORS = new Set(['filter', 'map', 'exists', 'every', 'sum']);

class Gen {
  private readonly lines: string[] = [];
  readonly K: unknown[] = [];
  private temps = 0;
  private labels = 0;
  /** Nodes generated inline (0: the function would only wrap one closure). */
  covered = 0;

  constructor(private readonly hooks: JitHooks) {}

  source(result: string): string {
    this.flushSteps();
    const decl = this.temps > 0 ? `let ${Array.from({ length: this.temps }, (_, i) => `t${i + 1}`).join(', ')};\n` : '';
    const slots = this.slotVars.size > 0 ? `const ${[...this.slotVars.values()].map((v) => `${v.name} = ${v.ref}`).join(', ')};\n` : '';
    return `"use strict";\nreturn function rule(c, K) {\n${slots}${decl}${this.lines.join('\n')}\nreturn ${result};\n};`;
  }

  /**
   * Slot numbers go in K, not in the source: they depend on where a rule sits in its ruleset (bindings
   * and lambda parameters are numbered across the ruleset), so rules of the same shape at different
   * places would otherwise each get a function of their own.
   */
  private readonly slotVars = new Map<number, { name: string; ref: string }>();

  private slot(n: number): string {
    let v = this.slotVars.get(n);
    if (v === undefined) {
      v = { name: `s${this.slotVars.size}`, ref: this.k(n) };
      this.slotVars.set(n, v);
    }
    return v.name;
  }

  private k(v: unknown): string {
    this.K.push(v);
    return `K[${this.K.length - 1}]`;
  }

  private temp(): string {
    return `t${++this.temps}`;
  }

  /** Step charges not yet emitted: adjacent charges (nothing that could fail in between) become one. */
  private pendingSteps = 0;

  private emit(s: string): void {
    this.flushSteps();
    this.lines.push(s);
  }

  private flushSteps(): void {
    const n = this.pendingSteps;
    if (n === 0) return;
    this.pendingSteps = 0;
    this.lines.push(n === 1 ? 'if (++c.steps > c.maxSteps) budget(c);' : `if ((c.steps += ${n}) > c.maxSteps) budget(c);`);
  }

  /**
   * Charges one step. Merging it with the next adjacent charges is exact: the budget is exceeded after
   * the sum iff it is exceeded after one of the parts, and no other error or effect can happen between them.
   */
  private step(n = 1): void {
    this.pendingSteps += n;
  }

  private lit(v: Value): string {
    if (v === null) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    return this.k(v);
  }

  private fallback(e: Expr): string {
    const t = this.temp();
    this.emit(`${t} = ${this.k(this.hooks.closure(e))}(c);`);
    return t;
  }

  /** Emits the evaluation of `e`; returns a side-effect-free JS expression holding its value. */
  expr(e: Expr): string {
    switch (e.t) {
      case 'lit': return this.lit(e.v);
      case 'seq': {
        let r = 'null';
        for (const x of e.items) r = this.expr(x);
        return r;
      }
      case 'call': return e.def!.name === '.' ? this.path(e) : this.call(e);
    }
  }

  /** Argument i of a statically resolved call, converted to the parameter kind where needed. */
  arg(call: Call, o: Overload, i: number): string {
    const a = call.args[i];
    if (a.t === 'lambda') throw new Error('jit: lambda in value position');
    const e = a.t === 'pair' ? a.value : a;
    const v = this.expr(e);
    const kind = paramAt(o, i);
    if (exact(e.shape!, kind)) return v;
    const q = o.params[i] ?? o.params[o.params.length - 1];
    const t = this.temp();
    this.emit(`${t} = coerce(${v}, ${JSON.stringify(kind)}, ${this.k(`${call.def!.name}: argument ${i + 1} (${q.name})`)});`);
    return t;
  }

  /** All operands of a top-level `and`: returns the index of the first false one, or -1. */
  andOperands(call: Call, o: Overload): void {
    for (let i = 0; i < call.args.length; i++) {
      this.emit(`c.opIndex = ${i};`);
      const v = this.arg(call, o, i);
      this.emit(`if (${v} === false) return ${i};`);
    }
  }

  private path(call: Call): string {
    const ref = call.pathRef!;
    if (!ref.keys.every((k) => typeof k === 'string')) return this.fallback(call);
    this.covered++;
    this.step();
    const t = this.temp();
    const b = ref.base;
    if (b.kind === 'root') {
      this.emit(`${t} = c.roots[${JSON.stringify(b.name)}]; if (${t} === undefined) fail(${this.k(`Unable to find \`${b.name}\` (not bound in this evaluation)`)});`);
    } else if (b.binding) {
      const s = this.slot(b.slot);
      this.emit(`${t} = c.slots[${s}]; if (${t} === UNSET || ${t} instanceof FailedBinding) ${t} = c.binding(${s});`);
    } else {
      this.emit(`${t} = c.slots[${this.slot(b.slot)}];`);
    }
    const keys = ref.keys;
    if (keys.length === 0) return t;
    const msg = this.k(`Unable to find \`${ref.text}\``);
    // The read is inlined (its own inline cache per site); only non-null-prototype values take readKey's general route.
    for (const key of keys) {
      const kq = JSON.stringify(key);
      this.emit(`${t} = typeof ${t} === 'object' && ${t} !== null && bare(${t}) ? ${t}[${kq}] : readKey(${t}, ${kq}, ${msg}); if (${t} === undefined) fail(${msg});`);
    }
    this.emit(`if (typeof ${t} === 'number') ${t} = new Decimal(${t});`);
    return t;
  }

  private call(call: Call): string {
    const o = call.overload;
    if (o === undefined || call.args.some((a) => a.t === 'pair')) return this.fallback(call);
    const name = call.def!.name;
    if (o.build !== undefined) {
      switch (name) {
        case 'and': case 'or': return this.andOr(call, o, name === 'and');
        case 'if': return this.ifThen(call, o);
        case 'do': return this.doLet(call, o);
        case 'catch': {
          const parts = this.hooks.catchCompare(call);
          return parts === undefined ? this.fallback(call) : this.catchCompare(parts);
        }
        default:
          if (ITERATORS.has(name) && call.args.length === 2 && call.args[1].t === 'lambda') return this.iterate(call, o, name);
          return this.fallback(call);
      }
    }
    if (o.eager === undefined || call.args.some((a) => a.t === 'lambda')) return this.fallback(call);
    if (call.args.every((a) => a.t === 'lit' || (a.t === 'call' && a.def?.name !== '.' && a.overload?.eager !== undefined))) {
      const folded = this.hooks.fold(call);
      if (folded !== undefined) return this.lit(folded.v);
    }
    this.covered++;
    this.step();
    const vals = call.args.map((_, i) => this.arg(call, o, i));
    const t = this.temp();
    const inline = inlineOp(name, o, vals);
    this.emit(inline !== null ? `${t} = ${inline};` : `${t} = ${this.k(o.eager)}([${vals.join(', ')}], c);`);
    return t;
  }

  private andOr(call: Call, o: Overload, isAnd: boolean): string {
    this.covered++;
    this.step();
    const t = this.temp();
    const label = `L${++this.labels}`;
    this.emit(`${t} = ${isAnd ? 'true' : 'false'};`);
    this.emit(`${label}: {`);
    for (let i = 0; i < call.args.length; i++) {
      const v = this.arg(call, o, i);
      this.emit(isAnd ? `if (${v} === false) { ${t} = false; break ${label}; }` : `if (${v} === true) { ${t} = true; break ${label}; }`);
    }
    this.emit('}');
    return t;
  }

  private catchCompare(p: CatchCompare): string {
    this.covered++;
    this.step(3);
    const t = this.temp();
    const r = this.temp();
    const label = `L${++this.labels}`;
    const fb = this.lit(p.fallback);
    this.emit(p.slot >= 0 ? `${t} = c.slots[${this.slot(p.slot)}];` : `${t} = c.roots[${JSON.stringify(p.rootName)}];`);
    this.emit(`${r} = ${fb};`);
    this.emit(`${label}: {`);
    for (const key of p.keys) {
      const kq = JSON.stringify(key);
      // null-prototype maps (all the engine builds) are settled inline; isMap only for other objects
      this.emit(`if (typeof ${t} !== 'object' || ${t} === null) break ${label}; if (bare(${t})) ${t} = ${t}[${kq}]; else if (isMap(${t})) ${t} = own(${t}, ${kq}); else break ${label};`);
    }
    this.emit(`if (${t} === undefined || (typeof ${t} === 'object' && ${t} !== null && (Array.isArray(${t}) || isMap(${t})))) break ${label};`);
    const lit = this.lit(p.literal);
    const eq = typeof p.literal === 'string' ? `(${t} === ${lit} || (typeof ${t} !== 'string' && atomEquals(${t}, ${lit}, ${p.pathFirst})))` : `atomEquals(${t}, ${lit}, ${p.pathFirst})`;
    this.emit(`${r} = ${p.negate ? '!' : ''}${eq};`);
    this.emit('}');
    return r;
  }

  private ifThen(call: Call, o: Overload): string {
    this.covered++;
    this.step();
    const cond = this.arg(call, o, 0);
    const t = this.temp();
    this.emit(`if (${cond} === true) {`);
    this.emit(`${t} = ${this.arg(call, o, 1)};`);
    this.emit('} else {');
    this.emit(`${t} = ${this.arg(call, o, 2)};`);
    this.emit('}');
    return t;
  }

  private doLet(call: Call, o: Overload): string {
    const lam = call.args[1];
    if (call.args.length !== 2 || lam?.t !== 'lambda') return this.fallback(call);
    this.covered++;
    this.step();
    const v = this.arg(call, o, 0);
    this.emit(`c.slots[${this.slot(lam.slot!)}] = ${v};`);
    return this.expr(lam.body);
  }

  private iterate(call: Call, o: Overload, name: string): string {
    this.covered++;
    this.step();
    const xs = this.arg(call, o, 0);
    const lam = call.args[1] as Lambda;
    const r = this.temp();
    const ix = name === 'exists' || name === 'filter' ? this.indexable(call, lam) : undefined;
    if (ix === undefined) {
      this.loop(xs, lam, name, r);
      return r;
    }
    this.emit(`if (ixList(${xs})) {`);
    this.indexed(xs, lam, name, r, ix);
    this.emit('} else {');
    this.loop(xs, lam, name, r);
    this.emit('}');
    return r;
  }

  /** The plain loop of an iterator: one step per element, then the lambda body. */
  private loop(xs: string, lam: Lambda, name: string, r: string): void {
    const i = this.temp();
    const x = this.temp();
    switch (name) {
      case 'exists': this.emit(`${r} = false;`); break;
      case 'every': this.emit(`${r} = true;`); break;
      case 'filter': this.emit(`${r} = [];`); break;
      case 'map': this.emit(`${r} = new Array(${xs}.length);`); break;
      case 'sum': this.emit(`${r} = ZERO;`); break;
    }
    this.emit(`for (${i} = 0; ${i} < ${xs}.length; ${i}++) {`);
    this.step();
    // Not a flush point: storing the element cannot fail, so the element's step merges with the body's first.
    this.lines.push(`${x} = ${xs}[${i}]; c.slots[${this.slot(lam.slot!)}] = ${x};`);
    const b = this.expr(lam.body);
    const fn = JSON.stringify(name);
    switch (name) {
      case 'exists': this.emit(`if (${b} === true) { ${r} = true; break; } if (${b} !== false) predFail(${fn}, ${b});`); break;
      case 'every': this.emit(`if (${b} === false) { ${r} = false; break; } if (${b} !== true) predFail(${fn}, ${b});`); break;
      case 'filter': this.emit(`if (${b} === true) ${r}.push(${x}); else if (${b} !== false) predFail(${fn}, ${b});`); break;
      case 'map': this.emit(`${r}[${i}] = ${b};`); break;
      case 'sum': this.emit(`if (!isDecimal(${b})) sumFail(${b}); ${r} = add(${r}, ${b});`); break;
    }
    this.emit('}');
  }

  /**
   * `exists` / `filter` over a list read from a root (Session.CartItems…) whose lambda body compares a
   * path of the element with a string or boolean literal — `(= Item.Sku "X")` or the catch-compare idiom
   * `(catch false (= Item.Category "Shoes"))` — alone or as the first operand of an `and`: only the
   * elements where that test can be true or fail (ixPositions) are evaluated, as the loop evaluates
   * them; every element in between makes it false without an error, and is charged what the loop
   * charges for it (its step, the `and`'s, the test's) before the next evaluated one. Same result,
   * same errors, same steps in the same order.
   */
  private indexable(call: Call, lam: Lambda): Indexed | undefined {
    const list = call.args[0];
    if (list?.t !== 'call' || list.def?.name !== '.' || list.pathRef?.base.kind !== 'root') return undefined;
    const body = lam.body;
    const alone = this.indexedTest(body, lam);
    if (alone !== undefined) return { ...alone, gap: 1 + alone.steps };
    if (body.t !== 'call' || body.def?.name !== 'and' || body.overload?.build === undefined || body.args.length < 2
      || body.args.some((a) => a.t !== 'call' && a.t !== 'lit')) return undefined;
    const first = this.indexedTest(body.args[0], lam);
    return first === undefined ? undefined : { ...first, gap: 2 + first.steps };
  }

  /** The element test ixPositions can answer, and the steps it charges when it is false. */
  private indexedTest(e: Arg | undefined, lam: Lambda): { keys: string[]; literal: string | boolean; strict: boolean; steps: number } | undefined {
    if (e?.t !== 'call' || e.overload === undefined || e.args.some((a) => a.t === 'pair' || a.t === 'lambda')) return undefined;
    const name = e.def!.name;
    if (name === 'catch' && e.overload.build !== undefined) {
      const p = this.hooks.catchCompare(e);
      if (p === undefined || p.slot !== lam.slot || p.fallback !== false || p.negate || (typeof p.literal !== 'string' && typeof p.literal !== 'boolean')) return undefined;
      return { keys: p.keys, literal: p.literal, strict: false, steps: 3 }; // catch, `=`, path
    }
    if (name !== '=' || e.overload.eager === undefined || e.args.length !== 2) return undefined;
    const [a, b] = e.args as [Expr, Expr];
    const path = a.t === 'call' ? a : b;
    const lit = a.t === 'call' ? b : a;
    if (path.t !== 'call' || path.def?.name !== '.' || lit.t !== 'lit' || (typeof lit.v !== 'string' && typeof lit.v !== 'boolean')) return undefined;
    const ref = path.pathRef;
    if (!ref || ref.base.kind !== 'slot' || ref.base.binding || ref.base.slot !== lam.slot || !ref.keys.every((k) => typeof k === 'string')) return undefined;
    // no conversion of either operand (a conversion could fail where the index sees no match)
    if (!exact(a.shape!, paramAt(e.overload, 0)) || !exact(b.shape!, paramAt(e.overload, 1))) return undefined;
    return { keys: ref.keys, literal: lit.v, strict: true, steps: 2 }; // `=`, path
  }

  private indexed(xs: string, lam: Lambda, name: string, r: string, ix: Indexed): void {
    const P = this.temp();
    const j = this.temp();
    const x = this.temp();
    const at = this.temp();
    const prev = this.temp();
    const gap = (n: string) => this.emit(`if ((c.steps += ${ix.gap} * (${n})) > c.maxSteps) budget(c);`);
    this.emit(`${P} = ixPositions(${xs}, ${this.k(ix.keys.join('\u0000'))}, ${this.k(ix.keys)}, ${this.k(textOf(ix.literal))}, ${ix.strict});`);
    this.emit(`${r} = ${name === 'exists' ? 'false' : '[]'}; ${prev} = -1;`);
    this.emit(`for (${j} = 0; ${j} < ${P}.length; ${j}++) {`);
    this.emit(`${at} = ${P}[${j}];`);
    gap(`${at} - ${prev} - 1`);
    this.emit(`${prev} = ${at}; ${x} = ${xs}[${at}]; c.slots[${this.slot(lam.slot!)}] = ${x};`);
    this.step();
    const b = this.expr(lam.body);
    const fn = JSON.stringify(name);
    if (name === 'exists') this.emit(`if (${b} === true) { ${r} = true; break; } if (${b} !== false) predFail(${fn}, ${b});`);
    else this.emit(`if (${b} === true) ${r}.push(${x}); else if (${b} !== false) predFail(${fn}, ${b});`);
    this.emit('}');
    if (name === 'exists') this.emit(`if (${r} === false) {`);
    gap(`${xs}.length - ${prev} - 1`);
    if (name === 'exists') this.emit('}');
  }
}

/** An iterator ixPositions can serve (Gen.indexable); `gap`: steps of an element the test rejects. */
interface Indexed { keys: string[]; literal: string | boolean; strict: boolean; gap: number }

/**
 * Generated functions by source text. Rules that differ only in their literals (thresholds, category
 * names, messages: all in the constant table K) have the same source, and share one function: with a
 * hundred campaigns of similar rules, a handful of functions run instead of hundreds: each is
 * optimised once, gathers the type feedback of all its rules and has one copy of machine code.
 */
const shared = new Map<string, (c: Ctx, K: readonly unknown[]) => Value>();
/** Bounds of the cache (a full cache starts over: compiled rules keep the functions they hold). */
const MAX_SHARED = 10_000;
const MAX_SHARED_CHARS = 16_000_000;
let sharedChars = 0;

/** For tests: how many distinct generated functions exist. */
export function generatedFunctions(): number {
  return shared.size;
}

/** A generated function and the constant table of the expression it runs. */
export interface Generated<T = Value> { fn: (c: Ctx, K: readonly unknown[]) => T; K: readonly unknown[] }

function build(g: Gen, result: string): Code | null {
  const gen = generate(g, result);
  if (gen === null) return null;
  const { fn, K } = gen;
  return (c) => fn(c, K);
}

function generate(g: Gen, result: string): Generated | null {
  const source = g.source(result);
  let fn = shared.get(source);
  if (fn === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const make = new Function(...HELPER_NAMES, source) as (...a: unknown[]) => (c: Ctx, K: readonly unknown[]) => Value;
      fn = make(...HELPERS);
    } catch {
      return null; // code generation disabled: closures only
    }
    if (shared.size >= MAX_SHARED || sharedChars + source.length > MAX_SHARED_CHARS) { shared.clear(); sharedChars = 0; }
    shared.set(source, fn);
    sharedChars += source.length;
  }
  return { fn, K: g.K };
}

/** Generated code for `e`, or null when the closure compiler's code is as good (or the tier is off). */
export function jitExpr(e: Expr, hooks: JitHooks): Code | null {
  if (!enabled) return null;
  const g = new Gen(hooks);
  const r = g.expr(e);
  return g.covered === 0 ? null : build(g, r);
}

/** Generated code for argument i of `call` (a top-level `and` operand), with its kind conversion. */
export function jitArg(call: Call, o: Overload, i: number, hooks: JitHooks): Code | null {
  if (!enabled || (call.args[i]).t === 'lambda') return null;
  const g = new Gen(hooks);
  const r = g.arg(call, o, i);
  return g.covered === 0 ? null : build(g, r);
}

/**
 * A rule's top-level `and` as one function (one call per rule instead of one per operand): returns the
 * index of the first false operand or -1, and keeps `c.opIndex` at the operand being evaluated so that
 * an error reports the same conditionIndex as the per-operand route. Like that route, the `and` itself
 * is charged no step.
 */
export function jitAnd(call: Call, o: Overload, hooks: JitHooks): Generated<number> | null {
  if (!enabled || call.args.some((a) => a.t === 'lambda')) return null;
  const g = new Gen(hooks);
  g.andOperands(call, o);
  return generate(g, '-1') as Generated<number> | null;
}
