/** What the referral use cases share: finding the campaign a request names, dates, checks. */
import type { Application } from '../../domain/application.js';
import type { Campaign } from '../../domain/campaign.js';
import { invalidField, notFound, Title } from '../../domain/errors.js';
import type { Sql } from '../../store/db.js';
import { getCampaign } from '../../store/repos/campaigns.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';

/** Every date is stored as `toISOString()` (UTC, fixed width) so text order in SQL is time order. */
export const utc = (s: string): string => new Date(s).toISOString();
export const utcOpt = (s: string | undefined | null): string | undefined => (s === undefined || s === null ? undefined : utc(s));

/**
 * The campaign a management path names: 404 when it does not exist in this Application (or was
 * deleted), so one Application's referrals are never reachable through another's path.
 */
export async function pathCampaign(ctx: ServiceContext, sql: Sql, applicationId: number, campaignId: number): Promise<{ app: Application; campaign: Campaign }> {
  const app = await loadApplication(ctx, sql, applicationId);
  const campaign = await getCampaign(sql, applicationId, campaignId);
  if (!campaign) throw notFound('Campaign');
  return { app, campaign };
}

/**
 * The campaign a request body names (`campaignId`): a 400 naming the field when it is not a campaign
 * of this Application or has no `referrals` feature (Talon.One only issues referral codes for
 * referral campaigns).
 */
export async function bodyCampaign(ctx: ServiceContext, sql: Sql, applicationId: number, campaignId: number, pointer = '/campaignId'): Promise<{ app: Application; campaign: Campaign }> {
  const app = await loadApplication(ctx, sql, applicationId);
  const campaign = await getCampaign(sql, applicationId, campaignId);
  if (!campaign) throw invalidField(pointer, Title.unknown, `Campaign ${campaignId} does not exist in this Application`);
  requireReferralFeature(campaign, pointer);
  return { app, campaign };
}

export function requireReferralFeature(campaign: Campaign, pointer: string): void {
  if (!campaign.features.includes('referrals')) {
    throw invalidField(pointer, Title.invalidCampaign, `Campaign ${campaign.id} does not have the referrals feature`);
  }
}

/** startDate must come before expiryDate when both are set. */
export function checkDates(startDate: string | undefined, expiryDate: string | undefined, pointer = '/expiryDate'): void {
  if (startDate !== undefined && expiryDate !== undefined && Date.parse(expiryDate) <= Date.parse(startDate)) {
    throw invalidField(pointer, Title.invalidValue, 'expiryDate must be after startDate');
  }
}

/** A code can never be used by its own advocate, so a pre-assigned friend must be someone else. */
export function checkFriend(advocate: string, friend: string | undefined, pointer = '/friendProfileIntegrationId'): void {
  if (friend !== undefined && friend === advocate) {
    throw invalidField(pointer, Title.invalidValue, 'friendProfileIntegrationId must differ from the advocate');
  }
}

/** Batch ids look like Talon.One's: eight lowercase letters. */
export function newBatchId(random: (n: number) => number): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += String.fromCharCode(97 + random(26));
  return s;
}
