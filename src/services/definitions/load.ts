import { ACCOUNT_ID } from '../../domain/application.js';
import type { AdditionalCostDef, AttributeDef } from '../../domain/records.js';
import { BUILTIN_ATTRIBUTES } from '../../rules/model.js';
import type { Sql } from '../../store/db.js';
import { listAdditionalCosts, listAttributes } from '../../store/repos/definitions.js';
import { cached } from '../cache.js';
import type { ServiceContext } from '../context.js';

export interface Definitions {
  /** entity → attribute name → definition (custom ones, plus the built-in profile attributes not redefined) */
  attributes: Map<string, Map<string, AttributeDef>>;
  costs: Map<string, AdditionalCostDef>;
  all: AttributeDef[];
}

export const ACCOUNT_SCOPE = 'account';

const builtin = (entity: string, name: string, type: AttributeDef['type']): AttributeDef => ({
  id: 0, created: '', accountId: ACCOUNT_ID, entity, name, title: name, type, description: 'Built-in attribute', suggestions: [], editable: true,
});

export function loadDefinitions(ctx: ServiceContext, sql: Sql): Promise<Definitions> {
  return cached(ctx, sql, ACCOUNT_SCOPE, 'definitions', async () => {
    const all = await listAttributes(sql, ACCOUNT_ID);
    const attributes = new Map<string, Map<string, AttributeDef>>();
    for (const a of all) {
      const key = a.entity === 'Event' ? `Event:${a.eventType ?? ''}` : a.entity;
      if (!attributes.has(key)) attributes.set(key, new Map());
      attributes.get(key)!.set(a.name, a);
    }
    // built-in profile attributes (Name, BirthDate…): clients may send them and rules read them by their type
    for (const b of BUILTIN_ATTRIBUTES) {
      if (!attributes.has(b.entity)) attributes.set(b.entity, new Map());
      const byName = attributes.get(b.entity)!;
      if (!byName.has(b.name)) byName.set(b.name, builtin(b.entity, b.name, b.type));
    }
    const costs = new Map((await listAdditionalCosts(sql, ACCOUNT_ID)).map((c) => [c.name, c] as const));
    return { attributes, costs, all };
  });
}
