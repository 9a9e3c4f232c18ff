/** The one error type every layer throws, and the one list of titles its APIErrors carry; http/ maps it to Talon.One's ErrorResponse. */
interface ErrorSource { pointer?: string; parameter?: string; line?: string; resource?: string }

/**
 * Every APIError title, one spelling each (docs/errors.md). Talon.One titles a schema violation with the
 * JSON Schema keyword that failed ("required", "enum", …) and names "Unknown" and "Invalid type" for
 * attributes; the rest are ours.
 */
export const Title = {
  /** no such attribute, column, field, id or parameter */
  unknown: 'Unknown',
  /** a value of the wrong type (an attribute of another type) */
  invalidType: 'Invalid type',
  /** a value, of a body field, parameter or CSV cell, that is not accepted (range, form, combination) */
  invalidValue: 'Invalid value',
  /** the campaign lacks the feature (coupons, referrals) the request needs */
  invalidCampaign: 'Invalid campaign',
  /** the session's state does not allow the change */
  invalidTransition: 'Invalid transition',
  /** a rule that does not compile */
  invalidRule: 'Invalid rule',
  /** a CSV upload that cannot be parsed (syntax, cell count) */
  invalidCsv: 'Invalid CSV',
  /** a value that must be unique exists already (in the request, the file or the Application) */
  duplicate: 'Duplicate',
  /** a field that cannot change after creation */
  immutable: 'Immutable',
  /** the resource is referenced and cannot be changed or removed */
  inUse: 'In use',
  /** an evaluation group would become its own ancestor */
  cycle: 'Cycle',
  /** a code pattern has no unused codes left for the request */
  patternFull: 'Pattern full',
  /** two concurrent creates of one unique value: the loser's answer */
  conflict: 'Conflict',
  /** a Talon.One operation OpenPromo does not serve (501) */
  notImplemented: 'Not implemented',
  /** the store cannot be reached (503) */
  unavailable: 'Unavailable',
  /** an unexpected failure (500) */
  internalError: 'Internal error',
  // JSON Schema keywords, as Talon.One titles schema violations; services use them for the same checks
  required: 'required',
  enum: 'enum',
  format: 'format',
  pattern: 'pattern',
  minimum: 'minimum',
  maximum: 'maximum',
  minLength: 'minLength',
  maxLength: 'maxLength',
  minItems: 'minItems',
  maxItems: 'maxItems',
  maxProperties: 'maxProperties',
} as const;
export type Title = (typeof Title)[keyof typeof Title];


export interface ApiError { title: Title; details?: string; source: ErrorSource }

export class AppError extends Error {
  constructor(readonly status: number, message: string, readonly errors: ApiError[] = []) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * The store cannot serve the request now (connection lost, disk full, database busy): a 503 naming the
 * cause, with a Retry-After. `inDoubt` when the failure struck while committing, so that the request's
 * changes may or may not have landed (docs/faults.md).
 */
export class Unavailable extends AppError {
  readonly retryAfterSeconds: number;
  readonly inDoubt: boolean;
  constructor(message: string, opts: { retryAfterSeconds?: number; inDoubt?: boolean; cause?: unknown } = {}) {
    super(503, message);
    this.name = 'Unavailable';
    this.retryAfterSeconds = opts.retryAfterSeconds ?? 1;
    this.inDoubt = opts.inDoubt ?? false;
    if (opts.cause !== undefined) this.cause = opts.cause;
  }
}

export const badRequest = (message: string, errors: ApiError[] = []) => new AppError(400, message, errors);

/** A 400 naming one field of the body by JSON pointer. */
export const invalidField = (pointer: string, title: Title, details: string) =>
  new AppError(400, details, [{ title, details, source: { pointer } }]);

/** A 400 naming one query or path parameter. */
export const invalidParameter = (parameter: string, title: Title, details: string) =>
  new AppError(400, details, [{ title, details, source: { parameter } }]);

/** One APIError naming a line of an uploaded file (1 = the header). */
export const lineError = (line: number | string, title: Title, details: string): ApiError => ({ title, details, source: { line: String(line) } });

export const notFound = (what: string) => new AppError(404, `${what} not found`);
export const unauthorized = (message = 'Unauthorized') => new AppError(401, message);
export const conflict = (message: string) => new AppError(409, message);

/** JSON Pointer escaping (RFC 6901) for keys taken from client data. */
export function pointerKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
