/**
 * Committing and releasing what a session consumes (docs/sessions.md, "What a session commits, and
 * when", "Limits are exact under concurrency"): coupon and referral redemptions, coupon discount
 * counters and limit counters. Everything here
 * runs inside the session's transaction, on rows the evaluation read under lock, so a limit can
 * never be exceeded however many sessions close at once, in however many processes.
 */
import { conflict } from '../../domain/errors.js';
import type { Effect } from '../../domain/effect.js';
import { dec, ZERO, type Decimal } from '../../domain/money.js';
import type { EngineUsage } from '../../engine/index.js';
import type { Sql } from '../../store/db.js';
import { deleteRedemption, recordRedemption, redeemCoupon, releaseCoupon, setDiscountCounter } from '../../store/repos/coupons.js';
import { counterId, readCounters, writeCounter, type CounterKey } from '../../store/repos/counters.js';
import { deleteReferee, insertReferee, redeemReferral, releaseReferral } from '../../store/repos/referrals.js';
import type { CouponRow } from '../../store/repos/coupons.js';
import { bucketsOf, type LimitBucket } from './limits.js';
import type { Coupon, Referral } from '../../domain/coupon.js';

/** What a closed session consumed, stored with it so that a cancel or reopen releases exactly that. */
export interface Consumed {
  coupons?: { id: number; discount: string }[];
  referral?: { id: number };
  counters?: { key: CounterKey; amount: string }[];
}

/** Actions whose effects apply as soon as they are emitted, by any evaluation, and are never released. */
export const APPLIED_WHEN_EMITTED: ReadonlySet<string> = new Set(['createCoupon', 'createReferral', 'reserveCoupon']);

async function addToCounters(sql: Sql, amounts: Map<string, { key: CounterKey; amount: Decimal }>): Promise<void> {
  if (amounts.size === 0) return;
  const keys = [...amounts.values()].map((a) => a.key);
  const current = await readCounters(sql, keys, true);
  for (const { key, amount } of amounts.values()) {
    const next = (current.get(counterId(key)) ?? ZERO).plus(amount);
    await writeCounter(sql, key, next.isNegative() ? ZERO : next);
  }
}

function aggregate(usage: EngineUsage, buckets: readonly LimitBucket[], keep: (action: string) => boolean): Map<string, { key: CounterKey; amount: Decimal }> {
  const out = new Map<string, { key: CounterKey; amount: Decimal }>();
  if (buckets.length === 0) return out; // counters exist per bucket only (and usage.budgets is summed on first read)
  for (const u of usage.budgets) {
    if (!keep(u.action) || u.amount.isZero()) continue;
    for (const key of bucketsOf(buckets, u)) {
      const id = counterId(key);
      out.set(id, { key, amount: (out.get(id)?.amount ?? ZERO).plus(u.amount) });
    }
  }
  return out;
}

/** Books the counters of effects applied at once (coupon/referral creation, reservations). */
export async function commitAppliedNow(sql: Sql, usage: EngineUsage, buckets: readonly LimitBucket[]): Promise<void> {
  await addToCounters(sql, aggregate(usage, buckets, (a) => APPLIED_WHEN_EMITTED.has(a)));
}

/** An event is final (never closed, cancelled or rolled back): books every counter its evaluation consumed at once. */
export async function commitFinal(sql: Sql, usage: EngineUsage, buckets: readonly LimitBucket[]): Promise<void> {
  await addToCounters(sql, aggregate(usage, buckets, () => true));
}

export interface CloseInput {
  sessionId: number;
  sessionIntegrationId: string;
  applicationId: number;
  profileId: string;
  usage: EngineUsage;
  buckets: readonly LimitBucket[];
  coupons: readonly Coupon[];
  referral: Referral | null;
  now: string;
}

/**
 * The close: redeem accepted codes and book every limit counter (of the actions `counted` selects),
 * returning the record to release later.
 */
