/** The account's custom effects by id, paged; optionally only those of one Application. */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { CustomEffect } from '../../domain/campaign.js';
import { listCustomEffects } from '../../store/repos/campaigns.js';
import type { ServiceContext } from '../context.js';

export async function listAccountCustomEffects(ctx: ServiceContext, f: { applicationId?: number; skip: number; limit: number }): Promise<{ total: number; data: CustomEffect[] }> {
  const all = await ctx.db.transaction((sql) => listCustomEffects(sql, ACCOUNT_ID));
  const matched = f.applicationId === undefined ? all : all.filter((e) => e.applicationIds.includes(f.applicationId!));
  return { total: matched.length, data: matched.slice(f.skip, f.skip + f.limit) };
}
