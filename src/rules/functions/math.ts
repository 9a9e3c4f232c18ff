/** Arithmetic (docs/rules-language.md, "Functions"): + - * / mod floor ceil round min max toNumber. `+` also concatenates strings. */
import type { Value } from '../contract.js';
import { add, Decimal, mul, sub } from '../../domain/money.js';
import { p, type FnDef, type Overload } from '../fn.js';
import { MAX_STRING } from '../runtime.js';
import { fail, isDecimal } from '../values.js';

type D = Decimal;

/** Division precision: 34 significant digits, half-even (docs/rules-language.md, "Functions"). */
const DIV_DIGITS = 34;

function fold(op: (a: D, b: D) => D): (a: Value[]) => Value {
  return (a) => {
    let acc = a[0] as D;
    for (let i = 1; i < a.length; i++) acc = op(acc, a[i] as D);
    return acc;
  };
}

export function concatStrings(a: Value[]): string {
  let s = '';
  for (const x of a) {
    s += x as string;
    if (s.length > MAX_STRING) fail(`string longer than ${MAX_STRING} characters`);
  }
  return s;
}

const numeric = (eager: (a: Value[]) => Value): Overload =>
  ({ params: [p('a', 'number'), p('b', 'number')], rest: true, result: 'number', eager });

function extreme(pick: (a: D, b: D) => boolean, name: string): Overload[] {
  const best = (xs: readonly Value[]): D => {
    let r: D | undefined;
    for (const x of xs) if (isDecimal(x) && (r === undefined || pick(x, r))) r = x;
    if (r === undefined) fail(`${name}: the list contains no numbers`);
    return r;
  };
  return [
    { params: [p('list', 'list')], result: 'number', eager: (a, c) => { c.step((a[0] as Value[]).length); return best(a[0] as Value[]); } },
    { params: [p('a', 'number'), p('more', 'number')], min: 1, rest: true, result: 'number', eager: (a) => best(a) },
  ];
}

const integerPlaces = (v: D): number => {
  if (!v.isInteger() || v.lt(0) || v.gt(40)) fail(`round: places must be an integer between 0 and 40, got ${v.toString()}`);
  return v.toNumber();
};

export const math: FnDef[] = [
  {
    name: '+', family: 'math', description: 'Sum of numbers, or concatenation of strings.',
    overloads: [
      numeric(fold((a, b) => add(a, b))),
      { params: [p('a', 'string'), p('b', 'string')], rest: true, result: 'string', eager: concatStrings },
    ],
  },
  { name: '-', family: 'math', description: 'a − b − c …', overloads: [numeric(fold((a, b) => sub(a, b)))] },
  { name: '*', family: 'math', description: 'Product.', overloads: [numeric(fold((a, b) => mul(a, b)))] },
  {
    name: '/', family: 'math', description: 'Left-to-right division (34 significant digits, half-even). Division by zero is an error.',
    overloads: [numeric(fold((a, b) => {
      if (b.isZero()) fail('division by zero');
      return a.div(b).toSignificantDigits(DIV_DIGITS, Decimal.ROUND_HALF_EVEN);
    }))],
  },
  {
    name: 'mod', family: 'math', description: 'Left-to-right remainder (sign of the dividend). Modulo zero is an error.',
    overloads: [numeric(fold((a, b) => {
      if (b.isZero()) fail('modulo by zero');
      return a.mod(b);
    }))],
  },
  { name: 'floor', family: 'math', description: 'Round toward −∞.', overloads: [{ params: [p('value', 'number')], result: 'number', eager: (a) => (a[0] as D).floor() }] },
  { name: 'ceil', family: 'math', description: 'Round toward +∞.', overloads: [{ params: [p('value', 'number')], result: 'number', eager: (a) => (a[0] as D).ceil() }] },
  {
    name: 'round', family: 'math', description: 'Round half away from zero to `places` decimals (default 0).',
    overloads: [{
      params: [p('value', 'number'), p('places', 'number')], min: 1, result: 'number',
      eager: (a) => (a[0] as D).toDecimalPlaces(a.length > 1 ? integerPlaces(a[1] as D) : 0, Decimal.ROUND_HALF_UP),
    }],
  },
  { name: 'min', family: 'math', description: 'Smallest number of a list (non-numbers ignored) or of the arguments.', overloads: extreme((a, b) => a.lt(b), 'min') },
  { name: 'max', family: 'math', description: 'Largest number of a list (non-numbers ignored) or of the arguments.', overloads: extreme((a, b) => a.gt(b), 'max') },
  {
    name: 'toNumber', family: 'math', description: 'Parse a decimal string; failure is an error.',
    overloads: [
      { params: [p('value', 'number')], result: 'number', eager: (a) => a[0]! },
      {
        params: [p('text', 'string')], result: 'number',
        eager: (a) => {
          const s = (a[0] as string).trim();
          if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$/.test(s)) fail(`toNumber: "${s.slice(0, 40)}" is not a number`);
          return new Decimal(s);
        },
      },
    ],
  },
];
