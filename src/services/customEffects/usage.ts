/** Which active rulesets call a custom effect by name (rename and delete would break them at checkout). */
import type { Sql } from '../../store/db.js';
import { listActiveRulesets } from '../../store/repos/campaigns.js';

function calls(x: unknown, name: string): boolean {
  if (!Array.isArray(x)) return false;
  const items: readonly unknown[] = x;
  if (items[0] === 'customEffect' && items[1] === name) return true;
  return items.some((y) => calls(y, name) || (y !== null && typeof y === 'object' && !Array.isArray(y) && Object.values(y).some((v) => calls(v, name))));
}

/** The campaigns whose active ruleset calls `customEffect` with this name. */
export async function campaignsUsing(sql: Sql, name: string): Promise<{ campaignId: number; applicationId: number }[]> {
  const out: { campaignId: number; applicationId: number }[] = [];
  for (const { campaignId, applicationId, ruleset } of await listActiveRulesets(sql)) {
    const rules = [...ruleset.rules, ...(ruleset.strikethroughRules ?? [])];
    if (rules.some((r) => [r.condition, r.effects, r.failureEffects ?? [], (r.bindings ?? []).map((b) => b.expression)].some((e) => calls(e, name)))
      || ruleset.bindings.some((b) => calls(b.expression, name))) out.push({ campaignId, applicationId });
  }
  return out;
}
