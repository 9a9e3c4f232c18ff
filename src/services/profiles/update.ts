/**
 * updateCustomerProfileV2 (docs/profiles-and-events.md): create or update a profile's attributes; with
 * runRuleEngine=true also record talon_profile_created / talon_profile_updated and evaluate rules.
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField } from '../../domain/errors.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { SessionEvent } from '../../domain/records.js';
import type { Sql } from '../../store/db.js';
import { insertEvent } from '../../store/repos/events.js';
import { ensureProfile, getProfile, replaceProfileAttributes, touchProfile } from '../../store/repos/profiles.js';
import type { ServiceContext } from '../context.js';
import { loadDefinitions } from '../definitions/load.js';
import { checkAttributes } from '../definitions/validate.js';
import { exclusive } from '../exclusive.js';
import { loadApplication } from '../applications/load.js';
import { commitEvent, evaluateEvent, profileWrites } from '../events/evaluate.js';
import { emptyEvaluation, withoutCreated, type Evaluation } from '../sessions/evaluate.js';
import { newEvent } from '../sessions/event.js';
import { profileLockKey } from './lock.js';

export interface UpdateProfileRequest {
  applicationId: number;
  integrationId: string;
  attributes?: Record<string, unknown> | undefined;
  /** accepted and validated by the schema, otherwise ignored: there are no audiences */
  audiencesChanges?: { adds: number[]; deletes: number[] } | undefined;
  /** counts only with runRuleEngine and dry (docs/profiles-and-events.md) */
  evaluableCampaignIds?: number[] | undefined;
  responseContent: readonly string[];
  runRuleEngine: boolean;
  dry: boolean;
}

export interface ProfileResult {
  profile: CustomerProfile;
  /** the recorded event (id 0 in a dry run); null when the rule engine did not run */
  event: SessionEvent | null;
  evaluation: Evaluation;
}

type ProfileEventType = 'talon_profile_created' | 'talon_profile_updated';

export async function updateCustomerProfile(ctx: ServiceContext, req: UpdateProfileRequest): Promise<ProfileResult> {
  if (!req.runRuleEngine && req.responseContent.length > 0) {
    throw invalidField('/responseContent', 'Invalid value', 'responseContent can only be used with runRuleEngine=true');
  }
  // Talon.One's description of `dry`: it only has an effect together with runRuleEngine=true
  const dry = req.dry && req.runRuleEngine;
  // a dry run keeps nothing, so it takes no lock: it must not turn a concurrent request for the profile away
  if (dry) return ctx.db.rehearse((sql) => run(ctx, sql, req, true));
  return exclusive(ctx, profileLockKey(req.integrationId), (sql) => run(ctx, sql, req, false));
}

async function run(ctx: ServiceContext, sql: Sql, req: UpdateProfileRequest, dry: boolean): Promise<ProfileResult> {
  const clock = ctx.now();
  const now = clock.toISOString();
  const defs = await loadDefinitions(ctx, sql);
  checkAttributes(defs, 'CustomerProfile', req.attributes, '/attributes');

  const existing = await getProfile(sql, ACCOUNT_ID, req.integrationId, true);
  const stored = existing ?? await ensureProfile(sql, ACCOUNT_ID, req.integrationId, now);
  // attributes merge by key: unsent ones are kept
  let attributes = req.attributes ? { ...stored.attributes, ...req.attributes } : stored.attributes;
  // the profile as this request leaves it before the rules' writes; running the rules is activity
  const profile: CustomerProfile = { ...stored, attributes, ...(req.runRuleEngine ? { lastActivity: now } : {}) };

  let event: SessionEvent | null = null;
  let evaluation = emptyEvaluation();
  if (req.runRuleEngine) {
    const type: ProfileEventType = existing ? 'talon_profile_updated' : 'talon_profile_created';
    evaluation = await evaluateEvent(ctx, sql, {
      app: await loadApplication(ctx, sql, req.applicationId), type, attributes: {}, profile, now: clock, dry,
      evaluableCampaignIds: req.evaluableCampaignIds, failureReasons: req.responseContent.includes('ruleFailureReasons'),
    });
    event = newEvent(type, { applicationId: req.applicationId, profileId: req.integrationId }, evaluation.effects, now);
  }

  await commitEvent(sql, req.applicationId, evaluation, clock);
  const writes = profileWrites(evaluation);
  if (Object.keys(writes).length > 0) attributes = { ...attributes, ...writes };
  if (req.attributes || Object.keys(writes).length > 0) await replaceProfileAttributes(sql, stored.id, attributes);
  if (req.runRuleEngine) await touchProfile(sql, stored.id, now);
  const recorded = event && await insertEvent(sql, event);
  // a dry run answers the preview: the merge without the rules' writes, a new profile without an id, its
  // event unrecorded (id 0), no created code announced
  if (dry) return { profile: existing ? profile : { ...profile, id: 0 }, event, evaluation: withoutCreated(evaluation) };
  return { profile: (await getProfile(sql, ACCOUNT_ID, req.integrationId)) ?? profile, event: recorded, evaluation };
}
