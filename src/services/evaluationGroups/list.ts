/** The Application's evaluation groups by id, paged. */
import { listEvaluationGroups, type StoredEvaluationGroup } from '../../store/repos/campaigns.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';

export async function listApplicationEvaluationGroups(ctx: ServiceContext, applicationId: number, page: { skip: number; limit: number }): Promise<{ total: number; data: StoredEvaluationGroup[] }> {
  const all = await ctx.db.transaction(async (sql) => {
    await loadApplication(ctx, sql, applicationId);
    return listEvaluationGroups(sql, applicationId);
  });
  return { total: all.length, data: all.slice(page.skip, page.skip + page.limit) };
}
