/**
 * Campaign limits as counter buckets (docs/sessions.md, "Limits are exact under concurrency"): for one
 * session, which counters each LimitConfig of the running campaigns (and each coupon's own limits) maps to, and
 * how much room each has. The engine decides with the rooms; the close commits the usage it
 * reports to exactly these counters, and a cancel or reopen releases what was committed.
 */
import type { Campaign, LimitConfig } from '../../domain/campaign.js';
import { periodStart } from '../../domain/period.js';
import type { Coupon, Referral } from '../../domain/coupon.js';
import { dec, type Decimal } from '../../domain/money.js';
import type { CustomerSession } from '../../domain/session.js';
import type { BudgetRemaining, BudgetUsage, LimitAction, LimitEntity } from '../../engine/index.js';
import type { Sql } from '../../store/db.js';
import { counterId, readCounters, type CounterKey } from '../../store/repos/counters.js';

export interface LimitBucket {
  budget: BudgetRemaining;
  /** null when the session lacks the entity the bucket is keyed by (e.g. anonymous + Profile): checked, never stored */
  key: CounterKey | null;
}

/** What buckets are keyed by; an event has neither session id nor identifiers (those buckets are then unkeyed). */
type LimitKeys = Pick<CustomerSession, 'integrationId' | 'profileId' | 'storeIntegrationId' | 'identifiers'>;

interface Subject { session: LimitKeys; coupons: Coupon[]; referral: Referral | null }

/** The compound bucket values of one limit for this session: one per identifier, per code… */
function bucketValues(entities: readonly string[], s: Subject, campaignId: number, only?: { couponId?: number }): { bucket: string | null; couponId?: number; referralId?: number }[] {
  let out: { parts: string[]; missing: boolean; couponId?: number; referralId?: number }[] = [{ parts: [], missing: false }];
  for (const entity of [...entities].sort()) {
    const next: typeof out = [];
    for (const o of out) {
      const add = (value: string | undefined, extra: { couponId?: number; referralId?: number } = {}) =>
        next.push({ ...o, ...extra, parts: [...o.parts, `${entity}=${value ?? ''}`], missing: o.missing || value === undefined || value === '' });
      switch (entity) {
        case 'Profile': add(s.session.profileId); break;
        case 'Store': add(s.session.storeIntegrationId); break;
        case 'Session': add(s.session.integrationId); break;
        case 'Identifier':
          if (s.session.identifiers.length === 0) add(undefined);
          for (const id of s.session.identifiers) add(id);
          break;
        case 'Coupon':
          for (const c of s.coupons) if (c.campaignId === campaignId && (!only?.couponId || only.couponId === c.id)) add(String(c.id), { couponId: c.id });
          break;
        case 'Referral':
          if (s.referral && s.referral.campaignId === campaignId) add(String(s.referral.id), { referralId: s.referral.id });
          break;
        default: add(undefined);
      }
    }
    out = next;
  }
  return out.map((o) => ({ bucket: o.missing ? null : o.parts.join('|'), ...(o.couponId !== undefined ? { couponId: o.couponId } : {}), ...(o.referralId !== undefined ? { referralId: o.referralId } : {}) }));
}

/**
 * Every bucket that applies to this session, with its room (limit − committed counter). Counters
 * of the actions `lock` selects are created if missing and locked in one global order, so that
 * the request decides and commits against counters nobody else can move meanwhile.
 */
export async function loadLimitBuckets(sql: Sql, campaigns: readonly Campaign[], s: Subject, now: Date, timezone: string, lock: (action: string) => boolean): Promise<LimitBucket[]> {
  const pending: { budget: Omit<BudgetRemaining, 'remaining'>; limit: Decimal; key: CounterKey | null }[] = [];
  const addLimit = (campaignId: number, l: LimitConfig, only?: { couponId: number }) => {
    const entities = only && !l.entities.includes('Coupon') ? [...l.entities, 'Coupon'] : l.entities;
    for (const v of bucketValues(entities, s, campaignId, only)) {
      const budget: Omit<BudgetRemaining, 'remaining'> = { campaignId, action: l.action as LimitAction, entities: entities as LimitEntity[] };
      if (v.couponId !== undefined) budget.couponId = v.couponId;
      if (v.referralId !== undefined) budget.referralId = v.referralId;
      const key = v.bucket === null ? null : { campaignId, action: l.action, bucket: v.bucket, periodStart: periodStart(l.period, now, timezone) };
      pending.push({ budget, limit: dec(l.limit), key });
    }
  };
  for (const c of campaigns) for (const l of c.limits ?? []) addLimit(c.id, l);
  for (const coupon of s.coupons) for (const l of (coupon.limits ?? []) as LimitConfig[]) addLimit(coupon.campaignId, l, { couponId: coupon.id });

  const keys = pending.flatMap((p) => (p.key ? [p.key] : []));
  const counters = new Map([
    ...await readCounters(sql, keys.filter((k) => lock(k.action)), true),
    ...await readCounters(sql, keys.filter((k) => !lock(k.action)), false),
  ]);
  return pending.map((p) => ({
    budget: { ...p.budget, remaining: p.limit.minus(p.key ? counters.get(counterId(p.key)) ?? dec(0) : dec(0)) },
    key: p.key,
  }));
}

/** The stored counters a usage reported by the engine is booked on (the same matching the engine used). */
export function bucketsOf(buckets: readonly LimitBucket[], u: BudgetUsage): CounterKey[] {
  return buckets.filter((b) => b.key !== null && b.budget.campaignId === u.campaignId && b.budget.action === u.action
    && (b.budget.couponId === undefined || b.budget.couponId === u.couponId)
    && (b.budget.referralId === undefined || b.budget.referralId === u.referralId)).map((b) => b.key!);
}
