/**
 * Entities that rule effects create or change outside the session — coupons (couponCreated),
 * referral codes (referralCreated) and reservations (reserveCoupon). They apply on every non-dry
 * evaluation and are never rolled back (sessions.md §3.4, OQ-17).
 */
import { randomUUID } from 'node:crypto';
import type { Campaign } from '../../domain/campaign.js';
import { DEFAULT_VALID_CHARACTERS, generateCode, normaliseCode, type CaseSensitivity, type Coupon, type Referral } from '../../domain/coupon.js';
import { conflict } from '../../domain/errors.js';
import type { Effect } from '../../domain/effect.js';
import type { CreatedCoupon, CreatedReferral, EngineIds } from '../../engine/index.js';
import type { Sql } from '../../store/db.js';
import { addReservation, couponsByValues, insertCoupons } from '../../store/repos/coupons.js';
import { insertReferral } from '../../store/repos/referrals.js';

/** Codes for rule-created coupons and referrals follow the campaign's code settings (12 random characters by default). */
export function engineIds(campaigns: ReadonlyMap<number, Campaign>, cs: CaseSensitivity | undefined): EngineIds {
  const code = (settings: Campaign['couponSettings']) =>
    normaliseCode(generateCode(settings?.couponPattern ?? '############', settings?.validCharacters?.length ? settings.validCharacters : DEFAULT_VALID_CHARACTERS), cs);
  return {
    uuid: () => randomUUID(),
    couponCode: (campaignId) => code(campaigns.get(campaignId)?.couponSettings),
    referralCode: (campaignId) => code(campaigns.get(campaignId)?.referralSettings),
  };
}

export async function persistCreated(sql: Sql, applicationId: number, coupons: readonly CreatedCoupon[], referrals: readonly CreatedReferral[], now: Date): Promise<{ coupons: Coupon[]; referrals: Referral[] }> {
  const created = now.toISOString();
  for (const c of coupons) {
    const expiry = c.validityDays ? new Date(now.getTime() + c.validityDays.toNumber() * 86_400_000).toISOString() : undefined;
    const inserted = await insertCoupons(sql, [{
      applicationId, campaignId: c.campaignId, value: c.value, usageLimit: c.usageLimit ? c.usageLimit.toNumber() : 1, created,
      attributes: {}, limits: [], isReservationMandatory: false, implicitlyReserved: false,
      ...(c.recipientIntegrationId ? { recipientIntegrationId: c.recipientIntegrationId } : {}),
      ...(expiry ? { expiryDate: expiry } : {}),
    }], true);
    // a random 12-character code colliding is vanishingly rare; the client retries on 409
    if (inserted === 0) throw conflict(`Generated coupon code ${c.value} already exists; retry`);
  }
  const outCoupons = await couponsByValues(sql, applicationId, coupons.map((c) => c.value));
  const outReferrals: Referral[] = [];
  for (const r of referrals) {
    outReferrals.push(await insertReferral(sql, {
      applicationId, campaignId: r.campaignId, code: r.code, usageLimit: 1, advocateProfileIntegrationId: r.advocateProfileIntegrationId, attributes: {}, created,
    }));
  }
  return { coupons: outCoupons, referrals: outReferrals };
}

/** reserveCoupon effects: the coupon joins the profile's wallet. */
export async function applyReservations(sql: Sql, effects: readonly Effect[], coupons: readonly Coupon[], now: string): Promise<void> {
  for (const e of effects) {
    if (e.effectType !== 'reserveCoupon') continue;
    const coupon = coupons.find((c) => c.value === e.props.couponValue);
    if (coupon && typeof e.props.profileIntegrationId === 'string') await addReservation(sql, coupon.id, e.props.profileIntegrationId, now);
  }
}
