/**
 * trackEventV2 and the v1 trackEvent (docs/profiles-and-events.md): record a custom event of a profile, creating the
 * profile on first sight, and run the rules. The v1 call also names a session: a label on the event, checked against
 * the session's owner when that session exists, never created.
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField, invalidParameter, Title } from '../../domain/errors.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { SessionEvent } from '../../domain/records.js';
import type { Sql } from '../../store/db.js';
import { insertEvent } from '../../store/repos/events.js';
import { getSession, type StoredSession } from '../../store/repos/sessions.js';
import { ensureProfile, getProfile, saveProfileAttributes, touchProfile } from '../../store/repos/profiles.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { loadDefinitions } from '../definitions/load.js';
import { checkAttributes } from '../definitions/validate.js';
import { exclusive } from '../exclusive.js';
import { profileLockKey } from '../profiles/lock.js';
import { withoutCreated, type Evaluation } from '../sessions/evaluate.js';
import { newEvent } from '../sessions/event.js';
import { commitEvent, evaluateEvent, profileWrites } from './evaluate.js';

export interface TrackEventRequest {
  applicationId: number;
  type: string;
  profileId?: string | undefined;
  storeIntegrationId?: string | undefined;
  /** v1 trackEvent only: the session the event is recorded under (its integration id) */
  sessionId?: string | undefined;
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
  /** v1 trackEvent: the named session as stored, when it exists in the Application */
  session?: StoredSession;
}

/** Built-in event types are emitted by the server only; custom ones may not imitate them (docs/profiles-and-events.md). */
const RESERVED_EVENT_PREFIX = 'talon_';

export async function trackEvent(ctx: ServiceContext, req: TrackEventRequest): Promise<EventResult> {
  if (req.type.toLowerCase().startsWith(RESERVED_EVENT_PREFIX)) {
    throw invalidField('/type', 'Invalid value', `${JSON.stringify(req.type)} is a reserved built-in event type; custom event types may not start with "${RESERVED_EVENT_PREFIX}"`);
  }
  const profileId = req.profileId;
  if (profileId === undefined || profileId === '') throw invalidField('/profileId', 'required', 'profileId is required to track an event');
  if (req.forceCompleteEvaluation && !req.dry) {
    throw invalidParameter('forceCompleteEvaluation', Title.invalidValue, 'forceCompleteEvaluation can only be used together with dry=true');
  }
  // a dry run keeps nothing, so it takes no lock: it must not turn a concurrent request for the profile away
  if (req.dry) return ctx.db.rehearse((sql) => run(ctx, sql, req, profileId));
  return exclusive(ctx, profileLockKey(profileId), (sql) => run(ctx, sql, req, profileId));
}

async function run(ctx: ServiceContext, sql: Sql, req: TrackEventRequest, profileId: string): Promise<EventResult> {
  const clock = ctx.now();
  const now = clock.toISOString();
  const app = await loadApplication(ctx, sql, req.applicationId);
  const defs = await loadDefinitions(ctx, sql);
  checkAttributes(defs, `Event:${req.type}`, req.attributes, '/attributes');

  // an unknown profile is created, without a talon_profile_created event
  const existing = await getProfile(sql, ACCOUNT_ID, profileId, true);
  const stored = existing ?? await ensureProfile(sql, ACCOUNT_ID, profileId, now);
  // running the rules is activity: the rules see it already
  const profile: CustomerProfile = { ...stored, lastActivity: now };

  // v1: the named session is not created; when it exists it must be the event's profile's
  const session = req.sessionId === undefined ? undefined : await getSession(sql, req.applicationId, req.sessionId);
  if (session && session.session.profileId !== profileId) {
    throw invalidField('/sessionId', Title.invalidValue, `Session ${JSON.stringify(req.sessionId)} belongs to another customer profile`);
  }

  const attributes = req.attributes ?? {};
  const evaluation: Evaluation = await evaluateEvent(ctx, sql, {
    app, type: req.type, attributes, profile, storeIntegrationId: req.storeIntegrationId, now: clock, dry: req.dry,
    evaluableCampaignIds: req.evaluableCampaignIds, failureReasons: req.responseContent.includes('ruleFailureReasons'),
  });
  const event = newEvent(req.type, {
    applicationId: req.applicationId, profileId, storeIntegrationId: req.storeIntegrationId, ...(req.sessionId !== undefined ? { integrationId: req.sessionId } : {}),
  }, evaluation.effects, now, attributes);

  await commitEvent(sql, req.applicationId, evaluation, clock);
  const writes = profileWrites(evaluation);
  const written = Object.keys(writes).length > 0 ? { ...profile, attributes: { ...profile.attributes, ...writes } } : profile;
  if (written !== profile) await saveProfileAttributes(sql, stored.id, written.attributes, now);
  else await touchProfile(sql, stored.id, now);
  const recorded = await insertEvent(sql, event);
  // a dry run answers the profile as its rules saw it (a new one without an id), its event unrecorded
  // (id 0), no created code announced
  const withSession = session ? { session } : {};
  if (req.dry) return { profile: existing ? profile : { ...profile, id: 0 }, event, evaluation: withoutCreated(evaluation), ...withSession };
  return { profile: written, event: recorded, evaluation, ...withSession };
}
