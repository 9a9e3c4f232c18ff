/** Strings (docs/rules-language.md, "Functions"). The subject comes first, as in TALANG's implementation and tests. */
import type { Value } from '../contract.js';
import { p, type FnDef } from '../fn.js';
import { RegexSyntaxError, SafeRegex } from '../regex.js';
import type { Code, Ctx } from '../runtime.js';
import { fail, textOf } from '../values.js';
import { concatStrings } from './math.js';

function everyNeedle(test: (subject: string, needle: string) => boolean): (a: Value[]) => boolean {
  return (a) => {
    const subject = a[0] as string;
    for (let i = 1; i < a.length; i++) if (!test(subject, a[i] as string)) return false;
    return true;
  };
}

const subjectAndNeedles = [p('subject', 'string'), p('needle', 'string')];

/** Compile a pattern, turning syntax errors into evaluation errors (or save-time errors via `check`). */
function compileRegex(source: string): SafeRegex {
  try {
    return new SafeRegex(source);
  } catch (e) {
    if (e instanceof RegexSyntaxError) fail(`~: invalid regular expression: ${e.message}`);
    throw e;
  }
}

/** Patterns computed at evaluation time are compiled once and kept in a small cache. */
const dynamicCache = new Map<string, SafeRegex>();
function cachedRegex(source: string): SafeRegex {
  let r = dynamicCache.get(source);
  if (r === undefined) {
    r = compileRegex(source);
    if (dynamicCache.size >= 256) dynamicCache.clear();
    dynamicCache.set(source, r);
  }
  return r;
}

function matchAll(c: Ctx, re: SafeRegex, subjects: readonly Value[], from: number): boolean {
  for (let i = from; i < subjects.length; i++) {
    const s = subjects[i] as string;
    c.step(re.cost(s.length));
    if (!re.test(s)) return false;
  }
  return true;
}

const words = (s: string): string[] => s.trim().split(/\s+/).filter((w) => w !== '');

export const strings: FnDef[] = [
  {
    name: 'concat', family: 'strings', description: 'Concatenation.',
    overloads: [{ params: [p('a', 'string'), p('b', 'string')], rest: true, result: 'string', eager: concatStrings }],
  },
  {
    name: 'contains', family: 'strings', description: 'The subject contains every later argument (an empty needle always matches).',
    overloads: [{ params: subjectAndNeedles, rest: true, result: 'boolean', eager: everyNeedle((s, n) => s.includes(n)) }],
  },
  {
    name: 'notContains', family: 'strings', description: 'The subject contains none of the later arguments.',
    overloads: [{ params: subjectAndNeedles, rest: true, result: 'boolean', eager: everyNeedle((s, n) => !s.includes(n)) }],
  },
  {
    name: 'startsWith', family: 'strings', description: 'The subject starts with every later argument.',
    overloads: [{ params: subjectAndNeedles, rest: true, result: 'boolean', eager: everyNeedle((s, n) => s.startsWith(n)) }],
  },
  {
    name: 'endsWith', family: 'strings', description: 'The subject ends with every later argument.',
    overloads: [{ params: subjectAndNeedles, rest: true, result: 'boolean', eager: everyNeedle((s, n) => s.endsWith(n)) }],
  },
  {
    name: '~', family: 'strings',
    description: 'Every later argument matches the regular expression (RE2 syntax, unanchored, linear-time matching).',
    overloads: [{
      params: [p('regex', 'string'), p('subject', 'string')], rest: true, result: 'boolean',
      build: (args, site) => {
        const codes = args as Code[];
        const literal = site.literals[0];
        const fixed = typeof literal === 'string' ? compileRegex(literal) : null;
        return (c) => {
          const vals = codes.map((k) => k(c));
          return matchAll(c, fixed ?? cachedRegex(vals[0] as string), vals, 1);
        };
      },
    }],
    check: (site, api) => {
      const literal = site.literals[0];
      if (typeof literal !== 'string') return;
      try {
        new SafeRegex(literal);
      } catch (e) {
        if (e instanceof RegexSyntaxError) api.error(api.argPath(0), `invalid regular expression: ${e.message}`);
        else throw e;
      }
    },
  },
  {
    name: 'toString', family: 'strings', description: 'Canonical text of an atom (times as RFC 3339).',
    overloads: [{ params: [p('value', 'atom')], result: 'string', eager: (a) => textOf(a[0]) }],
  },
  {
    name: 'firstName', family: 'strings', description: 'All but the last space-separated word (a single word is returned whole).',
    overloads: [{ params: [p('name', 'string')], result: 'string', eager: (a) => { const w = words(a[0] as string); return w.slice(0, Math.max(w.length - 1, 1)).join(' '); } }],
  },
  {
    name: 'lastName', family: 'strings', description: 'The last space-separated word.',
    overloads: [{ params: [p('name', 'string')], result: 'string', eager: (a) => { const w = words(a[0] as string); return w.length > 0 ? w[w.length - 1] : ''; } }],
  },
  { name: 'lower', family: 'strings', description: 'Lower case.', overloads: [{ params: [p('text', 'string')], result: 'string', eager: (a) => (a[0] as string).toLowerCase() }] },
  { name: 'upper', family: 'strings', description: 'Upper case.', overloads: [{ params: [p('text', 'string')], result: 'string', eager: (a) => (a[0] as string).toUpperCase() }] },
];
