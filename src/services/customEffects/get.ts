/** One custom effect of the account. */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { CustomEffect } from '../../domain/campaign.js';
import { notFound } from '../../domain/errors.js';
import { getCustomEffect } from '../../store/repos/campaigns.js';
import type { ServiceContext } from '../context.js';

export async function getCustomEffectById(ctx: ServiceContext, id: number): Promise<CustomEffect> {
  const e = await ctx.db.transaction((sql) => getCustomEffect(sql, ACCOUNT_ID, id));
  if (!e) throw notFound('Custom effect');
  return e;
}