export async function commitClose(sql: Sql, x: CloseInput, counted: (action: string) => boolean = (a) => !APPLIED_WHEN_EMITTED.has(a)): Promise<Consumed> {
  const consumed: Consumed = { coupons: [], counters: [] };
  const discounts = new Map(x.usage.couponDiscounts.map((d) => [d.couponId, d.amount]));
  for (const r of x.usage.couponRedemptions) {
    // the row was read under lock and the engine saw room, so this cannot fail unless the lock was lost
    if (!(await redeemCoupon(sql, r.couponId))) throw conflict(`Coupon ${r.value} was redeemed concurrently; retry`);
    if (x.profileId) await recordRedemption(sql, r.couponId, x.sessionId, x.profileId, x.now);
    const coupon = x.coupons.find((c) => c.id === r.couponId);
    const discount = discounts.get(r.couponId) ?? ZERO;
    if (coupon && !discount.isZero()) await setDiscountCounter(sql, r.couponId, coupon.discountCounter.plus(discount).toString());
    consumed.coupons!.push({ id: r.couponId, discount: discount.toString() });
  }
  const ref = x.usage.referralRedemption;
  if (ref && x.referral) {
    if (!(await redeemReferral(sql, ref.referralId))) throw conflict(`Referral ${ref.code} was redeemed concurrently; retry`);
    await insertReferee(sql, { applicationId: x.applicationId, referralId: ref.referralId, sessionIntegrationId: x.sessionIntegrationId,
      advocate: x.referral.advocateProfileIntegrationId, friend: x.profileId, code: ref.code, created: x.now });
    consumed.referral = { id: ref.referralId };
  }
  const amounts = aggregate(x.usage, x.buckets, counted);
  await addToCounters(sql, amounts);
  consumed.counters = [...amounts.values()].map((a) => ({ key: a.key, amount: a.amount.toString() }));
  return consumed;
}

/** Cancel of a closed session, or reopen: give back everything the close consumed. */
export async function releaseAll(sql: Sql, applicationId: number, sessionId: number, sessionIntegrationId: string, consumed: Consumed): Promise<void> {
  for (const c of consumed.coupons ?? []) {
    await releaseCoupon(sql, c.id);
    await deleteRedemption(sql, c.id, sessionId);
    if (dec(c.discount).greaterThan(ZERO)) await addToCouponDiscount(sql, c.id, dec(c.discount).negated());
  }
  if (consumed.referral) {
    await releaseReferral(sql, consumed.referral.id);
    await deleteReferee(sql, applicationId, consumed.referral.id, sessionIntegrationId);
  }
  const amounts = new Map((consumed.counters ?? []).map((c) => [counterId(c.key), { key: c.key, amount: dec(c.amount).negated() }]));
  await addToCounters(sql, amounts);
}

