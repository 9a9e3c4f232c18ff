/**
 * deleteReferral. The code disappears (it can no longer be redeemed or listed); the friends it
 * already referred stay in the referees table, so getApplicationCustomerFriends keeps its history.
 */
import { notFound } from '../../domain/errors.js';
import { deleteReferralById } from '../../store/repos/referrals.js';
import type { ServiceContext } from '../context.js';
import { pathCampaign } from './common.js';

export async function deleteReferral(ctx: ServiceContext, applicationId: number, campaignId: number, referralId: number): Promise<void> {
  await ctx.db.transaction(async (sql) => {
    await pathCampaign(ctx, sql, applicationId, campaignId);
    if (!(await deleteReferralById(sql, applicationId, campaignId, referralId))) throw notFound('Referral');
  });
}
