/** Maps every failure to Talon.One's error bodies (ErrorResponse / ErrorResponseWithStatus). */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ApiError } from '../domain/errors.js';

interface AjvError { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }

const TITLES: Record<string, string> = { type: 'Invalid type', additionalProperties: 'Unknown' };

/** One APIError per schema violation, naming the body field by pointer or the parameter by name. */
export function validationErrors(context: string, errs: AjvError[]): ApiError[] {
  return errs.map((e) => {
    let path = e.instancePath;
    if (e.keyword === 'required') path += `/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') path += `/${String(e.params.additionalProperty)}`;
    const title = TITLES[e.keyword] ?? e.keyword;
    const details = `${path || context} ${e.message ?? 'is invalid'}`.trim();
    if (context === 'body') return { title, details, source: { pointer: path || '/' } };
    const name = path.replace(/^\//, '').split('/')[0] || String(e.params.missingProperty ?? context);
    return { title, details: `${name} ${e.message ?? 'is invalid'}`, source: { parameter: name } };
  });
}

export function sendError(reply: FastifyReply, status: number, message: string, errors: ApiError[] = []): FastifyReply {
  const body: Record<string, unknown> = { message };
  if (errors.length) body.errors = errors;
  body.StatusCode = status;
  return reply.code(status).type('application/json').send(body);
}

export function errorHandler(this: unknown, err: FastifyError & { validation?: AjvError[]; validationContext?: string }, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof AppError) return sendError(reply, err.status, err.message, err.errors);
  if (err.validation) {
    const errors = validationErrors(err.validationContext ?? 'body', err.validation);
    return sendError(reply, 400, errors[0]?.details ?? 'Invalid request', errors);
  }
  if (isUniqueViolation(err)) {
    // two concurrent creates of the same unique value: the loser gets what a sequential request would
    return sendError(reply, 409, 'A resource with this unique value already exists', [{ title: 'Conflict', details: 'unique value already exists', source: { pointer: '/' } }]);
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // malformed JSON, wrong content type, oversized body…: Fastify's own client errors
    const source = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? { parameter: 'Content-Type' } : { pointer: '/' };
    return sendError(reply, status, err.message, [{ title: err.code ?? 'Bad request', details: err.message, source }]);
  }
  req.log.error({ err }, 'unhandled error');
  return sendError(reply, 500, 'Internal server error');
}

/** PostgreSQL 23505 / SQLite SQLITE_CONSTRAINT_UNIQUE. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
