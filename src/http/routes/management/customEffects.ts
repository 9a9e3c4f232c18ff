/** Management API: custom effects (our extension, effects.md Q9; see docs/custom-effects.md). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../../services/context.js';
import { createCustomEffect } from '../../../services/customEffects/create.js';
import { getCustomEffectById } from '../../../services/customEffects/get.js';
import { listAccountCustomEffects } from '../../../services/customEffects/list.js';
import { removeCustomEffect } from '../../../services/customEffects/remove.js';
import { updateCustomEffect } from '../../../services/customEffects/update.js';
import type { CustomEffectInput } from '../../../services/customEffects/validate.js';
import { Int64, PageQuery } from '../../schemas/common.js';
import type { NewCustomEffect } from '../../schemas/customEffects.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: custom effects (OpenPromo extension)'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };

const EffectParams = Type.Object({ customEffectId: Int64({ minimum: 1 }) });
const EffectQuery = Type.Object({ ...PageQuery, applicationId: Type.Optional(Int64({ minimum: 1 })) });

const input = (b: NewCustomEffect): CustomEffectInput => ({
  applicationIds: b.applicationIds, name: b.name, title: b.title, payload: b.payload, enabled: b.enabled,
  ...(b.isPerItem !== undefined ? { isPerItem: b.isPerItem } : {}),
  ...(b.description !== undefined ? { description: b.description } : {}),
  ...(b.params !== undefined ? { params: b.params } : {}),
});

export async function customEffectRoutes(app: FastifyInstance, ctx: ServiceContext) {
  app.post<{ Body: NewCustomEffect }>('/v1/custom_effects', {
    schema: { operationId: 'createCustomEffect', tags, security, body: Type.Ref('NewCustomEffect'), response: { 201: Type.Ref('CustomEffect'), ...errors, 409: Type.Ref('ErrorResponse') } },
  }, async (req, reply) => reply.code(201).send(await createCustomEffect(ctx, input(req.body))));

  app.get<{ Querystring: Static<typeof EffectQuery> }>('/v1/custom_effects', {
    schema: { operationId: 'getCustomEffects', tags, security, querystring: EffectQuery, response: { 200: Type.Ref('CustomEffectPage'), ...errors } },
  }, async (req) => {
    const q = req.query;
    const { total, data } = await listAccountCustomEffects(ctx, { skip: q.skip ?? 0, limit: q.pageSize ?? 1000, ...(q.applicationId !== undefined ? { applicationId: q.applicationId } : {}) });
    return { totalResultSize: total, data };
  });

  app.get<{ Params: Static<typeof EffectParams> }>('/v1/custom_effects/:customEffectId', {
    schema: { operationId: 'getCustomEffect', tags, security, params: EffectParams, response: { 200: Type.Ref('CustomEffect'), ...errors } },
  }, async (req) => getCustomEffectById(ctx, req.params.customEffectId));

  app.put<{ Params: Static<typeof EffectParams>; Body: NewCustomEffect }>('/v1/custom_effects/:customEffectId', {
    schema: {
      operationId: 'updateCustomEffect', tags, security, params: EffectParams, body: Type.Ref('UpdateCustomEffect'),
      response: { 200: Type.Ref('CustomEffect'), ...errors, 409: Type.Ref('ErrorResponse') },
    },
  }, async (req) => updateCustomEffect(ctx, req.params.customEffectId, input(req.body)));

  app.delete<{ Params: Static<typeof EffectParams> }>('/v1/custom_effects/:customEffectId', {
    schema: { operationId: 'deleteCustomEffect', tags, security, params: EffectParams, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await removeCustomEffect(ctx, req.params.customEffectId);
    return reply.code(204).send();
  });
}
