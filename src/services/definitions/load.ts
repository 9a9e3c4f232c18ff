import { ACCOUNT_ID } from '../../domain/application.js';
import type { AdditionalCostDef, AttributeDef } from '../../domain/records.js';
import type { Sql } from '../../store/db.js';
import { listAdditionalCosts, listAttributes } from '../../store/repos/definitions.js';
import { cached } from '../cache.js';
import type { ServiceContext } from '../context.js';

export interface Definitions {
  /** entity → attribute name → definition */
  attributes: Map<string, Map<string, AttributeDef>>;
  costs: Map<string, AdditionalCostDef>;
  all: AttributeDef[];
}

export const ACCOUNT_SCOPE = 'account';

export function loadDefinitions(ctx: ServiceContext, sql: Sql): Promise<Definitions> {
  return cached(ctx, sql, ACCOUNT_SCOPE, 'definitions', async () => {
    const all = await listAttributes(sql, ACCOUNT_ID);
    const attributes = new Map<string, Map<string, AttributeDef>>();
    for (const a of all) {
      const key = a.entity === 'Event' ? `Event:${a.eventType ?? ''}` : a.entity;
      if (!attributes.has(key)) attributes.set(key, new Map());
      attributes.get(key)!.set(a.name, a);
    }
    const costs = new Map((await listAdditionalCosts(sql, ACCOUNT_ID)).map((c) => [c.name, c] as const));
    return { attributes, costs, all };
  });
}
