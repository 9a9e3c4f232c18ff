/** Checks client attribute maps and additional costs against the account's definitions (docs/sessions.md, docs/attributes.md). */
import { invalidField, pointerKey, Title } from '../../domain/errors.js';
import type { AttributeDef } from '../../domain/records.js';
import type { Definitions } from './load.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isTime = (v: unknown) => typeof v === 'string' && RFC3339.test(v) && !Number.isNaN(Date.parse(v));

function valueMatches(type: AttributeDef['type'], v: unknown): boolean {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'time': return isTime(v);
    case 'location': return typeof v === 'string';
    case '(list string)': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case '(list number)': return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    case '(list time)': return Array.isArray(v) && v.every(isTime);
    case '(list location)': return Array.isArray(v) && v.every((x) => typeof x === 'string');
  }
}

/** Every key must be a defined custom attribute of `entity`, and its value of the declared type. */
export function checkAttributes(defs: Definitions, entity: string, attrs: Record<string, unknown> | undefined | null, pointer: string): void {
  if (!attrs) return;
  const known = defs.attributes.get(entity);
  for (const key of Object.keys(attrs)) {
    const def = known?.get(key);
    const at = `${pointer}/${pointerKey(key)}`;
    if (!def) throw invalidField(at, Title.unknown, `Unknown ${entity} attribute ${JSON.stringify(key)}: define it with POST /v1/attributes first`);
    const v = attrs[key];
    if (v !== null && !valueMatches(def.type, v)) {
      throw invalidField(at, Title.invalidType, `Attribute ${JSON.stringify(key)} is declared as ${def.type}`);
    }
  }
}

export function checkCosts(defs: Definitions, costs: Record<string, unknown> | undefined | null, pointer: string, level: 'session' | 'item'): void {
  if (!costs) return;
  for (const name of Object.keys(costs)) {
    const def = defs.costs.get(name);
    const at = `${pointer}/${pointerKey(name)}`;
    if (!def) throw invalidField(at, Title.unknown, `Unknown additional cost ${JSON.stringify(name)}: define it with POST /v1/additional_costs first`);
    if (def.type !== 'both' && def.type !== level) {
      throw invalidField(at, Title.invalidType, `Additional cost ${JSON.stringify(name)} is of type ${def.type} and cannot be used on a ${level === 'item' ? 'cart item' : 'session'}`);
    }
  }
}
