/** Lists and collections (docs/rules-language.md, "Functions"), including the higher-order functions taking lambdas. */
import type { Value, ValueMap } from '../contract.js';
import { add, Decimal, ZERO } from '../../domain/money.js';
import { p, type FnDef } from '../fn.js';
import { ANY, elemOf, listOf, STRING } from '../model.js';
import { MAX_LIST, type Code, type Ctx, type LambdaCode } from '../runtime.js';
import { describe, fail, isDecimal, newMap, textOf } from '../values.js';

type D = Decimal;

function bounded(xs: Value[], fn: string): Value[] {
  if (xs.length > MAX_LIST) fail(`${fn}: list longer than ${MAX_LIST} elements`);
  return xs;
}

function predicate(fn: string, r: Value): boolean {
  if (r === true || r === false) return r;
  return fail(`${fn}: the lambda must return a boolean, got ${describe(r)}`);
}

function sizeOf(v: Value): number {
  return Array.isArray(v) ? v.length : Object.keys(v as ValueMap).length;
}

/** Charge the step budget for sorting n elements (≈ n log n comparisons). */
function chargeSort(c: Ctx, n: number): void {
  if (n > 1) c.step(Math.ceil(n * Math.log2(n)));
}

function sortByKey(fn: string, keyKind: 'number' | 'string', args: readonly unknown[]): Code {
  const list = args[0] as Code;
  const key = args[1] as LambdaCode;
  const desc = args[2] as Code | undefined;
  return (c) => {
    const xs = list(c) as Value[];
    const keys = new Array<Value>(xs.length);
    for (let i = 0; i < xs.length; i++) {
      c.step();
      const k = key(c, xs[i]);
      if (keyKind === 'number' ? !isDecimal(k) : typeof k !== 'string') fail(`${fn}: the key lambda must return a ${keyKind}, got ${describe(k)}`);
      keys[i] = k;
    }
    const dir = desc !== undefined && desc(c) === true ? -1 : 1;
    chargeSort(c, xs.length);
    const idx = xs.map((_, i) => i);
    idx.sort(keyKind === 'number'
      ? (a, b) => dir * (keys[a] as D).cmp(keys[b] as D)
      : (a, b) => { const x = keys[a] as string; const y = keys[b] as string; return dir * (x < y ? -1 : x > y ? 1 : 0); });
    return idx.map((i) => xs[i]!);
  };
}

const iterate = (name: string, description: string, result: FnDef['overloads'][0]['result'],
  build: (list: Code, f: LambdaCode) => Code): FnDef => ({
  name, family: 'lists', description,
  overloads: [{ params: [p('list', 'list'), p('lambda', 'lambda')], lambdaParam: (s) => elemOf(s[0]), result, build: (a) => build(a[0] as Code, a[1]) }],
});

