/** listStores: filters as Talon.One's (campaignId, name, integrationId, query), sorting and paging. */
import { invalidParameter, Title } from '../../domain/errors.js';
import { listCampaigns, listStores } from '../../store/repos/campaigns.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { withLinks, type StoreView } from './linked.js';

export interface StoreFilter {
  campaignId?: number; name?: string; integrationId?: string; query?: string;
  sort?: string; skip: number; limit: number;
}

const SORTABLE = ['id', 'name', 'integrationId', 'created', 'updated'] as const;
type SortField = (typeof SORTABLE)[number];

export async function listApplicationStores(ctx: ServiceContext, applicationId: number, f: StoreFilter): Promise<{ total: number; data: StoreView[] }> {
  const sort = f.sort || 'id';
  const desc = sort.startsWith('-');
  const field = (desc ? sort.slice(1) : sort) as SortField;
  if (!SORTABLE.includes(field)) throw invalidParameter('sort', Title.invalidValue, `sort must be one of ${SORTABLE.flatMap((s) => [s, `-${s}`]).join(', ')}`);

  const all = await ctx.db.transaction(async (sql) => {
    await loadApplication(ctx, sql, applicationId);
    return withLinks(await listStores(sql, applicationId), await listCampaigns(sql, applicationId));
  });
  const has = (s: string, part: string) => s.toLowerCase().includes(part.toLowerCase());
  const matched = all.filter((s) =>
    (f.campaignId === undefined || s.linkedCampaignIds.includes(f.campaignId))
    && (!f.name || has(s.name, f.name))
    && (!f.integrationId || s.integrationId === f.integrationId)
    && (!f.query || has(s.name, f.query) || has(s.integrationId, f.query)));
  const cmp = (a: StoreView, b: StoreView) => {
    const c = field === 'id' ? a.id - b.id : String(a[field]).localeCompare(String(b[field]));
    return c !== 0 ? c : a.id - b.id;
  };
  matched.sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)));
  return { total: matched.length, data: matched.slice(f.skip, f.skip + f.limit) };
}
