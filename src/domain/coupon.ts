/** Coupons and referral codes: the values, case rules and code generation (coupons-referrals-budgets.md §1–§2). */
import { randomInt } from 'node:crypto';
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

/** Codes are stored and looked up in the Application's case (§1.4): normalise, then match exactly. */
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

/** How many distinct codes a pattern can produce (to fail early when a request cannot be met). */
export function patternSpace(pattern: string, validCharacters: readonly string[]): number {
  const slots = [...pattern].filter((c) => c === '#').length;
  return Math.pow(new Set(validCharacters).size, slots);
}
