/**
 * Entities that rule effects create or change outside the session — coupons (couponCreated),
 * referral codes (referralCreated) and reservations (reserveCoupon). They apply on every evaluation
 * and are never rolled back (docs/sessions.md, "What a session commits, and when").
 */
import { randomUUID } from 'node:crypto';
import type { Campaign } from '../../domain/campaign.js';
import { DEFAULT_VALID_CHARACTERS, freshCode, generateCode, normaliseCode, type CaseSensitivity, type Coupon, type Referral } from '../../domain/coupon.js';
import { conflict } from '../../domain/errors.js';
import type { Effect } from '../../domain/effect.js';
import type { CreatedCoupon, CreatedReferral, EngineIds } from '../../engine/index.js';
import type { Sql } from '../../store/db.js';
import { addReservation, couponsByValues, insertCoupons } from '../../store/repos/coupons.js';
import { insertReferralsReturning } from '../../store/repos/referrals.js';

/** Pattern and characters of generated codes, in the Application's case (what domain/coupon.ts freshCode draws from). */
interface RuleCodeSpec { pattern: string; validCharacters: string[] }

/** Where rule-created codes come from: the engine's first draw (`ids`) and, on collision, the spec to draw again from. */
export interface RuleCodes {
  ids: EngineIds;
  spec(kind: 'coupon' | 'referral', campaignId: number): RuleCodeSpec;
}

/** Codes for rule-created coupons and referrals follow the campaign's code settings (12 random characters by default). */
export function ruleCodes(campaigns: ReadonlyMap<number, Campaign>, cs: CaseSensitivity | undefined): RuleCodes {
  const specs = new Map<string, RuleCodeSpec>();
  const spec = (kind: 'coupon' | 'referral', campaignId: number): RuleCodeSpec => {
    const key = `${kind}:${campaignId}`;
    let out = specs.get(key);
    if (!out) {
      const c = campaigns.get(campaignId);
      const settings = kind === 'coupon' ? c?.couponSettings : c?.referralSettings;
      const chars = settings?.validCharacters?.length ? settings.validCharacters : DEFAULT_VALID_CHARACTERS;
      out = { pattern: normaliseCode(settings?.couponPattern ?? '############', cs), validCharacters: [...new Set(chars.map((ch) => normaliseCode(ch, cs)))] };
      specs.set(key, out);
    }
    return out;
  };
  const code = (kind: 'coupon' | 'referral', campaignId: number) => {
    const s = spec(kind, campaignId);
    return generateCode(s.pattern, s.validCharacters);
  };
  return {
    spec,
    ids: { uuid: () => randomUUID(), couponCode: (id) => code('coupon', id), referralCode: (id) => code('referral', id) },
  };
}

/** The part of an Evaluation (evaluate.ts) that creating codes reads and fills. */
export interface Creations {
  effects: Effect[];
  created?: { coupons: readonly CreatedCoupon[]; referrals: readonly CreatedReferral[]; codes: RuleCodes };
  createdCoupons: Coupon[];
  createdReferrals: Referral[];
}

/** Inserts tried per created coupon or referral before the request gives up with 409. */
const MAX_DRAWS = 20;

/**
 * Stores the coupons and referral codes the rules created and fills createdCoupons / createdReferrals.
 * Codes are drawn at random when the rule fires; one that exists already (rare with the default 12
 * characters, common with a short couponPattern as its code space fills up) is drawn again with
 * freshCode, as generated coupons and referrals are (never a code found taken, and a small pattern's
 * last free codes by enumeration) — up to MAX_DRAWS inserts, then 409 — and the couponCreated /
 * referralCreated effect that announced it gets the new code, before the effects are stored or answered.
 */
export async function persistCreated(sql: Sql, applicationId: number, evaluation: Creations, now: Date): Promise<void> {
  const made = evaluation.created;
  if (!made) return;
  const created = now.toISOString();
  const values: string[] = [];
  for (const c of made.coupons) {
    const expiry = c.validityDays ? new Date(now.getTime() + c.validityDays.toNumber() * 86_400_000).toISOString() : undefined;
    const row = (value: string) => ({
      applicationId, campaignId: c.campaignId, value, usageLimit: c.usageLimit ? c.usageLimit.toNumber() : 1, created,
      attributes: {}, limits: [], isReservationMandatory: false, implicitlyReserved: false,
      ...(c.recipientIntegrationId ? { recipientIntegrationId: c.recipientIntegrationId } : {}),
      ...(expiry ? { expiryDate: expiry } : {}),
    });
    const value = await draw(c.value, () => made.codes.spec('coupon', c.campaignId), async (v) => (await insertCoupons(sql, [row(v)], true)) > 0,
      `coupon code for campaign ${c.campaignId}`);
    if (value !== c.value) {
      renameIn(evaluation.effects, (e) => e.effectType === 'couponCreated' && e.campaignId === c.campaignId && e.props.value === c.value
        && (e.props.profileId ?? '') === c.recipientIntegrationId, value);
    }
    values.push(value);
  }
  evaluation.createdCoupons = await couponsByValues(sql, applicationId, values);
  evaluation.createdReferrals = [];
  for (const r of made.referrals) {
    let referral: Referral | undefined;
    const code = await draw(r.code, () => made.codes.spec('referral', r.campaignId), async (v) => {
      [referral] = await insertReferralsReturning(sql, [{
        applicationId, campaignId: r.campaignId, code: v, usageLimit: 1, advocateProfileIntegrationId: r.advocateProfileIntegrationId, attributes: {}, created,
      }]);
      return referral !== undefined;
    }, `referral code for campaign ${r.campaignId}`);
    if (code !== r.code) renameIn(evaluation.effects, (e) => e.effectType === 'referralCreated' && e.campaignId === r.campaignId && e.props.value === r.code, code);
    evaluation.createdReferrals.push(referral!);
  }
}

/** The first code that `tryInsert` stores: `first`, then fresh codes of the `spec` (read on a collision only) that no insert found taken. */
async function draw(first: string, spec: () => RuleCodeSpec, tryInsert: (value: string) => Promise<boolean>, what: string): Promise<string> {
  const taken = new Set<string>();
  let value: string | null = first;
  for (let i = 0; i < MAX_DRAWS && value !== null; i++) {
    if (await tryInsert(value)) return value;
    taken.add(value);
    const s = spec();
    value = freshCode(s.pattern, s.validCharacters, taken, 10);
  }
  throw conflict(`Could not generate an unused ${what} in ${MAX_DRAWS} draws: its code pattern has too few free codes left`);
}

/** Puts the stored code into the first matching effect, which still shows the code drawn first. */
function renameIn(effects: Effect[], matches: (e: Effect) => boolean, value: string): void {
  const e = effects.find(matches);
  if (e) e.props = { ...e.props, value };
}

/** reserveCoupon effects: the coupon joins the profile's wallet. */
export async function applyReservations(sql: Sql, effects: readonly Effect[], coupons: readonly Coupon[], now: string): Promise<void> {
  for (const e of effects) {
    if (e.effectType !== 'reserveCoupon') continue;
    const coupon = coupons.find((c) => c.value === e.props.couponValue);
    if (coupon && typeof e.props.profileIntegrationId === 'string') await addReservation(sql, coupon.id, e.props.profileIntegrationId, now);
  }
}
