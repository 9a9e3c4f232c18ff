/** Custom effects: 25.17 has the schemas but no endpoints; ours are an extension (docs/custom-effects.md). */
import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, DateTime, Int64, MAX, Page, ref, StringEnum } from './common.js';

const ARG_TYPES = ['string', 'boolean', 'number', 'time', '(list string)', '(list number)'] as const;

const TemplateArgDef = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: MAX.name, pattern: '^\\w+$', description: 'OpenPromo extension: the parameter\'s name, as used in `${name}` placeholders and in the rule\'s params map. Defaults to `key`.' })),
  key: Type.Optional(Type.String({ maxLength: MAX.name, description: 'The identifier for the associated value within the JSON object (used as name when name is absent).' })),
  type: StringEnum(ARG_TYPES),
  title: Type.String({ minLength: 1, maxLength: MAX.name }),
  description: Type.Optional(Type.String({ maxLength: MAX.text })),
  ui: Type.Optional(AnyObject({ maxProperties: MAX.small })),
  picklistID: Type.Optional(Int64()),
  restrictedByPicklist: Type.Optional(Type.Boolean()),
}, { $id: 'TemplateArgDef' });

const effectProps = {
  applicationIds: Type.Array(Int64({ minimum: 1 }), { minItems: 1, maxItems: MAX.ids }),
  isPerItem: Type.Optional(Type.Boolean()),
  name: Type.String({ maxLength: MAX.name, pattern: '^[A-Za-z](\\w|\\s)*$' }),
  title: Type.String({ maxLength: MAX.name, pattern: '^[^\\x00-\\x1F\\x7F\\s][^\\x00-\\x1F\\x7F]*$' }),
  payload: Type.String({ maxLength: 100_000, description: 'A JSON object whose strings may hold `${param}` placeholders (a whole-string placeholder keeps the argument\'s kind).' }),
  description: Type.Optional(Type.String({ maxLength: MAX.text })),
  enabled: Type.Boolean(),
  params: Type.Optional(Type.Array(ref(TemplateArgDef), { maxItems: MAX.small })),
};

export const NewCustomEffect = Type.Object(effectProps, { $id: 'NewCustomEffect' });
export type NewCustomEffect = Static<typeof NewCustomEffect>;
export const UpdateCustomEffect = Type.Object(effectProps, { $id: 'UpdateCustomEffect' });
export type UpdateCustomEffect = Static<typeof UpdateCustomEffect>;

const CustomEffect = Type.Object({
  id: Int64(), created: DateTime(), accountId: Int64(), modified: DateTime(), ...effectProps,
  modifiedBy: Type.Optional(Int64()), createdBy: Int64(),
}, { $id: 'CustomEffect' });

const CustomEffectPage = Page(ref(CustomEffect), 'CustomEffectPage');

export const customEffectSchemas = [TemplateArgDef, NewCustomEffect, UpdateCustomEffect, CustomEffect, CustomEffectPage];
