/**
 * Shape of a function declaration. Every function of the language is declared once (in
 * src/rules/functions/<family>.ts) with this structure; the parser (lambda slots), the checker
 * (arity, kinds, extra checks) and the compiler (implementation) read it.
 */
import type { CompileEnv, Kind, Value } from './contract.js';
import type { Shape } from './model.js';
import type { Code, Ctx, LambdaCode } from './runtime.js';

/** Parameter kinds: value kinds plus the abstract kinds of TALANG and lambda slots. */
export type ParamKind = Kind | 'atom' | 'collection' | 'lambda';

export interface Param {
  name: string;
  kind: ParamKind;
  doc?: string;
}

export type ArgCode = Code | LambdaCode;

export interface Overload {
  params: Param[];
  /** Minimum number of arguments (default: params.length). */
  min?: number;
  /** The last parameter repeats without bound. */
  rest?: boolean;
  /** Result kind, or a function of the static argument shapes (lambda slots: the body's shape). */
  result: Kind | ((args: Shape[]) => Shape);
  /** Shape of the lambda parameter, from the shapes of the arguments before it. */
  lambdaParam?: (args: Shape[]) => Shape;
  /** Strict implementation: arguments evaluated left to right and converted to the parameter kinds. */
  eager?: (args: Value[], c: Ctx) => Value;
  /**
   * Special form: receives the compiled arguments (kind-converting where needed; lambda slots as
   * LambdaCode) and returns the closure for the call. Used for short-circuiting and higher-order functions.
   */
  build?: (args: ArgCode[], site: CallSite) => Code;
}

/** Static information about a call site, handed to `build` and `check` hooks. */
export interface CallSite {
  name: string;
  path: string;
  /** Static shape of every argument (lambda slots: the body's shape). */
  shapes: Shape[];
  /** Literal value of every argument that is a literal (undefined otherwise). */
  literals: (Value | undefined)[];
  /** Keys of `kv` pairs, in argument order. */
  keys?: string[];
}

export interface CheckApi {
  env: CompileEnv;
  error(path: string, message: string): void;
  /** Path of argument i of the call being checked. */
  argPath(i: number): string;
}

export interface FnDef {
  name: string;
  aliases?: string[];
  family: string;
  description: string;
  /** Effect functions record an EffectCall and may only appear in effects / failureEffects. */
  effect?: boolean;
  /** May be used in failureEffects (notifications and custom effects: docs/rules-language.md, "Evaluation"). */
  failureEffect?: boolean;
  overloads: Overload[];
  /** Extra save-time checks (e.g. literal additional-cost names must exist). */
  check?: (site: CallSite, api: CheckApi) => void;
  /** Rejected in stored rules, with this explanation (e.g. `set`, `setTemplate`). */
  forbidden?: string;
}

export const p = (name: string, kind: ParamKind, doc?: string): Param => (doc === undefined ? { name, kind } : { name, kind, doc });
