/** Management API: applications and their Integration API keys. */
import { Type } from '@sinclair/typebox';
import { createApplication, getApplicationById, listAllApplications, replaceApplication } from '../../../services/applications/manage.js';
import { createApiKey, deleteKey, listKeys } from '../../../services/auth/keys.js';
import type { ServiceContext } from '../../../services/context.js';
import { Int64, PageQuery, ref } from '../../schemas/common.js';
import { ApplicationIdParams, CreateApplicationAPIKey, NewApplication, UpdateApplication } from '../../schemas/management.js';
import { wireApplication } from '../../shape.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: applications'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };
const PageQ = Type.Object(PageQuery);

export function applicationRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/applications', {
    schema: { operationId: 'createApplication', tags, security, body: ref(NewApplication), response: { 201: Type.Ref('Application'), ...errors } },
  }, async (req, reply) => {
    const { key: _legacyKey, ...settings } = req.body;
    return reply.code(201).send(wireApplication(await createApplication(ctx, settings)));
  });

  app.get('/v1/applications', {
    schema: { operationId: 'getApplications', tags, security, querystring: PageQ, response: { 200: Type.Ref('ApplicationPage'), ...errors } },
  }, async (req) => {
    const { total, data } = await listAllApplications(ctx, { skip: req.query.skip ?? 0, limit: req.query.pageSize ?? 1000 });
    return { totalResultSize: total, data: data.map(wireApplication) };
  });

  app.get('/v1/applications/:applicationId', {
    schema: { operationId: 'getApplication', tags, security, params: ApplicationIdParams, response: { 200: Type.Ref('Application'), ...errors } },
  }, async (req) => wireApplication(await getApplicationById(ctx, req.params.applicationId)));

  app.put('/v1/applications/:applicationId', {
    schema: { operationId: 'updateApplication', tags, security, params: ApplicationIdParams, body: ref(UpdateApplication), response: { 200: Type.Ref('Application'), ...errors } },
  }, async (req) => wireApplication(await replaceApplication(ctx, req.params.applicationId, req.body)));

  app.post('/v1/applications/:applicationId/api_keys', {
    schema: {
      operationId: 'createApplicationAPIKey', tags, security, params: ApplicationIdParams, body: ref(CreateApplicationAPIKey),
      response: { 201: Type.Ref('NewApplicationAPIKey'), ...errors },
    },
  }, async (req, reply) => reply.code(201).send(await createApiKey(ctx, req.params.applicationId, req.body)));

  app.get('/v1/applications/:applicationId/api_keys', {
    schema: { operationId: 'getApplicationAPIKeys', tags, security, params: ApplicationIdParams, response: { 200: Type.Ref('ApplicationAPIKeyPage'), ...errors } },
  }, async (req) => {
    const data = await listKeys(ctx, req.params.applicationId);
    return { totalResultSize: data.length, data };
  });

  const KeyParams = Type.Object({ applicationId: Int64({ minimum: 1 }), apiKeyId: Int64({ minimum: 1 }) });
  app.delete('/v1/applications/:applicationId/api_keys/:apiKeyId', {
    schema: { operationId: 'deleteApplicationAPIKey', tags, security, params: KeyParams, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await deleteKey(ctx, req.params.applicationId, req.params.apiKeyId);
    return reply.code(204).send(null);
  });
}
