/**
 * Custom attributes declared `time` or `(list time)` arrive as RFC 3339 text (checked on input,
 * validate.ts) and are stored as such; the rule language reads them as times, so the engine receives
 * them as Date values (docs/attributes.md). Other attributes pass through untouched.
 */
import type { Definitions } from './load.js';

const namesCache = new WeakMap<Definitions, Map<string, ReadonlySet<string>>>();
const NONE: ReadonlySet<string> = new Set();

/** Names of the time-typed attributes of `entity` (`Event:<type>` for event attributes). */
function timeNames(defs: Definitions, entity: string): ReadonlySet<string> {
  let byEntity = namesCache.get(defs);
  if (!byEntity) namesCache.set(defs, (byEntity = new Map<string, ReadonlySet<string>>()));
  let names = byEntity.get(entity);
  if (!names) {
    const found = new Set<string>();
    for (const [name, def] of defs.attributes.get(entity) ?? []) if (def.type === 'time' || def.type === '(list time)') found.add(name);
    names = found.size > 0 ? found : NONE;
    byEntity.set(entity, names);
  }
  return names;
}

const toTime = (v: unknown): unknown => (typeof v === 'string' ? new Date(v) : v);

/** `attrs` with its time-typed values as Dates (a copy only when there is one to convert). */
export function withTimes<T extends Record<string, unknown> | undefined>(defs: Definitions, entity: string, attrs: T): T {
  if (!attrs) return attrs;
  const names = timeNames(defs, entity);
  if (names.size === 0) return attrs;
  let out: Record<string, unknown> | undefined;
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(attrs, name)) continue;
    const v = attrs[name];
    const t = Array.isArray(v) ? v.map(toTime) : toTime(v);
    if (t === v) continue;
    // defineProperty: an attribute named __proto__ stays plain data
    out ??= { ...attrs };
    Object.defineProperty(out, name, { value: t, enumerable: true, writable: true, configurable: true });
  }
  return (out ?? attrs) as T;
}
