/** Logic and control (docs/rules-language.md, "Functions"): and, or, not, catch, .|, noop, identity, do, if, ., set, setTemplate. */
import type { Value } from '../contract.js';
import { p, type FnDef } from '../fn.js';
import { ANY, type Shape } from '../model.js';
import type { Code, Ctx } from '../runtime.js';
import { StepBudgetError, fail, kindOf } from '../values.js';

/** Static shape of a value that is one of two branches. */
function joinShapes(a: Shape, b: Shape): Shape {
  if (a.kind === b.kind) return b;
  if (a.kind === 'null') return b; // catch(["noop"], …): the fallback adds nothing interesting
  return ANY;
}

/** Evaluate `body`; on an evaluation error drop the effects it recorded and return undefined. */
function attempt(c: Ctx, body: Code): Value | undefined {
  const mark = c.effects === null ? 0 : c.effects.length;
  try {
    return body(c);
  } catch (e) {
    if (e instanceof StepBudgetError) throw e;
    if (c.effects !== null) c.effects.length = mark; // a failed branch leaves no effects (docs/rules-language.md, "Evaluation")
    return undefined;
  }
}

export const logic: FnDef[] = [
  {
    name: 'and', family: 'logic',
    description: 'True iff every argument is true; evaluates left to right and stops at the first false. No arguments: true.',
    overloads: [{
      params: [p('condition', 'boolean')], min: 0, rest: true, result: 'boolean',
      build: (args) => {
        const xs = args as Code[];
        return (c) => {
          for (let i = 0; i < xs.length; i++) if (xs[i](c) === false) return false;
          return true;
        };
      },
    }],
  },
  {
    name: 'or', family: 'logic',
    description: 'True iff some argument is true; stops at the first true. No arguments: false.',
    overloads: [{
      params: [p('condition', 'boolean')], min: 0, rest: true, result: 'boolean',
      build: (args) => {
        const xs = args as Code[];
        return (c) => {
          for (let i = 0; i < xs.length; i++) if (xs[i](c) === true) return true;
          return false;
        };
      },
    }],
  },
  {
    name: 'not', family: 'logic', description: 'Negation.',
    overloads: [{ params: [p('condition', 'boolean')], result: 'boolean', eager: (a) => !a[0] }],
  },
  {
    name: 'catch', family: 'logic',
    description: 'Evaluates expr; if it raises an evaluation error, discards the effects it recorded and evaluates fallback instead.',
    overloads: [{
      params: [p('fallback', 'any'), p('expr', 'any')],
      result: (s) => joinShapes(s[0], s[1]),
      build: (args) => {
        const [fallback, expr] = args as [Code, Code];
        return (c) => {
          const v = attempt(c, expr);
          return v === undefined ? fallback(c) : v;
        };
      },
    }],
  },
  {
    name: '.|', family: 'logic',
    description: 'Safe read: like catch, but also falls back when the result kind differs from the fallback kind.',
    overloads: [{
      params: [p('fallback', 'any'), p('expr', 'any')],
      result: (s) => (s[0].kind === 'any' ? s[1] : s[0].kind === s[1].kind ? s[1] : s[0]),
      build: (args, site) => {
        const [fallback, expr] = args as [Code, Code];
        const staticKind = site.shapes[0].kind;
        return (c) => {
          const v = attempt(c, expr);
          if (v === undefined) return fallback(c);
          if (staticKind !== 'any') return kindOf(v) === staticKind ? v : fallback(c);
          const f = fallback(c);
          return kindOf(v) === kindOf(f) ? v : f;
        };
      },
    }],
  },
  {
    name: 'noop', family: 'logic', description: 'Does nothing; returns null.',
    overloads: [{ params: [], result: 'null', eager: () => null }],
  },
  {
    name: 'identity', family: 'logic', description: 'Returns its argument.',
    overloads: [{ params: [p('value', 'any')], result: (s) => s[0], eager: (a) => a[0]! }],
  },
  {
    name: 'do', family: 'logic',
    description: 'Let-binding: binds value to the lambda parameter and evaluates the body. Also do(value, "name", body).',
    overloads: [{
      params: [p('value', 'any'), p('body', 'lambda')],
      lambdaParam: (s) => s[0], result: (s) => s[1],
      build: (args) => {
        const value = args[0] as Code;
        const body = args[1];
        return (c) => body(c, value(c));
      },
    }],
  },
  {
    name: 'if', family: 'logic', description: 'Evaluates only the chosen branch.',
    overloads: [{
      params: [p('condition', 'boolean'), p('then', 'any'), p('else', 'any')],
      result: (s) => joinShapes(s[1], s[2]),
      build: (args) => {
        const [cond, then, other] = args as [Code, Code, Code];
        return (c) => (cond(c) === true ? then(c) : other(c));
      },
    }],
  },
  {
    // Paths are compiled by the compiler itself (scope resolution); declared here for the reference.
    name: '.', family: 'logic',
    description: 'Reads a value: the first key names a lambda parameter, binding or root; each further key selects a map field. Missing → error.',
    overloads: [{ params: [p('name', 'string'), p('key', 'string')], min: 1, rest: true, result: 'any' }],
  },
  {
    name: 'set', family: 'logic', description: 'TALANG scope write.',
    forbidden: '`set` is not allowed in stored rules; use updateAttribute in effects',
    overloads: [{ params: [p('key', 'string'), p('value', 'any')], min: 2, rest: true, result: 'null', eager: () => fail('set is not allowed') }],
  },
  {
    name: 'setTemplate', family: 'logic', description: 'TALANG runtime template definition.',
    forbidden: '`setTemplate` is not allowed in stored rules; define templates in the Application environment',
    overloads: [{ params: [p('signature', 'string'), p('body', 'any')], result: 'null', eager: () => fail('setTemplate is not allowed') }],
  },
];
