/** Management API: loyalty cards of card-based programs (docs/loyalty-cards.md). Card ids in paths are identifiers, URL-encoded. */
import { Type } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import type { ServiceContext } from '../../../services/context.js';
import { createBatchLoyaltyCards } from '../../../services/loyalty/cards/batch.js';
import {
  exportCardBalancesCsv, exportCardLedgerCsv, exportCardsCsv, prepareCardBalancesExport, prepareCardLedgerExport, prepareCardsExport,
} from '../../../services/loyalty/cards/export.js';
import { addLoyaltyCardPoints, deductLoyaltyCardPoints } from '../../../services/loyalty/cards/points.js';
import { getLoyaltyCard, getLoyaltyCards } from '../../../services/loyalty/cards/read.js';
import { deleteLoyaltyCard } from '../../../services/loyalty/cards/remove.js';
import { loyaltyCardTransactions } from '../../../services/loyalty/cards/transactions.js';
import { transferLoyaltyCard } from '../../../services/loyalty/cards/transfer.js';
import { updateLoyaltyCard } from '../../../services/loyalty/cards/update.js';
import { DateTime, Int64, ref, StringEnum } from '../../schemas/common.js';
import { AddLoyaltyPoints, DeductLoyaltyPoints, idList } from '../../schemas/loyalty.js';
import { CardLogsQuery, CardsQuery, LoyaltyCardBatch, TransferLoyaltyCard, UpdateLoyaltyCardRequest, wireCard, wireCardLog } from '../../schemas/loyaltyCards.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: loyalty cards'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };

const ProgramParams = Type.Object({ loyaltyProgramId: Int64({ minimum: 1 }) });
const CardParams = Type.Object({ loyaltyProgramId: Int64({ minimum: 1 }), loyaltyCardId: Type.String({ minLength: 4, maxLength: 108 }) });
const DateFormat = () => Type.Optional(StringEnum(['excel', 'ISO8601']));
const ExportQuery = Type.Object({ rangeStart: DateTime(), rangeEnd: DateTime(), dateFormat: DateFormat() });
const CardsExportQuery = Type.Object({
  batchId: Type.Optional(Type.String({ maxLength: 20 })), createdBefore: Type.Optional(DateTime()), createdAfter: Type.Optional(DateTime()), dateFormat: DateFormat(),
});
const BalancesExportQuery = Type.Object({ endDate: Type.Optional(DateTime()) });
const csv = { 200: Type.String({ format: 'csv' }), ...errors };

