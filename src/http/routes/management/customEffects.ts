/** Management API: custom effects (our extension, docs/custom-effects.md). */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { createCustomEffect } from '../../../services/customEffects/create.js';
import { getCustomEffectById } from '../../../services/customEffects/get.js';
import { listAccountCustomEffects } from '../../../services/customEffects/list.js';
import { removeCustomEffect } from '../../../services/customEffects/remove.js';
import { updateCustomEffect } from '../../../services/customEffects/update.js';
import type { CustomEffectInput } from '../../../services/customEffects/validate.js';
import { Int64, PageQuery, ref } from '../../schemas/common.js';
import { NewCustomEffect, UpdateCustomEffect } from '../../schemas/customEffects.js';
import type { App } from '../../app.js';

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

export function customEffectRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/custom_effects', {
    schema: { operationId: 'createCustomEffect', tags, security, body: ref(NewCustomEffect), response: { 201: Type.Ref('CustomEffect'), ...errors, 409: Type.Ref('ErrorResponse') } },
  }, async (req, reply) => reply.code(201).send(await createCustomEffect(ctx, input(req.body))));

  app.get('/v1/custom_effects', {
    schema: { operationId: 'getCustomEffects', tags, security, querystring: EffectQuery, response: { 200: Type.Ref('CustomEffectPage'), ...errors } },
  }, async (req) => {
    const q = req.query;
    const { total, data } = await listAccountCustomEffects(ctx, { skip: q.skip ?? 0, limit: q.pageSize ?? 1000, ...(q.applicationId !== undefined ? { applicationId: q.applicationId } : {}) });
    return { totalResultSize: total, data };
  });

  app.get('/v1/custom_effects/:customEffectId', {
    schema: { operationId: 'getCustomEffect', tags, security, params: EffectParams, response: { 200: Type.Ref('CustomEffect'), ...errors } },
  }, async (req) => getCustomEffectById(ctx, req.params.customEffectId));

  app.put('/v1/custom_effects/:customEffectId', {
    schema: {
      operationId: 'updateCustomEffect', tags, security, params: EffectParams, body: ref(UpdateCustomEffect),
      response: { 200: Type.Ref('CustomEffect'), ...errors, 409: Type.Ref('ErrorResponse') },
    },
  }, async (req) => updateCustomEffect(ctx, req.params.customEffectId, input(req.body)));

  app.delete('/v1/custom_effects/:customEffectId', {
    schema: { operationId: 'deleteCustomEffect', tags, security, params: EffectParams, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await removeCustomEffect(ctx, req.params.customEffectId);
    return reply.code(204).send(null);
  });
}
