/**
 * Checks of NewCustomEffect / UpdateCustomEffect beyond the schema: the Applications exist, the
 * parameters have unique names usable as `${name}` placeholders, and the payload is a JSON object
 * template whose placeholders all name a parameter.
 */
import type { CustomEffect } from '../../domain/campaign.js';
import { invalidField, Title } from '../../domain/errors.js';
import type { Sql } from '../../store/db.js';
import { getApplication } from '../../store/repos/applications.js';

/** TemplateArgDef: Talon.One names the parameter by `key`; `name` is accepted as well (and preferred). */
interface CustomEffectParamInput {
  name?: string; key?: string; type: string; title: string; description?: string;
  ui?: Record<string, unknown>; picklistID?: number; restrictedByPicklist?: boolean;
}

export type CustomEffectSettings = Pick<CustomEffect, 'applicationIds' | 'isPerItem' | 'name' | 'title' | 'payload' | 'description' | 'enabled' | 'params'>;

/** The request body: the stored settings, with parameters as clients send them (`key` or `name`). */
export type CustomEffectInput = Omit<CustomEffectSettings, 'params'> & { params?: CustomEffectParamInput[] };

const PARAM_NAME = /^\w+$/;
const PLACEHOLDER = /\$\{(\w+)\}/g;

function placeholders(x: unknown, out: Set<string>): void {
  if (typeof x === 'string') for (const m of x.matchAll(PLACEHOLDER)) out.add(m[1]);
  else if (Array.isArray(x)) x.forEach((v) => placeholders(v, out));
  else if (x && typeof x === 'object') Object.values(x).forEach((v) => placeholders(v, out));
}

export async function validateCustomEffect(sql: Sql, input: CustomEffectInput): Promise<CustomEffectSettings> {
  for (const [i, id] of input.applicationIds.entries()) {
    if (!(await getApplication(sql, id))) throw invalidField(`/applicationIds/${i}`, Title.unknown, `Application ${id} does not exist`);
  }
  const params = (input.params ?? []).map((p, i) => {
    const name = p.name ?? p.key;
    if (name === undefined) throw invalidField(`/params/${i}/name`, Title.required, 'A parameter needs a name (or key)');
    if (p.name !== undefined && p.key !== undefined && p.name !== p.key) throw invalidField(`/params/${i}/key`, Title.invalidValue, 'name and key must be equal when both are given');
    if (!PARAM_NAME.test(name)) throw invalidField(`/params/${i}/name`, Title.invalidValue, `Parameter name ${JSON.stringify(name)} must consist of letters, digits and underscores`);
    return { ...p, name };
  });
  params.forEach((p, i) => {
    if (params.findIndex((q) => q.name === p.name) !== i) throw invalidField(`/params/${i}/name`, Title.duplicate, `Parameter ${JSON.stringify(p.name)} is defined twice`);
  });
  let parsed: unknown = {};
  if (input.payload.trim() !== '') {
    try { parsed = JSON.parse(input.payload); } catch (e) {
      throw invalidField('/payload', Title.invalidValue, `payload is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidField('/payload', Title.invalidValue, 'payload must be a JSON object');
  const used = new Set<string>();
  placeholders(parsed, used);
  for (const n of used) {
    if (!params.some((p) => p.name === n)) throw invalidField('/payload', Title.unknown, `payload refers to \${${n}}, which is not one of the parameters`);
  }
  return {
    applicationIds: [...new Set(input.applicationIds)], name: input.name, title: input.title, payload: input.payload, enabled: input.enabled,
    description: input.description ?? '', params,
    ...(input.isPerItem !== undefined ? { isPerItem: input.isPerItem } : {}),
  };
}
