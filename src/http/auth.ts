/** Authorization header schemes: the exact prefix and one space (docs/http.md, "Authorization"). */
import type { FastifyRequest } from 'fastify';
import { unauthorized } from '../domain/errors.js';
import { authenticateBearer, authenticateIntegrationKey, checkManagementEnabled, checkManagementKey } from '../services/auth/keys.js';
import type { ServiceContext } from '../services/context.js';

declare module 'fastify' {
  interface FastifyRequest { applicationId: number }
}

function credential(req: FastifyRequest, scheme: string): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || !h.startsWith(`${scheme} `)) return undefined;
  const value = h.slice(scheme.length + 1);
  return value.length > 0 ? value : undefined;
}

export function integrationAuth(ctx: ServiceContext) {
  return async (req: FastifyRequest) => {
    const key = credential(req, 'ApiKey-v1');
    if (!key) throw unauthorized('Missing or malformed Authorization header: expected "ApiKey-v1 <key>"');
    req.applicationId = await authenticateIntegrationKey(ctx, key);
  };
}

export function managementAuth(ctx: ServiceContext) {
  return async (req: FastifyRequest) => {
    checkManagementEnabled(ctx);
    const mk = credential(req, 'ManagementKey-v1');
    if (mk) return checkManagementKey(ctx, mk);
    const token = credential(req, 'Bearer');
    if (token) {
      await authenticateBearer(ctx, token);
      return;
    }
    throw unauthorized('Missing or malformed Authorization header: expected "ManagementKey-v1 <key>" or "Bearer <token>"');
  };
}

export function bearerToken(req: FastifyRequest): string | undefined {
  return credential(req, 'Bearer');
}
