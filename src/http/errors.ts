/** Maps every failure to Talon.One's error bodies (ErrorResponse / ErrorResponseWithStatus). */
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { AppError, Title, type ApiError } from '../domain/errors.js';

/**
 * An APIError on the wire: titled from the domain's list (docs/errors.md), except Fastify's own client
 * errors (body parsing, content type, multipart limits), which keep Fastify's error code as their title.
 */
interface WireError extends Omit<ApiError, 'title'> { title: Title | `FST_${string}` }

/** The title of a schema violation: the JSON Schema keyword, as Talon.One titles it, or the list's name for it. */
const KEYWORD_TITLES: Readonly<Record<string, Title>> = {
  type: Title.invalidType, additionalProperties: Title.unknown, required: Title.required, enum: Title.enum, format: Title.format,
  pattern: Title.pattern, minimum: Title.minimum, maximum: Title.maximum, minLength: Title.minLength, maxLength: Title.maxLength,
  minItems: Title.minItems, maxItems: Title.maxItems,
};

/** One APIError per schema violation, naming the body field by pointer or the parameter by name. */
function validationErrors(context: string, errs: readonly FastifySchemaValidationError[]): ApiError[] {
  return errs.map((e) => {
    let path = e.instancePath;
    if (e.keyword === 'required') path += `/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') path += `/${String(e.params.additionalProperty)}`;
    const title = KEYWORD_TITLES[e.keyword] ?? Title.invalidValue;
    const details = `${path || context} ${e.message ?? 'is invalid'}`.trim();
    if (context === 'body') return { title, details, source: { pointer: path || '/' } };
    const missing = e.params.missingProperty;
    const name = path.replace(/^\//, '').split('/')[0] || (typeof missing === 'string' ? missing : context);
    return { title, details: `${name} ${e.message ?? 'is invalid'}`, source: { parameter: name } };
  });
}

export function sendError(reply: FastifyReply, status: number, message: string, errors: readonly WireError[] = []): FastifyReply {
  const body: Record<string, unknown> = { message };
  if (errors.length) body.errors = errors;
  body.StatusCode = status;
  return reply.code(status).type('application/json').send(body);
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
  if (err instanceof AppError) return sendError(reply, err.status, err.message, err.errors);
  if (err.validation) {
    const errors = validationErrors(err.validationContext ?? 'body', err.validation);
    return sendError(reply, 400, errors[0]?.details ?? 'Invalid request', errors);
  }
  if (isUniqueViolation(err)) {
    // two concurrent creates of the same unique value: the loser gets what a sequential request would
    return sendError(reply, 409, 'A resource with this unique value already exists', [{ title: Title.conflict, details: 'unique value already exists', source: { pointer: '/' } }]);
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // malformed JSON, wrong content type, oversized body…: Fastify's own client errors
    const source = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? { parameter: 'Content-Type' } : { pointer: '/' };
    const title = typeof err.code === 'string' && isFastifyCode(err.code) ? err.code : Title.invalidValue;
    return sendError(reply, status, err.message, [{ title, details: err.message, source }]);
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
