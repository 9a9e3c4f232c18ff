/** Integration API: customer sessions (docs/sessions.md). Thin: parse, call a service, shape. */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { getCustomerSession } from '../../../services/sessions/get.js';
import { reopenCustomerSession } from '../../../services/sessions/reopen.js';
import { returnCartItems } from '../../../services/sessions/returns.js';
import { updateCustomerSession } from '../../../services/sessions/update.js';
import { integrationState, integrationStateText, wireSession } from '../../shape.js';
import { IntegrationRequest, ReturnIntegrationRequest, ReturnQuery, SessionIdParams, UpdateSessionQuery } from '../../schemas/session.js';
import { ref } from '../../schemas/common.js';
import type { App } from '../../app.js';

const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 409: Type.Ref('ErrorResponse') };
const tags = ['Integration API: customer sessions'];

export function sessionRoutes(app: App, ctx: ServiceContext): void {
  app.put(
    '/v2/customer_sessions/:customerSessionId',
    {
      schema: {
        operationId: 'updateCustomerSessionV2', tags, security: [{ api_key_v1: [] }],
        params: SessionIdParams, querystring: UpdateSessionQuery, body: ref(IntegrationRequest),
        response: { 200: Type.Ref('IntegrationStateV2'), ...errors },
      },
    },
    async (req, reply) => {
      const responseContent = req.body.responseContent ?? [];
      const result = await updateCustomerSession(ctx, {
        applicationId: req.applicationId,
        integrationId: req.params.customerSessionId,
        patch: req.body.customerSession,
        responseContent,
        dry: req.query.dry === true,
        ...(req.query.now !== undefined ? { now: new Date(req.query.now) } : {}),
      });
      const state = integrationState(result, responseContent);
      if (result.effectsJson === undefined) return state;
      // a string with a JSON content type is sent as it is
      reply.type('application/json; charset=utf-8');
      return integrationStateText(reply.getSerializationFunction('200')!, state, result.effectsJson);
    });

  app.get('/v2/customer_sessions/:customerSessionId', {
    schema: {
      operationId: 'getCustomerSession', tags, security: [{ api_key_v1: [] }], params: SessionIdParams,
      response: { 200: Type.Ref('IntegrationCustomerSessionResponse'), ...errors, 404: Type.Ref('ErrorResponse') },
    },
  }, async (req) => {
    const { session, effects } = await getCustomerSession(ctx, req.applicationId, req.params.customerSessionId);
    return { customerSession: wireSession(session), effects };
  });

  app.post(
    '/v2/customer_sessions/:customerSessionId/returns',
    {
      schema: {
        operationId: 'returnCartItems', tags, security: [{ api_key_v1: [] }], params: SessionIdParams, querystring: ReturnQuery,
        body: ref(ReturnIntegrationRequest),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
        response: { 200: Type.Ref('IntegrationStateV2'), ...errors, 404: Type.Ref('ErrorResponse') },
      },
    },
    async (req, reply) => {
      const responseContent = req.body.responseContent ?? [];
      const key = req.headers['idempotency-key'];
      const { status, body } = await returnCartItems(ctx, {
        applicationId: req.applicationId,
        integrationId: req.params.customerSessionId,
        items: req.body.return.returnedCartItems,
        responseContent,
        dry: req.query.dry === true,
        runRuleEngine: req.query.runRuleEngine === true,
        ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
      }, (r) => integrationState(r, responseContent));
      return reply.code(status).send(body);
    });

  app.put('/v2/customer_sessions/:customerSessionId/reopen', {
    schema: {
      operationId: 'reopenCustomerSession', tags, security: [{ api_key_v1: [] }], params: SessionIdParams,
      response: { 200: Type.Ref('ReopenSessionResponse'), ...errors, 404: Type.Ref('ErrorResponse') },
    },
  }, async (req) => reopenCustomerSession(ctx, req.applicationId, req.params.customerSessionId));
}
