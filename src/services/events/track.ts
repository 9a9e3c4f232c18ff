/** trackEventV2 (sessions.md §7.2): record a custom event of a profile, creating the profile on first sight, and run the rules. */
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField, invalidParameter } from '../../domain/errors.js';
import { ZERO } from '../../domain/money.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { SessionEvent } from '../../domain/records.js';
import type { Sql } from '../../store/db.js';
import { insertEvent } from '../../store/repos/events.js';
import { ensureProfile, getProfile, saveProfileAttributes, touchProfile } from '../../store/repos/profiles.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { loadDefinitions } from '../definitions/load.js';
import { checkAttributes } from '../definitions/validate.js';
import { exclusive } from '../exclusive.js';
import { profileLockKey } from '../profiles/lock.js';
import type { Evaluation } from '../sessions/evaluate.js';
import { commitEvent, evaluateEvent, profileWrites } from './evaluate.js';

export interface TrackEventRequest {
  applicationId: number;
  type: string;
  profileId?: string | undefined;
  storeIntegrationId?: string | undefined;
  attributes?: Record<string, unknown> | undefined;
  /** dry runs only */
  evaluableCampaignIds?: number[] | undefined;
  responseContent: readonly string[];
  dry: boolean;
  forceCompleteEvaluation: boolean;
}

export interface EventResult {
  profile: CustomerProfile;
  /** id 0 in a dry run */
  event: SessionEvent;
  evaluation: Evaluation;
}

/** Built-in event types are emitted by the server only (sessions.md §7.3); custom ones may not imitate them. */
export const RESERVED_EVENT_PREFIX = 'talon_';

export async function trackEvent(ctx: ServiceContext, req: TrackEventRequest): Promise<EventResult> {
  if (req.type.toLowerCase().startsWith(RESERVED_EVENT_PREFIX)) {
    throw invalidField('/type', 'Invalid value', `${JSON.stringify(req.type)} is a reserved built-in event type; custom event types may not start with "${RESERVED_EVENT_PREFIX}"`);
  }
  const profileId = req.profileId;
  if (profileId === undefined || profileId === '') throw invalidField('/profileId', 'required', 'profileId is required to track an event');
  if (req.forceCompleteEvaluation && !req.dry) {
    throw invalidParameter('forceCompleteEvaluation', 'Invalid parameter', 'forceCompleteEvaluation can only be used together with dry=true');
  }
  if (req.dry) return ctx.db.transaction((sql) => run(ctx, sql, req, profileId));
  return exclusive(ctx, profileLockKey(profileId), (sql) => run(ctx, sql, req, profileId));
}

async function run(ctx: ServiceContext, sql: Sql, req: TrackEventRequest, profileId: string): Promise<EventResult> {
  const clock = ctx.now();
  const now = clock.toISOString();
  const app = await loadApplication(ctx, sql, req.applicationId);
  const defs = await loadDefinitions(ctx, sql);
  checkAttributes(defs, `Event:${req.type}`, req.attributes, '/attributes');

  // an unknown profile is created without a talon_profile_created event (OQ-11); dry runs create nothing
  let profile: CustomerProfile = req.dry
    ? (await getProfile(sql, ACCOUNT_ID, profileId)) ?? { id: 0, accountId: ACCOUNT_ID, integrationId: profileId, attributes: {}, closedSessions: 0, totalSales: ZERO, created: now, lastActivity: now }
    : await ensureProfile(sql, ACCOUNT_ID, profileId, now);
  // running the rules is activity (sessions.md §2.7): the rules see it already
  profile = { ...profile, lastActivity: now };

  const attributes = req.attributes ?? {};
  const evaluation: Evaluation = await evaluateEvent(ctx, sql, {
    app, type: req.type, attributes, profile, storeIntegrationId: req.storeIntegrationId, now: clock, dry: req.dry,
    evaluableCampaignIds: req.evaluableCampaignIds, failureReasons: req.responseContent.includes('ruleFailureReasons'),
  });
  let event: SessionEvent = {
    id: 0, applicationId: req.applicationId, type: req.type, profileId, sessionId: '',
    ...(req.storeIntegrationId !== undefined ? { storeIntegrationId: req.storeIntegrationId } : {}),
    attributes, effects: evaluation.effects, created: now,
  };

  if (!req.dry) {
    await commitEvent(sql, req.applicationId, evaluation, clock);
    const writes = profileWrites(evaluation);
    if (Object.keys(writes).length > 0) {
      profile = { ...profile, attributes: { ...profile.attributes, ...writes } };
      await saveProfileAttributes(sql, profile.id, profile.attributes, now);
    } else {
      await touchProfile(sql, profile.id, now);
    }
    event = await insertEvent(sql, event);
  }
  return { profile, event, evaluation };
}
