/** trackEventV2 (sessions.md §7.2): record a custom event of a profile, creating the profile on first sight. */
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField, invalidParameter } from '../../domain/errors.js';
import { ZERO } from '../../domain/money.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { SessionEvent } from '../../domain/records.js';
import type { Sql } from '../../store/db.js';
import { insertEvent } from '../../store/repos/events.js';
import { ensureProfile, getProfile, touchProfile } from '../../store/repos/profiles.js';
import type { ServiceContext } from '../context.js';
import { loadDefinitions } from '../definitions/load.js';
import { checkAttributes } from '../definitions/validate.js';
import { exclusive } from '../exclusive.js';
import { profileLockKey } from '../profiles/lock.js';
import { emptyEvaluation, type Evaluation } from '../sessions/evaluate.js';

export interface TrackEventRequest {
  applicationId: number;
  type: string;
  profileId?: string | undefined;
  storeIntegrationId?: string | undefined;
  attributes?: Record<string, unknown> | undefined;
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
  const now = ctx.now().toISOString();
  const defs = await loadDefinitions(ctx, sql);
  checkAttributes(defs, `Event:${req.type}`, req.attributes, '/attributes');

  // an unknown profile is created without a talon_profile_created event (OQ-11); dry runs create nothing
  let profile: CustomerProfile = req.dry
    ? (await getProfile(sql, ACCOUNT_ID, profileId)) ?? { id: 0, accountId: ACCOUNT_ID, integrationId: profileId, attributes: {}, closedSessions: 0, totalSales: ZERO, created: now, lastActivity: now }
    : await ensureProfile(sql, ACCOUNT_ID, profileId, now);

  let event: SessionEvent = {
    id: 0, applicationId: req.applicationId, type: req.type, profileId, sessionId: '',
    ...(req.storeIntegrationId !== undefined ? { storeIntegrationId: req.storeIntegrationId } : {}),
    attributes: req.attributes ?? {}, effects: [], created: now,
  };
  // rules over custom events arrive with campaigns (issue #3): until then nothing is triggered
  const evaluation = emptyEvaluation();

  if (!req.dry) {
    await touchProfile(sql, profile.id, now);
    event = await insertEvent(sql, event);
    profile = { ...profile, lastActivity: now };
  }
  return { profile, event, evaluation };
}
