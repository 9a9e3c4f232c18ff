/** Campaigns (Management API): create, read, update, delete. Every change bumps the app's config version. */
import { checkAttributes } from '../definitions/validate.js';
import { loadDefinitions } from '../definitions/load.js';
import type { Campaign, CampaignSettings } from '../../domain/campaign.js';
import { invalidField, notFound, Title } from '../../domain/errors.js';
import type { Sql } from '../../store/db.js';
import { deleteCampaign, getCampaign, getRuleset, insertCampaign, listCampaigns, listEvaluationGroups, listStores, markActivated, saveCampaign } from '../../store/repos/campaigns.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { appScope, loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { counterId, readCounters } from '../../store/repos/counters.js';
import { toNumber, ZERO } from '../../domain/money.js';
import { periodStart } from '../../domain/period.js';

const USER_ID = 1;

async function validate(ctx: ServiceContext, sql: Sql, applicationId: number, c: Partial<CampaignSettings>, campaignId?: number): Promise<void> {
  if (c.startTime && c.endTime && Date.parse(c.endTime) <= Date.parse(c.startTime)) {
    throw invalidField('/endTime', Title.invalidValue, 'endTime must be after startTime');
  }
  checkAttributes(await loadDefinitions(ctx, sql), 'Campaign', c.attributes, '/attributes');
  if (c.linkedStoreIds?.length) {
    const stores = new Set((await listStores(sql, applicationId)).map((s) => s.id));
    c.linkedStoreIds.forEach((id, i) => {
      if (!stores.has(id)) throw invalidField(`/linkedStoreIds/${i}`, Title.unknown, `Store ${id} does not exist in this Application`);
    });
  }
  if (c.evaluationGroupId !== undefined) {
    const groups = await listEvaluationGroups(sql, applicationId);
    if (!groups.some((g) => g.id === c.evaluationGroupId)) throw invalidField('/evaluationGroupId', Title.unknown, `Evaluation group ${c.evaluationGroupId} does not exist in this Application`);
  }
  if (c.activeRulesetId !== undefined) {
    if (campaignId === undefined || !(await getRuleset(sql, campaignId, c.activeRulesetId))) {
      throw invalidField('/activeRulesetId', Title.unknown, `Ruleset ${c.activeRulesetId} does not belong to this campaign`);
    }
  }
}

export function createCampaign(ctx: ServiceContext, applicationId: number, settings: CampaignSettings): Promise<Campaign> {
  return ctx.db.transaction(async (sql) => {
    await loadApplication(ctx, sql, applicationId);
    await validate(ctx, sql, applicationId, settings);
    const c = await insertCampaign(sql, applicationId, { type: 'advanced', reevaluateOnReturn: false, description: '', attributes: {}, ...settings, userId: USER_ID }, ctx.now().toISOString());
    await bumpConfigVersion(sql, appScope(applicationId));
    return c;
  });
}

/**
 * Campaign.budgets: the campaign-wide limits (no entities) with what the current period has used;
 * limits keyed by an entity have one counter per key and are not summarised here (docs/campaigns.md).
 */
async function withBudgets(ctx: ServiceContext, sql: Sql, c: Campaign): Promise<Campaign> {
  const wide = (c.limits ?? []).filter((l) => l.entities.length === 0);
  if (wide.length === 0) return c;
  const app = await loadApplication(ctx, sql, c.applicationId);
  const now = ctx.now();
  const keys = wide.map((l) => ({ campaignId: c.id, action: l.action, bucket: '', periodStart: periodStart(l.period, now, app.timezone) }));
  const counters = await readCounters(sql, keys);
  return { ...c, budgets: wide.map((l, i) => ({ action: l.action, limit: l.limit, counter: toNumber(counters.get(counterId(keys[i])) ?? ZERO) })) };
}

export async function getCampaignById(ctx: ServiceContext, applicationId: number, id: number): Promise<Campaign> {
  const c = await ctx.db.transaction(async (sql) => {
    const found = await getCampaign(sql, applicationId, id);
    return found && withBudgets(ctx, sql, found);
  });
  if (!c) throw notFound('Campaign');
  return c;
}

export interface CampaignFilter { campaignState?: string; name?: string; tags?: string; skip: number; limit: number }

/** Filters as Talon.One's getCampaigns: state (incl. derived running/scheduled/expired), name substring, tag. */
export async function listApplicationCampaigns(ctx: ServiceContext, applicationId: number, f: CampaignFilter, derive: (c: Campaign) => string) {
  const all = await ctx.db.transaction(async (sql) => {
    await loadApplication(ctx, sql, applicationId);
    return Promise.all((await listCampaigns(sql, applicationId)).map((c) => withBudgets(ctx, sql, c)));
  });
  const matched = all.filter((c) =>
    (!f.campaignState || c.state === f.campaignState || derive(c) === f.campaignState)
    && (!f.name || c.name.toLowerCase().includes(f.name.toLowerCase()))
    && (!f.tags || c.tags.includes(f.tags)));
  return { total: matched.length, data: matched.slice(f.skip, f.skip + f.limit) };
}

/** PUT: UpdateCampaign replaces the settings it carries; omitted optional ones keep their value. */
export function updateCampaign(ctx: ServiceContext, applicationId: number, id: number, settings: Partial<CampaignSettings>): Promise<Campaign> {
  return ctx.db.transaction(async (sql) => {
    const current = await getCampaign(sql, applicationId, id);
    if (!current) throw notFound('Campaign');
    await validate(ctx, sql, applicationId, settings, id);
    const now = ctx.now().toISOString();
    const saved = await saveCampaign(sql, { ...current, ...settings }, now);
    if (settings.activeRulesetId !== undefined && settings.activeRulesetId !== current.activeRulesetId) await markActivated(sql, settings.activeRulesetId, now);
    await bumpConfigVersion(sql, appScope(applicationId));
    return saved;
  });
}

export async function removeCampaign(ctx: ServiceContext, applicationId: number, id: number): Promise<void> {
  await ctx.db.transaction(async (sql) => {
    if (!(await deleteCampaign(sql, applicationId, id))) throw notFound('Campaign');
    await bumpConfigVersion(sql, appScope(applicationId));
  });
}
