/** Delete an evaluation group; refused (400) while campaigns or child groups reference it. */
import { badRequest, notFound, Title } from '../../domain/errors.js';
import { deleteEvaluationGroup, getEvaluationGroup, listCampaigns, listEvaluationGroups } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { appScope } from '../applications/load.js';
import type { ServiceContext } from '../context.js';

export async function removeEvaluationGroup(ctx: ServiceContext, applicationId: number, id: number): Promise<void> {
  await ctx.db.transaction(async (sql) => {
    if (!(await getEvaluationGroup(sql, applicationId, id))) throw notFound('Campaign evaluation group');
    const campaigns = (await listCampaigns(sql, applicationId)).filter((c) => c.evaluationGroupId === id).map((c) => c.id);
    const children = (await listEvaluationGroups(sql, applicationId)).filter((g) => g.parentId === id).map((g) => g.id);
    if (campaigns.length > 0 || children.length > 0) {
      const uses = [campaigns.length ? `campaign(s) ${campaigns.join(', ')}` : '', children.length ? `child group(s) ${children.join(', ')}` : ''].filter(Boolean).join(' and ');
      const details = `Evaluation group ${id} is still referenced by ${uses}; move them to another group first`;
      throw badRequest(details, [{ title: Title.inUse, details, source: { resource: `campaign_evaluation_groups/${id}` } }]);
    }
    await deleteEvaluationGroup(sql, applicationId, id);
    await bumpConfigVersion(sql, appScope(applicationId));
  });
}
