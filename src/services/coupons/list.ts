/**
 * getCouponsWithoutTotalCount and the two searchCouponsAdvanced…WithoutTotalCount: `{hasMore, data}`; getCoupons:
 * `{totalResultSize, data}` over the same filters (docs/coupons.md).
 */
import type { Coupon } from '../../domain/coupon.js';
import { invalidParameter, Title } from '../../domain/errors.js';
import { COUPON_SORT, countCoupons, findCoupons } from '../../store/repos/coupons.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { couponQuery, loadCampaignOf, type CouponFilterInput } from './common.js';

export interface CouponPageRequest { skip: number; pageSize: number; sort?: string }

function checkSort(sort: string | undefined): void {
  if (sort !== undefined && !(sort.replace(/^-/, '') in COUPON_SORT)) {
    throw invalidParameter('sort', Title.invalidValue, `Coupons can be sorted by ${Object.keys(COUPON_SORT).join(', ')} (prefix "-" for descending)`);
  }
}

/**
 * One page of the coupons matching the filters (and, for the search endpoints, the attribute
 * query), without a total: one row more than the page tells whether there is more.
 */
export function listCoupons(ctx: ServiceContext, applicationId: number, campaignId: number | undefined, f: CouponFilterInput,
  page: CouponPageRequest, attributes?: Record<string, unknown>): Promise<{ hasMore: boolean; data: Coupon[] }> {
  return couponPage(ctx, applicationId, campaignId, f, page, attributes, false);
}

/** getCoupons: one page of a campaign's matching coupons and how many match in all, read in one transaction. */
export async function listCouponsWithTotal(ctx: ServiceContext, applicationId: number, campaignId: number, f: CouponFilterInput,
  page: CouponPageRequest): Promise<{ totalResultSize: number; data: Coupon[] }> {
  const r = await couponPage(ctx, applicationId, campaignId, f, page, undefined, true);
  return { totalResultSize: r.total ?? 0, data: r.data };
}

async function couponPage(ctx: ServiceContext, applicationId: number, campaignId: number | undefined, f: CouponFilterInput,
  page: CouponPageRequest, attributes: Record<string, unknown> | undefined, withTotal: boolean): Promise<{ hasMore: boolean; data: Coupon[]; total?: number }> {
  checkSort(page.sort);
  return ctx.db.transaction(async (sql) => {
    if (campaignId !== undefined) await loadCampaignOf(ctx, sql, applicationId, campaignId);
    else await loadApplication(ctx, sql, applicationId);
    const q = await couponQuery(ctx, sql, applicationId, f, campaignId);
    if (attributes) q.attributes = attributes;
    const rows = await findCoupons(sql, q, { skip: page.skip, limit: page.pageSize + 1, ...(page.sort ? { sort: page.sort } : {}) });
    const out = { hasMore: rows.length > page.pageSize, data: rows.slice(0, page.pageSize) };
    return withTotal ? { ...out, total: await countCoupons(sql, q) } : out;
  });
}
