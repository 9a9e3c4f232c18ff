/**
 * PUT: UpdateCustomEffect (= NewCustomEffect) replaces the definition. A rename is refused while an
 * active ruleset calls the effect by its current name, and so is removing an Application whose active
 * rulesets call it (the rule would fail at every checkout).
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { CustomEffect } from '../../domain/campaign.js';
import { conflict, invalidField, notFound, Title } from '../../domain/errors.js';
import { getCustomEffect, listCustomEffects, saveCustomEffect } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import type { ServiceContext } from '../context.js';
import { campaignsUsing } from './usage.js';
import { validateCustomEffect, type CustomEffectInput } from './validate.js';

const USER_ID = 1;

export function updateCustomEffect(ctx: ServiceContext, id: number, input: CustomEffectInput): Promise<CustomEffect> {
  return ctx.db.transaction(async (sql) => {
    const current = await getCustomEffect(sql, ACCOUNT_ID, id);
    if (!current) throw notFound('Custom effect');
    const settings = await validateCustomEffect(sql, input);
    if (settings.name !== current.name) {
      if ((await listCustomEffects(sql, ACCOUNT_ID)).some((e) => e.name === settings.name && e.id !== id)) {
        throw conflict(`A custom effect named ${JSON.stringify(settings.name)} already exists`);
      }
    }
    const using = await campaignsUsing(sql, current.name);
    if (settings.name !== current.name && using.length > 0) {
      throw invalidField('/name', Title.inUse, `Custom effect ${JSON.stringify(current.name)} is called by the active rulesets of campaign(s) ${using.map((u) => u.campaignId).join(', ')}; it cannot be renamed`);
    }
    const dropped = using.filter((u) => !settings.applicationIds.includes(u.applicationId));
    if (dropped.length > 0) {
      throw invalidField('/applicationIds', Title.inUse, `Campaign ${dropped[0].campaignId} of Application ${dropped[0].applicationId} calls this custom effect; keep that Application in applicationIds`);
    }
    const { isPerItem: _i, ...kept } = current;
    const saved = { ...kept, ...settings, modified: ctx.now().toISOString(), modifiedBy: USER_ID } as CustomEffect;
    await saveCustomEffect(sql, saved);
    await bumpConfigVersion(sql, 'account');
    return saved;
  });
}
