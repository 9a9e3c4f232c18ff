/**
 * Custom attributes (Management API: createAttribute, getAttributes, getAttribute, updateAttribute).
 * Account-wide; every change bumps the account config version in the same transaction, so the
 * definitions cache that validates sessions, profiles and events sees it at once (docs/attributes.md).
 */
import { ACCOUNT_ID } from '../../domain/application.js';
import { invalidField, invalidParameter, notFound, Title } from '../../domain/errors.js';
import type { AttributeDef } from '../../domain/records.js';
import type { Sql } from '../../store/db.js';
import { bumpConfigVersion } from '../../store/repos/configVersions.js';
import { getAttributeById, insertAttributeIfNew, listAttributes, updateAttributeDef } from '../../store/repos/definitions.js';
import type { ServiceContext } from '../context.js';
import { ACCOUNT_SCOPE } from './load.js';
import { sortAndPage, type PageRequest } from './page.js';

/** The body of createAttribute and updateAttribute (`NewAttribute`). */
export type NewAttributeInput = Omit<AttributeDef, 'id' | 'created' | 'accountId'>;

export interface AttributeQuery extends PageRequest {
  entity?: string | undefined;
  type?: string | undefined;
  search?: string | undefined;
  kind?: 'builtin' | 'custom' | undefined;
  applicationIds?: string | undefined;
}

/** Fields that identify an attribute in client data and rules; changing them means a new attribute. */
const IMMUTABLE = ['entity', 'eventType', 'name', 'type'] as const;
const SORTABLE = ['id', 'created', 'entity', 'name', 'title', 'type'] as const;

const isEvent = (entity: string) => entity === 'Event';

/** Event attributes belong to one custom event type; other entities have none (a sent one is ignored). */
function eventTypeOf(input: NewAttributeInput): string | undefined {
  if (!isEvent(input.entity)) return undefined;
  if (!input.eventType) throw invalidField('/eventType', Title.required, 'eventType is required for Event attributes');
  return input.eventType;
}

const optional = <K extends keyof NewAttributeInput>(input: NewAttributeInput, current: Partial<AttributeDef>, key: K) =>
  (input[key] !== undefined ? { [key]: input[key] } : current[key] !== undefined ? { [key]: current[key] } : {}) as Partial<AttributeDef>;

async function assertTitleFree(sql: Sql, def: Pick<AttributeDef, 'entity' | 'eventType' | 'title'>, exceptId: number): Promise<void> {
  const all = await listAttributes(sql, ACCOUNT_ID);
  const clash = all.find((a) => a.id !== exceptId && a.entity === def.entity && (a.eventType ?? '') === (def.eventType ?? '') && a.title === def.title);
  if (clash) throw invalidField('/title', Title.duplicate, `A ${def.entity} attribute titled ${JSON.stringify(def.title)} already exists (id ${clash.id})`);
}

export async function createAttribute(ctx: ServiceContext, input: NewAttributeInput): Promise<AttributeDef> {
  const eventType = eventTypeOf(input);
  const def: Omit<AttributeDef, 'id'> = {
    created: ctx.now().toISOString(), accountId: ACCOUNT_ID, entity: input.entity,
    ...(eventType !== undefined ? { eventType } : {}),
    name: input.name, title: input.title, type: input.type, description: input.description, suggestions: input.suggestions,
    hasAllowedList: input.hasAllowedList ?? false, restrictedBySuggestions: input.restrictedBySuggestions ?? false, editable: input.editable,
    ...optional(input, {}, 'subscribedApplicationsIds'), ...optional(input, {}, 'subscribedCatalogsIds'), ...optional(input, {}, 'allowedSubscriptions'),
  };
  return ctx.db.transaction(async (sql) => {
    await assertTitleFree(sql, def, 0);
    const created = await insertAttributeIfNew(sql, def);
    if (!created) {
      const scope = eventType !== undefined ? `${def.entity} attribute of event type ${JSON.stringify(eventType)}` : `${def.entity} attribute`;
      throw invalidField('/name', Title.duplicate, `A ${scope} named ${JSON.stringify(def.name)} already exists`);
    }
    await bumpConfigVersion(sql, ACCOUNT_SCOPE);
    return created;
  });
}

export async function getAttribute(ctx: ServiceContext, id: number): Promise<AttributeDef> {
  const def = await ctx.db.transaction((sql) => getAttributeById(sql, ACCOUNT_ID, id));
  if (!def) throw notFound('Attribute');
  return def;
}

function parseIds(s: string): number[] {
  const ids = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (!ids.every((x) => /^\d+$/.test(x))) throw invalidParameter('applicationIds', Title.invalidValue, 'applicationIds must be a comma-separated list of Application ids');
  return ids.map(Number);
}

/** All custom attributes matching the filters, one page of them, and how many there are. */
export async function listAttributePage(ctx: ServiceContext, q: AttributeQuery): Promise<{ total: number; data: AttributeDef[] }> {
  const appIds = q.applicationIds !== undefined ? parseIds(q.applicationIds) : undefined;
  // every stored attribute is custom: built-in attributes are not stored definitions
  const all = q.kind === 'builtin' ? [] : await ctx.db.transaction((sql) => listAttributes(sql, ACCOUNT_ID));
  const search = q.search?.toLowerCase();
  const matches = all.filter((a) =>
    (q.entity === undefined || a.entity === q.entity)
    && (q.type === undefined || a.type === q.type)
    && (search === undefined || [a.name, a.description, a.type].some((s) => s.toLowerCase().includes(search)))
    && (appIds === undefined || (a.subscribedApplicationsIds ?? []).some((id) => appIds.includes(id))));
  return sortAndPage(matches, q, SORTABLE);
}

/**
 * updateAttribute: the body is a whole NewAttribute; entity, eventType, name and type must equal
 * the stored ones (400 naming the field otherwise). Optional properties left out keep their value.
 */
export async function updateAttribute(ctx: ServiceContext, id: number, input: NewAttributeInput): Promise<AttributeDef> {
  return ctx.db.transaction(async (sql) => {
    const current = await getAttributeById(sql, ACCOUNT_ID, id);
    if (!current) throw notFound('Attribute');
    const requested = { ...input, eventType: isEvent(input.entity) ? input.eventType : current.eventType };
    for (const key of IMMUTABLE) {
      if ((requested[key] ?? '') !== (current[key] ?? '')) {
        throw invalidField(`/${key}`, Title.immutable, `The ${key} of an attribute cannot change after creation (stored: ${JSON.stringify(current[key] ?? '')}); create a new attribute instead`);
      }
    }
    const next: AttributeDef = {
      ...current,
      title: input.title, description: input.description, suggestions: input.suggestions, editable: input.editable,
      ...optional(input, current, 'hasAllowedList'), ...optional(input, current, 'restrictedBySuggestions'),
      ...optional(input, current, 'subscribedApplicationsIds'), ...optional(input, current, 'subscribedCatalogsIds'),
      ...optional(input, current, 'allowedSubscriptions'),
    };
    if (next.title !== current.title) await assertTitleFree(sql, next, id);
    await updateAttributeDef(sql, next);
    await bumpConfigVersion(sql, ACCOUNT_SCOPE);
    return next;
  });
}
