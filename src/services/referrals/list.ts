/**
 * getReferralsWithoutTotalCount: one page of a campaign's referrals with `hasMore`. Every filter
 * but `code` is SQL; `code` folds case and drops non-alphanumerics on both sides (as Talon.One
 * documents) and matches a substring, so it is applied while scanning in id order.
 */
import type { Referral } from '../../domain/coupon.js';
import { invalidParameter, Title } from '../../domain/errors.js';
import { pageReferrals, scanReferrals, type ReferralQuery } from '../../store/repos/referrals.js';
import type { ServiceContext } from '../context.js';
import { pathCampaign, utc } from './common.js';

export interface ReferralListFilter {
  code?: string;
  createdBefore?: string;
  createdAfter?: string;
  valid?: 'expired' | 'validNow' | 'validFuture';
  usable?: boolean;
  advocate?: string;
  skip: number;
  pageSize: number;
  sort?: string;
}

/** Codes compare case-insensitively with every non-alphanumeric character folded away. */
const foldCode = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** `id`/`created` (one order: ids grow with creation), optionally prefixed by `-`. */
export function parseSort(sort: string | undefined): boolean {
  if (sort === undefined || sort === '') return false;
  const field = sort.replace(/^-/, '');
  if (field !== 'id' && field !== 'created') throw invalidParameter('sort', Title.invalidValue, `Cannot sort by ${JSON.stringify(sort)}: use id, created, -id or -created`);
  return sort.startsWith('-');
}

const SCAN_CHUNK = 1000;

export async function listReferrals(ctx: ServiceContext, applicationId: number, campaignId: number, f: ReferralListFilter): Promise<{ hasMore: boolean; data: Referral[] }> {
  const descending = parseSort(f.sort);
  return ctx.db.transaction(async (sql) => {
    await pathCampaign(ctx, sql, applicationId, campaignId);
    const q: ReferralQuery = {
      applicationId, campaignId,
      ...(f.createdBefore !== undefined ? { createdBefore: utc(f.createdBefore) } : {}),
      ...(f.createdAfter !== undefined ? { createdAfter: utc(f.createdAfter) } : {}),
      ...(f.valid !== undefined ? { valid: f.valid, now: ctx.now().toISOString() } : {}),
      ...(f.usable !== undefined ? { usable: f.usable } : {}),
      ...(f.advocate !== undefined ? { advocate: f.advocate } : {}),
    };
    const want = f.skip + f.pageSize + 1;
    let rows: Referral[];
    const needle = f.code === undefined ? '' : foldCode(f.code);
    if (needle === '') {
      rows = await pageReferrals(sql, q, f.skip, f.pageSize + 1, descending);
    } else {
      const matched: Referral[] = [];
      let after: number | undefined;
      for (;;) {
        const chunk = await scanReferrals(sql, q, after, SCAN_CHUNK, descending);
        for (const r of chunk) if (foldCode(r.code).includes(needle)) matched.push(r);
        if (chunk.length < SCAN_CHUNK || matched.length >= want) break;
        after = chunk[chunk.length - 1].id;
      }
      rows = matched.slice(f.skip, want);
    }
    return { hasMore: rows.length > f.pageSize, data: rows.slice(0, f.pageSize) };
  });
}
