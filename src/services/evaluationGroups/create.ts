/** Create a campaign evaluation group (our extension; 25.17 has the schemas but no endpoint). */
import { insertEvaluationGroup, type StoredEvaluationGroup } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { appScope, loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { validateGroup, type EvaluationGroupInput } from './validate.js';

export function createEvaluationGroup(ctx: ServiceContext, applicationId: number, input: EvaluationGroupInput): Promise<StoredEvaluationGroup> {
  return ctx.db.transaction(async (sql) => {
    await loadApplication(ctx, sql, applicationId);
    const members = await validateGroup(sql, applicationId, input);
    const g: Omit<StoredEvaluationGroup, 'id'> = {
      applicationId, name: input.name, evaluationMode: input.evaluationMode,
      evaluationScope: input.evaluationScope ?? 'session', locked: input.locked ?? false, description: input.description ?? '',
      ...(input.parentId !== undefined && input.parentId !== null ? { parentId: input.parentId } : {}),
      ...(members !== undefined ? { members } : {}),
    };
    const saved = await insertEvaluationGroup(sql, g, ctx.now().toISOString());
    await bumpConfigVersion(sql, appScope(applicationId));
    return saved;
  });
}
