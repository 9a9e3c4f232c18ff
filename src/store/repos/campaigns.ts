import type { Campaign, CampaignSettings, CustomEffect, EvaluationGroup, Ruleset, RulesetDef, Store } from '../../domain/campaign.js';
import type { Sql } from '../db.js';
import { fromJson, toJson } from './json.js';
import { inChunks, inList } from './params.js';

interface DataRow { id: number; data: string }

// campaigns -------------------------------------------------------------------------------------

interface CampaignRow { id: number; application_id: number; data: string; created: string; updated: string }
const toCampaign = (r: CampaignRow): Campaign => ({
  ...fromJson<CampaignSettings & { userId: number }>(r.data), id: Number(r.id), applicationId: Number(r.application_id), created: r.created, updated: r.updated,
});

export async function insertCampaign(sql: Sql, applicationId: number, c: CampaignSettings & { userId: number }, now: string): Promise<Campaign> {
  const row = await sql.get<CampaignRow>('INSERT INTO campaigns (application_id, data, state, created, updated) VALUES (?, ?, ?, ?, ?) RETURNING *',
    [applicationId, toJson(c), c.state, now, now]);
  return toCampaign(row!);
}

export async function saveCampaign(sql: Sql, c: Campaign, now: string): Promise<Campaign> {
  const { id, applicationId, created: _c, updated: _u, ...data } = c;
  const row = await sql.get<CampaignRow>('UPDATE campaigns SET data = ?, state = ?, updated = ? WHERE id = ? AND application_id = ? AND deleted = 0 RETURNING *',
    [toJson(data), c.state, now, id, applicationId]);
  return toCampaign(row!);
}

export async function getCampaign(sql: Sql, applicationId: number, id: number): Promise<Campaign | undefined> {
  const row = await sql.get<CampaignRow>('SELECT * FROM campaigns WHERE application_id = ? AND id = ? AND deleted = 0', [applicationId, id]);
  return row && toCampaign(row);
}

export async function listCampaigns(sql: Sql, applicationId: number): Promise<Campaign[]> {
  const rows = await sql.all<CampaignRow>('SELECT * FROM campaigns WHERE application_id = ? AND deleted = 0 ORDER BY id', [applicationId]);
  return rows.map(toCampaign);
}

export async function deleteCampaign(sql: Sql, applicationId: number, id: number): Promise<boolean> {
  return (await sql.run('UPDATE campaigns SET deleted = 1 WHERE application_id = ? AND id = ? AND deleted = 0', [applicationId, id])) > 0;
}

// rulesets --------------------------------------------------------------------------------------

interface RulesetRow { id: number; campaign_id: number; data: string; created: string; activated_at: string | null }
const toRuleset = (r: RulesetRow): Ruleset => ({
  ...fromJson<RulesetDef & { userId: number }>(r.data), id: Number(r.id), campaignId: Number(r.campaign_id), created: r.created,
  ...(r.activated_at ? { activatedAt: r.activated_at } : {}),
});

export async function insertRuleset(sql: Sql, applicationId: number, campaignId: number, def: RulesetDef & { userId: number }, now: string, activate: boolean): Promise<Ruleset> {
  const row = await sql.get<RulesetRow>('INSERT INTO rulesets (application_id, campaign_id, data, created, activated_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
    [applicationId, campaignId, toJson(def), now, activate ? now : null]);
  return toRuleset(row!);
}

export async function getRuleset(sql: Sql, campaignId: number, id: number): Promise<Ruleset | undefined> {
  const row = await sql.get<RulesetRow>('SELECT * FROM rulesets WHERE campaign_id = ? AND id = ?', [campaignId, id]);
  return row && toRuleset(row);
}

export async function getRulesetsById(sql: Sql, applicationId: number, ids: number[]): Promise<Ruleset[]> {
  if (ids.length === 0) return [];
  const rows: RulesetRow[] = [];
  for (const chunk of inChunks(sql.dialect, ids, 1)) {
    rows.push(...await sql.all<RulesetRow>(`SELECT * FROM rulesets WHERE application_id = ? AND id IN (${inList(chunk.length)})`, [applicationId, ...chunk]));
  }
  return rows.map(toRuleset);
}

