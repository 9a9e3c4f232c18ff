/** Integration API: referral codes, scoped to the key's Application (docs/referrals.md). */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { createReferral, createReferralsForMultipleAdvocates } from '../../../services/referrals/create.js';
import { ref, StringEnum } from '../../schemas/common.js';
import { NewReferral, NewReferralsForMultipleAdvocates } from '../../schemas/referrals.js';
import { wireReferral } from '../../shape.js';
import type { App } from '../../app.js';

const security = [{ api_key_v1: [] }];
const tags = ['Integration API: referrals'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse') };
const SilentQuery = Type.Object({ silent: Type.Optional(StringEnum(['yes', 'no'], { default: 'yes' })) });

export function referralIntegrationRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/referrals', {
    schema: { operationId: 'createReferral', tags, security, body: ref(NewReferral), response: { 201: Type.Ref('Referral'), ...errors } },
  }, async (req, reply) => reply.code(201).send(wireReferral(await createReferral(ctx, req.applicationId, req.body))));

  app.post('/v1/referrals_for_multiple_advocates', {
    schema: {
      operationId: 'createReferralsForMultipleAdvocates', tags, security, querystring: SilentQuery, body: ref(NewReferralsForMultipleAdvocates),
      response: { 201: Type.Ref('ReferralBatch'), 204: Type.Null(), ...errors },
    },
  }, async (req, reply) => {
    const created = await createReferralsForMultipleAdvocates(ctx, req.applicationId, req.body);
    if (req.query.silent !== 'no') return reply.code(204).send(null);
    return reply.code(201).send({ totalResultSize: created.length, data: created.map(wireReferral) });
  });
}
