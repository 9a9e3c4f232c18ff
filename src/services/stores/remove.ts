/**
 * deleteStore. Refused (400) while campaigns link the store: silently unlinking it would turn a
 * campaign limited to that store into one that runs for every store.
 */
import { badRequest, notFound, Title } from '../../domain/errors.js';
import { deleteStore, getStore, listCampaigns } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { appScope } from '../applications/load.js';
import type { ServiceContext } from '../context.js';

export async function removeStore(ctx: ServiceContext, applicationId: number, id: number): Promise<void> {
  await ctx.db.transaction(async (sql) => {
    if (!(await getStore(sql, applicationId, id))) throw notFound('Store');
    const linked = (await listCampaigns(sql, applicationId)).filter((c) => c.linkedStoreIds?.includes(id)).map((c) => c.id);
    if (linked.length > 0) {
      const details = `Store ${id} is linked to campaign(s) ${linked.join(', ')}; remove it from their linkedStoreIds first`;
      throw badRequest(details, [{ title: Title.inUse, details, source: { resource: `campaigns/${linked[0]}` } }]);
    }
    await deleteStore(sql, applicationId, id);
    await bumpConfigVersion(sql, appScope(applicationId));
  });
}
