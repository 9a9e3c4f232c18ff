/** Integration API: coupon reservations, the coupon wallet, scoped to the key's Application (docs/coupons.md, "Reservations and inventory"). */
import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../../../services/context.js';
import { reserveCoupon, reservedCustomers, unreserveCoupon } from '../../../services/coupons/reservations.js';
import { CouponReservations } from '../../schemas/coupons.js';
import { wireCoupon, wireProfile } from '../../shape.js';
import { ref } from '../../schemas/common.js';
import type { App } from '../../app.js';

const security = [{ api_key_v1: [] }];
const tags = ['Integration API: coupons'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };
const CodeParams = Type.Object({ couponValue: Type.String({ minLength: 1, maxLength: 1000 }) });

export function reservationRoutes(app: App, ctx: ServiceContext): void {
  app.post('/v1/coupon_reservations/:couponValue', {
    schema: { operationId: 'createCouponReservation', tags, security, params: CodeParams, body: ref(CouponReservations), response: { 201: Type.Ref('Coupon'), ...errors } },
  }, async (req, reply) => reply.code(201).send(wireCoupon(await reserveCoupon(ctx, req.applicationId, req.params.couponValue, req.body.integrationIDs))));

  app.delete('/v1/coupon_reservations/:couponValue', {
    schema: { operationId: 'deleteCouponReservation', tags, security, params: CodeParams, body: ref(CouponReservations), response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await unreserveCoupon(ctx, req.applicationId, req.params.couponValue, req.body.integrationIDs);
    return reply.code(204).send(null);
  });

  app.get('/v1/coupon_reservations/customerprofiles/:couponValue', {
    schema: { operationId: 'getReservedCustomers', tags, security, params: CodeParams, response: { 200: Type.Ref('ReservedCustomers'), ...errors } },
  }, async (req) => {
    const profiles = await reservedCustomers(ctx, req.applicationId, req.params.couponValue);
    return { totalResultSize: profiles.length, data: profiles.map(wireProfile) };
  });
}
