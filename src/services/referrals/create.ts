/**
 * Integration API: referral codes for one advocate (createReferral) or many
 * (createReferralsForMultipleAdvocates). Both ignore referral limits (budgets), as documented
 * by Talon.One, and neither creates or requires the advocate's customer profile (docs/referrals.md).
 */
import { randomInt } from 'node:crypto';
import type { Referral } from '../../domain/coupon.js';
import { loadDefinitions } from '../definitions/load.js';
import { checkAttributes } from '../definitions/validate.js';
import type { ServiceContext } from '../context.js';
import { codeSpec, insertGenerated } from './codes.js';
import { bodyCampaign, checkDates, checkFriend, newBatchId, utcOpt } from './common.js';

export interface NewReferralInput {
  campaignId: number;
  advocateProfileIntegrationId: string;
  friendProfileIntegrationId?: string;
  startDate?: string;
  expiryDate?: string;
  usageLimit?: number;
  attributes?: Record<string, unknown>;
}

/** NewReferral leaves usageLimit optional; we default it to 1, as importReferrals does for `limitval`. */
const DEFAULT_USAGE_LIMIT = 1;

export function createReferral(ctx: ServiceContext, applicationId: number, input: NewReferralInput): Promise<Referral> {
  return ctx.db.transaction(async (sql) => {
    const { app, campaign } = await bodyCampaign(ctx, sql, applicationId, input.campaignId);
    checkDates(input.startDate, input.expiryDate);
    checkFriend(input.advocateProfileIntegrationId, input.friendProfileIntegrationId);
    checkAttributes(await loadDefinitions(ctx, sql), 'Referral', input.attributes, '/attributes');
    const spec = codeSpec(app, campaign);
    const [referral] = await insertGenerated(sql, spec, [{
      applicationId, campaignId: campaign.id, created: ctx.now().toISOString(),
      usageLimit: input.usageLimit ?? DEFAULT_USAGE_LIMIT,
      startDate: utcOpt(input.startDate), expiryDate: utcOpt(input.expiryDate),
      advocateProfileIntegrationId: input.advocateProfileIntegrationId,
      friendProfileIntegrationId: input.friendProfileIntegrationId,
      attributes: input.attributes ?? {},
    }]);
    return referral;
  });
}

export interface NewReferralsForMultipleAdvocatesInput {
  campaignId: number;
  advocateProfileIntegrationIds: string[];
  usageLimit: number;
  startDate?: string;
  expiryDate?: string;
  attributes?: Record<string, unknown>;
  validCharacters?: string[];
  referralPattern?: string;
}

/** One code per entry of `advocateProfileIntegrationIds` (in that order), all in one batch. */
export function createReferralsForMultipleAdvocates(ctx: ServiceContext, applicationId: number, input: NewReferralsForMultipleAdvocatesInput): Promise<Referral[]> {
  return ctx.db.transaction(async (sql) => {
    const { app, campaign } = await bodyCampaign(ctx, sql, applicationId, input.campaignId);
    checkDates(input.startDate, input.expiryDate);
    checkAttributes(await loadDefinitions(ctx, sql), 'Referral', input.attributes, '/attributes');
    const spec = codeSpec(app, campaign, {
      ...(input.referralPattern !== undefined ? { pattern: input.referralPattern } : {}),
      ...(input.validCharacters !== undefined ? { validCharacters: input.validCharacters } : {}),
    });
    const created = ctx.now().toISOString();
    const batchId = newBatchId(randomInt);
    const startDate = utcOpt(input.startDate);
    const expiryDate = utcOpt(input.expiryDate);
    return insertGenerated(sql, spec, input.advocateProfileIntegrationIds.map((advocate) => ({
      applicationId, campaignId: campaign.id, created, usageLimit: input.usageLimit, startDate, expiryDate,
      advocateProfileIntegrationId: advocate, attributes: input.attributes ?? {}, batchId,
    })));
  });
}
