/** Management API: campaigns and their rulesets (docs/campaigns.md). */
import { Type } from '@sinclair/typebox';
import type { CampaignSettings } from '../../../domain/campaign.js';
import { frontendState } from '../../../domain/campaign.js';
import { createCampaign, getCampaignById, listApplicationCampaigns, removeCampaign, updateCampaign } from '../../../services/campaigns/manage.js';
import { createRuleset, getCampaignRuleset, listCampaignRulesets } from '../../../services/campaigns/rulesets.js';
import type { ServiceContext } from '../../../services/context.js';
import { Int64, PageQuery, ref } from '../../schemas/common.js';
import { wireCampaign } from '../../shape.js';
import { NewCampaign, NewRuleset, UpdateCampaign } from '../../schemas/campaign.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: campaigns'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };

const AppParams = Type.Object({ applicationId: Int64({ minimum: 1 }) });
const CampaignParams = Type.Object({ applicationId: Int64({ minimum: 1 }), campaignId: Int64({ minimum: 1 }) });
const RulesetParams = Type.Object({ applicationId: Int64({ minimum: 1 }), campaignId: Int64({ minimum: 1 }), rulesetId: Int64({ minimum: 1 }) });
const CampaignQuery = Type.Object({
  ...PageQuery,
  campaignState: Type.Optional(Type.String({ enum: ['enabled', 'disabled', 'archived', 'scheduled', 'running', 'expired'] })),
  name: Type.Optional(Type.String()),
  tags: Type.Optional(Type.String()),
});
const PageQ = Type.Object(PageQuery);

export function campaignRoutes(app: App, ctx: ServiceContext): void {
  const shape = (c: Parameters<typeof wireCampaign>[0]) => wireCampaign(c, ctx.now());

  app.post('/v1/applications/:applicationId/campaigns', {
    schema: { operationId: 'createCampaign', tags, security, params: AppParams, body: ref(NewCampaign), response: { 201: Type.Ref('Campaign'), ...errors } },
  }, async (req, reply) => {
    const settings = { ...req.body, state: req.body.state ?? 'enabled' } as CampaignSettings;
    return reply.code(201).send(shape(await createCampaign(ctx, req.params.applicationId, settings)));
  });

  app.get('/v1/applications/:applicationId/campaigns', {
    schema: { operationId: 'getCampaigns', tags, security, params: AppParams, querystring: CampaignQuery, response: { 200: Type.Ref('CampaignPage'), ...errors } },
  }, async (req) => {
    const q = req.query;
    const { total, data } = await listApplicationCampaigns(ctx, req.params.applicationId, {
      skip: q.skip ?? 0, limit: q.pageSize ?? 1000,
      ...(q.campaignState ? { campaignState: q.campaignState } : {}), ...(q.name ? { name: q.name } : {}), ...(q.tags ? { tags: q.tags } : {}),
    }, (c) => frontendState(c, ctx.now()));
    return { totalResultSize: total, data: data.map(shape) };
  });

  app.get('/v1/applications/:applicationId/campaigns/:campaignId', {
    schema: { operationId: 'getCampaign', tags, security, params: CampaignParams, response: { 200: Type.Ref('Campaign'), ...errors } },
  }, async (req) => shape(await getCampaignById(ctx, req.params.applicationId, req.params.campaignId)));

  app.put('/v1/applications/:applicationId/campaigns/:campaignId', {
    schema: { operationId: 'updateCampaign', tags, security, params: CampaignParams, body: ref(UpdateCampaign), response: { 200: Type.Ref('Campaign'), ...errors } },
  }, async (req) => shape(await updateCampaign(ctx, req.params.applicationId, req.params.campaignId, req.body)));

  app.delete('/v1/applications/:applicationId/campaigns/:campaignId', {
    schema: { operationId: 'deleteCampaign', tags, security, params: CampaignParams, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await removeCampaign(ctx, req.params.applicationId, req.params.campaignId);
    return reply.code(204).send(null);
  });

  app.post('/v1/applications/:applicationId/campaigns/:campaignId/rulesets', {
    schema: { operationId: 'createRuleset', tags, security, params: CampaignParams, body: ref(NewRuleset), response: { 201: Type.Ref('Ruleset'), ...errors } },
  }, async (req, reply) => reply.code(201).send(await createRuleset(ctx, req.params.applicationId, req.params.campaignId, req.body)));

  app.get('/v1/applications/:applicationId/campaigns/:campaignId/rulesets', {
    schema: { operationId: 'getRulesets', tags, security, params: CampaignParams, querystring: PageQ, response: { 200: Type.Ref('RulesetPage'), ...errors } },
  }, async (req) => {
    const { total, data } = await listCampaignRulesets(ctx, req.params.applicationId, req.params.campaignId, { skip: req.query.skip ?? 0, limit: req.query.pageSize ?? 1000 });
    return { totalResultSize: total, data };
  });

  app.get('/v1/applications/:applicationId/campaigns/:campaignId/rulesets/:rulesetId', {
    schema: { operationId: 'getRuleset', tags, security, params: RulesetParams, response: { 200: Type.Ref('Ruleset'), ...errors } },
  }, async (req) => getCampaignRuleset(ctx, req.params.applicationId, req.params.campaignId, req.params.rulesetId));
}
