import { Ajv, type ValidateFunction } from 'ajv';
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

/** Size limits (docs/limits.md): the one error that a first-error pass finds before looking inside the list or map. */
const SIZE_KEYWORDS = new Set(['maxItems', 'maxProperties']);

/**
 * Two validators: bodies are checked strictly as JSON (a string is never a number, as in
 * Talon.One) and report every violation, not the first only, while query strings and path parameters,
 * which are text, are coerced (`dry=true` → true). A body is also checked for near misses: an unknown
 * field that misspells a known one (nearMiss.ts). A body is first checked up to its first violation: a
 * list or map over its maximum is answered with that one error, so rejecting a huge list costs no
 * per-element errors; any other violation is reported with all the others.
 */
export function createValidatorCompiler(schemas: object[]): FastifySchemaCompiler<unknown> {
  const make = (coerce: boolean, allErrors: boolean) => {
    const ajv = new Ajv({ allErrors, coerceTypes: coerce, useDefaults: coerce, removeAdditional: false, strict: false });
    addFormats(ajv);
    for (const s of schemas) ajv.addSchema(s);
    return ajv;
  };
  const body = make(false, true);
  const firstError = make(false, false);
  const text = make(true, false);
  const resolve = (id: string) => body.getSchema(id)?.schema as object | undefined;
  return ({ schema, httpPart }) => {
    if (httpPart !== 'body') return text.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
    const quick = firstError.compile(schema as object);
    let all: ValidateFunction | undefined; // compiled at the first invalid body
    const unknowns = compileNearMiss(schema as object, resolve);
    const checked = Object.assign((data: unknown) => {
      if (quick(data) && !unknowns) {
        checked.errors = null;
        return true;
      }
      const first = quick.errors?.[0];
      if (first && SIZE_KEYWORDS.has(first.keyword)) {
        checked.errors = [first];
        return false;
      }
      let ok = true;
      let errors: ValidateFunction['errors'] = null;
      if (first) {
        all ??= body.compile(schema as object);
        ok = all(data);
        errors = all.errors;
      }
      const found = unknowns?.(data);
      if (!found) {
        checked.errors = errors;
        return ok;
      }
      if (found.ignored.length > 0) ignoredFields.set(data as object, found.ignored);
      if (found.misses.length === 0) {
        checked.errors = errors;
        return ok;
      }
      // a near miss first: it usually explains the rest (a required field "missing" because misspelled)
      const missed = new Set(found.misses.map((m) => m.instancePath));
      const rest = (errors ?? []).filter((e) => !(e.keyword === 'additionalProperties' && missed.has(`${e.instancePath}/${String((e.params as { additionalProperty?: unknown }).additionalProperty)}`)));
      checked.errors = [...found.misses, ...rest];
      return false;
    }, { errors: null as readonly object[] | null | undefined });
    return checked as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}