export async function listRulesets(sql: Sql, campaignId: number, page: { skip: number; limit: number }): Promise<{ total: number; data: Ruleset[] }> {
  const total = Number((await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM rulesets WHERE campaign_id = ?', [campaignId]))!.n);
  const rows = await sql.all<RulesetRow>('SELECT * FROM rulesets WHERE campaign_id = ? ORDER BY id DESC LIMIT ? OFFSET ?', [campaignId, page.limit, page.skip]);
  return { total, data: rows.map(toRuleset) };
}

export async function markActivated(sql: Sql, id: number, now: string): Promise<void> {
  await sql.run('UPDATE rulesets SET activated_at = ? WHERE id = ?', [now, id]);
}

// evaluation groups, stores ----------------------------------------------------------------------

export async function insertEvaluationGroup(sql: Sql, g: Omit<EvaluationGroup, 'id'>, now: string): Promise<EvaluationGroup> {
  const row = await sql.get<DataRow>('INSERT INTO evaluation_groups (application_id, data, created) VALUES (?, ?, ?) RETURNING id, data', [g.applicationId, toJson(g), now]);
  return { ...fromJson<EvaluationGroup>(row!.data), id: Number(row!.id) };
}

export async function saveEvaluationGroup(sql: Sql, g: EvaluationGroup): Promise<boolean> {
  const { id, ...data } = g;
  return (await sql.run('UPDATE evaluation_groups SET data = ? WHERE id = ? AND application_id = ?', [toJson(data), id, g.applicationId])) > 0;
}

export async function deleteEvaluationGroup(sql: Sql, applicationId: number, id: number): Promise<boolean> {
  return (await sql.run('DELETE FROM evaluation_groups WHERE id = ? AND application_id = ?', [id, applicationId])) > 0;
}

export async function listEvaluationGroups(sql: Sql, applicationId: number): Promise<EvaluationGroup[]> {
  const rows = await sql.all<DataRow>('SELECT id, data FROM evaluation_groups WHERE application_id = ? ORDER BY id', [applicationId]);
  return rows.map((r) => ({ ...fromJson<EvaluationGroup>(r.data), id: Number(r.id) }));
}

interface StoreRow { id: number; application_id: number; data: string; created: string; updated: string }
const toStore = (r: StoreRow): Store => ({ ...fromJson<Store>(r.data), id: Number(r.id), applicationId: Number(r.application_id), created: r.created, updated: r.updated });

export async function insertStore(sql: Sql, s: Omit<Store, 'id' | 'created' | 'updated'>, now: string): Promise<Store> {
  const row = await sql.get<StoreRow>('INSERT INTO stores (application_id, integration_id, data, created, updated) VALUES (?, ?, ?, ?, ?) RETURNING *',
    [s.applicationId, s.integrationId, toJson(s), now, now]);
  return toStore(row!);
}

export async function saveStore(sql: Sql, s: Store, now: string): Promise<Store | undefined> {
  const { id, created: _c, updated: _u, ...data } = s;
  const row = await sql.get<StoreRow>('UPDATE stores SET integration_id = ?, data = ?, updated = ? WHERE id = ? AND application_id = ? RETURNING *',
    [s.integrationId, toJson(data), now, id, s.applicationId]);
  return row && toStore(row);
}

export async function deleteStore(sql: Sql, applicationId: number, id: number): Promise<boolean> {
  return (await sql.run('DELETE FROM stores WHERE id = ? AND application_id = ?', [id, applicationId])) > 0;
}

export async function listStores(sql: Sql, applicationId: number): Promise<Store[]> {
  const rows = await sql.all<StoreRow>('SELECT * FROM stores WHERE application_id = ? ORDER BY id', [applicationId]);
  return rows.map(toStore);
}

export async function findStoreByIntegrationId(sql: Sql, applicationId: number, integrationId: string): Promise<Store | undefined> {
  const row = await sql.get<StoreRow>('SELECT * FROM stores WHERE application_id = ? AND integration_id = ?', [applicationId, integrationId]);
  return row && toStore(row);
}

// custom effects --------------------------------------------------------------------------------

export async function insertCustomEffect(sql: Sql, e: Omit<CustomEffect, 'id'>): Promise<CustomEffect> {
  const row = await sql.get<DataRow>('INSERT INTO custom_effects (account_id, name, data, created) VALUES (?, ?, ?, ?) RETURNING id, data', [e.accountId, e.name, toJson(e), e.created]);
  return { ...fromJson<CustomEffect>(row!.data), id: Number(row!.id) };
}

export async function saveCustomEffect(sql: Sql, e: CustomEffect): Promise<boolean> {
  const { id, ...data } = e;
  return (await sql.run('UPDATE custom_effects SET name = ?, data = ? WHERE id = ? AND account_id = ?', [e.name, toJson(data), id, e.accountId])) > 0;
}

export async function deleteCustomEffect(sql: Sql, accountId: number, id: number): Promise<boolean> {
  return (await sql.run('DELETE FROM custom_effects WHERE id = ? AND account_id = ?', [id, accountId])) > 0;
}

export async function listCustomEffects(sql: Sql, accountId: number): Promise<CustomEffect[]> {
  const rows = await sql.all<DataRow>('SELECT id, data FROM custom_effects WHERE account_id = ? ORDER BY id', [accountId]);
  return rows.map((r) => ({ ...fromJson<CustomEffect>(r.data), id: Number(r.id) }));
}

// single reads and reference scans (stores, evaluation groups, custom effects management) --------

/** An explicit evaluation-order entry of a group (our extension, stored in the group's data). */
export type EvaluationGroupMember = { campaignId: number } | { groupId: number };
export type StoredEvaluationGroup = EvaluationGroup & { members?: EvaluationGroupMember[] };

export async function getEvaluationGroup(sql: Sql, applicationId: number, id: number): Promise<StoredEvaluationGroup | undefined> {
  const row = await sql.get<DataRow>('SELECT id, data FROM evaluation_groups WHERE application_id = ? AND id = ?', [applicationId, id]);
  return row && { ...fromJson<StoredEvaluationGroup>(row.data), id: Number(row.id) };
}

export async function getStore(sql: Sql, applicationId: number, id: number): Promise<Store | undefined> {
  const row = await sql.get<StoreRow>('SELECT * FROM stores WHERE application_id = ? AND id = ?', [applicationId, id]);
  return row && toStore(row);
}

export async function getCustomEffect(sql: Sql, accountId: number, id: number): Promise<CustomEffect | undefined> {
  const row = await sql.get<DataRow>('SELECT id, data FROM custom_effects WHERE account_id = ? AND id = ?', [accountId, id]);
  return row && { ...fromJson<CustomEffect>(row.data), id: Number(row.id) };
}

/** The active rulesets of every non-deleted campaign of the account's Applications, with their campaign. */
export async function listActiveRulesets(sql: Sql): Promise<{ campaignId: number; applicationId: number; ruleset: Ruleset }[]> {
  const campaigns = await sql.all<CampaignRow>('SELECT * FROM campaigns WHERE deleted = 0 ORDER BY id');
  const active = campaigns.map(toCampaign).filter((c) => c.activeRulesetId !== undefined);
  if (active.length === 0) return [];
  const ids = active.map((c) => c.activeRulesetId!);
  const rows: RulesetRow[] = [];
  for (const chunk of inChunks(sql.dialect, ids)) rows.push(...await sql.all<RulesetRow>(`SELECT * FROM rulesets WHERE id IN (${inList(chunk.length)})`, chunk));
  const byId = new Map(rows.map((r) => [Number(r.id), toRuleset(r)]));
  return active.filter((c) => byId.has(c.activeRulesetId!)).map((c) => ({ campaignId: c.id, applicationId: c.applicationId, ruleset: byId.get(c.activeRulesetId!)! }));
}
