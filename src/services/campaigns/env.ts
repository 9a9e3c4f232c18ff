/** What the rule checker must know about the account when a ruleset is saved. */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { CompileEnv } from '../../rules/index.js';
import type { Sql } from '../../store/db.js';
import { listCustomEffects } from '../../store/repos/campaigns.js';
import type { ServiceContext } from '../context.js';
import { loadDefinitions } from '../definitions/load.js';
import { subscribedPrograms } from '../loyalty/session.js';

/**
 * Custom effects count only when enabled for this Application (a ruleset may not use another app's effect).
 * `saving`: a ruleset being saved is also checked against the loyalty programs subscribed to the Application.
 */
export async function compileEnv(ctx: ServiceContext, sql: Sql, applicationId: number, saving = false): Promise<CompileEnv> {
  const defs = await loadDefinitions(ctx, sql);
  const effects = await listCustomEffects(sql, ACCOUNT_ID);
  const loyalty = saving ? { loyaltyPrograms: (await subscribedPrograms(sql, applicationId)).map((p) => ({ id: p.id, allowSubledger: p.allowSubledger })) } : {};
  return {
    ...loyalty,
    attributes: defs.all.map((a) => ({
      entity: a.entity, name: a.name, type: a.type as CompileEnv['attributes'][number]['type'],
      ...(a.eventType ? { eventType: a.eventType } : {}),
    })),
    additionalCosts: [...defs.costs.keys()],
    customEffects: effects.filter((e) => e.enabled && e.applicationIds.includes(applicationId)).map((e) => ({ name: e.name, params: (e.params ?? []).map((p) => ({ name: p.name, type: p.type })) })),
  };
}

/** `rules[1].effects[0][2]` → `/rules/1/effects/0/2` (a JSON pointer into the NewRuleset body). */
export function rulePathToPointer(path: string): string {
  return '/' + path.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '').split('.').filter(Boolean).join('/');
}