export function loyaltyCardManagementRoutes(app: App, ctx: ServiceContext): void {
  app.get('/v1/loyalty_programs/:loyaltyProgramId/cards', {
    schema: { operationId: 'getLoyaltyCards', tags, security, params: ProgramParams, querystring: CardsQuery, response: { 200: Type.Ref('LoyaltyCardPage'), ...errors } },
  }, async (req) => {
    const r = await getLoyaltyCards(ctx, req.params.loyaltyProgramId, req.query);
    return { hasMore: r.hasMore, data: r.data.map(wireCard) };
  });

  app.post('/v1/loyalty_programs/:loyaltyProgramId/cards/batch', {
    schema: { operationId: 'createBatchLoyaltyCards', tags, security, params: ProgramParams, body: ref(LoyaltyCardBatch),
      response: { 200: Type.Ref('LoyaltyCardBatchResponse'), ...errors } },
  }, async (req) => {
    const { cardCodeSettings, ...rest } = req.body;
    return createBatchLoyaltyCards(ctx, req.params.loyaltyProgramId,
      { ...rest, ...(cardCodeSettings !== undefined ? { cardCodeSettings: cardCodeSettings as { couponPattern: string; validCharacters: string[] } } : {}) });
  });

  // a literal segment: `…/cards/export` never reaches getLoyaltyCard as a card named "export"
  app.get('/v1/loyalty_programs/:loyaltyProgramId/cards/export', {
    schema: { operationId: 'exportLoyaltyCards', tags, security, params: ProgramParams, querystring: CardsExportQuery, produces: ['application/csv'], response: csv },
  }, async (req, reply) => {
    const { dateFormat, ...filter } = req.query;
    const { program, q } = await prepareCardsExport(ctx, req.params.loyaltyProgramId, filter);
    return reply.type('application/csv; charset=utf-8').header('content-disposition', 'attachment; filename="loyalty_cards.csv"')
      .send(Readable.from(exportCardsCsv(ctx, program, q, dateFormat)));
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/export_card_balances', {
    schema: { operationId: 'exportLoyaltyCardBalances', tags, security, params: ProgramParams, querystring: BalancesExportQuery, produces: ['application/csv'], response: csv },
  }, async (req, reply) => {
    const at = await prepareCardBalancesExport(ctx, req.params.loyaltyProgramId, req.query.endDate);
    return reply.type('application/csv; charset=utf-8').header('content-disposition', 'attachment; filename="loyalty_card_balances.csv"')
      .send(Readable.from(exportCardBalancesCsv(ctx, req.params.loyaltyProgramId, at)));
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId', {
    schema: { operationId: 'getLoyaltyCard', tags, security, params: CardParams, response: { 200: Type.Ref('LoyaltyCard'), ...errors } },
  }, async (req) => wireCard(await getLoyaltyCard(ctx, req.params.loyaltyProgramId, req.params.loyaltyCardId)));

  app.put('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId', {
    schema: { operationId: 'updateLoyaltyCard', tags, security, params: CardParams, body: ref(UpdateLoyaltyCardRequest), response: { 200: Type.Ref('LoyaltyCard'), ...errors } },
  }, async (req) => wireCard(await updateLoyaltyCard(ctx, req.params.loyaltyProgramId, req.params.loyaltyCardId, req.body)));

  app.delete('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId', {
    schema: { operationId: 'deleteLoyaltyCard', tags, security, params: CardParams, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await deleteLoyaltyCard(ctx, req.params.loyaltyProgramId, req.params.loyaltyCardId);
    return reply.code(204).send(null);
  });

  app.put('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId/add_points', {
    schema: { operationId: 'addLoyaltyCardPoints', tags, security, params: CardParams, body: ref(AddLoyaltyPoints), response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await addLoyaltyCardPoints(ctx, req.params.loyaltyProgramId, req.params.loyaltyCardId, req.body);
    return reply.code(204).send(null);
  });

  app.put('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId/deduct_points', {
    schema: { operationId: 'deductLoyaltyCardPoints', tags, security, params: CardParams, body: ref(DeductLoyaltyPoints), response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await deductLoyaltyCardPoints(ctx, req.params.loyaltyProgramId, req.params.loyaltyCardId, req.body);
    return reply.code(204).send(null);
  });

  app.put('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId/transfer', {
    schema: { operationId: 'transferLoyaltyCard', tags, security, params: CardParams, body: ref(TransferLoyaltyCard), response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await transferLoyaltyCard(ctx, req.params.loyaltyProgramId, req.params.loyaltyCardId, req.body);
    return reply.code(204).send(null);
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId/logs', {
    schema: { operationId: 'getLoyaltyCardTransactionLogs', tags, security, params: CardParams, querystring: CardLogsQuery,
      response: { 200: Type.Ref('CardLedgerTransactionLogEntryPage'), ...errors } },
  }, async (req) => {
    const { customerSessionIDs, transactionUUIDs, subledgerId, ...rest } = req.query;
    const r = await loyaltyCardTransactions(ctx, undefined, req.params.loyaltyProgramId, req.params.loyaltyCardId,
      { ...rest, ...(subledgerId !== undefined ? { subledgerIds: [subledgerId] } : {}), customerSessionIDs: idList(customerSessionIDs), transactionUUIDs: idList(transactionUUIDs) }, 1000);
    return { hasMore: r.hasMore, data: r.data.map((t) => wireCardLog(t, r.identifier)) };
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId/export_log', {
    schema: { operationId: 'exportLoyaltyCardLedger', tags, security, params: CardParams, querystring: ExportQuery, produces: ['application/csv'], response: csv },
  }, async (req, reply) => {
    const { q, identifier } = await prepareCardLedgerExport(ctx, req.params.loyaltyProgramId, req.params.loyaltyCardId, req.query.rangeStart, req.query.rangeEnd);
    return reply.type('application/csv; charset=utf-8').header('content-disposition', 'attachment; filename="loyalty_card_ledger.csv"')
      .send(Readable.from(exportCardLedgerCsv(ctx, q, identifier, req.query.dateFormat)));
  });
}