async function addToCouponDiscount(sql: Sql, couponId: number, delta: Decimal): Promise<void> {
  const row = await sql.get<Pick<CouponRow, 'discount_counter'>>(`SELECT discount_counter FROM coupons WHERE id = ?${sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [couponId]);
  if (!row) return;
  const next = dec(String(row.discount_counter)).plus(delta);
  await setDiscountCounter(sql, couponId, (next.isNegative() ? ZERO : next).toString());
}

/**
 * A partial return: the discounts rolled back for returned units give back their discount money
 * (setDiscount), one discount effect each (setDiscountEffect) and the coupon's discount counter;
 * redemptions stay: a code used for a purchase stays used when part of it comes back. Returns the
 * updated record.
 */
export async function releaseReturned(sql: Sql, consumed: Consumed, rollbacks: readonly Effect[]): Promise<Consumed> {
  const counters = (consumed.counters ?? []).map((c) => ({ key: c.key, amount: dec(c.amount) }));
  const coupons = (consumed.coupons ?? []).map((c) => ({ id: c.id, discount: dec(c.discount) }));
  const deltas = new Map<string, { key: CounterKey; amount: Decimal }>();
  const take = (campaignId: number, action: string, amount: Decimal) => {
    for (const c of counters) {
      if (c.key.campaignId !== campaignId || c.key.action !== action) continue;
      const give = amount.greaterThan(c.amount) ? c.amount : amount;
      if (give.isZero()) continue;
      c.amount = c.amount.minus(give);
      const id = counterId(c.key);
      deltas.set(id, { key: c.key, amount: (deltas.get(id)?.amount ?? ZERO).minus(give) });
    }
  };
  for (const r of rollbacks) {
    if (r.effectType !== 'rollbackDiscount') continue;
    const value = dec(r.props.value as number);
    take(r.campaignId, 'setDiscount', value);
    take(r.campaignId, 'setDiscountEffect', dec(1));
    const coupon = r.triggeredByCoupon !== undefined ? coupons.find((c) => c.id === r.triggeredByCoupon) : undefined;
    if (coupon && coupon.discount.greaterThan(ZERO)) {
      const give = value.greaterThan(coupon.discount) ? coupon.discount : value;
      coupon.discount = coupon.discount.minus(give);
      await addToCouponDiscount(sql, coupon.id, give.negated());
    }
  }
  await addToCounters(sql, deltas);
  return {
    ...consumed,
    coupons: coupons.map((c) => ({ id: c.id, discount: c.discount.toString() })),
    counters: counters.map((c) => ({ key: c.key, amount: c.amount.toString() })),
  };
}

/** Actions a return's re-evaluation releases and books again: those of the effects it rolls back (discounts, redemptions). */
export const REEVALUATED_ACTIONS: ReadonlySet<string> = new Set(['setDiscount', 'setDiscountEffect', 'redeemCoupon', 'redeemReferral']);

/**
 * A return's re-evaluation (reevaluate.ts): gives back what the session holds for `campaignIds`
 * — their counters of REEVALUATED_ACTIONS, the redemptions and discount counters of `couponIds`, the
 * referral when `referral` — and returns the record of what it still holds.
 */
export async function releaseCampaigns(sql: Sql, at: { applicationId: number; sessionId: number; sessionIntegrationId: string }, consumed: Consumed,
  campaignIds: ReadonlySet<number>, couponIds: ReadonlySet<number>, referral: boolean): Promise<Consumed> {
  const mine = (c: { key: CounterKey }) => campaignIds.has(c.key.campaignId) && REEVALUATED_ACTIONS.has(c.key.action);
  const released: Consumed = {
    coupons: (consumed.coupons ?? []).filter((c) => couponIds.has(c.id)),
    counters: (consumed.counters ?? []).filter(mine),
    ...(referral && consumed.referral ? { referral: consumed.referral } : {}),
  };
  await releaseAll(sql, at.applicationId, at.sessionId, at.sessionIntegrationId, released);
  return {
    coupons: (consumed.coupons ?? []).filter((c) => !couponIds.has(c.id)),
    counters: (consumed.counters ?? []).filter((c) => !mine(c)),
    ...(!referral && consumed.referral ? { referral: consumed.referral } : {}),
  };
}

/** Two records of what a session holds, as one (amounts of the same counter or coupon added up). */
export function mergeConsumed(a: Consumed, b: Consumed): Consumed {
  const counters = new Map<string, { key: CounterKey; amount: Decimal }>();
  for (const c of [...(a.counters ?? []), ...(b.counters ?? [])]) {
    const id = counterId(c.key);
    counters.set(id, { key: c.key, amount: (counters.get(id)?.amount ?? ZERO).plus(dec(c.amount)) });
  }
  const coupons = new Map<number, Decimal>();
  for (const c of [...(a.coupons ?? []), ...(b.coupons ?? [])]) coupons.set(c.id, (coupons.get(c.id) ?? ZERO).plus(dec(c.discount)));
  const referral = b.referral ?? a.referral;
  return {
    coupons: [...coupons].map(([id, d]) => ({ id, discount: d.toString() })),
    counters: [...counters.values()].map((c) => ({ key: c.key, amount: c.amount.toString() })),
    ...(referral ? { referral } : {}),
  };
}
