/**
 * JSON → AST (docs/rules-language.md, "Syntax"). The parser needs the registry only to know which argument
 * positions are lambda slots; all other validation is done by the checker.
 */
import { Decimal } from '../domain/money.js';
import type { CompileEnv, RuleCheckError, Value } from './contract.js';
import type { FnDef, Overload } from './fn.js';
import type { Shape } from './model.js';
import { lambdaSlots, lookupFunction, maxArity } from './registry.js';

const MAX_DEPTH = 64;
const MAX_NODES = 20_000;
const MAX_TEMPLATE_DEPTH = 16;

interface Lit { t: 'lit'; v: Value; path: string; shape?: Shape }
interface Seq { t: 'seq'; items: Expr[]; path: string; shape?: Shape }
export interface Lambda { t: 'lambda'; param: string; body: Expr; path: string; slot?: number; shape?: Shape }
interface Pair { t: 'pair'; key: string; value: Expr; path: string; shape?: Shape }
export interface Call {
  t: 'call';
  name: string;                 // as written
  def: FnDef | undefined;
  args: Arg[];
  path: string;
  /** Some argument failed to parse (already reported). */
  broken?: boolean;
  // Filled in by the checker:
  shape?: Shape;
  overload?: Overload;          // statically resolved
  candidates?: Overload[];      // resolved at evaluation time among these
  pathRef?: PathRef;            // for `.`
  folded?: boolean;             // compiled to a constant
}
export type Expr = Lit | Seq | Call;
export type Arg = Expr | Lambda | Pair;

/** How a `.` path was resolved by the checker. */
interface PathRef {
  base: { kind: 'root'; name: string } | { kind: 'slot'; slot: number; binding: boolean };
  keys: (string | Expr)[];      // literal keys (aliases resolved) or dynamic key expressions
  text: string;                 // e.g. "Session.Attributes.ShippingCity", for error messages
}

/** Parse state shared by all expressions of one ruleset (the node budget is per ruleset). */
export class Parser {
  nodes = 0;
  private tooBig = false;
  private templateDepth = 0;
  /** While expanding a template, errors point at the `!` call. */
  private anchor: string | null = null;

  constructor(readonly env: CompileEnv, readonly errors: RuleCheckError[]) {}

  ruleIndex: number | null = null;

  error(path: string, message: string): void {
    this.errors.push({ ruleIndex: this.ruleIndex, path: this.anchor ?? path, message: this.anchor === null ? message : `in template expansion: ${message}` });
  }

  expr(j: unknown, path: string, depth = 1): Expr | null {
    if (this.tooBig) return null;
    if (++this.nodes > MAX_NODES) {
      this.tooBig = true;
      this.error(path, `ruleset too large: more than ${MAX_NODES} expression nodes`);
      return null;
    }
    if (depth > MAX_DEPTH) {
      this.error(path, `expression nested deeper than ${MAX_DEPTH} levels`);
      return null;
    }
    if (typeof j === 'number') {
      if (!Number.isFinite(j)) { this.error(path, 'number out of range'); return null; }
      return { t: 'lit', v: new Decimal(j), path };
    }
    if (typeof j === 'string' || typeof j === 'boolean' || j === null) return { t: 'lit', v: j, path };
    if (!Array.isArray(j)) {
      this.error(path, typeof j === 'object' ? 'objects are not expressions (build a map with ["kv", ["key", value], …])' : `invalid expression of type ${typeof j}`);
      return null;
    }
    if (j.length === 0) { this.error(path, 'empty array is not an expression'); return null; }
    const head: unknown = j[0];
    if (typeof head === 'string') return this.call(head, j, path, depth);
    if (Array.isArray(head)) {
      const items: Expr[] = [];
      j.forEach((x, i) => { const e = this.expr(x, `${path}[${i}]`, depth + 1); if (e) items.push(e); });
      return { t: 'seq', items, path };
    }
    this.error(path, `an array must start with a function name (string) or be a sequence of expressions, got ${head === null ? 'null' : typeof head}`);
    return null;
  }

