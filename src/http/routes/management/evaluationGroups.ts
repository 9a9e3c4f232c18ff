/** Management API: campaign evaluation groups (our extension; see docs/evaluation-groups.md). */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { createEvaluationGroup } from '../../../services/evaluationGroups/create.js';
import { getEvaluationGroupById } from '../../../services/evaluationGroups/get.js';
import { listApplicationEvaluationGroups } from '../../../services/evaluationGroups/list.js';
import { removeEvaluationGroup } from '../../../services/evaluationGroups/remove.js';
import { updateEvaluationGroup } from '../../../services/evaluationGroups/update.js';
import type { EvaluationGroupInput } from '../../../services/evaluationGroups/validate.js';
import { Int64, PageQuery, ref } from '../../schemas/common.js';
import { NewCampaignEvaluationGroup, UpdateCampaignEvaluationGroup } from '../../schemas/evaluationGroups.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: campaign evaluation groups (OpenPromo extension)'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };

const AppParams = Type.Object({ applicationId: Int64({ minimum: 1 }) });
const GroupParams = Type.Object({ applicationId: Int64({ minimum: 1 }), groupId: Int64({ minimum: 1 }) });
const PageQ = Type.Object(PageQuery);

const input = (b: NewCampaignEvaluationGroup  ): EvaluationGroupInput => ({
  name: b.name, evaluationMode: b.evaluationMode,
  ...(b.parentId !== undefined ? { parentId: b.parentId } : {}),
  ...(b.description !== undefined ? { description: b.description } : {}),
  ...(b.evaluationScope !== undefined ? { evaluationScope: b.evaluationScope } : {}),
  ...(b.locked !== undefined ? { locked: b.locked } : {}),
  ...(b.members !== undefined ? { members: b.members } : {}),
});

export function evaluationGroupRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/applications/:applicationId/campaign_evaluation_groups', {
    schema: {
      operationId: 'createCampaignEvaluationGroup', tags, security, params: AppParams, body: ref(NewCampaignEvaluationGroup),
      response: { 201: Type.Ref('CampaignEvaluationGroup'), ...errors },
    },
  }, async (req, reply) => reply.code(201).send(await createEvaluationGroup(ctx, req.params.applicationId, input(req.body))));

  app.get('/v1/applications/:applicationId/campaign_evaluation_groups', {
    schema: { operationId: 'getCampaignEvaluationGroups', tags, security, params: AppParams, querystring: PageQ, response: { 200: Type.Ref('CampaignEvaluationGroupPage'), ...errors } },
  }, async (req) => {
    const { total, data } = await listApplicationEvaluationGroups(ctx, req.params.applicationId, { skip: req.query.skip ?? 0, limit: req.query.pageSize ?? 1000 });
    return { totalResultSize: total, data };
  });

  app.get('/v1/applications/:applicationId/campaign_evaluation_groups/:groupId', {
    schema: { operationId: 'getCampaignEvaluationGroup', tags, security, params: GroupParams, response: { 200: Type.Ref('CampaignEvaluationGroup'), ...errors } },
  }, async (req) => getEvaluationGroupById(ctx, req.params.applicationId, req.params.groupId));

  app.put('/v1/applications/:applicationId/campaign_evaluation_groups/:groupId', {
    schema: {
      operationId: 'updateCampaignEvaluationGroup', tags, security, params: GroupParams, body: ref(UpdateCampaignEvaluationGroup),
      response: { 200: Type.Ref('CampaignEvaluationGroup'), ...errors },
    },
  }, async (req) => updateEvaluationGroup(ctx, req.params.applicationId, req.params.groupId, input(req.body)));

  app.delete('/v1/applications/:applicationId/campaign_evaluation_groups/:groupId', {
    schema: { operationId: 'deleteCampaignEvaluationGroup', tags, security, params: GroupParams, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await removeEvaluationGroup(ctx, req.params.applicationId, req.params.groupId);
    return reply.code(204).send(null);
  });
}
