/** Management API: custom attributes and additional costs. Thin: parse, call a service, shape. */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { createAdditionalCost, getAdditionalCost, listAdditionalCostPage, updateAdditionalCost } from '../../../services/definitions/additionalCosts.js';
import { createAttribute, getAttribute, listAttributePage, updateAttribute } from '../../../services/definitions/attributes.js';
import { MAX, PageQuery, ref } from '../../schemas/common.js';
import { AdditionalCostIdParams, AttributeIdParams, NewAdditionalCost, NewAttribute } from '../../schemas/definitions.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };
const attributeTags = ['Management API: attributes'];
const costTags = ['Management API: additional costs'];

const AttributesQuery = Type.Object({
  ...PageQuery,
  entity: Type.Optional(Type.String()),
  applicationIds: Type.Optional(Type.String({ maxLength: MAX.text, description: 'Comma-separated Application ids' })),
  type: Type.Optional(Type.String()),
  kind: Type.Optional(Type.Unsafe<'builtin' | 'custom'>({ type: 'string', enum: ['builtin', 'custom'] })),
  search: Type.Optional(Type.String()),
});
const CostsQuery = Type.Object(PageQuery);

export function definitionRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/attributes', {
    schema: { operationId: 'createAttribute', tags: attributeTags, security, body: ref(NewAttribute), response: { 201: Type.Ref('Attribute'), ...errors } },
  }, async (req, reply) => reply.code(201).send(await createAttribute(ctx, req.body)));

  app.get('/v1/attributes', {
    schema: { operationId: 'getAttributes', tags: attributeTags, security, querystring: AttributesQuery, response: { 200: Type.Ref('AttributePage'), ...errors } },
  }, async (req) => {
    const { pageSize, skip, ...filters } = req.query;
    const { total, data } = await listAttributePage(ctx, { ...filters, skip: skip ?? 0, limit: pageSize ?? 1000 });
    return { totalResultSize: total, data };
  });

  app.get('/v1/attributes/:attributeId', {
    schema: { operationId: 'getAttribute', tags: attributeTags, security, params: AttributeIdParams, response: { 200: Type.Ref('Attribute'), ...errors } },
  }, async (req) => getAttribute(ctx, req.params.attributeId));

  app.put('/v1/attributes/:attributeId', {
    schema: {
      operationId: 'updateAttribute', tags: attributeTags, security, params: AttributeIdParams, body: ref(NewAttribute),
      response: { 200: Type.Ref('Attribute'), ...errors },
    },
  }, async (req) => updateAttribute(ctx, req.params.attributeId, req.body));

  app.post('/v1/additional_costs', {
    schema: {
      operationId: 'createAdditionalCost', tags: costTags, security, body: ref(NewAdditionalCost),
      response: { 201: Type.Ref('AccountAdditionalCost'), ...errors },
    },
  }, async (req, reply) => reply.code(201).send(await createAdditionalCost(ctx, req.body)));

  app.get('/v1/additional_costs', {
    schema: { operationId: 'getAdditionalCosts', tags: costTags, security, querystring: CostsQuery, response: { 200: Type.Ref('AccountAdditionalCostPage'), ...errors } },
  }, async (req) => {
    const { total, data } = await listAdditionalCostPage(ctx, { skip: req.query.skip ?? 0, limit: req.query.pageSize ?? 1000, sort: req.query.sort });
    return { totalResultSize: total, data };
  });

  app.get('/v1/additional_costs/:additionalCostId', {
    schema: {
      operationId: 'getAdditionalCost', tags: costTags, security, params: AdditionalCostIdParams, response: { 200: Type.Ref('AccountAdditionalCost'), ...errors },
    },
  }, async (req) => getAdditionalCost(ctx, req.params.additionalCostId));

  app.put('/v1/additional_costs/:additionalCostId', {
    schema: {
      operationId: 'updateAdditionalCost', tags: costTags, security, params: AdditionalCostIdParams, body: ref(NewAdditionalCost),
      response: { 200: Type.Ref('AccountAdditionalCost'), ...errors },
    },
  }, async (req) => updateAdditionalCost(ctx, req.params.additionalCostId, req.body));
}
