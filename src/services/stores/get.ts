/** getStore: one store of the Application (another Application's store is not found). */
import { notFound } from '../../domain/errors.js';
import { getStore } from '../../store/repos/campaigns.js';
import type { ServiceContext } from '../context.js';
import { linkedViews, type StoreView } from './linked.js';

export async function getStoreById(ctx: ServiceContext, applicationId: number, id: number): Promise<StoreView> {
  const view = await ctx.db.transaction(async (sql) => {
    const s = await getStore(sql, applicationId, id);
    return s && (await linkedViews(sql, applicationId, [s]))[0];
  });
  if (!view) throw notFound('Store');
  return view;
}
