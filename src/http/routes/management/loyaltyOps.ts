/**
 * Management API: importing loyalty points and cards (the multipart uploads), the balances and join-date
 * exports, and a program's statistics and dashboard (docs/loyalty.md, docs/loyalty-cards.md).
 */
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import { invalidField, Title } from '../../../domain/errors.js';
import type { ServiceContext } from '../../../services/context.js';
import { exportBalancesCsv, prepareBalancesExport } from '../../../services/loyalty/exportBalances.js';
import { exportJoinDatesCsv, prepareJoinDatesExport } from '../../../services/loyalty/exportJoinDates.js';
import { importLoyaltyCards } from '../../../services/loyalty/cards/import.js';
import { importLoyaltyPoints } from '../../../services/loyalty/importPoints.js';
import { dashboardStatistics, loyaltyStatistics } from '../../../services/loyalty/statistics.js';
import { DateTime, Int64 } from '../../schemas/common.js';
import { DashboardQuery, wireStatistics } from '../../schemas/loyaltyOps.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: loyalty'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };
/** Talon.One recommends files of at most 500 MB; the multipart file limit is the real bound (as for coupons). */
const IMPORT_FILE_LIMIT = 1024 * 1024 * 1024;

const ProgramParams = Type.Object({ loyaltyProgramId: Int64({ minimum: 1 }) });
const BalancesExportQuery = Type.Object({ endDate: Type.Optional(DateTime()) });
const ImportQuery = Type.Object({ notificationsEnabled: Type.Optional(Type.Boolean({ description: 'Accepted; OpenPromo sends no notifications' })) });
const csv = { 200: Type.String({ format: 'csv' }), ...errors };

export async function loyaltyOpsManagementRoutes(app: App, ctx: ServiceContext): Promise<void> {
  for (const [path, operationId] of [['export_customer_balances', 'exportLoyaltyBalances'], ['export_customer_balance', 'exportLoyaltyBalance']] as const) {
    app.get(`/v1/loyalty_programs/:loyaltyProgramId/${path}`, {
      schema: { operationId, tags, security, params: ProgramParams, querystring: BalancesExportQuery, produces: ['application/csv'], response: csv },
    }, async (req, reply) => {
      const at = await prepareBalancesExport(ctx, req.params.loyaltyProgramId, req.query.endDate);
      return reply.type('application/csv; charset=utf-8').header('content-disposition', 'attachment; filename="loyalty_balances.csv"')
        .send(Readable.from(exportBalancesCsv(ctx, req.params.loyaltyProgramId, at)));
    });
  }

  app.get('/v1/loyalty_programs/:loyaltyProgramId/export_join_dates', {
    schema: { operationId: 'exportLoyaltyJoinDates', tags, security, params: ProgramParams, produces: ['application/csv'], response: csv },
  }, async (req, reply) => {
    await prepareJoinDatesExport(ctx, req.params.loyaltyProgramId);
    return reply.type('application/csv; charset=utf-8').header('content-disposition', 'attachment; filename="loyalty_join_dates.csv"')
      .send(Readable.from(exportJoinDatesCsv(ctx, req.params.loyaltyProgramId)));
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/statistics', {
    schema: { operationId: 'getLoyaltyStatistics', tags, security, params: ProgramParams, response: { 200: Type.Ref('LoyaltyDashboardData'), ...errors } },
  }, async (req) => wireStatistics(await loyaltyStatistics(ctx, req.params.loyaltyProgramId)));

  app.get('/v1/loyalty_programs/:loyaltyProgramId/dashboard', {
    schema: { operationId: 'getDashboardStatistics', tags, security, params: ProgramParams, querystring: DashboardQuery,
      response: { 200: Type.Ref('LoyaltyDashboardDataPage'), ...errors } },
  }, async (req) => {
    const points = await dashboardStatistics(ctx, req.params.loyaltyProgramId, req.query);
    return { totalResultSize: points.length, data: points.map(wireStatistics) };
  });

  // the upload route in its own scope: multipart parsing stays out of every other route
  await app.register(async (scope: App) => {
    await scope.register(multipart, { limits: { fileSize: IMPORT_FILE_LIMIT, files: 1, fields: 10 } });
    for (const [path, operationId, routeTags, querystring, run] of [
      ['import_points', 'importLoyaltyPoints', tags, ImportQuery, importLoyaltyPoints],
      ['import_cards', 'importLoyaltyCards', ['Management API: loyalty cards'], undefined, importLoyaltyCards],
    ] as const) {
      scope.post(`/v1/loyalty_programs/:loyaltyProgramId/${path}`, {
        bodyLimit: IMPORT_FILE_LIMIT,
        schema: { operationId, tags: [...routeTags], security, params: ProgramParams, ...(querystring ? { querystring } : {}), consumes: ['multipart/form-data'],
          response: { 200: Type.Ref('Import'), ...errors } },
      }, async (req) => {
        if (!req.isMultipart()) throw invalidField('/upFile', Title.required, 'Send the CSV file as multipart/form-data in the field "upFile"');
        const file = await req.file();
        if (!file || file.fieldname !== 'upFile') throw invalidField('/upFile', Title.required, 'Send the CSV file as multipart/form-data in the field "upFile"');
        return run(ctx, req.params.loyaltyProgramId, file.file);
      });
    }
  });
}
