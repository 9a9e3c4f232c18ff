/** Create a custom effect (our extension, docs/custom-effects.md). Names are unique per account (409). */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { CustomEffect } from '../../domain/campaign.js';
import { conflict } from '../../domain/errors.js';
import { insertCustomEffect, listCustomEffects } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import type { ServiceContext } from '../context.js';
import { validateCustomEffect, type CustomEffectInput } from './validate.js';

const USER_ID = 1;

export function createCustomEffect(ctx: ServiceContext, input: CustomEffectInput): Promise<CustomEffect> {
  return ctx.db.transaction(async (sql) => {
    const settings = await validateCustomEffect(sql, input);
    if ((await listCustomEffects(sql, ACCOUNT_ID)).some((e) => e.name === settings.name)) {
      throw conflict(`A custom effect named ${JSON.stringify(settings.name)} already exists`);
    }
    const now = ctx.now().toISOString();
    const e = await insertCustomEffect(sql, { ...settings, accountId: ACCOUNT_ID, created: now, modified: now, createdBy: USER_ID } as Omit<CustomEffect, 'id'>);
    await bumpConfigVersion(sql, 'account');
    return e;
  });
}
