/**
 * Generated coupon codes (docs/coupons.md): pattern and characters from the
 * request, else the campaign's `couponSettings`, else eight random characters from A–Z0–9;
 * normalised to the Application's case; unique in the Application, regenerated on collision.
 */
import { randomInt } from 'node:crypto';
import type { Application } from '../../domain/application.js';
import type { Campaign } from '../../domain/campaign.js';
import { codeSpec as specFor, DEFAULT_VALID_CHARACTERS, freshCode, patternFull, patternSpace, type CodeSpec, type Coupon, type NewCouponRecord } from '../../domain/coupon.js';
import type { Sql } from '../../store/db.js';
import { insertCouponsReturningRows, insertCouponsReturningValues } from '../../store/repos/coupons.js';

const DEFAULT_COUPON_PATTERN = '########';
const ROUNDS = 20;
const CHUNK = 1000;

/** Request override first, then the campaign's settings, then the default. */
export function couponCodeSpec(app: Application, campaign: Campaign, override: { couponPattern?: string; validCharacters?: string[]; uniquePrefix?: string } = {}): CodeSpec {
  const s = campaign.couponSettings;
  let pattern = override.couponPattern ?? s?.couponPattern ?? DEFAULT_COUPON_PATTERN;
  if (override.uniquePrefix) pattern = override.uniquePrefix + pattern;
  const chars = override.validCharacters ?? s?.validCharacters ?? DEFAULT_VALID_CHARACTERS;
  const pointer = override.couponPattern !== undefined ? '/couponPattern' : override.validCharacters !== undefined ? '/validCharacters' : '/numberOfCoupons';
  return specFor(pattern, chars, app.caseSensitivity, pointer);
}

/**
 * Inserts one coupon per record with a fresh code. Codes that collide (with stored codes, with each
 * other, or with a concurrent insert) are regenerated for the rows that lost, never the same taken
 * code twice, a bounded number of rounds; then 400 "pattern full". Returns how many were made and, with `rows`, the coupons.
 */
export async function insertGeneratedCoupons(sql: Sql, spec: CodeSpec, records: readonly Omit<NewCouponRecord, 'value'>[], want: 'rows' | 'count',
  random: (n: number) => number = randomInt): Promise<{ coupons: Coupon[]; count: number }> {
  if (patternSpace(spec.pattern, spec.validCharacters) < records.length) throw patternFull(spec, records.length);
  const made: Coupon[] = [];
  let count = 0;
  let pending = records.slice();
  // codes an insert found taken (stored before, or by a concurrent request): never drawn again
  const taken = new Set<string>();
  for (let round = 0; pending.length > 0 && round < ROUNDS; round++) {
    const next: typeof pending = [];
    for (let i = 0; i < pending.length; i += CHUNK) {
      const part = pending.slice(i, i + CHUNK);
      const avoid = new Set(taken);
      const rows: NewCouponRecord[] = [];
      for (const r of part) {
        const value = freshCode(spec.pattern, spec.validCharacters, avoid, 10, random);
        if (value === null) { next.push(r); continue; }
        avoid.add(value);
        rows.push({ ...r, value });
      }
      let ok: Set<string>;
      if (want === 'rows') {
        const got = await insertCouponsReturningRows(sql, rows);
        made.push(...got);
        ok = new Set(got.map((c) => c.value));
      } else {
        ok = await insertCouponsReturningValues(sql, rows);
      }
      count += ok.size;
      for (const r of rows) if (!ok.has(r.value)) { taken.add(r.value); next.push(r); }
    }
    pending = next;
  }
  if (pending.length > 0) throw patternFull(spec, pending.length);
  return { coupons: made, count };
}
