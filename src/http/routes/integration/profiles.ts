/** Integration API: customer profiles and custom events, v2 and the v1 trackEvent (docs/profiles-and-events.md). Thin: parse, call a service, shape. */
import { Type } from '@sinclair/typebox';
import type { SessionEvent } from '../../../domain/records.js';
import type { ServiceContext } from '../../../services/context.js';
import { trackEvent } from '../../../services/events/track.js';
import { updateCustomerProfile } from '../../../services/profiles/update.js';
import type { CustomerProfile } from '../../../domain/profile.js';
import type { Evaluation } from '../../../services/sessions/evaluate.js';
import { discountsOf } from '../../../services/profiles/applicationSessions.js';
import type { Effect } from '../../../domain/effect.js';
import type { CustomerSession } from '../../../domain/session.js';
import { toNumber } from '../../../domain/money.js';
import {
  CustomerProfileIntegrationRequestV2, IntegrationEventV2Request, NewEvent, ProfileIdParams, TrackEventQuery, TrackEventV1Query, UpdateProfileQuery,
} from '../../schemas/profiles.js';
import { wireCampaign, wireCoupon, wireProfile, wireReferral } from '../../shape.js';
import { ref } from '../../schemas/common.js';
import type { App } from '../../app.js';

const errors = { 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 409: Type.Ref('ErrorResponse') };

/** `Event`: custom and profile events belong to no session, so `sessionId` is left out. */
function wireEvent(e: SessionEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { id: e.id, created: e.created, applicationId: e.applicationId, profileId: e.profileId };
  if (e.storeIntegrationId !== undefined) out.storeIntegrationId = e.storeIntegrationId;
  out.type = e.type;
  out.attributes = e.attributes;
  if (e.sessionId !== '') out.sessionId = e.sessionId;
  out.effects = e.effects;
  return out;
}

/** v1 `CustomerSession`: the session as stored, its codes joined into one `coupon`, its discounts by effect name. */
function wireSessionV1({ session: s, effects }: { session: CustomerSession; effects: readonly Effect[] }): Record<string, unknown> {
  const { discounts } = discountsOf(effects);
  return {
    integrationId: s.integrationId, created: s.created, applicationId: s.applicationId, profileId: s.profileId,
    coupon: s.couponCodes.join(','), referral: s.referralCode, state: s.state, cartItems: s.cartItems, identifiers: s.identifiers,
    total: toNumber(s.total), attributes: s.attributes, firstSession: s.firstSession, updateCount: s.updateCount,
    discounts: Object.fromEntries([...discounts].map(([name, value]) => [name, toNumber(value)])), updated: s.updated,
  };
}

/** The three lists always, the rest as `responseContent` asks. */
function integrationResponse(r: { profile: CustomerProfile; event: SessionEvent | null; evaluation: Evaluation }, responseContent: readonly string[]) {
  const want = new Set(responseContent);
  const out: Record<string, unknown> = {
    effects: r.evaluation.effects, createdCoupons: r.evaluation.createdCoupons.map(wireCoupon), createdReferrals: r.evaluation.createdReferrals.map(wireReferral),
  };
  if (want.has('customerProfile')) out.customerProfile = wireProfile(r.profile);
  if (want.has('event') && r.event) out.event = wireEvent(r.event);
  if (want.has('triggeredCampaigns')) out.triggeredCampaigns = r.evaluation.triggeredCampaigns.map((c) => wireCampaign(c, new Date()));
  if (want.has('ruleFailureReasons')) out.ruleFailureReasons = r.evaluation.ruleFailureReasons;
  if (want.has('loyalty')) out.loyalty = { programs: {} };
  if (want.has('awardedGiveaways')) out.awardedGiveaways = [];
  return out;
}

export function profileRoutes(app: App, ctx: ServiceContext): void {
  app.put(
    '/v2/customer_profiles/:integrationId',
    {
      schema: {
        operationId: 'updateCustomerProfileV2', tags: ['Integration API: customer profiles'], security: [{ api_key_v1: [] }],
        params: ProfileIdParams, querystring: UpdateProfileQuery, body: ref(CustomerProfileIntegrationRequestV2),
        response: { 200: Type.Ref('CustomerProfileIntegrationResponseV2'), ...errors },
      },
    },
    async (req) => {
      const responseContent = req.body.responseContent ?? [];
      const result = await updateCustomerProfile(ctx, {
        applicationId: req.applicationId,
        integrationId: req.params.integrationId,
        attributes: req.body.attributes,
        audiencesChanges: req.body.audiencesChanges,
        evaluableCampaignIds: req.body.evaluableCampaignIds,
        responseContent,
        runRuleEngine: req.query.runRuleEngine === true,
        dry: req.query.dry === true,
      });
      return integrationResponse(result, responseContent);
    });

  app.post('/v2/events', {
    schema: {
      operationId: 'trackEventV2', tags: ['Integration API: events'], security: [{ api_key_v1: [] }],
      querystring: TrackEventQuery, body: ref(IntegrationEventV2Request),
      response: { 200: Type.Ref('IntegrationEventV2Response'), 204: Type.Null(), ...errors },
    },
  }, async (req, reply) => {
    const responseContent = req.body.responseContent ?? [];
    const result = await trackEvent(ctx, {
      applicationId: req.applicationId,
      type: req.body.type,
      profileId: req.body.profileId,
      storeIntegrationId: req.body.storeIntegrationId,
      attributes: req.body.attributes,
      evaluableCampaignIds: req.body.evaluableCampaignIds,
      responseContent,
      dry: req.query.dry === true,
      forceCompleteEvaluation: req.query.forceCompleteEvaluation === true,
    });
    if ((req.query.silent ?? 'yes') === 'yes') return reply.code(204).send(null);
    return integrationResponse(result, responseContent);
  });

  // talon_one 4.3.0's IntegrationApi.trackEvent: the same service as trackEventV2, the v1 shapes (NewEvent → IntegrationState)
  app.post('/v1/events', {
    schema: {
      operationId: 'trackEvent', tags: ['Integration API: events'], security: [{ api_key_v1: [] }],
      querystring: TrackEventV1Query, body: ref(NewEvent),
      response: { 201: Type.Ref('IntegrationState'), ...errors },
    },
  }, async (req, reply) => {
    const result = await trackEvent(ctx, {
      applicationId: req.applicationId,
      type: req.body.type,
      profileId: req.body.profileId,
      storeIntegrationId: req.body.storeIntegrationId,
      sessionId: req.body.sessionId,
      attributes: req.body.attributes,
      responseContent: [],
      dry: req.query.dry === true,
      forceCompleteEvaluation: false,
    });
    const out: Record<string, unknown> = {};
    if (result.session) out.session = wireSessionV1(result.session);
    out.profile = wireProfile(result.profile);
    out.event = { ...wireEvent(result.event), ledgerEntries: [] };
    return reply.code(201).send(out);
  });
}
