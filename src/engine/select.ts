/**
 * Campaign selection (docs/engine.md, "Selection"): which campaigns run for this request, and for the ones
 * that do not, why (the coupon/referral rejection reasons need it).
 */
import type { EngineCampaign, EngineInput } from './types.js';

export type Exclusion =
  | { kind: 'notRunning' }
  | { kind: 'notTriggered'; reason: 'CampaignNotInEvaluationSet' | 'CampaignIsNotFirst' | 'CampaignGaveLowerDiscount' | 'CampaignGaveHigherDiscount' };

export function isEnabled(c: EngineCampaign): boolean {
  return c.state === 'enabled' || c.state === 'running';
}

/** Inside [startTime, endTime) at `now`. */
export function inSchedule(c: EngineCampaign, now: Date): boolean {
  const t = now.getTime();
  if (c.startTime && c.startTime.getTime() > t) return false;
  if (c.endTime && c.endTime.getTime() <= t) return false;
  return true;
}

function storeMatches(c: EngineCampaign, input: EngineInput): boolean {
  if (c.linkedStoreIds.length === 0) return true;
  const store = input.store;
  return !!store && !!input.session.storeIntegrationId && c.linkedStoreIds.includes(store.id);
}

export interface Selection {
  selected: EngineCampaign[];
  /** Campaigns of the Application that will not be evaluated, by id. */
  excluded: Map<number, Exclusion>;
}

/**
 * Enabled, scheduled and store-matching campaigns. A dry run with `evaluableCampaignIds` takes exactly
 * the listed campaigns, also disabled ones (schedule and store linkage still apply), never archived ones.
 */
export function selectCampaigns(input: EngineInput): Selection {
  const opts = input.options ?? {};
  const only = opts.dry && opts.evaluableCampaignIds ? new Set(opts.evaluableCampaignIds) : null;
  const selected: EngineCampaign[] = [];
  const excluded = new Map<number, Exclusion>();
  for (const c of input.campaigns) {
    if (c.state === 'archived') { excluded.set(c.id, { kind: 'notRunning' }); continue; }
    if (only && !only.has(c.id)) {
      excluded.set(c.id, isEnabled(c) && inSchedule(c, input.now)
        ? { kind: 'notTriggered', reason: 'CampaignNotInEvaluationSet' } : { kind: 'notRunning' });
      continue;
    }
    if ((!only && !isEnabled(c)) || !inSchedule(c, input.now)) { excluded.set(c.id, { kind: 'notRunning' }); continue; }
    if (!storeMatches(c, input)) { excluded.set(c.id, { kind: 'notTriggered', reason: 'CampaignNotInEvaluationSet' }); continue; }
    selected.push(c);
  }
  return { selected, excluded };
}
