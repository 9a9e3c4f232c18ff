/** Management API, customer data: an Application's sessions and customers, and customer profiles. */
import { Type } from '@sinclair/typebox';
import { toNumber } from '../../../domain/money.js';
import type { ServiceContext } from '../../../services/context.js';
import { getSessionView, listSessionViews, type SessionView } from '../../../services/profiles/applicationSessions.js';
import { getApplicationCustomer, getCustomerProfile } from '../../../services/profiles/customers.js';
import { ApplicationCustomerParams, ApplicationSessionParams, ApplicationSessionsQuery, CustomerParams } from '../../schemas/customers.js';
import { ApplicationIdParams } from '../../schemas/management.js';
import { wireProfile } from '../../shape.js';
import type { App } from '../../app.js';

const security: { [k: string]: string[] }[] = [{ management_key: [] }, { manager_auth: [] }];
const tags = ['Management API: customer data'];
const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse') };

/** `ApplicationSession`: the V1-era view of a session (one coupon string, discounts by name). */
function wireApplicationSession(v: SessionView): Record<string, unknown> {
  const s = v.session;
  const out: Record<string, unknown> = { id: s.id, created: s.created, integrationId: s.integrationId };
  if (s.storeIntegrationId !== undefined) out.storeIntegrationId = s.storeIntegrationId;
  out.applicationId = s.applicationId;
  if (v.profileId !== undefined) out.profileId = v.profileId;
  out.profileintegrationid = s.profileId;
  out.coupon = s.couponCodes.join(',');
  out.referral = s.referralCode;
  out.state = s.state;
  out.cartItems = s.cartItems;
  out.discounts = Object.fromEntries([...v.discounts].map(([name, value]) => [name, toNumber(value)]));
  out.totalDiscounts = toNumber(v.totalDiscounts);
  out.total = toNumber(s.total);
  out.attributes = s.attributes;
  return out;
}

const iso = (s: string | undefined) => (s === undefined ? undefined : new Date(s).toISOString());

export function customerRoutes(app: App, ctx: ServiceContext): void {
  app.get('/v1/applications/:applicationId/sessions', {
    schema: {
      operationId: 'getApplicationSessions', tags, security, params: ApplicationIdParams, querystring: ApplicationSessionsQuery,
      response: { 200: Type.Ref('ApplicationSessionPage'), ...errors },
    },
  }, async (req) => {
    const { pageSize, skip, sort, createdBefore, createdAfter, ...filters } = req.query;
    const page = await listSessionViews(ctx, req.params.applicationId, {
      ...filters, createdBefore: iso(createdBefore), createdAfter: iso(createdAfter),
      skip: skip ?? 0, limit: pageSize ?? 1000, sort: sort ?? '-created',
    });
    return { hasMore: page.hasMore, data: page.data.map(wireApplicationSession) };
  });

  app.get('/v1/applications/:applicationId/sessions/:sessionId', {
    schema: {
      operationId: 'getApplicationSession', tags, security, params: ApplicationSessionParams, response: { 200: Type.Ref('ApplicationSession'), ...errors },
    },
  }, async (req) => wireApplicationSession(await getSessionView(ctx, req.params.applicationId, req.params.sessionId)));

  app.get('/v1/applications/:applicationId/customers/:customerId', {
    schema: {
      operationId: 'getApplicationCustomer', tags, security, params: ApplicationCustomerParams, response: { 200: Type.Ref('ApplicationCustomer'), ...errors },
    },
  }, async (req) => wireProfile(await getApplicationCustomer(ctx, req.params.applicationId, req.params.customerId)));

  app.get('/v1/customers/:customerId', {
    schema: { operationId: 'getCustomerProfile', tags, security, params: CustomerParams, response: { 200: Type.Ref('CustomerProfile'), ...errors } },
  }, async (req) => wireProfile(await getCustomerProfile(ctx, req.params.customerId)));
}
