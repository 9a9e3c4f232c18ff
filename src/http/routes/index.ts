import type { ServiceContext } from '../../services/context.js';
import { inventoryRoutes } from './integration/inventory.js';
import { loyaltyIntegrationRoutes } from './integration/loyalty.js';
import { loyaltyCardIntegrationRoutes } from './integration/loyaltyCards.js';
import { loyaltyOpsIntegrationRoutes } from './integration/loyaltyOps.js';
import { profileRoutes } from './integration/profiles.js';
import { referralIntegrationRoutes } from './integration/referrals.js';
import { reservationRoutes } from './integration/reservations.js';
import { sessionRoutes } from './integration/sessions.js';
import { applicationRoutes } from './management/applications.js';
import { customerRoutes } from './management/customers.js';
import { loyaltyManagementRoutes } from './management/loyalty.js';
import { loyaltyCardManagementRoutes } from './management/loyaltyCards.js';
import { loyaltyOpsManagementRoutes } from './management/loyaltyOps.js';
import { definitionRoutes } from './management/definitions.js';
import { campaignRoutes } from './management/campaigns.js';
import { couponRoutes } from './management/coupons.js';
import { referralManagementRoutes } from './management/referrals.js';
import { customEffectRoutes } from './management/customEffects.js';
import { evaluationGroupRoutes } from './management/evaluationGroups.js';
import { storeRoutes } from './management/stores.js';
import type { App } from '../app.js';

export { publicRoutes } from './public.js';

/** Routes behind `ApiKey-v1` (one Application per key). */
export function integrationRoutes(app: App, ctx: ServiceContext): void {
  sessionRoutes(app, ctx);
  profileRoutes(app, ctx);
  reservationRoutes(app, ctx);
  inventoryRoutes(app, ctx);
  referralIntegrationRoutes(app, ctx);
  loyaltyIntegrationRoutes(app, ctx);
  loyaltyCardIntegrationRoutes(app, ctx);
  loyaltyOpsIntegrationRoutes(app, ctx);
}

/** Routes behind `ManagementKey-v1` or `Bearer`. */
export async function managementRoutes(app: App, ctx: ServiceContext): Promise<void> {
  applicationRoutes(app, ctx);
  definitionRoutes(app, ctx);
  customerRoutes(app, ctx);
  campaignRoutes(app, ctx);
  await couponRoutes(app, ctx);
  await referralManagementRoutes(app, ctx);
  storeRoutes(app, ctx);
  evaluationGroupRoutes(app, ctx);
  customEffectRoutes(app, ctx);
  loyaltyManagementRoutes(app, ctx);
  loyaltyCardManagementRoutes(app, ctx);
  await loyaltyOpsManagementRoutes(app, ctx);
}
