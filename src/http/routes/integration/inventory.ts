/** Integration API: getCustomerInventory (docs/coupons.md, "Reservations and inventory"). */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { customerInventory } from '../../../services/coupons/inventory.js';
import { wireCoupon, wireInventoryReferral, wireLoyalty, wireProfile } from '../../shape.js';
import type { App } from '../../app.js';

const Params = Type.Object({ integrationId: Type.String({ minLength: 1, maxLength: 1000 }) });
const Query = Type.Object({
  profile: Type.Optional(Type.Boolean()), referrals: Type.Optional(Type.Boolean()), coupons: Type.Optional(Type.Boolean()),
  loyalty: Type.Optional(Type.Boolean()), giveaways: Type.Optional(Type.Boolean()), achievements: Type.Optional(Type.Boolean()),
});

export function inventoryRoutes(app: App, ctx: ServiceContext): void {
  app.get('/v1/customer_profiles/:integrationId/inventory', {
    schema: {
      operationId: 'getCustomerInventory', tags: ['Integration API: customer profiles'], security: [{ api_key_v1: [] }], params: Params, querystring: Query,
      response: { 200: Type.Ref('CustomerInventory'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') },
    },
  }, async (req) => {
    const q = req.query;
    const inv = await customerInventory(ctx, req.applicationId, req.params.integrationId, { coupons: q.coupons === true, referrals: q.referrals === true, loyalty: q.loyalty === true });
    const out: Record<string, unknown> = {};
    if (q.profile) out.profile = wireProfile(inv.profile);
    if (inv.loyalty) out.loyalty = wireLoyalty(inv.loyalty);
    // giveaways and achievements are not implemented yet: present and empty when asked
    if (inv.referrals) out.referrals = inv.referrals.map((r) => wireInventoryReferral(r.referral, r.referredCustomers));
    if (inv.coupons) out.coupons = inv.coupons.map((c) => ({ ...wireCoupon(c.coupon), profileRedemptionCount: c.profileRedemptionCount, state: c.state }));
    if (q.giveaways) out.giveaways = [];
    if (q.achievements) out.achievements = [];
    return out;
  });
}
