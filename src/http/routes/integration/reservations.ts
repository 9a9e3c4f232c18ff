/** Integration API: coupon reservations, the coupon wallet (coupons-referrals-budgets.md §1.7). Scoped to the key's Application. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../../services/context.js';
import { reserveCoupon, reservedCustomers, unreserveCoupon } from '../../../services/coupons/reservations.js';
import { type CouponReservations } from '../../schemas/coupons.js';
import { wireCoupon, wireProfile } from '../../shape.js';

const security = [{ api_key_v1: [] }];
const tags = ['Integration API: coupons'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };
const CodeParams = Type.Object({ couponValue: Type.String({ minLength: 1, maxLength: 1000 }) });

export async function reservationRoutes(app: FastifyInstance, ctx: ServiceContext) {
  app.post<{ Params: Static<typeof CodeParams>; Body: CouponReservations }>('/v1/coupon_reservations/:couponValue', {
    schema: { operationId: 'createCouponReservation', tags, security, params: CodeParams, body: Type.Ref('CouponReservations'), response: { 201: Type.Ref('Coupon'), ...errors } },
  }, async (req, reply) => reply.code(201).send(wireCoupon(await reserveCoupon(ctx, req.applicationId, req.params.couponValue, req.body.integrationIDs))));

  app.delete<{ Params: Static<typeof CodeParams>; Body: CouponReservations }>('/v1/coupon_reservations/:couponValue', {
    schema: { operationId: 'deleteCouponReservation', tags, security, params: CodeParams, body: Type.Ref('CouponReservations'), response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    await unreserveCoupon(ctx, req.applicationId, req.params.couponValue, req.body.integrationIDs);
    return reply.code(204).send();
  });

  app.get<{ Params: Static<typeof CodeParams> }>('/v1/coupon_reservations/customerprofiles/:couponValue', {
    schema: { operationId: 'getReservedCustomers', tags, security, params: CodeParams, response: { 200: Type.Ref('ReservedCustomers'), ...errors } },
  }, async (req) => {
    const profiles = await reservedCustomers(ctx, req.applicationId, req.params.couponValue);
    return { totalResultSize: profiles.length, data: profiles.map(wireProfile) };
  });
}
