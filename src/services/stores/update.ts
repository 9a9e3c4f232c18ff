/**
 * updateStore: replaces name and description (and attributes when given). 25.17 sends NewStore as the
 * body, so an integrationId is accepted but must not change (it is immutable).
 */
import { invalidField, notFound, Title } from '../../domain/errors.js';
import { getStore, saveStore } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { appScope } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { loadDefinitions } from '../definitions/load.js';
import { checkAttributes } from '../definitions/validate.js';
import { linkedViews, type StoreInput, type StoreView } from './linked.js';

export function updateStore(ctx: ServiceContext, applicationId: number, id: number, input: StoreInput): Promise<StoreView> {
  return ctx.db.transaction(async (sql) => {
    const current = await getStore(sql, applicationId, id);
    if (!current) throw notFound('Store');
    if (input.integrationId !== undefined && input.integrationId !== current.integrationId) {
      throw invalidField('/integrationId', Title.immutable, 'The integrationId of a store cannot be changed');
    }
    checkAttributes(await loadDefinitions(ctx, sql), 'Store', input.attributes, '/attributes');
    const saved = await saveStore(sql, {
      ...current, name: input.name, description: input.description, ...(input.attributes !== undefined ? { attributes: input.attributes } : {}),
    }, ctx.now().toISOString());
    if (!saved) throw notFound('Store');
    await bumpConfigVersion(sql, appScope(applicationId));
    return (await linkedViews(sql, applicationId, [saved]))[0];
  });
}
