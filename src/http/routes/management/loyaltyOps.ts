/** Management API: importing loyalty points, the balances and join-date exports, and a program's statistics (docs/loyalty.md). */
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import { invalidField, Title } from '../../../domain/errors.js';
import type { ServiceContext } from '../../../services/context.js';
import { exportBalancesCsv, prepareBalancesExport } from '../../../services/loyalty/exportBalances.js';
import { exportJoinDatesCsv, prepareJoinDatesExport } from '../../../services/loyalty/exportJoinDates.js';
import { importLoyaltyPoints } from '../../../services/loyalty/importPoints.js';
import { loyaltyStatistics } from '../../../services/loyalty/statistics.js';
import { DateTime, Int64 } from '../../schemas/common.js';
import { wireStatistics } from '../../schemas/loyaltyOps.js';
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

  // the upload route in its own scope: multipart parsing stays out of every other route
  await app.register(async (scope: App) => {
    await scope.register(multipart, { limits: { fileSize: IMPORT_FILE_LIMIT, files: 1, fields: 10 } });
    scope.post('/v1/loyalty_programs/:loyaltyProgramId/import_points', {
      bodyLimit: IMPORT_FILE_LIMIT,
      schema: { operationId: 'importLoyaltyPoints', tags, security, params: ProgramParams, querystring: ImportQuery, consumes: ['multipart/form-data'],
        response: { 200: Type.Ref('Import'), ...errors } },
    }, async (req) => {
      if (!req.isMultipart()) throw invalidField('/upFile', Title.required, 'Send the CSV file as multipart/form-data in the field "upFile"');
      const file = await req.file();
      if (!file || file.fieldname !== 'upFile') throw invalidField('/upFile', Title.required, 'Send the CSV file as multipart/form-data in the field "upFile"');
      return importLoyaltyPoints(ctx, req.params.loyaltyProgramId, file.file);
    });
  });
}
