/** Routes without an API credential: login, logout, health and readiness, and `/` (to the API docs). */
import { Type } from '@sinclair/typebox';
import { login, logout } from '../../services/auth/keys.js';
import { readiness } from '../../services/health/ready.js';
import type { ServiceContext } from '../../services/context.js';
import { bearerToken } from '../auth.js';
import { sendError } from '../errors.js';
import { LoginParams } from '../schemas/management.js';
import { ref } from '../schemas/common.js';
import type { App } from '../app.js';

export function publicRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/sessions', {
    schema: {
      operationId: 'createSession', tags: ['Management API: authentication'], body: ref(LoginParams),
      response: { 201: Type.Ref('Session'), 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse') },
    },
  }, async (req, reply) => reply.code(201).send(await login(ctx, req.body.email, req.body.password)));

  app.delete('/v1/sessions', {
    schema: { operationId: 'destroySession', tags: ['Management API: authentication'], security: [{ manager_auth: [] }], response: { 204: Type.Null() } },
  }, async (req, reply) => {
    const token = bearerToken(req);
    if (!token) return sendError(reply, 401, 'Missing bearer token');
    await logout(ctx, token);
    return reply.code(204).send(null);
  });

  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect('/docs', 302));
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  // 503 while the store cannot be reached or written (a write probe, shared by probes within a second)
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const r = await readiness(ctx);
    if (r.ready) return { status: 'ready', store: ctx.db.dialect };
    return sendError(reply.header('retry-after', String(r.retryAfterSeconds)), 503, r.message);
  });
}
