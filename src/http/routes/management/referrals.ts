/** Management API: referral codes of a campaign, their import and export, and an advocate's friends (docs/referrals.md). */
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import type { Referral } from '../../../domain/coupon.js';
import { invalidField, Title } from '../../../domain/errors.js';
import type { ServiceContext } from '../../../services/context.js';
import { csvRecords } from '../../../services/referrals/csv.js';
import { exportReferrals } from '../../../services/referrals/export.js';
import { customerFriends } from '../../../services/referrals/friends.js';
import { importReferrals } from '../../../services/referrals/import.js';
import { listReferrals } from '../../../services/referrals/list.js';
import { deleteReferral } from '../../../services/referrals/remove.js';
import { updateReferral } from '../../../services/referrals/update.js';
import { Int64, ref } from '../../schemas/common.js';
import { FriendsQuery, ReferralExportQuery, ReferralListQuery, UpdateReferral, wireReferee } from '../../schemas/referrals.js';
import { wireReferral } from '../../shape.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: referrals'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };

const AppParams = Type.Object({ applicationId: Int64({ minimum: 1 }) });
const CampaignParams = Type.Object({ applicationId: Int64({ minimum: 1 }), campaignId: Int64({ minimum: 1 }) });
const ReferralParams = Type.Object({
  applicationId: Int64({ minimum: 1 }), campaignId: Int64({ minimum: 1 }),
  referralId: Type.String({ pattern: '^[0-9]{1,18}$', description: 'The ID of the referral code.' }),
});
const FriendsParams = Type.Object({ applicationId: Int64({ minimum: 1 }), integrationId: Type.String({ minLength: 1, maxLength: 1000 }) });

/** The documented import columns first, then what else a referral carries. */
const EXPORT_COLUMNS = ['code', 'advocateprofileintegrationid', 'startdate', 'expirydate', 'limitval', 'attributes',
  'id', 'created', 'campaignid', 'friendprofileintegrationid', 'counter', 'importid', 'batchid'] as const;

/** RFC 4180: quote a cell holding a comma, quote or line break; double the quotes inside. */
function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** `excel`: `YYYY-MM-DD HH:MM:SS` in UTC, which spreadsheets read as a date; `ISO8601` (default): RFC 3339 as stored. */
const formatDate = (iso: string | undefined, excel: boolean): string =>
  iso === undefined ? '' : excel ? iso.slice(0, 19).replace('T', ' ') : iso;

function referralCsvLine(r: Referral, excel: boolean): string {
  const cells = [r.code, r.advocateProfileIntegrationId, formatDate(r.startDate, excel), formatDate(r.expiryDate, excel), String(r.usageLimit),
    JSON.stringify(r.attributes ?? {}), String(r.id), formatDate(r.created, excel), String(r.campaignId), r.friendProfileIntegrationId ?? '',
    String(r.usageCounter), r.importId === undefined ? '' : String(r.importId), r.batchId ?? ''];
  return `${cells.map(csvCell).join(',')}\n`;
}

/** Talon.One recommends files of at most 500 MB; the multipart limit is the real bound. */
const REFERRAL_IMPORT_LIMIT = 1024 * 1024 * 1024;
const NO_FILE = 'Send the CSV file as multipart/form-data in the field "upFile"';

const usableOf = (u: 'true' | 'false' | undefined) => (u === undefined ? {} : { usable: u === 'true' });

