/**
 * Generated referral codes (coupons-referrals-budgets.md §1.2, §2.1): pattern and characters from
 * the request, else the campaign's `referralSettings`, else a default; normalised to the
 * Application's case (§1.4); unique in the Application, regenerated on collision.
 */
import { randomInt } from 'node:crypto';
import type { Application } from '../../domain/application.js';
import type { Campaign } from '../../domain/campaign.js';
import { codeSpec as specFor, DEFAULT_VALID_CHARACTERS, generateCode, patternFull, patternSpace, type CodeSpec, type NewReferralRecord, type Referral } from '../../domain/coupon.js';
import type { Sql } from '../../store/db.js';
import { insertReferralsReturning } from '../../store/repos/referrals.js';

/** Twelve random characters from A–Z0–9, like Talon.One's examples (`27G47Y54VH9L`). */
export const DEFAULT_REFERRAL_PATTERN = '############';
const ROUNDS = 20;

/** Request override first, then the campaign's settings, then the default. */
export function codeSpec(app: Application, campaign: Campaign, override: { pattern?: string; validCharacters?: string[] } = {}): CodeSpec {
  const s = campaign.referralSettings;
  const pattern = override.pattern ?? s?.couponPattern ?? DEFAULT_REFERRAL_PATTERN;
  const chars = override.validCharacters ?? s?.validCharacters ?? DEFAULT_VALID_CHARACTERS;
  const pointer = override.pattern !== undefined ? '/referralPattern' : override.validCharacters !== undefined ? '/validCharacters' : '/campaignId';
  return specFor(pattern, chars, app.caseSensitivity, pointer);
}

/**
 * Inserts one referral per record with a fresh code. Codes that collide (with stored codes, or with
 * a concurrent insert) are regenerated for the rows that lost, a bounded number of rounds.
 * Results come back in the order of `records`.
 */
export async function insertGenerated(sql: Sql, spec: CodeSpec, records: readonly Omit<NewReferralRecord, 'code'>[], random: (n: number) => number = randomInt): Promise<Referral[]> {
  const space = patternSpace(spec.pattern, spec.validCharacters);
  if (space < records.length) throw patternFull(spec, records.length);
  const out: Referral[] = new Array(records.length);
  let pending = records.map((r, i) => ({ i, r }));
  for (let round = 0; pending.length > 0 && round < ROUNDS; round++) {
    const used = new Set<string>();
    const rows = pending.map((p) => {
      let code = generateCode(spec.pattern, spec.validCharacters, random);
      for (let t = 0; used.has(code) && t < 100; t++) code = generateCode(spec.pattern, spec.validCharacters, random);
      used.add(code);
      return { ...p.r, code };
    });
    const inserted = new Map((await insertReferralsReturning(sql, rows)).map((r) => [r.code, r]));
    const next: typeof pending = [];
    pending.forEach((p, k) => {
      const got = inserted.get(rows[k]!.code);
      if (got) {
        out[p.i] = got;
        inserted.delete(got.code); // a code generated twice in one round is inserted once
      } else next.push(p);
    });
    pending = next;
  }
  if (pending.length > 0) throw patternFull(spec, pending.length);
  return out;
}
