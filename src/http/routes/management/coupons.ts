/** Management API: coupons of a campaign — create, list, search, update, delete, import, export (docs/coupons.md). */
import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import type { LimitConfig } from '../../../domain/campaign.js';
import { invalidField, Title } from '../../../domain/errors.js';
import type { ServiceContext } from '../../../services/context.js';
import type { CouponFilterInput } from '../../../services/coupons/common.js';
import { createCoupons, createCouponsForRecipients, type Created } from '../../../services/coupons/create.js';
import { exportCouponsCsv, prepareExport } from '../../../services/coupons/export.js';
import { importCoupons } from '../../../services/coupons/import.js';
import { listCoupons, listCouponsWithTotal } from '../../../services/coupons/list.js';
import { deleteCoupon, deleteCoupons } from '../../../services/coupons/remove.js';
import { updateCoupon, updateCouponBatch } from '../../../services/coupons/update.js';
import { DateTime, Int64, MAX, PageQuery, ref, StringEnum } from '../../schemas/common.js';
import { NewCoupons, NewCouponsForMultipleRecipients, UpdateCoupon, UpdateCouponBatch } from '../../schemas/coupons.js';
import { wireCoupon } from '../../shape.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: coupons'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };
/** Imports may be large (Talon.One recommends ≤500 MB); the multipart file limit is the real bound. */
const IMPORT_FILE_LIMIT = 1024 * 1024 * 1024;

const AppParams = Type.Object({ applicationId: Int64({ minimum: 1 }) });
const CampaignParams = Type.Object({ applicationId: Int64({ minimum: 1 }), campaignId: Int64({ minimum: 1 }) });
const CouponParams = Type.Object({ applicationId: Int64({ minimum: 1 }), campaignId: Int64({ minimum: 1 }), couponId: Type.String({ maxLength: 1000 }) });
const Silent = Type.Object({ silent: Type.Optional(Type.String({ enum: ['yes', 'no'], default: 'yes' })) });

const filters = {
  value: Type.Optional(Type.String()),
  exactMatch: Type.Optional(Type.Boolean({ default: false })),
  createdBefore: Type.Optional(DateTime()), createdAfter: Type.Optional(DateTime()),
  startsBefore: Type.Optional(DateTime()), startsAfter: Type.Optional(DateTime()),
  expiresBefore: Type.Optional(DateTime()), expiresAfter: Type.Optional(DateTime()),
  valid: Type.Optional(StringEnum(['expired', 'validNow', 'validFuture'])),
  usable: Type.Optional(StringEnum(['true', 'false'])),
  redeemed: Type.Optional(StringEnum(['true', 'false'])),
  referralId: Type.Optional(Int64()),
  recipientIntegrationId: Type.Optional(Type.String()),
  batchId: Type.Optional(Type.String()),
};
const CAMPAIGN_STATES = ['enabled', 'disabled', 'archived', 'scheduled', 'running', 'expired', 'staged'] as const;
const ListQuery = Type.Object({ ...PageQuery, ...filters });
const AppSearchQuery = Type.Object({ ...PageQuery, ...filters, campaignState: Type.Optional(StringEnum(CAMPAIGN_STATES)) });
const DeleteQuery = Type.Object(filters);
const ExportQuery = Type.Object({
  ...filters, campaignId: Type.Optional(Int64({ minimum: 1 })), sort: Type.Optional(Type.String()),
  campaignState: Type.Optional(StringEnum(CAMPAIGN_STATES)),
  valuesOnly: Type.Optional(Type.Boolean({ default: false })), dateFormat: Type.Optional(StringEnum(['excel', 'ISO8601'])),
});
const ImportQuery = Type.Object({ skipDuplicates: Type.Optional(Type.Boolean()) });
const AttributeQuery = Type.Object({}, { additionalProperties: true, maxProperties: MAX.attributes, description: 'AttributeQuery: every attribute given must equal the coupon\'s' });

