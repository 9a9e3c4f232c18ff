/**
 * Schemas are declared once here (TypeBox): Fastify validates requests with them, TypeScript
 * derives the handler types from them, and @fastify/swagger publishes them at /openapi.json.
 * Names ($id) are Talon.One's component names so the document reads like theirs.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * A reference (`{ $ref: id }`) to a schema registered by its `$id`, typed as that schema: a route's
 * `body: ref(NewCoupons)` gives the handler `NewCoupons` through the TypeBox type provider.
 */
export function ref<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  if (schema.$id === undefined) throw new Error('ref() needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
}

export const Int64 = (opts: object = {}) => Type.Integer({ format: 'int64', ...opts });
export const DateTime = (opts: object = {}) => Type.String({ format: 'date-time', ...opts });
export const AnyObject = (opts: object = {}) => Type.Object({}, { additionalProperties: true, ...opts });

/**
 * The request limits OpenPromo chooses where 25.17 states none (docs/limits.md gives each one's reason).
 * Every list and map of a request body has a maximum, so no accepted request reaches a driver's limit.
 */
export const MAX = {
  /** keys of a custom attributes map, and of an object inside one */
  attributes: 500,
  /** characters of a string attribute value */
  attributeString: 10_000,
  /** elements of a list attribute value */
  attributeList: 10_000,
  /** ids of other resources in one request (campaigns, applications, audiences, catalogs) */
  ids: 1000,
  /** coupon codes in one session */
  couponCodes: 100,
  /** entries of a small settings map or list (additional costs, limits, UI hints, variant allocations) */
  small: 100,
  /** a `responseContent` list: every value once, with room for repeats */
  responseContent: 50,
  /** rules, bindings, conditions and effects of one ruleset */
  rules: 1000,
  /** characters of a valid-characters list */
  characters: 1000,
  /** characters of a name, title, type or identifier */
  name: 1000,
  /** characters of a description */
  text: 10_000,
} as const;

/** A value of an attributes map: a string, list or object within bounds (JSON Schema applies each keyword to its own type only). */
const attributeValue = (nested: object = {}) => ({ maxLength: MAX.attributeString, maxItems: MAX.attributeList, maxProperties: MAX.attributes, ...nested });

/**
 * A request's custom attributes: at most MAX.attributes keys, values bounded two levels deep (the body
 * limit bounds deeper ones). Request bodies only: the response serializer would read these keywords as
 * a type, so responses keep AnyObject.
 */
export const Attributes = (opts: object = {}) => Type.Object({}, {
  additionalProperties: Type.Unsafe(attributeValue({ items: attributeValue(), additionalProperties: attributeValue() })), maxProperties: MAX.attributes, ...opts,
});

/** A string enum as one JSON Schema `enum` (one clear error, unlike a union of literals). */
export const StringEnum = <const T extends string>(values: readonly T[], opts: object = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...opts });

/** OpenAPI 3.0 `nullable`: the request may send null, which the service reads as absent. */
export const Nullable = <T extends TSchema>(schema: T): T => ({ ...schema, nullable: true });

const ErrorSource = Type.Object({
  pointer: Type.Optional(Type.String()), parameter: Type.Optional(Type.String()),
  line: Type.Optional(Type.String()), resource: Type.Optional(Type.String()),
}, { $id: 'ErrorSource' });

const APIError = Type.Object({
  title: Type.String(), details: Type.Optional(Type.String()), source: ref(ErrorSource),
}, { $id: 'APIError' });

const ErrorResponse = Type.Object({
  message: Type.String(), errors: Type.Optional(Type.Array(ref(APIError))), StatusCode: Type.Optional(Int64()),
}, { $id: 'ErrorResponse', description: 'Every error. `StatusCode` repeats the HTTP status, so the body is also a valid ErrorResponseWithStatus.' });

export const Effect = Type.Object({
  campaignId: Int64(), rulesetId: Int64(), ruleIndex: Int64(), ruleName: Type.String(), effectType: Type.String(),
  triggeredByCoupon: Type.Optional(Int64()), triggeredForCatalogItem: Type.Optional(Int64()), conditionIndex: Type.Optional(Int64()),
  evaluationGroupID: Type.Optional(Int64()), evaluationGroupMode: Type.Optional(Type.String()), experimentId: Type.Optional(Int64()),
  props: AnyObject(),
}, { $id: 'Effect' });

/** The list-page envelope of Talon.One's management list endpoints. */
export const Page = <T extends TSchema>(item: T, id: string) =>
  Type.Object({ totalResultSize: Type.Optional(Int64()), hasMore: Type.Optional(Type.Boolean()), data: Type.Array(item) }, { $id: id });

export const PageQuery = {
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1000 })),
  skip: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  sort: Type.Optional(Type.String()),
};

export const commonSchemas = [ErrorSource, APIError, ErrorResponse, Effect];
