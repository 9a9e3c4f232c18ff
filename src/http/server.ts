/** Fastify assembly: schemas, validation, error mapping, auth scopes, OpenAPI, health. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { randomBytes } from 'node:crypto';
import type { ServiceContext } from '../services/context.js';
import type { App } from './app.js';
import { integrationAuth, managementAuth } from './auth.js';
import { errorHandler, InvalidJsonBody, sendError } from './errors.js';
import { allSchemas } from './schemas/index.js';
import { integrationRoutes, managementRoutes, publicRoutes } from './routes/index.js';
import { createOperations } from './operations.js';
import { createValidatorCompiler, ignoredFields } from './validation.js';

export interface ServerOptions {
  logLevel?: string;
  /** false: no logging at all (tests) */
  logger?: boolean;
  /** where the log lines go (default stdout); the CLI passes a human-readable one on a terminal */
  logStream?: { write(line: string): void };
  bodyLimit?: number;
}

/**
 * Request ids (log field `reqId`, `x-request-id` header) when the client sends none: a random prefix per
 * process and a counter — unique across processes and restarts, without a random UUID per request.
 */
const REQUEST_ID_PREFIX = randomBytes(6).toString('hex');
let requestCount = 0;
const nextRequestId = () => `${REQUEST_ID_PREFIX}-${(++requestCount).toString(36)}`;

export async function buildServer(ctx: ServiceContext, opts: ServerOptions = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger === false ? false : { level: opts.logLevel ?? process.env.LOG_LEVEL ?? 'info', ...(opts.logStream ? { stream: opts.logStream } : {}) },
    bodyLimit: opts.bodyLimit ?? 8 * 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: nextRequestId,
    ajv: { customOptions: { strict: false } },
    // ids in paths are matched case-sensitively and may contain any character. The router's own
    // length limit sits far above the schemas' maxLength (1000) so an over-long id gets the schema's
    // 400 naming the parameter (docs/http.md, "Path parameters") rather than the router's bare 414.
    routerOptions: { maxParamLength: 10_000 },
    // the router's own failures (undecodable URL, absurdly long id) in our ErrorResponse shape too
    frameworkErrors: (err, _req, reply) => {
      sendError(reply, err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400, err.message);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // declared up front so that every request object has the same shape (auth.ts sets it)
  app.decorateRequest('applicationId', 0);
  app.setValidatorCompiler(createValidatorCompiler(allSchemas));
  for (const s of allSchemas) app.addSchema(s);
  app.setErrorHandler(errorHandler);
  // An empty body with a JSON content type is "no body" (reopen is a PUT without one; curl and
  // generic clients still send the header); schemas that need a body then say so with a 400.
  // JSON.parse keeps a `__proto__` key as an own, plain property: it never sets a prototype.
  // Fastify's text/plain parser would hand a JSON route a string; without it a body in any type but JSON
  // (or multipart on an upload) is a 415 saying what to send (docs/errors.md)
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch (err) {
      done(new InvalidJsonBody(err), undefined);
    }
  });
  // every route documented (summary, description, Talon.One's operationId); a Talon.One operation that is
  // not served is a 501 naming it, anything else a 404 (docs/api-coverage.md)
  const operations = createOperations();
  app.addHook('onRoute', operations.describe);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const unserved = operations.unserved(req.method, path);
    return unserved ? sendError(reply, 501, unserved) : sendError(reply, 404, `Route ${req.method} ${path} not found`);
  });
  // unknown body fields that are not near misses are ignored; at debug level they are logged
  if (app.log.level === 'debug' || app.log.level === 'trace') {
    app.addHook('preHandler', (req, _reply, done) => {
      const ignored = typeof req.body === 'object' && req.body !== null ? ignoredFields.get(req.body) : undefined;
      if (ignored) req.log.debug({ ignoredFields: ignored }, 'unknown body fields ignored');
      done();
    });
  }
  // callback style: an async hook costs a promise per response
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'OpenPromo', version: '0.1.0', description: 'Talon.One-compatible Integration and Management API' },
      components: {
        securitySchemes: {
          api_key_v1: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'ApiKey-v1 <key>' },
          management_key: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'ManagementKey-v1 <key>' },
          manager_auth: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Bearer <token>' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register((scope: App, _opts, done) => {
    scope.addHook('onRequest', integrationAuth(ctx));
    integrationRoutes(scope, ctx);
    done();
  });
  await app.register(async (scope: App) => {
    scope.addHook('onRequest', managementAuth(ctx));
    await managementRoutes(scope, ctx);
  });
  publicRoutes(app, ctx);
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return app;
}
