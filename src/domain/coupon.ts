/** Coupons and referral codes: the values, case rules and code generation (docs/coupons.md, docs/referrals.md). */
import { randomInt } from 'node:crypto';
import { invalidField, Title, type AppError } from './errors.js';
import type { Decimal } from './money.js';

export interface Coupon {
  id: number;
  created: string;
  applicationId: number;
  campaignId: number;
  value: string;
  usageLimit: number;
  usageCounter: number;
  discountLimit?: Decimal;
  discountCounter: Decimal;
  reservationLimit?: number;
  reservationCounter: number;
  startDate?: string;
  expiryDate?: string;
  recipientIntegrationId?: string;
  attributes: Record<string, unknown>;
  limits: unknown[];
  batchId?: string;
  importId?: number;
  referralId?: number;
  isReservationMandatory: boolean;
  implicitlyReserved: boolean;
}

export type NewCouponRecord = Omit<Coupon, 'id' | 'usageCounter' | 'discountCounter' | 'reservationCounter'>;

export interface Referral {
  id: number;
  created: string;
  applicationId: number;
  campaignId: number;
  code: string;
  usageLimit: number;
  usageCounter: number;
  startDate?: string;
  expiryDate?: string;
  advocateProfileIntegrationId: string;
  friendProfileIntegrationId?: string;
  attributes: Record<string, unknown>;
  importId?: number;
  batchId?: string;
}

export type NewReferralRecord = Omit<Referral, 'id' | 'usageCounter'>;

export type CaseSensitivity = 'sensitive' | 'insensitive-uppercase' | 'insensitive-lowercase';

/** Codes are stored and looked up in the Application's `caseSensitivity` (docs/coupons.md): normalise, then match exactly. */
export function normaliseCode(code: string, mode: CaseSensitivity | undefined): string {
  if (mode === 'insensitive-uppercase') return code.toUpperCase();
  if (mode === 'insensitive-lowercase') return code.toLowerCase();
  return code;
}

export const DEFAULT_VALID_CHARACTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];

/** One code from a pattern: each `#` becomes a random valid character, the rest is literal. */
export function generateCode(pattern: string, validCharacters: readonly string[], random: (n: number) => number = randomInt): string {
  let out = '';
  for (const ch of pattern) out += ch === '#' ? validCharacters[random(validCharacters.length)] : ch;
  return out;
}

/** Patterns with at most this many codes are enumerated when random draws keep colliding. */
const ENUMERABLE_SPACE = 1000;

/**
 * A code of the pattern that is not in `avoid`: up to `draws` + 1 random draws; when they all collide
 * and the pattern is small, a random one of the codes it has left (enumerated) — so a nearly full
 * pattern is filled to its last code rather than failing by bad luck. null when no code was found: for
 * a small pattern, every code is in `avoid`; for a large one the draws were unlucky (callers retry).
 */
export function freshCode(pattern: string, validCharacters: readonly string[], avoid: ReadonlySet<string>, draws: number,
  random: (n: number) => number = randomInt): string | null {
  for (let t = 0; t <= draws; t++) {
    const code = generateCode(pattern, validCharacters, random);
    if (!avoid.has(code)) return code;
  }
  const space = patternSpace(pattern, validCharacters);
  if (space > ENUMERABLE_SPACE) return null;
  const chars = [...new Set(validCharacters)];
  const free: string[] = [];
  for (let k = 0; k < space; k++) {
    let n = k;
    let code = '';
    for (const ch of pattern) {
      if (ch !== '#') { code += ch; continue; }
      code += chars[n % chars.length];
      n = Math.floor(n / chars.length);
    }
    if (!avoid.has(code)) free.push(code);
  }
  return free.length > 0 ? free[random(free.length)] : null;
}

/** How many distinct codes a pattern can produce (to fail early when a request cannot be met). */
export function patternSpace(pattern: string, validCharacters: readonly string[]): number {
  const slots = [...pattern].filter((c) => c === '#').length;
  return Math.pow(new Set(validCharacters).size, slots);
}

/** Generated codes are at least this long; given codes need only 3 characters (docs/coupons.md, "Code lengths"). */
const MIN_GENERATED_LENGTH = 4;

/** What codes are generated from; `pointer` names the request field that decided it, for errors. */
export interface CodeSpec { pattern: string; validCharacters: string[]; pointer: string }

/**
 * The pattern and characters to generate with, in the Application's case: the space is what
 * survives normalisation (a and A are one code in an insensitive Application). 400 naming
 * `pointer` when the pattern cannot give codes of the minimum length or no characters are left.
 */
export function codeSpec(pattern: string, chars: readonly string[], mode: CaseSensitivity | undefined, pointer: string): CodeSpec {
  const validCharacters = [...new Set(chars.map((c) => normaliseCode(c, mode)))];
  const normalised = [...pattern].map((c) => (c === '#' ? c : normaliseCode(c, mode))).join('');
  if ([...normalised].length < MIN_GENERATED_LENGTH) {
    throw invalidField(pointer, Title.invalidValue, `The code pattern ${JSON.stringify(pattern)} produces codes shorter than ${MIN_GENERATED_LENGTH} characters`);
  }
  if (validCharacters.length === 0) throw invalidField(pointer, Title.invalidValue, 'validCharacters must not be empty');
  return { pattern: normalised, validCharacters, pointer };
}

/** 400 "Pattern full": the pattern cannot produce `n` more unique codes. */
export function patternFull(spec: CodeSpec, n: number): AppError {
  return invalidField(spec.pointer, Title.patternFull, `The code pattern ${JSON.stringify(spec.pattern)} cannot produce ${n} more unique code(s) in this Application`);
}
