/** Delete a custom effect; refused (400) while an active ruleset calls it. */
import { ACCOUNT_ID } from '../../domain/application.js';
import { badRequest, notFound, Title } from '../../domain/errors.js';
import { deleteCustomEffect, getCustomEffect } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import type { ServiceContext } from '../context.js';
import { campaignsUsing } from './usage.js';

export async function removeCustomEffect(ctx: ServiceContext, id: number): Promise<void> {
  await ctx.db.transaction(async (sql) => {
    const current = await getCustomEffect(sql, ACCOUNT_ID, id);
    if (!current) throw notFound('Custom effect');
    const using = await campaignsUsing(sql, current.name);
    if (using.length > 0) {
      const details = `Custom effect ${JSON.stringify(current.name)} is called by the active rulesets of campaign(s) ${using.map((u) => u.campaignId).join(', ')}`;
      throw badRequest(details, [{ title: Title.inUse, details, source: { resource: `custom_effects/${id}` } }]);
    }
    await deleteCustomEffect(sql, ACCOUNT_ID, id);
    await bumpConfigVersion(sql, 'account');
  });
}