export const lists: FnDef[] = [
  {
    name: 'list', family: 'lists', description: 'Builds a list of its arguments.',
    overloads: [{
      params: [p('item', 'any')], min: 0, rest: true,
      result: (s) => listOf(s.length > 0 && s.every((x) => x.kind === s[0].kind) ? s[0] : ANY),
      eager: (a) => a.slice(),
    }],
  },
  {
    name: 'count', family: 'lists', description: 'Number of elements of a list (or keys of a map).',
    overloads: [{ params: [p('collection', 'collection')], result: 'number', eager: (a) => new Decimal(sizeOf(a[0])) }],
  },
  {
    name: 'isEmpty', family: 'lists', description: 'True iff the list (or map) has no elements.',
    overloads: [{ params: [p('collection', 'collection')], result: 'boolean', eager: (a) => sizeOf(a[0]) === 0 }],
  },
  {
    name: 'head', family: 'lists', description: 'First element; null for an empty list.',
    overloads: [{ params: [p('list', 'list')], result: (s) => elemOf(s[0]), eager: (a) => (a[0] as Value[])[0] ?? null }],
  },
  {
    name: 'tail', family: 'lists', description: 'All but the first element.',
    overloads: [{ params: [p('list', 'list')], result: (s) => s[0], eager: (a) => (a[0] as Value[]).slice(1) }],
  },
  {
    name: 'drop', family: 'lists', description: 'All but the last element.',
    overloads: [{ params: [p('list', 'list')], result: (s) => s[0], eager: (a) => (a[0] as Value[]).slice(0, -1) }],
  },
  {
    name: 'item', family: 'lists', description: 'Zero-based element; out of range is an error.',
    overloads: [{
      params: [p('list', 'list'), p('index', 'number')], result: (s) => elemOf(s[0]),
      eager: (a) => {
        const xs = a[0] as Value[];
        const i = a[1] as D;
        if (!i.isInteger() || i.lt(0) || i.gte(xs.length)) fail(`item: index ${i.toString()} out of range for a list of ${xs.length}`);
        return xs[i.toNumber()]!;
      },
    }],
  },
  {
    name: 'push', aliases: ['append'], family: 'lists', description: 'New list with the values appended.',
    overloads: [{
      params: [p('list', 'list'), p('value', 'any')], rest: true, result: (s) => s[0],
      eager: (a) => bounded((a[0] as Value[]).concat(a.slice(1)), 'push'),
    }],
  },
  {
    name: 'reverse', family: 'lists', description: 'Reversed copy.',
    overloads: [{ params: [p('list', 'list')], result: (s) => s[0], eager: (a) => (a[0] as Value[]).slice().reverse() }],
  },
  {
    name: 'sort', family: 'lists', description: 'Sorted copy: numerically when all elements are numbers, otherwise by text. desc=true sorts descending.',
    overloads: [{
      params: [p('list', 'list'), p('desc', 'boolean')], min: 1, result: (s) => s[0],
      eager: (a, c) => {
        const xs = (a[0] as Value[]).slice();
        const dir = a[1] === true ? -1 : 1;
        chargeSort(c, xs.length);
        if (xs.every(isDecimal)) return xs.sort((x, y) => dir * (x).cmp(y));
        const texts = new Map<Value, string>(xs.map((x) => [x, textOf(x)]));
        return xs.sort((x, y) => { const s = texts.get(x)!; const t = texts.get(y)!; return dir * (s < t ? -1 : s > t ? 1 : 0); });
      },
    }],
  },
  {
    name: 'sortByNumber', family: 'lists', description: 'Stable sort by the number the lambda returns; desc=true sorts descending (default ascending).',
    overloads: [{ params: [p('list', 'list'), p('key', 'lambda'), p('desc', 'boolean')], min: 2, lambdaParam: (s) => elemOf(s[0]), result: (s) => s[0], build: (a) => sortByKey('sortByNumber', 'number', a) }],
  },
  {
    name: 'sortByString', family: 'lists', description: 'Stable sort by the string the lambda returns; desc=true sorts descending (default ascending).',
    overloads: [{ params: [p('list', 'list'), p('key', 'lambda'), p('desc', 'boolean')], min: 2, lambdaParam: (s) => elemOf(s[0]), result: (s) => s[0], build: (a) => sortByKey('sortByString', 'string', a) }],
  },
  iterate('filter', 'Elements for which the predicate is true, order kept.', (s) => s[0], (list, f) => (c) => {
    const xs = list(c) as Value[];
    const out: Value[] = [];
    for (let i = 0; i < xs.length; i++) {
      c.step();
      if (predicate('filter', f(c, xs[i]))) out.push(xs[i]);
    }
    return out;
  }),
  iterate('map', 'New list of the lambda applied to every element (also applies per-item effects).', (s) => listOf(s[1]), (list, f) => (c) => {
    const xs = list(c) as Value[];
    const out = new Array<Value>(xs.length);
    for (let i = 0; i < xs.length; i++) {
      c.step();
      out[i] = f(c, xs[i]);
    }
    return out;
  }),
  iterate('exists', 'True iff some element satisfies the predicate.', 'boolean', (list, f) => (c) => {
    const xs = list(c) as Value[];
    for (let i = 0; i < xs.length; i++) {
      c.step();
      if (predicate('exists', f(c, xs[i]))) return true;
    }
    return false;
  }),
  iterate('every', 'True iff all elements satisfy the predicate (true for an empty list).', 'boolean', (list, f) => (c) => {
    const xs = list(c) as Value[];
    for (let i = 0; i < xs.length; i++) {
      c.step();
      if (!predicate('every', f(c, xs[i]))) return false;
    }
    return true;
  }),
  iterate('sum', 'Sum of the lambda over the elements, e.g. sum(Session.CartItems, Item → Item.Price).', 'number', (list, f) => (c) => {
    const xs = list(c) as Value[];
    let acc: D = ZERO;
    for (let i = 0; i < xs.length; i++) {
      c.step();
      const v = f(c, xs[i]);
      if (!isDecimal(v)) fail(`sum: the lambda must return a number, got ${describe(v)}`);
      acc = add(acc, v);
    }
    return acc;
  }),
  {
    name: 'take', family: 'lists', description: 'The first n elements (all of them if n ≥ length).',
    overloads: [{
      params: [p('list', 'list'), p('n', 'number')], result: (s) => s[0],
      eager: (a) => {
        const n = (a[1] as D).floor();
        return (a[0] as Value[]).slice(0, n.lt(0) ? 0 : Math.min(n.toNumber(), MAX_LIST));
      },
    }],
  },
  {
    name: 'join', family: 'lists', description: 'Joins the text form of the elements with glue.',
    overloads: [{ params: [p('list', 'list'), p('glue', 'string')], result: 'string', eager: (a, c) => { c.step((a[0] as Value[]).length); return (a[0] as Value[]).map(textOf).join(a[1] as string); } }],
  },
  {
    name: 'split', family: 'lists', description: 'Splits a string at every separator.',
    overloads: [{
      params: [p('text', 'string'), p('separator', 'string')], result: () => listOf(STRING),
      eager: (a, c) => {
        const parts = (a[0] as string).split(a[1] as string, MAX_LIST + 1);
        c.step(parts.length);
        return bounded(parts, 'split');
      },
    }],
  },
  {
    // Arguments are [key, value] pairs, parsed specially (the key is not a function name).
    name: 'kv', family: 'lists', description: 'Builds a map: ["kv", ["Key", value], …].',
    overloads: [{
      params: [p('pair', 'any')], min: 0, rest: true, result: 'map',
      build: (args, site) => {
        const keys = site.keys ?? [];
        const vals = args as Code[];
        return (c) => {
          const m = newMap();
          for (let i = 0; i < vals.length; i++) m[keys[i]] = vals[i](c);
          return m;
        };
      },
    }],
  },
];
