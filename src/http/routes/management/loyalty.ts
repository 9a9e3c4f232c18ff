/** Management API: loyalty programs (create and update are our extensions), a profile's points, and the tier import and export (docs/loyalty.md). */
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import { invalidField, Title } from '../../../domain/errors.js';
import type { ProgramSettings } from '../../../domain/loyalty.js';
import type { ServiceContext } from '../../../services/context.js';
import { addLoyaltyPoints } from '../../../services/loyalty/add.js';
import { profileBalances } from '../../../services/loyalty/balances.js';
import { createProgram } from '../../../services/loyalty/create.js';
import { removeLoyaltyPoints } from '../../../services/loyalty/deduct.js';
import { exportLedgerCsv, prepareLedgerExport } from '../../../services/loyalty/export.js';
import { exportTiersCsv, prepareTiersExport } from '../../../services/loyalty/exportTiers.js';
import { importLoyaltyCustomersTiers } from '../../../services/loyalty/importTiers.js';
import { loyaltyLedger } from '../../../services/loyalty/ledger.js';
import { getLoyaltyProgram, getLoyaltyPrograms } from '../../../services/loyalty/read.js';
import { updateLoyaltyProgram } from '../../../services/loyalty/update.js';
import { DateTime, Int64, ref, StringEnum } from '../../schemas/common.js';
import { loyaltyTransactions } from '../../../services/loyalty/transactions.js';
import { AddLoyaltyPoints, BalancesQuery, DeductLoyaltyPoints, idList, NewLoyaltyProgram, TransactionsQuery, UpdateLoyaltyProgram, wireBalances, wireLedger, wireLogEntry,
  wireProgram, wireProgramTransaction } from '../../schemas/loyalty.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: loyalty'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };

const ProgramParams = Type.Object({ loyaltyProgramId: Int64({ minimum: 1 }) });
const ProfileParams = Type.Object({ loyaltyProgramId: Int64({ minimum: 1 }), integrationId: Type.String({ minLength: 1, maxLength: 1000 }) });

const ExportQuery = Type.Object({ rangeStart: DateTime(), rangeEnd: DateTime(), dateFormat: Type.Optional(StringEnum(['excel', 'ISO8601'])) });

type CodeSettings = ProgramSettings['cardCodeSettings'];

/** Talon.One recommends files of at most 500 MB; the multipart file limit is the real bound (as for the points import). */
const IMPORT_FILE_LIMIT = 1024 * 1024 * 1024;
/** 25.17 sends these lists comma-separated (`explode: false`); a repeated key is accepted too. */
const NameList = () => Type.Union([Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 1000 }), Type.String({ maxLength: 64000 })]);
const TiersExportQuery = Type.Object({ subledgerIds: Type.Optional(NameList()), tierNames: Type.Optional(NameList()) });
const splitList = (v: string | string[] | undefined) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')));

