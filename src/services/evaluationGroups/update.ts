/** PUT: UpdateCampaignEvaluationGroup replaces the group's settings; omitted optional ones keep their value. */
import { notFound } from '../../domain/errors.js';
import { getEvaluationGroup, saveEvaluationGroup, type StoredEvaluationGroup } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { appScope } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { validateGroup, type EvaluationGroupInput } from './validate.js';

export function updateEvaluationGroup(ctx: ServiceContext, applicationId: number, id: number, input: EvaluationGroupInput): Promise<StoredEvaluationGroup> {
  return ctx.db.transaction(async (sql) => {
    const current = await getEvaluationGroup(sql, applicationId, id);
    if (!current) throw notFound('Campaign evaluation group');
    const members = await validateGroup(sql, applicationId, input, id);
    const { parentId: _p, ...rest } = current;
    const parentId = input.parentId === undefined ? current.parentId : input.parentId ?? undefined;
    const g: StoredEvaluationGroup = {
      ...rest, name: input.name, evaluationMode: input.evaluationMode,
      ...(parentId !== undefined ? { parentId } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.evaluationScope !== undefined ? { evaluationScope: input.evaluationScope } : {}),
      ...(input.locked !== undefined ? { locked: input.locked } : {}),
      ...(members !== undefined ? { members } : {}),
    };
    await saveEvaluationGroup(sql, g);
    await bumpConfigVersion(sql, appScope(applicationId));
    return g;
  });
}
