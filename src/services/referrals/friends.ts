/** getApplicationCustomerFriends: the friends an advocate referred (ApplicationReferee rows written at redemption). */
import { countRefereesOfAdvocate, refereesOfAdvocate, type RefereeRecord } from '../../store/repos/referrals.js';
import { loadApplication } from '../applications/load.js';
import type { ServiceContext } from '../context.js';
import { parseSort } from './list.js';

export type { RefereeRecord };

export interface FriendsPage { data: RefereeRecord[]; hasMore?: boolean; totalResultSize?: number }

/** An advocate without profile or without friends gets an empty page, not a 404 (profiles are optional for advocates). */
export function customerFriends(ctx: ServiceContext, applicationId: number, advocate: string, p: { skip: number; pageSize: number; sort?: string; withTotalResultSize?: boolean }): Promise<FriendsPage> {
  const descending = parseSort(p.sort);
  return ctx.db.transaction(async (sql) => {
    await loadApplication(ctx, sql, applicationId);
    const rows = await refereesOfAdvocate(sql, applicationId, advocate, p.skip, p.pageSize + 1, descending);
    const data = rows.slice(0, p.pageSize);
    if (p.withTotalResultSize) return { data, totalResultSize: await countRefereesOfAdvocate(sql, applicationId, advocate) };
    return { data, hasMore: rows.length > p.pageSize };
  });
}