export function loyaltyManagementRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/loyalty_programs', {
    schema: { operationId: 'createLoyaltyProgram', tags, security, body: ref(NewLoyaltyProgram),
      response: { 201: Type.Ref('LoyaltyProgram'), ...errors, 409: Type.Ref('ErrorResponse') } },
  }, async (req, reply) => {
    const { cardCodeSettings, ...rest } = req.body;
    const program = await createProgram(ctx, { ...rest, ...(cardCodeSettings !== undefined ? { cardCodeSettings: cardCodeSettings as CodeSettings } : {}) });
    return reply.code(201).send(wireProgram({ program, hasTransactions: false }));
  });

  app.put('/v1/loyalty_programs/:loyaltyProgramId', {
    schema: { operationId: 'updateLoyaltyProgram', tags, security, params: ProgramParams, body: ref(UpdateLoyaltyProgram),
      response: { 200: Type.Ref('LoyaltyProgram'), ...errors } },
  }, async (req) => {
    const { cardCodeSettings, ...rest } = req.body;
    return wireProgram(await updateLoyaltyProgram(ctx, req.params.loyaltyProgramId,
      { ...rest, ...(cardCodeSettings !== undefined ? { cardCodeSettings: cardCodeSettings as CodeSettings } : {}) }));
  });

  app.get('/v1/loyalty_programs', {
    schema: { operationId: 'getLoyaltyPrograms', tags, security, response: { 200: Type.Ref('LoyaltyProgramPage'), 401: Type.Ref('ErrorResponse') } },
  }, async () => {
    const programs = await getLoyaltyPrograms(ctx);
    return { totalResultSize: programs.length, data: programs.map(wireProgram) };
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId', {
    schema: { operationId: 'getLoyaltyProgram', tags, security, params: ProgramParams, response: { 200: Type.Ref('LoyaltyProgram'), ...errors } },
  }, async (req) => wireProgram(await getLoyaltyProgram(ctx, req.params.loyaltyProgramId)));

  app.put('/v1/loyalty_programs/:loyaltyProgramId/profile/:integrationId/add_points', {
    schema: { operationId: 'addLoyaltyPoints', tags, security, params: ProfileParams, body: ref(AddLoyaltyPoints), response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await addLoyaltyPoints(ctx, req.params.loyaltyProgramId, req.params.integrationId, req.body);
    return reply.code(204).send(null);
  });

  app.put('/v1/loyalty_programs/:loyaltyProgramId/profile/:integrationId/deduct_points', {
    schema: { operationId: 'removeLoyaltyPoints', tags, security, params: ProfileParams, body: ref(DeductLoyaltyPoints), response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await removeLoyaltyPoints(ctx, req.params.loyaltyProgramId, req.params.integrationId, req.body);
    return reply.code(204).send(null);
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/profile/:integrationId/ledger_balances', {
    schema: { operationId: 'getLoyaltyLedgerBalances', tags, security, params: ProfileParams, querystring: BalancesQuery,
      response: { 200: Type.Ref('LoyaltyBalancesWithTiers'), ...errors } },
  }, async (req) => wireBalances(await profileBalances(ctx, undefined, req.params.loyaltyProgramId, req.params.integrationId, req.query)));

  app.get('/v1/loyalty_programs/:loyaltyProgramId/profile/:integrationId/ledger_transactions', {
    schema: { operationId: 'getLoyaltyProgramProfileLedgerTransactions', tags, security, params: ProfileParams, querystring: TransactionsQuery,
      response: { 200: Type.Ref('LedgerTransactionLogPage'), ...errors } },
  }, async (req) => {
    const { customerSessionIDs, transactionUUIDs, ...rest } = req.query;
    const r = await loyaltyTransactions(ctx, undefined, req.params.loyaltyProgramId, req.params.integrationId,
      { ...rest, customerSessionIDs: idList(customerSessionIDs), transactionUUIDs: idList(transactionUUIDs) });
    return { hasMore: r.hasMore, data: r.data.map(wireLogEntry) };
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/transactions', {
    schema: { operationId: 'getLoyaltyProgramTransactions', tags, security, params: ProgramParams, querystring: TransactionsQuery,
      response: { 200: Type.Ref('LoyaltyProgramTransactionPage'), ...errors } },
  }, async (req) => {
    const { customerSessionIDs, transactionUUIDs, ...rest } = req.query;
    const r = await loyaltyTransactions(ctx, undefined, req.params.loyaltyProgramId, undefined,
      { ...rest, customerSessionIDs: idList(customerSessionIDs), transactionUUIDs: idList(transactionUUIDs) });
    return { hasMore: r.hasMore, data: r.data.map((t) => wireProgramTransaction(t, t.cardId !== undefined ? r.cardIdentifiers.get(t.cardId) : undefined)) };
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/profile/:integrationId', {
    schema: { operationId: 'getLoyaltyPoints', tags, security, params: ProfileParams, response: { 200: Type.Ref('LoyaltyLedger'), ...errors } },
  }, async (req) => wireLedger(await loyaltyLedger(ctx, req.params.loyaltyProgramId, req.params.integrationId), req.params.integrationId));

  app.get('/v1/loyalty_programs/:loyaltyProgramId/profile/:integrationId/export_log', {
    schema: { operationId: 'exportLoyaltyLedger', tags, security, params: ProfileParams, querystring: ExportQuery, produces: ['application/csv'],
      response: { 200: Type.String({ format: 'csv' }), ...errors } },
  }, async (req, reply) => {
    const q = await prepareLedgerExport(ctx, req.params.loyaltyProgramId, req.params.integrationId, req.query.rangeStart, req.query.rangeEnd);
    return reply.type('application/csv; charset=utf-8').header('content-disposition', 'attachment; filename="loyalty_ledger.csv"')
      .send(Readable.from(exportLedgerCsv(ctx, q, req.query.dateFormat)));
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/export_customers_tiers', {
    schema: { operationId: 'exportCustomersTiers', tags, security, params: ProgramParams, querystring: TiersExportQuery, produces: ['application/csv'],
      response: { 200: Type.String({ format: 'csv' }), ...errors } },
  }, async (req, reply) => {
    const now = await prepareTiersExport(ctx, req.params.loyaltyProgramId);
    const f = { ...(req.query.subledgerIds !== undefined ? { subledgerIds: splitList(req.query.subledgerIds)! } : {}),
      ...(req.query.tierNames !== undefined ? { tierNames: splitList(req.query.tierNames)! } : {}) };
    return reply.type('application/csv; charset=utf-8').header('content-disposition', 'attachment; filename="loyalty_customers_tiers.csv"')
      .send(Readable.from(exportTiersCsv(ctx, req.params.loyaltyProgramId, f, now)));
  });

  // the upload route in its own scope: multipart parsing stays out of every other route
  void app.register(async (scope: App) => {
    await scope.register(multipart, { limits: { fileSize: IMPORT_FILE_LIMIT, files: 1, fields: 10 } });
    scope.post('/v1/loyalty_programs/:loyaltyProgramId/import_customers_tiers', {
      bodyLimit: IMPORT_FILE_LIMIT,
      schema: { operationId: 'importLoyaltyCustomersTiers', tags, security, params: ProgramParams, consumes: ['multipart/form-data'],
        response: { 200: Type.Ref('Import'), ...errors } },
    }, async (req) => {
      if (!req.isMultipart()) throw invalidField('/upFile', Title.required, 'Send the CSV file as multipart/form-data in the field "upFile"');
      const file = await req.file();
      if (!file || file.fieldname !== 'upFile') throw invalidField('/upFile', Title.required, 'Send the CSV file as multipart/form-data in the field "upFile"');
      return importLoyaltyCustomersTiers(ctx, req.params.loyaltyProgramId, file.file);
    });
  });
}
