/** One evaluation group of the Application. */
import { notFound } from '../../domain/errors.js';
import { getEvaluationGroup, type StoredEvaluationGroup } from '../../store/repos/campaigns.js';
import type { ServiceContext } from '../context.js';

export async function getEvaluationGroupById(ctx: ServiceContext, applicationId: number, id: number): Promise<StoredEvaluationGroup> {
  const g = await ctx.db.transaction((sql) => getEvaluationGroup(sql, applicationId, id));
  if (!g) throw notFound('Campaign evaluation group');
  return g;
}
