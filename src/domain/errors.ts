/** The one error type every layer throws; http/ maps it to Talon.One's ErrorResponse shapes. */
export interface ErrorSource { pointer?: string; parameter?: string; line?: string; resource?: string }
export interface ApiError { title: string; details?: string; source: ErrorSource }

export class AppError extends Error {
  constructor(readonly status: number, message: string, readonly errors: ApiError[] = []) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, errors: ApiError[] = []) => new AppError(400, message, errors);

/** A 400 naming one field of the body by JSON pointer. */
export const invalidField = (pointer: string, title: string, details: string) =>
  new AppError(400, details, [{ title, details, source: { pointer } }]);

/** A 400 naming one query or path parameter. */
export const invalidParameter = (parameter: string, title: string, details: string) =>
  new AppError(400, details, [{ title, details, source: { parameter } }]);

export const notFound = (what: string) => new AppError(404, `${what} not found`);
export const unauthorized = (message = 'Unauthorized') => new AppError(401, message);
export const conflict = (message: string) => new AppError(409, message);

/** JSON Pointer escaping (RFC 6901) for keys taken from client data. */
export function pointerKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
