/**
 * Coupon reservations through the Integration API: the coupon wallet. Scoped to the key's
 * Application; the code is normalised with its case setting. The endpoint ignores
 * `reservationLimit` (only the `reserveCoupon` effect enforces it); a personal coupon cannot be
 * reserved for anyone but its recipient.
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import { normaliseCode, type Coupon } from '../../domain/coupon.js';
import type { CustomerProfile } from '../../domain/profile.js';
import { invalidField, notFound, Title } from '../../domain/errors.js';
import type { Sql } from '../../store/db.js';
import { addReservation, couponsByValues, getCouponById, removeReservation, reservationHolders } from '../../store/repos/coupons.js';
import { ensureProfile, getProfile } from '../../store/repos/profiles.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';

async function couponByCode(ctx: ServiceContext, sql: Sql, applicationId: number, code: string, lock = false): Promise<Coupon> {
  const app = await loadApplication(ctx, sql, applicationId);
  const [coupon] = await couponsByValues(sql, applicationId, [normaliseCode(code, app.caseSensitivity)], lock);
  if (!coupon) throw notFound('Coupon');
  return coupon;
}

/** Reserves the coupon for every profile given (profiles are created when new). Returns the coupon. */
export function reserveCoupon(ctx: ServiceContext, applicationId: number, code: string, integrationIds: readonly string[]): Promise<Coupon> {
  return ctx.db.transaction(async (sql) => {
    const coupon = await couponByCode(ctx, sql, applicationId, code, true);
    integrationIds.forEach((id, i) => {
      if (id === '') throw invalidField(`/integrationIDs/${i}`, Title.invalidValue, 'An integration ID must not be empty');
      if (coupon.recipientIntegrationId !== undefined && id !== coupon.recipientIntegrationId) {
        throw invalidField(`/integrationIDs/${i}`, Title.invalidValue, `Coupon ${JSON.stringify(coupon.value)} is personal: it can only be reserved for its recipient`);
      }
    });
    const now = ctx.now().toISOString();
    for (const id of new Set(integrationIds)) {
      await ensureProfile(sql, ACCOUNT_ID, id, now);
      await addReservation(sql, coupon.id, id, now);
    }
    return (await getCouponById(sql, applicationId, coupon.id))!;
  });
}

export async function unreserveCoupon(ctx: ServiceContext, applicationId: number, code: string, integrationIds: readonly string[]): Promise<void> {
  await ctx.db.transaction(async (sql) => {
    const coupon = await couponByCode(ctx, sql, applicationId, code, true);
    for (const id of new Set(integrationIds)) await removeReservation(sql, coupon.id, id);
  });
}

/** The profiles holding a reservation (hard or soft) of the coupon. */
export function reservedCustomers(ctx: ServiceContext, applicationId: number, code: string): Promise<CustomerProfile[]> {
  return ctx.db.transaction(async (sql) => {
    const coupon = await couponByCode(ctx, sql, applicationId, code);
    const out: CustomerProfile[] = [];
    for (const id of await reservationHolders(sql, coupon.id)) {
      const p = await getProfile(sql, ACCOUNT_ID, id);
      if (p) out.push(p);
    }
    return out;
  });
}
