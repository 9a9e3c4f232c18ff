/** Helpers for engine tests that run real compiled rulesets (src/rules compileRuleset). */
import { evaluate, toWire } from '../../src/engine/index.js';
import type { EngineCampaign } from '../../src/engine/types.js';
import type { CompileEnv, RulesetInput } from '../../src/rules/contract.js';
import { compileRuleset } from '../../src/rules/index.js';
import { campaign } from './fakes.js';

/** The worked examples' shared setup (docs/rule-examples.md): the session attribute ShippingCity and the additional cost `shipping` (id 3). */
export const ENV: CompileEnv = {
  attributes: [{ entity: 'CustomerSession', name: 'ShippingCity', type: 'string' }],
  additionalCosts: ['shipping'], customEffects: [],
};

/** A campaign (ruleset id = 10 × id) whose active ruleset is `rs` compiled with `env`. */
export function withRuleset(rs: RulesetInput, extra: Partial<EngineCampaign> = {}, env: CompileEnv = ENV, id = 1): EngineCampaign {
  const c = campaign(id, [], extra);
  c.ruleset = { id: id * 10, compiled: compileRuleset(rs, env) };
  return c;
}

/** The fields the worked examples list: effectType, ruleIndex, ruleName, props (+ triggeredByCoupon when present). */
export const shape = (r: ReturnType<typeof evaluate>) => r.effects.map(toWire).map((e) => ({
  effectType: e.effectType, ruleIndex: e.ruleIndex, ruleName: e.ruleName, props: e.props,
  ...(e.triggeredByCoupon !== undefined ? { triggeredByCoupon: e.triggeredByCoupon } : {}),
}));
