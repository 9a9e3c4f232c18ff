/** Management API: stores of an Application (25.17 paths). */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { createStore } from '../../../services/stores/create.js';
import { getStoreById } from '../../../services/stores/get.js';
import { listApplicationStores } from '../../../services/stores/list.js';
import { removeStore } from '../../../services/stores/remove.js';
import { updateStore } from '../../../services/stores/update.js';
import { Int64, PageQuery, ref } from '../../schemas/common.js';
import { NewStore, UpdateStore } from '../../schemas/stores.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: stores'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };

const AppParams = Type.Object({ applicationId: Int64({ minimum: 1 }) });
const StoreParams = Type.Object({ applicationId: Int64({ minimum: 1 }), storeId: Int64({ minimum: 1 }) });
const StoreQuery = Type.Object({
  ...PageQuery,
  withTotalResultSize: Type.Optional(Type.Boolean()),
  campaignId: Type.Optional(Int64()),
  name: Type.Optional(Type.String()),
  integrationId: Type.Optional(Type.String()),
  query: Type.Optional(Type.String()),
});

export function storeRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/applications/:applicationId/stores', {
    schema: { operationId: 'createStore', tags, security, params: AppParams, body: ref(NewStore), response: { 201: Type.Ref('Store'), ...errors, 409: Type.Ref('ErrorResponse') } },
  }, async (req, reply) => {
    const { name, description, integrationId, attributes } = req.body;
    return reply.code(201).send(await createStore(ctx, req.params.applicationId, { name, description, integrationId, ...(attributes ? { attributes } : {}) }));
  });

  app.get('/v1/applications/:applicationId/stores', {
    schema: { operationId: 'listStores', tags, security, params: AppParams, querystring: StoreQuery, response: { 200: Type.Ref('StorePage'), ...errors } },
  }, async (req) => {
    const q = req.query;
    const skip = q.skip ?? 0;
    const { total, data } = await listApplicationStores(ctx, req.params.applicationId, {
      skip, limit: q.pageSize ?? 1000,
      ...(q.campaignId !== undefined ? { campaignId: q.campaignId } : {}), ...(q.name ? { name: q.name } : {}),
      ...(q.integrationId ? { integrationId: q.integrationId } : {}), ...(q.query ? { query: q.query } : {}), ...(q.sort ? { sort: q.sort } : {}),
    });
    // withTotalResultSize=false: only hasMore, as the spec describes
    return q.withTotalResultSize === false ? { hasMore: skip + data.length < total, data } : { totalResultSize: total, data };
  });

  app.get('/v1/applications/:applicationId/stores/:storeId', {
    schema: { operationId: 'getStore', tags, security, params: StoreParams, response: { 200: Type.Ref('Store'), ...errors } },
  }, async (req) => getStoreById(ctx, req.params.applicationId, req.params.storeId));

  app.put('/v1/applications/:applicationId/stores/:storeId', {
    schema: { operationId: 'updateStore', tags, security, params: StoreParams, body: ref(UpdateStore), response: { 200: Type.Ref('Store'), ...errors } },
  }, async (req) => {
    const { name, description, integrationId, attributes } = req.body;
    return updateStore(ctx, req.params.applicationId, req.params.storeId, {
      name, description, ...(integrationId !== undefined ? { integrationId } : {}), ...(attributes ? { attributes } : {}),
    });
  });

  app.delete('/v1/applications/:applicationId/stores/:storeId', {
    schema: { operationId: 'deleteStore', tags, security, params: StoreParams, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await removeStore(ctx, req.params.applicationId, req.params.storeId);
    return reply.code(204).send(null);
  });
}
