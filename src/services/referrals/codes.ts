/**
 * Generated referral codes (docs/referrals.md): pattern and characters from
 * the request, else the campaign's `referralSettings`, else a default; normalised to the
 * Application's case; unique in the Application, regenerated on collision.
 */
import { randomInt } from 'node:crypto';
import type { Application } from '../../domain/application.js';
import type { Campaign } from '../../domain/campaign.js';
import { codeSpec as specFor, DEFAULT_VALID_CHARACTERS, freshCode, patternFull, patternSpace, type CodeSpec, type NewReferralRecord, type Referral } from '../../domain/coupon.js';
import type { Sql } from '../../store/db.js';
import { insertReferralsReturning } from '../../store/repos/referrals.js';

/** Twelve random characters from A–Z0–9, like Talon.One's examples (`27G47Y54VH9L`). */
const DEFAULT_REFERRAL_PATTERN = '############';
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
 * a concurrent insert) are regenerated for the rows that lost, never the same taken code twice, a
 * bounded number of rounds.
 * Results come back in the order of `records`.
 */
export async function insertGenerated(sql: Sql, spec: CodeSpec, records: readonly Omit<NewReferralRecord, 'code'>[], random: (n: number) => number = randomInt): Promise<Referral[]> {
  const space = patternSpace(spec.pattern, spec.validCharacters);
  if (space < records.length) throw patternFull(spec, records.length);
  const out = new Array<Referral>(records.length);
  let pending = records.map((r, i) => ({ i, r }));
  // codes an insert found taken (stored before, or by a concurrent request): never drawn again
  const taken = new Set<string>();
  for (let round = 0; pending.length > 0 && round < ROUNDS; round++) {
    const avoid = new Set(taken);
    const next: typeof pending = [];
    const drawn: { p: (typeof pending)[number]; code: string }[] = [];
    for (const p of pending) {
      const code = freshCode(spec.pattern, spec.validCharacters, avoid, 100, random);
      if (code === null) { next.push(p); continue; }
      avoid.add(code);
      drawn.push({ p, code });
    }
    const inserted = new Map((await insertReferralsReturning(sql, drawn.map(({ p, code }) => ({ ...p.r, code })))).map((r) => [r.code, r]));
    for (const { p, code } of drawn) {
      const got = inserted.get(code);
      if (got) out[p.i] = got;
      else { taken.add(code); next.push(p); }
    }
    pending = next;
  }
  if (pending.length > 0) throw patternFull(spec, pending.length);
  return out;
}
