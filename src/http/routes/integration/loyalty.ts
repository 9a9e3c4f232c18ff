/** Integration API: a profile's loyalty balances, ledger entries and unused points, in the programs the key's Application is subscribed to (docs/loyalty.md). */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { profileBalances } from '../../../services/loyalty/balances.js';
import { Int64 } from '../../schemas/common.js';
import { loyaltyTransactions } from '../../../services/loyalty/transactions.js';
import { unusedPoints } from '../../../services/loyalty/unusedPoints.js';
import { BalancesQuery, idList, PointsQuery, TransactionsQuery, wireBalances, wireLogEntry, wirePoints } from '../../schemas/loyalty.js';
import type { App } from '../../app.js';

const security = [{ api_key_v1: [] }];
const tags = ['Integration API: loyalty'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };
const ProfileParams = Type.Object({ loyaltyProgramId: Int64({ minimum: 1 }), integrationId: Type.String({ minLength: 1, maxLength: 1000 }) });

export function loyaltyIntegrationRoutes(app: App, ctx: ServiceContext): void {
  app.get('/v1/loyalty_programs/:loyaltyProgramId/profile/:integrationId/balances', {
    schema: { operationId: 'getLoyaltyBalances', tags, security, params: ProfileParams, querystring: BalancesQuery,
      response: { 200: Type.Ref('LoyaltyBalancesWithTiers'), ...errors } },
  }, async (req) => wireBalances(await profileBalances(ctx, req.applicationId, req.params.loyaltyProgramId, req.params.integrationId, req.query)));

  app.get('/v1/loyalty_programs/:loyaltyProgramId/profile/:integrationId/transactions', {
    schema: { operationId: 'getLoyaltyProgramProfileTransactions', tags, security, params: ProfileParams, querystring: TransactionsQuery,
      response: { 200: Type.Ref('LedgerTransactionLogPage'), ...errors } },
  }, async (req) => {
    const { customerSessionIDs, transactionUUIDs, ...rest } = req.query;
    const r = await loyaltyTransactions(ctx, req.applicationId, req.params.loyaltyProgramId, req.params.integrationId,
      { ...rest, customerSessionIDs: idList(customerSessionIDs), transactionUUIDs: idList(transactionUUIDs) });
    return { hasMore: r.hasMore, data: r.data.map(wireLogEntry) };
  });

  app.get('/v1/loyalty_programs/:loyaltyProgramId/profile/:integrationId/points', {
    schema: { operationId: 'getLoyaltyProgramProfilePoints', tags, security, params: ProfileParams, querystring: PointsQuery,
      response: { 200: Type.Ref('LedgerPointsPage'), ...errors } },
  }, async (req) => {
    const { customerSessionIDs, transactionUUIDs, ...rest } = req.query;
    const r = await unusedPoints(ctx, req.applicationId, req.params.loyaltyProgramId, req.params.integrationId,
      { ...rest, customerSessionIDs: idList(customerSessionIDs), transactionUUIDs: idList(transactionUUIDs) });
    return { hasMore: r.hasMore, data: r.data.map(wirePoints) };
  });
}
