/** Rulesets: compiled and type-checked when saved, so an invalid rule never reaches a checkout. */
import { AppError, notFound, Title } from '../../domain/errors.js';
import type { Ruleset, RulesetDef } from '../../domain/campaign.js';
import { RulesetValidationError, validateRuleset, type RulesetInput } from '../../rules/index.js';
import { getCampaign, getRuleset, insertRuleset, listRulesets, saveCampaign } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { appScope } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { compileEnv, rulePathToPointer } from './env.js';

const USER_ID = 1;

export function toRulesetInput(def: RulesetDef): RulesetInput {
  return { rules: def.rules, bindings: def.bindings, ...(def.strikethroughRules ? { strikethroughRules: def.strikethroughRules } : {}) };
}

export function createRuleset(ctx: ServiceContext, applicationId: number, campaignId: number, def: RulesetDef & { activate?: boolean }): Promise<Ruleset> {
  return ctx.db.transaction(async (sql) => {
    const campaign = await getCampaign(sql, applicationId, campaignId);
    if (!campaign) throw notFound('Campaign');
    const errors = validateRuleset(toRulesetInput(def), await compileEnv(ctx, sql, applicationId, true));
    if (errors.length > 0) {
      const e = new RulesetValidationError(errors);
      throw new AppError(400, e.message, errors.map((x) => ({
        title: Title.invalidRule,
        details: `${x.ruleIndex === null ? '' : `rule ${x.ruleIndex}: `}${x.path}: ${x.message}`,
        source: { pointer: rulePathToPointer(x.path) },
      })));
    }
    const now = ctx.now().toISOString();
    const { activate, ...stored } = def;
    const ruleset = await insertRuleset(sql, applicationId, campaignId, { ...stored, userId: USER_ID }, now, activate === true);
    if (activate) {
      await saveCampaign(sql, { ...campaign, activeRulesetId: ruleset.id }, now);
      await bumpConfigVersion(sql, appScope(applicationId));
    }
    return { ...ruleset, ...(activate !== undefined ? { activate } : {}) };
  });
}

export async function getCampaignRuleset(ctx: ServiceContext, applicationId: number, campaignId: number, id: number): Promise<Ruleset> {
  const r = await ctx.db.transaction(async (sql) => (await getCampaign(sql, applicationId, campaignId)) ? getRuleset(sql, campaignId, id) : undefined);
  if (!r) throw notFound('Ruleset');
  return r;
}

export async function listCampaignRulesets(ctx: ServiceContext, applicationId: number, campaignId: number, page: { skip: number; limit: number }) {
  return ctx.db.transaction(async (sql) => {
    if (!(await getCampaign(sql, applicationId, campaignId))) throw notFound('Campaign');
    return listRulesets(sql, campaignId, page);
  });
}
