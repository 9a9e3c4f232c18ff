/** Store as the Management API returns it: with `linkedCampaignIds`, derived from campaigns' `linkedStoreIds`. */
import type { Campaign, Store } from '../../domain/campaign.js';
import type { Sql } from '../../store/db.js';
import { listCampaigns } from '../../store/repos/campaigns.js';

export interface StoreView extends Store { linkedCampaignIds: number[] }

export interface StoreInput { name: string; description: string; integrationId?: string; attributes?: Record<string, unknown> }

export function withLinks(stores: Store[], campaigns: Campaign[]): StoreView[] {
  return stores.map((s) => ({ ...s, linkedCampaignIds: campaigns.filter((c) => c.linkedStoreIds?.includes(s.id)).map((c) => c.id) }));
}

export async function linkedViews(sql: Sql, applicationId: number, stores: Store[]): Promise<StoreView[]> {
  return withLinks(stores, await listCampaigns(sql, applicationId));
}
