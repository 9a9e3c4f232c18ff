/** createStore: a new store of the Application; its integrationId is unique per Application (409). */
import { conflict } from '../../domain/errors.js';
import { findStoreByIntegrationId, insertStore } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { appScope, loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { loadDefinitions } from '../definitions/load.js';
import { checkAttributes } from '../definitions/validate.js';
import type { StoreInput, StoreView } from './linked.js';

export function createStore(ctx: ServiceContext, applicationId: number, input: StoreInput & { integrationId: string }): Promise<StoreView> {
  return ctx.db.transaction(async (sql) => {
    await loadApplication(ctx, sql, applicationId);
    checkAttributes(await loadDefinitions(ctx, sql), 'Store', input.attributes, '/attributes');
    if (await findStoreByIntegrationId(sql, applicationId, input.integrationId)) {
      throw conflict(`A store with integration ID ${JSON.stringify(input.integrationId)} already exists in this Application`);
    }
    const store = await insertStore(sql, {
      applicationId, name: input.name, description: input.description, integrationId: input.integrationId, attributes: input.attributes ?? {},
    }, ctx.now().toISOString());
    await bumpConfigVersion(sql, appScope(applicationId));
    return { ...store, linkedCampaignIds: [] };
  });
}