export async function referralManagementRoutes(app: App, ctx: ServiceContext) {
  app.get('/v1/applications/:applicationId/campaigns/:campaignId/referrals/no_total', {
    schema: { operationId: 'getReferralsWithoutTotalCount', tags, security, params: CampaignParams, querystring: ReferralListQuery, response: { 200: Type.Ref('ReferralPage'), ...errors } },
  }, async (req) => {
    const q = req.query;
    const page = await listReferrals(ctx, req.params.applicationId, req.params.campaignId, {
      skip: q.skip ?? 0, pageSize: q.pageSize ?? 1000,
      ...(q.sort !== undefined ? { sort: q.sort } : {}), ...(q.code !== undefined ? { code: q.code } : {}),
      ...(q.createdBefore !== undefined ? { createdBefore: q.createdBefore } : {}), ...(q.createdAfter !== undefined ? { createdAfter: q.createdAfter } : {}),
      ...(q.valid !== undefined ? { valid: q.valid } : {}), ...usableOf(q.usable), ...(q.advocate !== undefined ? { advocate: q.advocate } : {}),
    });
    return { hasMore: page.hasMore, data: page.data.map(wireReferral) };
  });

  app.put('/v1/applications/:applicationId/campaigns/:campaignId/referrals/:referralId', {
    schema: { operationId: 'updateReferral', tags, security, params: ReferralParams, body: ref(UpdateReferral), response: { 200: Type.Ref('Referral'), ...errors } },
  }, async (req) => wireReferral(await updateReferral(ctx, req.params.applicationId, req.params.campaignId, Number(req.params.referralId), req.body)));

  app.delete('/v1/applications/:applicationId/campaigns/:campaignId/referrals/:referralId', {
    schema: { operationId: 'deleteReferral', tags, security, params: ReferralParams, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await deleteReferral(ctx, req.params.applicationId, req.params.campaignId, Number(req.params.referralId));
    return reply.code(204).send(null);
  });

  app.get('/v1/applications/:applicationId/export_referrals', {
    schema: {
      operationId: 'exportReferrals', tags, security, params: AppParams, querystring: ReferralExportQuery,
      response: { 200: { content: { 'application/csv': { schema: Type.String({ format: 'csv' }) } } }, ...errors },
    },
  }, async (req, reply) => {
    const q = req.query;
    const pages = await exportReferrals(ctx, req.params.applicationId, {
      ...(q.campaignId !== undefined ? { campaignId: q.campaignId } : {}),
      ...(q.createdBefore !== undefined ? { createdBefore: q.createdBefore } : {}), ...(q.createdAfter !== undefined ? { createdAfter: q.createdAfter } : {}),
      ...(q.valid !== undefined ? { valid: q.valid } : {}), ...usableOf(q.usable), ...(q.batchId !== undefined ? { batchId: q.batchId } : {}),
    });
    const excel = q.dateFormat === 'excel';
    const body = Readable.from((async function* csv() {
      yield `${EXPORT_COLUMNS.join(',')}\n`;
      for await (const page of pages) yield page.map((r) => referralCsvLine(r, excel)).join('');
    })());
    return reply.type('application/csv').header('content-disposition', 'attachment; filename="referrals.csv"').send(body);
  });

  app.get('/v1/applications/:applicationId/profile/:integrationId/friends', {
    schema: { operationId: 'getApplicationCustomerFriends', tags, security, params: FriendsParams, querystring: FriendsQuery, response: { 200: Type.Ref('ApplicationRefereePage'), ...errors } },
  }, async (req) => {
    const q = req.query;
    const page = await customerFriends(ctx, req.params.applicationId, req.params.integrationId, {
      skip: q.skip ?? 0, pageSize: q.pageSize ?? 1000, ...(q.sort !== undefined ? { sort: q.sort } : {}), ...(q.withTotalResultSize !== undefined ? { withTotalResultSize: q.withTotalResultSize } : {}),
    });
    return { ...page, data: page.data.map(wireReferee) };
  });

  // the upload route in its own scope, so multipart parsing stays out of every other route
  await app.register(async (scope: App) => {
    await scope.register(multipart, { limits: { fileSize: REFERRAL_IMPORT_LIMIT, files: 1, fields: 10 } });
    scope.post('/v1/applications/:applicationId/campaigns/:campaignId/import_referrals', {
      bodyLimit: REFERRAL_IMPORT_LIMIT,
      schema: { operationId: 'importReferrals', tags, security, params: CampaignParams, consumes: ['multipart/form-data'], response: { 200: Type.Ref('ReferralImport'), ...errors } },
    }, async (req) => {
      if (!req.isMultipart()) throw invalidField('/upFile', Title.required, NO_FILE);
      const file = await req.file();
      if (!file || file.fieldname !== 'upFile') throw invalidField('/upFile', Title.required, NO_FILE);
      try {
        return await importReferrals(ctx, req.params.applicationId, req.params.campaignId, csvRecords(file.file));
      } finally {
        file.file.resume(); // a request refused before reading the file still drains it
      }
    });
  });
}
