/** Maps every failure to Talon.One's error bodies (ErrorResponse / ErrorResponseWithStatus). */
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { AppError, Title, Unavailable, type ApiError } from '../domain/errors.js';

/**
 * An APIError on the wire: titled from the domain's list (docs/errors.md), except Fastify's own client
 * errors (body parsing, content type, multipart limits), which keep Fastify's error code as their title.
 */
interface WireError extends Omit<ApiError, 'title'> { title: Title | `FST_${string}` }


/** The title of a schema violation: the JSON Schema keyword, as Talon.One titles it, or the list's name for it. */
const KEYWORD_TITLES: Readonly<Record<string, Title>> = {
  type: Title.invalidType, additionalProperties: Title.unknown, required: Title.required, enum: Title.enum, format: Title.format,
  pattern: Title.pattern, minimum: Title.minimum, maximum: Title.maximum, minLength: Title.minLength, maxLength: Title.maxLength,
  minItems: Title.minItems, maxItems: Title.maxItems, maxProperties: Title.maxProperties,
};

/** One APIError per schema violation, naming the body field by pointer or the parameter by name. */
function validationErrors(context: string, errs: readonly FastifySchemaValidationError[]): ApiError[] {
  return errs.map((e) => {
    if ((e.keyword) === 'nearMiss') return { title: Title.unknown, details: e.message ?? '', source: { pointer: e.instancePath } };
    let path = e.instancePath;
    if (e.keyword === 'required') path += `/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') path += `/${String(e.params.additionalProperty)}`;
    const title = KEYWORD_TITLES[e.keyword] ?? Title.invalidValue;
    const allowed = e.keyword === 'enum' && Array.isArray(e.params.allowedValues) ? `: ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
    const details = `${path || context} ${e.message ?? 'is invalid'}${allowed}`.trim();
    if (context === 'body') return { title, details, source: { pointer: path || '/' } };
    const missing = e.params.missingProperty;
    const name = path.replace(/^\//, '').split('/')[0] || (typeof missing === 'string' ? missing : context);
    return { title, details: `${name} ${e.message ?? 'is invalid'}${allowed}`, source: { parameter: name } };
  });
}

/**
 * Every error body has `errors` (docs/errors.md): a failure without a field to point at (401, 404, 409, 5xx)
 * carries one APIError repeating the message, titled by its status and pointing at the credential or the
 * requested path.
 */
function statusError(reply: FastifyReply, status: number, message: string): WireError {
  const resource = reply.request.url.split('?')[0];
  switch (status) {
    case 401: case 403: return { title: Title.invalidValue, details: message, source: { parameter: 'Authorization' } };
    case 404: return { title: Title.unknown, details: message, source: { resource } };
    case 409: return { title: Title.conflict, details: message, source: { resource } };
    case 501: return { title: Title.notImplemented, details: message, source: { resource } };
    case 503: return { title: Title.unavailable, details: message, source: { resource } };
    default: return status >= 500 ? { title: Title.internalError, details: message, source: { resource } } : { title: Title.invalidValue, details: message, source: { resource } };
  }
}

export function sendError(reply: FastifyReply, status: number, message: string, errors: readonly WireError[] = []): FastifyReply {
  const body = { message, errors: errors.length > 0 ? errors : [statusError(reply, status, message)], StatusCode: status };
  return reply.code(status).type('application/json').send(body);
}

/** The media type a route takes: multipart for an upload, JSON otherwise. */
function expectedMediaType(req: FastifyRequest): string {
  const consumes = (req.routeOptions.schema as { consumes?: unknown } | undefined)?.consumes;
  return Array.isArray(consumes) && consumes.includes('multipart/form-data') ? 'multipart/form-data' : 'application/json';
}

/** A request body that is not JSON: a client error with Fastify's status and code, and the parser's reason. */
export class InvalidJsonBody extends Error implements FastifyError {
  readonly code = 'FST_ERR_CTP_INVALID_JSON_BODY';
  readonly statusCode = 400;
  constructor(cause: unknown) {
    super(`Body is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'InvalidJsonBody';
  }
}

export function errorHandler(this: unknown, err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof Unavailable) {
    req.log.warn({ err: err.cause ?? err, inDoubt: err.inDoubt }, err.message);
    void reply.header('retry-after', String(err.retryAfterSeconds));
    return sendError(reply, 503, err.message);
  }
  if (err instanceof AppError) return sendError(reply, err.status, err.message, err.errors);
  if (err.validation) {
    const context = err.validationContext ?? 'body';
    const errors = validationErrors(context, err.validation);
    if (context === 'body' && req.body === undefined && req.headers['content-type'] === undefined && errors[0]) {
      // no body at all, and no content type: most likely a client that forgot the header
      errors[0] = { ...errors[0], details: `${errors[0].details ?? ''}: send Content-Type: ${expectedMediaType(req)} with a body` };
    }
    return sendError(reply, 400, errors[0]?.details ?? 'Invalid request', errors);
  }
  if (isUniqueViolation(err)) {
    // two concurrent creates of the same unique value: the loser gets what a sequential request would
    return sendError(reply, 409, 'A resource with this unique value already exists', [{ title: Title.conflict, details: 'unique value already exists', source: { pointer: '/' } }]);
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // malformed JSON, wrong content type, oversized body…: Fastify's own client errors
    const mediaType = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
    const source = mediaType ? { parameter: 'Content-Type' } : { pointer: '/' };
    const title = typeof err.code === 'string' && isFastifyCode(err.code) ? err.code : Title.invalidValue;
    const sent = req.headers['content-type'];
    const message = mediaType
      ? `${sent === undefined ? 'No Content-Type' : `Content-Type ${sent} is not supported`}: send Content-Type: ${expectedMediaType(req)}`
      : err.message;
    return sendError(reply, status, message, [{ title, details: message, source }]);
  }
  req.log.error({ err }, 'unhandled error');
  return sendError(reply, 500, 'Internal server error');
}

const isFastifyCode = (code: string): code is `FST_${string}` => code.startsWith('FST_');

/** PostgreSQL 23505 / SQLite SQLITE_CONSTRAINT_UNIQUE. */
function isUniqueViolation(err: Error): boolean {
  const code = 'code' in err ? err.code : undefined;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
