/** Integration API: loyalty cards of the card-based programs the key's Application is subscribed to (docs/loyalty-cards.md). */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { loyaltyCardBalances } from '../../../services/loyalty/cards/balances.js';
import { generateLoyaltyCard } from '../../../services/loyalty/cards/generate.js';
import { linkLoyaltyCard, unlinkLoyaltyCard } from '../../../services/loyalty/cards/link.js';
import { loyaltyCardPoints, loyaltyCardTransactions } from '../../../services/loyalty/cards/transactions.js';
import { Int64, ref } from '../../schemas/common.js';
import { idList } from '../../schemas/loyalty.js';
import { CardBalancesQuery, CardPointsQuery, CardTransactionsQuery, GenerateLoyaltyCard, LoyaltyCardRegistration, wireCard, wireCardBalances, wireCardPoints,
  wireCardTransaction } from '../../schemas/loyaltyCards.js';
import type { App } from '../../app.js';

const security = [{ api_key_v1: [] }];
const tags = ['Integration API: loyalty cards'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };
const ProgramParams = Type.Object({ loyaltyProgramId: Int64({ minimum: 1 }) });
const CardParams = Type.Object({ loyaltyProgramId: Int64({ minimum: 1 }), loyaltyCardId: Type.String({ minLength: 4, maxLength: 108 }) });

export function loyaltyCardIntegrationRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/loyalty_programs/:loyaltyProgramId/cards', {
    schema: { operationId: 'generateLoyaltyCard', tags, security, params: ProgramParams, body: ref(GenerateLoyaltyCard), response: { 200: Type.Ref('LoyaltyCard'), ...errors } },
  }, async (req) => wireCard(await generateLoyaltyCard(ctx, req.applicationId, req.params.loyaltyProgramId, req.body)));

  app.post('/v2/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId/link_profile', {
    schema: { operationId: 'linkLoyaltyCardToProfile', tags, security, params: CardParams, body: ref(LoyaltyCardRegistration), response: { 200: Type.Ref('LoyaltyCard'), ...errors } },
  }, async (req) => wireCard(await linkLoyaltyCard(ctx, req.applicationId, req.params.loyaltyProgramId, req.params.loyaltyCardId, req.body.integrationId)));

  app.post('/v2/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId/unlink_profile', {
    schema: { operationId: 'unlinkLoyaltyCardFromProfile', tags, security, params: CardParams, body: ref(LoyaltyCardRegistration), response: { 200: Type.Ref('LoyaltyCard'), ...errors } },
  }, async (req) => wireCard(await unlinkLoyaltyCard(ctx, req.applicationId, req.params.loyaltyProgramId, req.params.loyaltyCardId, req.body.integrationId)));

  app.get('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId/balances', {
    schema: { operationId: 'getLoyaltyCardBalances', tags, security, params: CardParams, querystring: CardBalancesQuery, response: { 200: Type.Ref('LoyaltyCardBalances'), ...errors } },
  }, async (req) => wireCardBalances(await loyaltyCardBalances(ctx, req.applicationId, req.params.loyaltyProgramId, req.params.loyaltyCardId,
    { ...(req.query.endDate !== undefined ? { endDate: req.query.endDate } : {}), ...(req.query.subledgerId !== undefined ? { subledgerIds: idList(req.query.subledgerId) } : {}) })));

  app.get('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId/transactions', {
    schema: { operationId: 'getLoyaltyCardTransactions', tags, security, params: CardParams, querystring: CardTransactionsQuery,
      response: { 200: Type.Ref('CardLedgerTransactionLogPage'), ...errors } },
  }, async (req) => {
    const { customerSessionIDs, transactionUUIDs, subledgerId, ...rest } = req.query;
    const r = await loyaltyCardTransactions(ctx, req.applicationId, req.params.loyaltyProgramId, req.params.loyaltyCardId,
      { ...rest, subledgerIds: idList(subledgerId), customerSessionIDs: idList(customerSessionIDs), transactionUUIDs: idList(transactionUUIDs) }, 50);
    return { hasMore: r.hasMore, data: r.data.map((t) => wireCardTransaction(t, r.identifier)) };
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/cards/:loyaltyCardId/points', {
    schema: { operationId: 'getLoyaltyCardPoints', tags, security, params: CardParams, querystring: CardPointsQuery, response: { 200: Type.Ref('CardLedgerPointsPage'), ...errors } },
  }, async (req) => {
    const { customerSessionIDs, transactionUUIDs, subledgerId, ...rest } = req.query;
    const r = await loyaltyCardPoints(ctx, req.applicationId, req.params.loyaltyProgramId, req.params.loyaltyCardId,
      { ...rest, subledgerIds: idList(subledgerId), customerSessionIDs: idList(customerSessionIDs), transactionUUIDs: idList(transactionUUIDs) });
    return { hasMore: r.hasMore, data: r.data.map(wireCardPoints) };
  });
}
