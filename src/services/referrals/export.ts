/**
 * exportReferrals: the Application's referrals matching the filters, read in keyset pages by id
 * (each page its own short transaction), so an export never holds all rows in memory nor a
 * transaction open while the client reads slowly.
 */
import type { Referral } from '../../domain/coupon.js';
import { scanReferrals, type ReferralQuery } from '../../store/repos/referrals.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { utc } from './common.js';

export interface ReferralExportFilter {
  campaignId?: number;
  createdBefore?: string;
  createdAfter?: string;
  valid?: 'expired' | 'validNow' | 'validFuture';
  usable?: boolean;
  batchId?: string;
}

const EXPORT_PAGE = 1000;

/** Checks the Application first (404 before any byte is sent), then yields pages lazily. */
export async function exportReferrals(ctx: ServiceContext, applicationId: number, f: ReferralExportFilter, page = EXPORT_PAGE): Promise<AsyncIterable<Referral[]>> {
  await ctx.db.transaction((sql) => loadApplication(ctx, sql, applicationId));
  const q: ReferralQuery = {
    applicationId, liveCampaigns: true,
    ...(f.campaignId !== undefined ? { campaignId: f.campaignId } : {}),
    ...(f.createdBefore !== undefined ? { createdBefore: utc(f.createdBefore) } : {}),
    ...(f.createdAfter !== undefined ? { createdAfter: utc(f.createdAfter) } : {}),
    ...(f.valid !== undefined ? { valid: f.valid, now: ctx.now().toISOString() } : {}),
    ...(f.usable !== undefined ? { usable: f.usable } : {}),
    ...(f.batchId !== undefined ? { batchId: f.batchId } : {}),
  };
  return (async function* pages() {
    let after: number | undefined;
    for (;;) {
      const rows = await ctx.db.transaction((sql) => scanReferrals(sql, q, after, page));
      if (rows.length > 0) yield rows;
      if (rows.length < page) return;
      after = rows[rows.length - 1].id;
    }
  })();
}
