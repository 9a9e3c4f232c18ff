import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS with its function on `default`
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * Two validators: bodies are checked strictly as JSON (a string is never a number, as in
 * Talon.One), while query strings and path parameters, which are text, are coerced
 * (`dry=true` → true).
 */
export function createValidatorCompiler(schemas: object[]): FastifySchemaCompiler<unknown> {
  const make = (coerce: boolean) => {
    const ajv = new Ajv({ allErrors: false, coerceTypes: coerce, useDefaults: coerce, removeAdditional: false, strict: false });
    addFormats(ajv);
    for (const s of schemas) ajv.addSchema(s);
    return ajv;
  };
  const body = make(false);
  const text = make(true);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? body : text;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}
