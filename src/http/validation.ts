import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { compileNearMiss } from './nearMiss.js';

// ajv-formats is CommonJS with its function on `default`
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * Unknown body fields that were ignored (not near misses), by body, for the debug log (server.ts): the
 * validator sees only the data, the hook after it the request.
 */
export const ignoredFields = new WeakMap<object, string[]>();

/**
 * Two validators: bodies are checked strictly as JSON (a string is never a number, as in
 * Talon.One) and report every violation, not the first only, while query strings and path parameters,
 * which are text, are coerced (`dry=true` → true). A body is also checked for near misses: an unknown
 * field that misspells a known one (nearMiss.ts).
 */
export function createValidatorCompiler(schemas: object[]): FastifySchemaCompiler<unknown> {
  const make = (coerce: boolean) => {
    const ajv = new Ajv({ allErrors: !coerce, coerceTypes: coerce, useDefaults: coerce, removeAdditional: false, strict: false });
    addFormats(ajv);
    for (const s of schemas) ajv.addSchema(s);
    return ajv;
  };
  const body = make(false);
  const text = make(true);
  const resolve = (id: string) => body.getSchema(id)?.schema as object | undefined;
  return ({ schema, httpPart }) => {
    if (httpPart !== 'body') return text.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
    const validate = body.compile(schema as object);
    const unknowns = compileNearMiss(schema as object, resolve);
    if (!unknowns) return validate as ReturnType<FastifySchemaCompiler<unknown>>;
    const checked = Object.assign((data: unknown) => {
      const found = unknowns(data);
      const ok = validate(data);
      if (!found) {
        checked.errors = validate.errors;
        return ok;
      }
      if (found.ignored.length > 0) ignoredFields.set(data as object, found.ignored);
      if (found.misses.length === 0) {
        checked.errors = validate.errors;
        return ok;
      }
      // a near miss first: it usually explains the rest (a required field "missing" because misspelled)
      const missed = new Set(found.misses.map((m) => m.instancePath));
      const rest = (validate.errors ?? []).filter((e) => !(e.keyword === 'additionalProperties' && missed.has(`${e.instancePath}/${String((e.params as { additionalProperty?: unknown }).additionalProperty)}`)));
      checked.errors = [...found.misses, ...rest];
      return false;
    }, { errors: null as readonly object[] | null | undefined });
    return checked as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}
