/**
 * The Application's evaluation snapshot: campaigns with their compiled active rulesets, evaluation
 * groups, stores, custom effects, additional costs and subscribed loyalty programs. Built once per process and config version
 * (app scope for campaigns/groups/stores, account scope for definitions), so a session update costs
 * two indexed version reads instead of reloading and recompiling. Rulesets are immutable once saved,
 * so a compiled ruleset is cached by id for the life of the process.
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { Campaign, EvaluationGroup, Store } from '../../domain/campaign.js';
import type { CustomEffectDef, EngineCampaign, EngineEvaluationGroup, NamedRef } from '../../engine/index.js';
import { compileRuleset, type CompiledRuleset } from '../../rules/index.js';
import type { Sql } from '../../store/db.js';
import { getRulesetsById, listCampaigns, listCustomEffects, listEvaluationGroups, listStores, type StoredEvaluationGroup } from '../../store/repos/campaigns.js';
import { configVersion } from '../../store/repos/configVersions.js';
import { appScope } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { ACCOUNT_SCOPE, loadDefinitions, type Definitions } from '../definitions/load.js';
import { withTimes } from '../definitions/times.js';
import { compileEnv } from './env.js';
import type { LoyaltyProgram } from '../../domain/loyalty.js';
import { subscribedPrograms } from '../loyalty/session.js';
import { toRulesetInput } from './rulesets.js';

export interface Snapshot {
  campaigns: EngineCampaign[];
  byId: Map<number, Campaign>;
  groups: EngineEvaluationGroup[];
  stores: Map<string, Store>;
  customEffects: CustomEffectDef[];
  additionalCosts: NamedRef[];
  /** the account's definitions this snapshot was built with (attribute types for the engine input) */
  defs: Definitions;
  /** loyalty programs subscribed to the Application (account scope: a program change bumps it) */
  loyaltyPrograms: LoyaltyProgram[];
}

const compiled = new WeakMap<ServiceContext, Map<number, CompiledRuleset>>();

const date = (s?: string) => (s ? new Date(s) : null);

function engineGroup(g: EvaluationGroup): EngineEvaluationGroup {
  // explicit member order: our extension of CampaignEvaluationGroup (docs/evaluation-groups.md)
  const members = (g as StoredEvaluationGroup).members;
  return {
    id: g.id, name: g.name, parentId: g.parentId ?? null, mode: g.evaluationMode, evaluationScope: g.evaluationScope, locked: g.locked,
    ...(members ? { members } : {}),
  };
}

export async function loadSnapshot(ctx: ServiceContext, sql: Sql, applicationId: number): Promise<Snapshot> {
  const version = `${await configVersion(sql, appScope(applicationId))}.${await configVersion(sql, ACCOUNT_SCOPE)}`;
  const key = `${appScope(applicationId)}/snapshot`;
  const hit = ctx.caches.get(key) as { version: number; value: { version: string; snapshot: Snapshot } } | undefined;
  if (hit && hit.value.version === version) return hit.value.snapshot;

  const campaigns = await listCampaigns(sql, applicationId);
  let cache = compiled.get(ctx);
  if (!cache) compiled.set(ctx, (cache = new Map<number, CompiledRuleset>()));
  const missing = campaigns.map((c) => c.activeRulesetId).filter((id): id is number => id !== undefined && !cache.has(id));
  if (missing.length > 0) {
    const env = await compileEnv(ctx, sql, applicationId);
    for (const r of await getRulesetsById(sql, applicationId, missing)) cache.set(r.id, compileRuleset(toRulesetInput(r), env));
  }
  const defs = await loadDefinitions(ctx, sql);
  const snapshot: Snapshot = {
    campaigns: campaigns.map((c) => ({
      id: c.id, name: c.name, state: c.state, startTime: date(c.startTime), endTime: date(c.endTime), tags: c.tags,
      attributes: withTimes(defs, 'Campaign', c.attributes ?? {}), features: c.features, linkedStoreIds: c.linkedStoreIds ?? [],
      evaluationGroupId: c.evaluationGroupId ?? null,
      ruleset: c.activeRulesetId !== undefined && cache.has(c.activeRulesetId) ? { id: c.activeRulesetId, compiled: cache.get(c.activeRulesetId)! } : null,
    })),
    byId: new Map(campaigns.map((c) => [c.id, c])),
    groups: (await listEvaluationGroups(sql, applicationId)).map(engineGroup),
    stores: new Map((await listStores(sql, applicationId)).map((s) => [s.integrationId, s])),
    customEffects: (await listCustomEffects(sql, ACCOUNT_ID)).filter((e) => e.enabled && e.applicationIds.includes(applicationId))
      .map((e) => ({ id: e.id, name: e.name, payload: e.payload, params: (e.params ?? []).map((p) => ({ name: p.name, type: p.type })) })),
    additionalCosts: [...defs.costs.values()].map((c) => ({ id: c.id, name: c.name })),
    defs,
    loyaltyPrograms: await subscribedPrograms(sql, applicationId),
  };
  ctx.caches.set(key, { version: 0, value: { version, snapshot } });
  return snapshot;
}
