import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../services/context.js';
import { inventoryRoutes } from './integration/inventory.js';
import { profileRoutes } from './integration/profiles.js';
import { referralIntegrationRoutes } from './integration/referrals.js';
import { reservationRoutes } from './integration/reservations.js';
import { sessionRoutes } from './integration/sessions.js';
import { applicationRoutes } from './management/applications.js';
import { customerRoutes } from './management/customers.js';
import { definitionRoutes } from './management/definitions.js';
import { campaignRoutes } from './management/campaigns.js';
import { couponRoutes } from './management/coupons.js';
import { referralManagementRoutes } from './management/referrals.js';
import { customEffectRoutes } from './management/customEffects.js';
import { evaluationGroupRoutes } from './management/evaluationGroups.js';
import { storeRoutes } from './management/stores.js';

export { publicRoutes } from './public.js';

/** Routes behind `ApiKey-v1` (one Application per key). */
export async function integrationRoutes(app: FastifyInstance, ctx: ServiceContext) {
  await sessionRoutes(app, ctx);
  await profileRoutes(app, ctx);
  await reservationRoutes(app, ctx);
  await inventoryRoutes(app, ctx);
  await referralIntegrationRoutes(app, ctx);
}

/** Routes behind `ManagementKey-v1` or `Bearer`. */
export async function managementRoutes(app: FastifyInstance, ctx: ServiceContext) {
  await applicationRoutes(app, ctx);
  await definitionRoutes(app, ctx);
  await customerRoutes(app, ctx);
  await campaignRoutes(app, ctx);
  await couponRoutes(app, ctx);
  await referralManagementRoutes(app, ctx);
  await storeRoutes(app, ctx);
  await evaluationGroupRoutes(app, ctx);
  await customEffectRoutes(app, ctx);
}
