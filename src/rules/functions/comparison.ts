/** Comparison (docs/rules-language.md, "Functions"): =, !=, <, <=, >, >=, between, oneOf, isSet. */
import type { Value } from '../contract.js';
import { compare, Decimal } from '../../domain/money.js';
import { p, type FnDef, type Overload } from '../fn.js';
import type { Code } from '../runtime.js';
import { StepBudgetError, valuesEqual } from '../values.js';

/** `x.cmp(y)` without allocation (domain/money.ts); the name the compiled rule code uses. */
export const cmpDecimal = compare;

/** Numeric or time order of two already-converted values: negative, zero or positive. */
function order(a: Value, b: Value): number {
  if (a instanceof Date) return a.getTime() - (b as Date).getTime();
  return cmpDecimal(a as Decimal, b as Decimal);
}

/** `(x, y, z…)`: the first argument is compared with each later one (not a chain). */
function relation(name: string, test: (o: number) => boolean, description: string): FnDef {
  const impl = (a: Value[]): boolean => {
    const first = a[0]!;
    for (let i = 1; i < a.length; i++) if (!test(order(first, a[i]))) return false;
    return true;
  };
  const over = (kind: 'number' | 'time'): Overload =>
    ({ params: [p('value', kind), p('other', kind)], rest: true, result: 'boolean', eager: impl });
  return { name, family: 'comparison', description, overloads: [over('number'), over('time')] };
}

function strictlyBetween(a: Value[]): boolean {
  const lo = a[a.length - 2]!;
  const hi = a[a.length - 1]!;
  for (let i = 0; i < a.length - 2; i++) if (!(order(a[i], lo) > 0 && order(a[i], hi) < 0)) return false;
  return true;
}

export const comparison: FnDef[] = [
  {
    name: '=', family: 'comparison',
    description: 'True iff every later argument equals the first (numbers numerically, times as instants, otherwise by text).',
    overloads: [{
      params: [p('value', 'atom'), p('other', 'atom')], rest: true, result: 'boolean',
      eager: (a) => {
        for (let i = 1; i < a.length; i++) if (!valuesEqual(a[0], a[i])) return false;
        return true;
      },
    }],
  },
  {
    name: '!=', family: 'comparison', description: 'True iff no later argument equals the first.',
    overloads: [{
      params: [p('value', 'atom'), p('other', 'atom')], rest: true, result: 'boolean',
      eager: (a) => {
        for (let i = 1; i < a.length; i++) if (valuesEqual(a[0], a[i])) return false;
        return true;
      },
    }],
  },
  relation('<', (o) => o < 0, 'The first argument is less than each later one.'),
  relation('<=', (o) => o <= 0, 'The first argument is less than or equal to each later one.'),
  relation('>', (o) => o > 0, 'The first argument is greater than each later one.'),
  relation('>=', (o) => o >= 0, 'The first argument is greater than or equal to each later one.'),
  {
    name: 'between', family: 'comparison',
    description: 'The last two arguments are bounds; every other argument must lie strictly between them.',
    // Variadic in the leading values: the last two arguments are always the bounds.
    overloads: (['number', 'time'] as const).map((k): Overload => ({
      params: [p('value', k), p('min', k), p('max', k)], rest: true, result: 'boolean', eager: strictlyBetween,
    })),
  },
  {
    name: 'oneOf', family: 'comparison', description: 'Membership of an atom in a list, with = equality.',
    overloads: [{
      params: [p('value', 'atom'), p('list', 'list')], result: 'boolean',
      eager: (a, c) => {
        const xs = a[1] as Value[];
        c.step(xs.length);
        for (const x of xs) if (valuesEqual(a[0], x)) return true;
        return false;
      },
    }],
  },
  {
    name: 'isSet', family: 'comparison',
    description: 'The argument must be a path; true iff it resolves to a non-null value. Never raises.',
    overloads: [{
      params: [p('path', 'any')], result: 'boolean',
      build: (args) => {
        const path = args[0] as Code;
        return (c) => {
          try {
            return path(c) !== null;
          } catch (e) {
            if (e instanceof StepBudgetError) throw e;
            return false;
          }
        };
      },
    }],
  },
];
