/**
 * Runtime values of the rule language: kind tests, coercions, equality, text form and the two
 * error classes evaluation can raise.
 */
import { Decimal, isDec } from '../domain/money.js';
import type { Kind, Value, ValueMap } from './contract.js';

/** An evaluation error: contained by `catch` / `.|`, otherwise fails the condition or effect. */
export class RuleEvalError extends Error {
  override name = 'RuleEvalError';
  constructor(message: string) {
    // Evaluation errors are ordinary control flow (`catch` around missing attributes): capturing a
    // stack trace for each one dominated evaluation time, and the stack is never reported.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/**
 * The per-pass step budget ran out (docs/rules-language.md, "Bounds"). Deliberately *not* containable by `catch`:
 * it aborts the current rule and every later rule of the pass fails fast.
 */
export class StepBudgetError extends Error {
  override name = 'StepBudgetError';
  constructor(limit: number) { super(`evaluation step budget of ${limit} exceeded`); }
}

export function fail(message: string): never {
  throw new RuleEvalError(message);
}

export function isDecimal(v: unknown): v is Decimal {
  return isDec(v) || Decimal.isDecimal(v);
}

/**
 * A null-prototype object (what the engine builds every rule map as). `instanceof Object` is inlined by
 * V8 as a walk up the prototype chain, where `Object.getPrototypeOf(v) === null` is a call into the C++
 * runtime. Every other object a rule sees (lists, Decimals, Dates, JSON objects) inherits from Object.prototype.
 */
export function bare(v: object): boolean {
  return !(v instanceof Object);
}

/** A rule map: the engine's null-prototype maps settle at the first test; other objects that are not a list, a Decimal or a Date. */
export function isMap(v: unknown): v is ValueMap {
  return typeof v === 'object' && v !== null && (bare(v) || (!Array.isArray(v) && !isDec(v) && !(v instanceof Date)));
}

export function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean': return 'boolean';
    case 'string': return 'string';
    case 'number': return 'number';
    case 'object':
      if (Array.isArray(v)) return 'list';
      if (v instanceof Date) return 'time';
      if (isDecimal(v)) return 'number';
      return 'map';
    default: return 'any';
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Parse an RFC 3339 timestamp (or a bare date, read as UTC midnight); null when malformed. */
export function parseRfc3339(s: string): Date | null {
  const m = RFC3339.exec(s.trim());
  if (m === null) return null;
  const zone = m[8] === undefined ? 'Z' : m[8].length === 5 ? m[8].slice(0, 3) + ':' + m[8].slice(3) : m[8];
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? ''}${zone.toUpperCase()}`;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Go-style RFC 3339 text: no fractional part when it is zero. */
export function formatRfc3339(d: Date): string {
  const s = d.toISOString();
  return s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
}

/** Canonical text of a value (used by `=` on mixed kinds, `toString`, `sort`, `join`). */
export function textOf(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return formatRfc3339(v);
  if (isDecimal(v)) return v.toString();
  if (Array.isArray(v)) return '[' + v.map(textOf).join(' ') + ']';
  return '{' + Object.keys(v).map((k) => `${k}: ${textOf(v[k] ?? null)}`).join(', ') + '}';
}

/**
 * Equality (docs/rules-language.md, "Values and equality"): numerically for two Decimals, as instants for two Times,
 * structurally for collections, otherwise by canonical text (so `(= 1 "1")` is true).
 */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return false; // distinct strings: distinct text
  if (isDec(a) && isDec(b)) return a.eq(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (isMap(a) || isMap(b)) {
    if (!isMap(a) || !isMap(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !valuesEqual(a[k] ?? null, b[k] ?? null)) return false;
    return true;
  }
  return textOf(a) === textOf(b);
}

export function describe(v: Value): string {
  if (typeof v === 'string') return `string "${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  const k = kindOf(v);
  if (k === 'number' || k === 'boolean' || k === 'time') return `${k} ${textOf(v)}`;
  return k;
}

/** Convert a value to the kind a parameter asks for, or raise. RFC 3339 strings coerce to Time (JSON has no time literal). */
export function coerce(v: Value, kind: string, what: string): Value {
  switch (kind) {
    case 'any': return v;
    case 'number':
      if (isDec(v)) return v;
      if (isDecimal(v)) return new Decimal(v);
      if (typeof v === 'number') return new Decimal(v);
      break;
    case 'string': if (typeof v === 'string') return v; break;
    case 'boolean': if (typeof v === 'boolean') return v; break;
    case 'time':
      if (v instanceof Date) return v;
      if (typeof v === 'string') {
        const d = parseRfc3339(v);
        if (d !== null) return d;
        fail(`${what} must be a time, got string "${v}" that is not an RFC 3339 timestamp`);
      }
      break;
    case 'list': if (Array.isArray(v)) return v; break;
    case 'map': if (isMap(v)) return v; break;
    case 'atom': if (!Array.isArray(v) && !isMap(v)) return v; break;
    case 'collection': if (Array.isArray(v) || isMap(v)) return v; break;
    case 'null': if (v === null) return v; break;
  }
  return fail(`${what} must be ${kind === 'atom' ? 'an atom (number, string, boolean, time or null)' : kind === 'collection' ? 'a list or map' : 'a ' + kind}, got ${describe(v)}`);
}

/** Does `v` (without coercion) already have kind `kind`? Used by overload dispatch. */
export function hasKind(v: Value, kind: string): boolean {
  switch (kind) {
    case 'any': return true;
    case 'number': return isDecimal(v);
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'time': return v instanceof Date;
    case 'list': return Array.isArray(v);
    case 'map': return isMap(v);
    case 'atom': return !Array.isArray(v) && !isMap(v);
    case 'collection': return Array.isArray(v) || isMap(v);
    case 'null': return v === null;
    default: return false;
  }
}

export function newMap(): ValueMap {
  return Object.create(null) as ValueMap;
}
