/** Integration API: activating on-action points and deleting a customer's loyalty transactions (docs/loyalty.md). */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { activateLoyaltyPoints } from '../../../services/loyalty/activate.js';
import { deleteLoyaltyTransactions } from '../../../services/loyalty/deleteTransactions.js';
import { Int64, ref } from '../../schemas/common.js';
import { ActivateLoyaltyPoints, DeleteLoyaltyTransactionsRequest, wireActivated } from '../../schemas/loyaltyOps.js';
import type { App } from '../../app.js';

const security = [{ api_key_v1: [] }];
const tags = ['Integration API: loyalty'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };
const ProgramParams = Type.Object({ loyaltyProgramId: Int64({ minimum: 1 }) });
const ProfileParams = Type.Object({ loyaltyProgramId: Int64({ minimum: 1 }), integrationId: Type.String({ minLength: 1, maxLength: 1000 }) });

export function loyaltyOpsIntegrationRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/loyalty_programs/:loyaltyProgramId/activate_points', {
    schema: { operationId: 'activateLoyaltyPoints', tags, security, params: ProgramParams, body: ref(ActivateLoyaltyPoints),
      response: { 200: Type.Ref('ActivateLoyaltyPointsResponse'), ...errors } },
  }, async (req) => ({ ledgerEntries: (await activateLoyaltyPoints(ctx, req.applicationId, req.params.loyaltyProgramId, req.body)).map(wireActivated) }));

  app.post('/v1/loyalty_programs/:loyaltyProgramId/profile/:integrationId/delete_transactions', {
    schema: { operationId: 'deleteLoyaltyTransactionsFromLedgers', tags, security, params: ProfileParams, body: ref(DeleteLoyaltyTransactionsRequest),
      response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await deleteLoyaltyTransactions(ctx, req.applicationId, req.params.loyaltyProgramId, req.params.integrationId, req.body);
    return reply.code(204).send(null);
  });
}
