/**
 * Which PostgreSQL failures mean "the database cannot serve now" rather than "this request is wrong",
 * and how they read for an operator: they become Unavailable (503 + Retry-After, docs/faults.md);
 * every other error passes through untouched.
 */
import pg from 'pg';
import { Unavailable } from '../../domain/errors.js';

/**
 * Where the failure struck: getting a connection, a statement of a transaction before COMMIT was sent
 * (nothing committed), COMMIT in flight (outcome unknown), or outside a request's transaction (ping, migrate).
 */
export type Phase = 'connect' | 'transaction' | 'commit' | 'other';

type Kind = 'lost' | 'timeout' | 'refusing' | 'busy' | 'resources';

/** Node socket errors: the connection could not be made or broke underneath. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN']);

/** pg's own errors for a connection that ended or cannot be used (no SQLSTATE, no errno). */
const LOST_MESSAGES = new Set(['Connection terminated unexpectedly', 'Client has encountered a connection error and is not queryable']);
const CONNECT_TIMEOUT = 'Connection terminated due to connection timeout';
const POOL_TIMEOUT = 'timeout exceeded when trying to connect';

/**
 * Seconds a client should wait before retrying: a broken connection is replaced by the next request at
 * once; a database that refuses or cannot be reached needs longer; exhausted resources need an operator.
 */
const RETRY_AFTER: Record<Kind, number> = { lost: 1, timeout: 5, refusing: 2, busy: 2, resources: 10 };
const RETRY_AFTER_UNREACHABLE = 2;

/** Whether this error came from a connection that is gone, so that its pooled client must be discarded. */
export function isConnectionLost(err: unknown): boolean {
  return kindOf(err) === 'lost';
}

/** pg's refusal of a statement on a client whose connection already failed (the statement was never sent). */
export function isNotQueryable(err: unknown): boolean {
  return err instanceof Error && err.message === 'Client has encountered a connection error and is not queryable';
}

function kindOf(err: unknown): Kind | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err instanceof pg.DatabaseError) {
    const code = err.code ?? '';
    // 08: connection exception; 57P01/57P02: admin or crash shutdown; 57P05, 25P03: idle timeouts that end the session
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P05' || code === '25P03') return 'lost';
    if (code === '57P03' || code === '53300') return 'refusing';
    if (code.startsWith('53')) return 'resources';
    return undefined;
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return 'lost';
  if (LOST_MESSAGES.has(err.message)) return 'lost';
  if (err.message === CONNECT_TIMEOUT) return 'timeout';
  if (err.message === POOL_TIMEOUT) return 'busy';
  return undefined;
}

/** The cause in a few words: SQLSTATE and message, or errno and address, or pg's message. */
function detail(err: Error): string {
  if (err instanceof pg.DatabaseError) return `${err.code ?? '?'}: ${err.message}`;
  const e = err as Error & { code?: unknown; address?: unknown; port?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && SOCKET_CODES.has(e.code)) {
    if (typeof e.address === 'string') return `${e.code} ${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}`;
    // a host name with several addresses fails with one AggregateError naming each attempt
    if (Array.isArray(e.errors)) {
      const at = (e.errors as { address?: unknown; port?: unknown }[]).filter((x) => typeof x.address === 'string').map((x) => `${String(x.address)}:${String(x.port)}`);
      if (at.length > 0) return `${e.code} ${at.join(', ')}`;
    }
    return e.message.includes(e.code) ? e.message.replace(/^\w+ (?=E[A-Z]+)/, '') : `${e.code}: ${e.message}`;
  }
  return err.message;
}

/**
 * The Unavailable this error means at this phase, or undefined when it is not a connection-level failure.
 * `timeoutMs`: the pool's connection timeout, named in the message of a timeout.
 */
export function unavailable(err: unknown, phase: Phase, timeoutMs: number): Unavailable | undefined {
  const kind = kindOf(err);
  if (kind === undefined) return undefined;
  const why = detail(err as Error);
  const retryAfterSeconds = kind === 'lost' && phase === 'connect' ? RETRY_AFTER_UNREACHABLE : RETRY_AFTER[kind];
  let message: string;
  switch (kind) {
    case 'lost': message = phase === 'connect' ? `Database unreachable (${why})` : `Database connection lost (${why})`; break;
    case 'timeout': message = `Database unreachable (no connection within ${timeoutMs} ms)`; break;
    case 'refusing': message = `Database not accepting connections (${why})`; break;
    case 'busy': message = `Database busy (no pooled connection free within ${timeoutMs} ms)`; break;
    case 'resources': message = `Database out of resources (${why})`; break;
  }
  if (phase === 'commit' && kind === 'lost') {
    return new Unavailable(`${message} while committing: the outcome is unknown; read the resource back before retrying`, { retryAfterSeconds, inDoubt: true, cause: err });
  }
  // an error answered to COMMIT itself (not a lost connection) means the transaction was rolled back
  if (phase === 'transaction' || phase === 'commit') message += '; nothing was committed';
  return new Unavailable(message, { retryAfterSeconds, cause: err });
}
