/** What the coupon use cases share: loading the campaign, checking constraints, the listing filters. */
import { randomInt } from 'node:crypto';
import type { Application } from '../../domain/application.js';
import { frontendState, type Campaign, type LimitConfig } from '../../domain/campaign.js';
import { invalidField, invalidParameter, notFound, Title } from '../../domain/errors.js';
import type { Sql } from '../../store/db.js';
import { getCampaign, listCampaigns } from '../../store/repos/campaigns.js';
import type { CouponQuery } from '../../store/repos/coupons.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';

export async function loadCampaignOf(ctx: ServiceContext, sql: Sql, applicationId: number, campaignId: number): Promise<{ app: Application; campaign: Campaign }> {
  const app = await loadApplication(ctx, sql, applicationId);
  const campaign = await getCampaign(sql, applicationId, campaignId);
  if (!campaign) throw notFound('Campaign');
  return { app, campaign };
}

/**
 * Coupons are created (generated or imported) only in campaigns with the `coupons` feature — the
 * feature coupon rules and budgets need (docs/coupons.md); listing, updating and deleting work in any campaign.
 */
export function requireCouponFeature(campaign: Campaign): void {
  if (!campaign.features.includes('coupons')) {
    throw invalidParameter('campaignId', Title.invalidCampaign, `Campaign ${campaign.id} does not have the coupons feature`);
  }
}

/** RFC 3339 with any offset → the UTC form every coupon date is stored in (so text order is time order). */
export const utc = (s: string) => new Date(s).toISOString();

/** `startDate` must come before `expiryDate` when both are set. */
export function checkDates(startDate: string | undefined | null, expiryDate: string | undefined | null, pointer = '/expiryDate'): void {
  if (startDate && expiryDate && Date.parse(expiryDate) <= Date.parse(startDate)) {
    throw invalidField(pointer, Title.invalidValue, 'expiryDate must be after startDate');
  }
}

/** Per-coupon limits override per-profile campaign limits only (docs/coupons.md): every entry must bucket by Profile. */
export function checkCouponLimits(limits: readonly LimitConfig[] | undefined): void {
  limits?.forEach((l, i) => {
    if (!l.entities.includes('Profile')) throw invalidField(`/limits/${i}/entities`, Title.invalidValue, 'Coupon limits must be per-profile limits (entities must contain "Profile")');
  });
}

/** Batch ids name one create or import call: ten random lower-case characters. */
export function newBatchId(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz';
  let s = '';
  for (let i = 0; i < 10; i++) s += chars[randomInt(chars.length)];
  return s;
}

/** The listing filters as they arrive on the wire (query strings). */
export interface CouponFilterInput {
  value?: string; exactMatch?: boolean;
  createdBefore?: string; createdAfter?: string; startsBefore?: string; startsAfter?: string; expiresBefore?: string; expiresAfter?: string;
  valid?: 'expired' | 'validNow' | 'validFuture'; usable?: 'true' | 'false'; redeemed?: 'true' | 'false';
  recipientIntegrationId?: string; batchId?: string; referralId?: number;
  campaignState?: string;
}

/**
 * Wire filters → a store query. `campaignId` limits it to one campaign; `campaignState`
 * (application-wide search and export) to the campaigns in that derived state.
 */
export async function couponQuery(ctx: ServiceContext, sql: Sql, applicationId: number, f: CouponFilterInput, campaignId?: number): Promise<CouponQuery> {
  if (f.usable !== undefined && f.redeemed !== undefined) throw invalidParameter('redeemed', Title.invalidValue, 'redeemed cannot be combined with usable');
  const q: CouponQuery = { applicationId, now: ctx.now().toISOString() };
  if (campaignId !== undefined) q.campaignIds = [campaignId];
  if (f.campaignState !== undefined) {
    const now = ctx.now();
    const ids = (await listCampaigns(sql, applicationId))
      .filter((c) => (f.campaignState === 'enabled' ? c.state === 'enabled' : frontendState(c, now) === f.campaignState))
      .map((c) => c.id);
    q.campaignIds = q.campaignIds ? q.campaignIds.filter((id) => ids.includes(id)) : ids;
  }
  if (f.value !== undefined) q.value = f.value;
  if (f.exactMatch) q.exactMatch = true;
  for (const k of ['createdBefore', 'createdAfter', 'startsBefore', 'startsAfter', 'expiresBefore', 'expiresAfter'] as const) {
    if (f[k] !== undefined) q[k] = utc(f[k]);
  }
  if (f.valid !== undefined) q.valid = f.valid;
  if (f.usable !== undefined) q.usable = f.usable === 'true';
  if (f.redeemed !== undefined) q.redeemed = f.redeemed === 'true';
  if (f.recipientIntegrationId !== undefined) q.recipientIntegrationId = f.recipientIntegrationId;
  if (f.batchId !== undefined) q.batchId = f.batchId;
  if (f.referralId !== undefined) q.referralId = f.referralId;
  return q;
}
