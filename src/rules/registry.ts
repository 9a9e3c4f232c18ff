/**
 * The function registry: every family's declarations in one case-insensitive table, and the
 * signature texts the checker's messages show.
 */
import type { FnDef, Overload, ParamKind } from './fn.js';
import { comparison } from './functions/comparison.js';
import { effects } from './functions/effects.js';
import { lists } from './functions/lists.js';
import { logic } from './functions/logic.js';
import { math } from './functions/math.js';
import { product } from './functions/product.js';
import { strings } from './functions/strings.js';
import { time } from './functions/time.js';

export const ALL_FUNCTIONS: readonly FnDef[] = [...logic, ...comparison, ...math, ...lists, ...strings, ...time, ...product, ...effects];

const table = new Map<string, FnDef>();
for (const def of ALL_FUNCTIONS) {
  for (const name of [def.name, ...(def.aliases ?? [])]) {
    const key = name.toLowerCase();
    if (table.has(key)) throw new Error(`rule function ${name} declared twice`);
    table.set(key, def);
  }
}

/** Case-insensitive lookup (TALANG lower-cases function names). */
export function lookupFunction(name: string): FnDef | undefined {
  return table.get(name.toLowerCase());
}

/** Positions that are lambda slots in some overload. */
export function lambdaSlots(def: FnDef): Set<number> {
  const out = new Set<number>();
  for (const o of def.overloads) o.params.forEach((q, i) => { if (q.kind === 'lambda') out.add(i); });
  return out;
}

export function maxArity(o: Overload): number {
  return o.rest ? Infinity : o.params.length;
}

export function minArity(o: Overload): number {
  return o.min ?? o.params.length;
}

/** Kind of argument i under overload o (the last parameter repeats when `rest`). */
export function paramAt(o: Overload, i: number): ParamKind {
  return (o.params[i] ?? o.params[o.params.length - 1]).kind;
}

/** Human-readable signature, e.g. `setDiscount(name: string, value: number[, scope: string[, partial: boolean]])`. */
export function signatureText(name: string, o: Overload): string {
  const min = minArity(o);
  let s = '';
  o.params.forEach((q, i) => {
    const text = `${q.name}: ${q.kind === 'lambda' ? 'λ' : q.kind}${o.rest && i === o.params.length - 1 ? '...' : ''}`;
    s += i >= min ? `[${i > 0 ? ', ' : ''}${text}` : `${i > 0 ? ', ' : ''}${text}`;
  });
  return `${name}(${s}${']'.repeat(Math.max(0, o.params.length - min))})`;
}