type Filters = Static<typeof ListQuery> & { campaignState?: string };
function filterInput(q: Filters): CouponFilterInput {
  const { pageSize: _p, skip: _s, sort: _o, ...f } = q;
  return f;
}
const page = (q: { pageSize?: number; skip?: number; sort?: string }) => ({ pageSize: q.pageSize ?? 1000, skip: q.skip ?? 0, ...(q.sort ? { sort: q.sort } : {}) });

export async function couponRoutes(app: App, ctx: ServiceContext) {
  const created = (r: Created, silent: string | undefined, reply: import('fastify').FastifyReply) =>
    (silent === 'no' ? reply.code(200).send({ totalResultSize: r.count, data: r.coupons.map(wireCoupon) }) : reply.code(204).send(null));

  app.post('/v1/applications/:applicationId/campaigns/:campaignId/coupons', {
    schema: { operationId: 'createCoupons', tags, security, params: CampaignParams, querystring: Silent, body: ref(NewCoupons),
      response: { 200: Type.Ref('CouponList'), 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    const { limits, ...rest } = req.body;
    const input = { ...rest, ...(limits ? { limits: limits as LimitConfig[] } : {}) };
    return created(await createCoupons(ctx, req.params.applicationId, req.params.campaignId, input, req.query.silent === 'no'), req.query.silent, reply);
  });

  app.post(
    '/v1/applications/:applicationId/campaigns/:campaignId/coupons_with_recipients', {
      schema: { operationId: 'createCouponsForMultipleRecipients', tags, security, params: CampaignParams, querystring: Silent,
        body: ref(NewCouponsForMultipleRecipients), response: { 200: Type.Ref('CouponList'), 204: Type.Null(), ...errors } },
    }, async (req, reply) =>
      created(await createCouponsForRecipients(ctx, req.params.applicationId, req.params.campaignId, req.body, req.query.silent === 'no'), req.query.silent, reply));

  // getCoupons (talon_one 4.3.0; no longer in 25.17): the no_total listing's filters, answered `{totalResultSize, data}`
  app.get('/v1/applications/:applicationId/campaigns/:campaignId/coupons', {
    schema: { operationId: 'getCoupons', tags, security, params: CampaignParams, querystring: ListQuery, response: { 200: Type.Ref('CouponList'), ...errors } },
  }, async (req) => {
    const r = await listCouponsWithTotal(ctx, req.params.applicationId, req.params.campaignId, filterInput(req.query), page(req.query));
    return { totalResultSize: r.totalResultSize, data: r.data.map(wireCoupon) };
  });

  app.get('/v1/applications/:applicationId/campaigns/:campaignId/coupons/no_total', {
    schema: { operationId: 'getCouponsWithoutTotalCount', tags, security, params: CampaignParams, querystring: ListQuery, response: { 200: Type.Ref('CouponPageNoTotal'), ...errors } },
  }, async (req) => {
    const r = await listCoupons(ctx, req.params.applicationId, req.params.campaignId, filterInput(req.query), page(req.query));
    return { hasMore: r.hasMore, data: r.data.map(wireCoupon) };
  });

  app.post(
    '/v1/applications/:applicationId/campaigns/:campaignId/coupons_search_advanced/no_total', {
      schema: { operationId: 'searchCouponsAdvancedWithoutTotalCount', tags, security, params: CampaignParams, querystring: ListQuery, body: AttributeQuery,
        response: { 200: Type.Ref('CouponPageNoTotal'), ...errors } },
    }, async (req) => {
      const r = await listCoupons(ctx, req.params.applicationId, req.params.campaignId, filterInput(req.query), page(req.query), req.body);
      return { hasMore: r.hasMore, data: r.data.map(wireCoupon) };
    });

  app.post(
    '/v1/applications/:applicationId/coupons_search_advanced/no_total', {
      schema: { operationId: 'searchCouponsAdvancedApplicationWideWithoutTotalCount', tags, security, params: AppParams, querystring: AppSearchQuery, body: AttributeQuery,
        response: { 200: Type.Ref('CouponPageNoTotal'), ...errors } },
    }, async (req) => {
      const r = await listCoupons(ctx, req.params.applicationId, undefined, filterInput(req.query), page(req.query), req.body);
      return { hasMore: r.hasMore, data: r.data.map(wireCoupon) };
    });

  app.put('/v1/applications/:applicationId/campaigns/:campaignId/coupons/:couponId', {
    schema: { operationId: 'updateCoupon', tags, security, params: CouponParams, body: ref(UpdateCoupon), response: { 200: Type.Ref('Coupon'), ...errors } },
  }, async (req) => {
    const { limits, ...rest } = req.body;
    const input = { ...rest, ...(limits ? { limits: limits as LimitConfig[] } : {}) };
    return wireCoupon(await updateCoupon(ctx, req.params.applicationId, req.params.campaignId, req.params.couponId, input));
  });

  app.put('/v1/applications/:applicationId/campaigns/:campaignId/coupons', {
    schema: { operationId: 'updateCouponBatch', tags, security, params: CampaignParams, body: ref(UpdateCouponBatch), response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await updateCouponBatch(ctx, req.params.applicationId, req.params.campaignId, req.body);
    return reply.code(204).send(null);
  });

  app.delete('/v1/applications/:applicationId/campaigns/:campaignId/coupons/:couponId', {
    schema: { operationId: 'deleteCoupon', tags, security, params: CouponParams, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await deleteCoupon(ctx, req.params.applicationId, req.params.campaignId, req.params.couponId);
    return reply.code(204).send(null);
  });

  app.delete('/v1/applications/:applicationId/campaigns/:campaignId/coupons', {
    schema: { operationId: 'deleteCoupons', tags, security, params: CampaignParams, querystring: DeleteQuery, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await deleteCoupons(ctx, req.params.applicationId, req.params.campaignId, filterInput(req.query));
    return reply.code(204).send(null);
  });

  app.get('/v1/applications/:applicationId/export_coupons', {
    schema: { operationId: 'exportCoupons', tags, security, params: AppParams, querystring: ExportQuery, produces: ['text/csv'],
      response: { 200: Type.String({ format: 'csv' }), ...errors } },
  }, async (req, reply) => {
    const { campaignId, valuesOnly, dateFormat, sort: _sort, ...f } = req.query;
    const options = { ...(campaignId !== undefined ? { campaignId } : {}), valuesOnly: valuesOnly === true, ...(dateFormat ? { dateFormat } : {}) };
    const q = await prepareExport(ctx, req.params.applicationId, f, options);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="coupons.csv"')
      .send(Readable.from(exportCouponsCsv(ctx, q, options)));
  });

  // the upload route in its own scope: multipart parsing stays out of every other route
  await app.register(async (scope: App) => {
    await scope.register(multipart, { limits: { fileSize: IMPORT_FILE_LIMIT, files: 1, fields: 10 } });
    scope.post('/v1/applications/:applicationId/campaigns/:campaignId/import_coupons', {
      bodyLimit: IMPORT_FILE_LIMIT,
      schema: { operationId: 'importCoupons', tags, security, params: CampaignParams, querystring: ImportQuery, consumes: ['multipart/form-data'],
        response: { 200: Type.Ref('Import'), ...errors } },
    }, async (req) => {
      if (!req.isMultipart()) throw invalidField('/upFile', Title.required, 'Send the CSV file as multipart/form-data in the field "upFile"');
      const file = await req.file();
      if (!file || file.fieldname !== 'upFile') throw invalidField('/upFile', Title.required, 'Send the CSV file as multipart/form-data in the field "upFile"');
      return importCoupons(ctx, req.params.applicationId, req.params.campaignId, file.file, { skipDuplicates: req.query.skipDuplicates === true, log: req.log });
    });
  });
}