  private call(name: string, j: unknown[], path: string, depth: number): Expr | null {
    if (name === '!') return this.template(j, path, depth);
    if (name === '#') { this.error(path, '`#` (template parameter) is only allowed inside template bodies'); return null; }
    const def = lookupFunction(name);
    let raw = j.slice(1);
    const argPath = (i: number): string => `${path}[${i + 1}]`;
    if (def === undefined) this.error(path, `unknown function "${name}"`);
    if (def?.name === 'kv') return { t: 'call', name, def, args: this.pairs(raw, argPath, depth), path };
    const slots = def === undefined ? new Set<number>() : lambdaSlots(def);
    // TALANG's "name + body" form: ["map", list, "x", body] is ["map", list, [["x"], body]].
    const limit = def === undefined ? Infinity : Math.max(...def.overloads.map(maxArity));
    const sources = raw.map((_, i) => argPath(i));
    for (const s of slots) {
      if (raw.length === limit + 1 && typeof raw[s] === 'string' && s + 1 < raw.length) {
        raw = [...raw.slice(0, s), [[raw[s]], raw[s + 1]], ...raw.slice(s + 2)];
        sources.splice(s, 2, argPath(s));
        break;
      }
    }
    const args: Arg[] = [];
    let broken = false;
    raw.forEach((x, i) => {
      const a = slots.has(i) ? this.lambda(x, sources[i], depth + 1) : this.nonLambda(x, sources[i], depth + 1);
      if (a) args.push(a);
      else broken = true;
    });
    // A call with an argument that failed to parse is not checked further (no cascading arity errors).
    return broken ? { t: 'call', name, def, args, path, broken } : { t: 'call', name, def, args, path };
  }

  private nonLambda(x: unknown, path: string, depth: number): Expr | null {
    if (isLambdaShaped(x) && lookupFunction((x as [[string]])[0][0]) === undefined) {
      this.error(path, 'a lambda [["param"], body] is only allowed where the function takes one (filter, map, exists, every, sum, sortByNumber, sortByString, do)');
      return null;
    }
    return this.expr(x, path, depth);
  }

  private lambda(x: unknown, path: string, depth: number): Lambda | null {
    if (!Array.isArray(x) || !Array.isArray(x[0]) || x.length !== 2) {
      this.error(path, 'expected a lambda [["param"], body] here');
      return null;
    }
    const params = x[0] as unknown[];
    if (params.length !== 1 || typeof params[0] !== 'string' || params[0] === '') {
      this.error(`${path}[0]`, 'a lambda must have exactly one parameter name');
      return null;
    }
    this.nodes++;
    const body = this.expr(x[1], `${path}[1]`, depth + 1);
    return body && { t: 'lambda', param: params[0], body, path };
  }

  private pairs(raw: unknown[], argPath: (i: number) => string, depth: number): Arg[] {
    const out: Arg[] = [];
    const seen = new Set<string>();
    raw.forEach((x, i) => {
      const path = argPath(i);
      if (!Array.isArray(x) || x.length !== 2 || typeof x[0] !== 'string') {
        this.error(path, 'kv arguments must be ["key", value] pairs');
        return;
      }
      if (seen.has(x[0])) this.error(path, `duplicate key "${x[0]}" in kv`);
      seen.add(x[0]);
      const value = this.expr(x[1], `${path}[1]`, depth + 2);
      if (value) out.push({ t: 'pair', key: x[0], value, path });
    });
    return out;
  }

  /** ["!", name, args…]: substitute ["#", i] in the template body by the i-th argument, then parse. */
  private template(j: unknown[], path: string, depth: number): Expr | null {
    const name = j[1];
    const tpl = typeof name === 'string' ? this.env.templates?.find((t) => t.name === name) : undefined;
    if (tpl === undefined) { this.error(path, `unknown template ${JSON.stringify(name)}`); return null; }
    const args = j.slice(2);
    if (tpl.args !== undefined && tpl.args.length !== args.length) {
      this.error(path, `template "${tpl.name}" expects ${tpl.args.length} arguments, got ${args.length}`);
      return null;
    }
    if (this.templateDepth >= MAX_TEMPLATE_DEPTH) { this.error(path, `templates nested deeper than ${MAX_TEMPLATE_DEPTH}`); return null; }
    let bad: string | null = null;
    const subst = (x: unknown, d: number): unknown => {
      if (!Array.isArray(x) || d > MAX_DEPTH) return x;
      if (x[0] === '#') {
        const i: unknown = x[1];
        if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= args.length) { bad = `template "${tpl.name}" refers to missing parameter ${JSON.stringify(i)}`; return null; }
        return args[i];
      }
      return x.map((y) => subst(y, d + 1));
    };
    const expanded = subst(tpl.expr, 0);
    if (bad !== null) { this.error(path, bad); return null; }
    const outer = this.anchor;
    this.anchor = outer ?? path;
    this.templateDepth++;
    try {
      return this.expr(expanded, path, depth);
    } finally {
      this.templateDepth--;
      this.anchor = outer;
    }
  }
}

function isLambdaShaped(x: unknown): boolean {
  return Array.isArray(x) && x.length === 2 && Array.isArray(x[0]) && x[0].length === 1 && typeof x[0][0] === 'string';
}
