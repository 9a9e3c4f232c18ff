/** Integration API: referral codes (coupons-referrals-budgets.md §2.3), scoped to the key's Application. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../../services/context.js';
import { createReferral, createReferralsForMultipleAdvocates } from '../../../services/referrals/create.js';
import { StringEnum } from '../../schemas/common.js';
import { type NewReferral, type NewReferralsForMultipleAdvocates } from '../../schemas/referrals.js';
import { wireReferral } from '../../shape.js';

const security = [{ api_key_v1: [] }];
const tags = ['Integration API: referrals'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse') };
const SilentQuery = Type.Object({ silent: Type.Optional(StringEnum(['yes', 'no'], { default: 'yes' })) });

export async function referralIntegrationRoutes(app: FastifyInstance, ctx: ServiceContext) {
  app.post<{ Body: NewReferral }>('/v1/referrals', {
    schema: { operationId: 'createReferral', tags, security, body: Type.Ref('NewReferral'), response: { 201: Type.Ref('Referral'), ...errors } },
  }, async (req, reply) => reply.code(201).send(wireReferral(await createReferral(ctx, req.applicationId, req.body))));

  app.post<{ Querystring: Static<typeof SilentQuery>; Body: NewReferralsForMultipleAdvocates }>('/v1/referrals_for_multiple_advocates', {
    schema: {
      operationId: 'createReferralsForMultipleAdvocates', tags, security, querystring: SilentQuery, body: Type.Ref('NewReferralsForMultipleAdvocates'),
      response: { 201: Type.Ref('ReferralBatch'), 204: Type.Null(), ...errors },
    },
  }, async (req, reply) => {
    const created = await createReferralsForMultipleAdvocates(ctx, req.applicationId, req.body);
    if (req.query.silent !== 'no') return reply.code(204).send();
    return reply.code(201).send({ totalResultSize: created.length, data: created.map(wireReferral) });
  });
}
