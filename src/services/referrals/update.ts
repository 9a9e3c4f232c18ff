/**
 * updateReferral (PUT, UpdateReferral). Fields left out keep their value; `null` clears an optional
 * one (startDate, expiryDate, friendProfileIntegrationId). `attributes`, when sent, replaces the map.
 * The code, advocate and counter never change here.
 */
import type { Referral } from '../../domain/coupon.js';
import { notFound } from '../../domain/errors.js';
import { referralById, saveReferral } from '../../store/repos/referrals.js';
import { loadDefinitions } from '../definitions/load.js';
import { checkAttributes } from '../definitions/validate.js';
import type { ServiceContext } from '../context.js';
import { checkDates, checkFriend, pathCampaign, utc } from './common.js';

export interface UpdateReferralInput {
  friendProfileIntegrationId?: string | null;
  startDate?: string | null;
  expiryDate?: string | null;
  usageLimit?: number;
  attributes?: Record<string, unknown>;
}

function apply<K extends 'friendProfileIntegrationId' | 'startDate' | 'expiryDate'>(r: Referral, key: K, v: string | null | undefined, map: (s: string) => string = (s) => s): void {
  if (v === undefined) return;
  if (v === null) delete r[key];
  else r[key] = map(v);
}

export function updateReferral(ctx: ServiceContext, applicationId: number, campaignId: number, referralId: number, input: UpdateReferralInput): Promise<Referral> {
  return ctx.db.transaction(async (sql) => {
    await pathCampaign(ctx, sql, applicationId, campaignId);
    const current = await referralById(sql, applicationId, campaignId, referralId);
    if (!current) throw notFound('Referral');
    checkAttributes(await loadDefinitions(ctx, sql), 'Referral', input.attributes, '/attributes');
    const next: Referral = { ...current };
    apply(next, 'friendProfileIntegrationId', input.friendProfileIntegrationId);
    apply(next, 'startDate', input.startDate, utc);
    apply(next, 'expiryDate', input.expiryDate, utc);
    if (input.usageLimit !== undefined) next.usageLimit = input.usageLimit;
    if (input.attributes !== undefined) next.attributes = input.attributes;
    checkDates(next.startDate, next.expiryDate);
    checkFriend(next.advocateProfileIntegrationId, next.friendProfileIntegrationId);
    return saveReferral(sql, next);
  });
}
