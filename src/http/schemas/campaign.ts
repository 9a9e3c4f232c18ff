import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, Attributes, DateTime, Int64, MAX, Page, ref, StringEnum } from './common.js';

const FEATURES = ['coupons', 'referrals', 'loyalty', 'giveaways', 'strikethrough', 'achievements'] as const;
const LIMIT_ACTIONS = ['redeemCoupon', 'redeemReferral', 'setDiscount', 'setDiscountEffect', 'createCoupon', 'createReferral',
  'createLoyaltyPoints', 'redeemLoyaltyPoints', 'customEffect', 'createLoyaltyPointsEffect', 'redeemLoyaltyPointsEffect', 'callApi',
  'awardGiveaway', 'addFreeItemEffect', 'reserveCoupon'] as const;

const LimitConfig = Type.Object({
  action: StringEnum(LIMIT_ACTIONS), limit: Type.Number({ minimum: 0 }), period: Type.Optional(StringEnum(['daily', 'weekly', 'monthly', 'yearly'])),
  entities: Type.Array(StringEnum(['Coupon', 'Referral', 'Profile', 'Identifier', 'Store', 'Session']), { maxItems: MAX.small }),
}, { $id: 'LimitConfig' });

const CodeGeneratorSettings = Type.Object({
  validCharacters: Type.Array(Type.String({ maxLength: 10 }), { maxItems: MAX.characters }), couponPattern: Type.String({ minLength: 3, maxLength: 100, pattern: '^[A-Za-z0-9._%+@#-]+$' }),
}, { $id: 'CodeGeneratorSettings' });

const campaignProps = {
  name: Type.String({ minLength: 1, maxLength: MAX.name }),
  description: Type.Optional(Type.String({ maxLength: MAX.text })),
  startTime: Type.Optional(DateTime()),
  endTime: Type.Optional(DateTime()),
  attributes: Type.Optional(Attributes()),
  state: Type.Optional(StringEnum(['enabled', 'disabled', 'archived'], { default: 'enabled' })),
  activeRulesetId: Type.Optional(Int64()),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 50 }),
  reevaluateOnReturn: Type.Optional(Type.Boolean()),
  features: Type.Array(StringEnum(FEATURES), { maxItems: MAX.small }),
  couponSettings: Type.Optional(ref(CodeGeneratorSettings)),
  referralSettings: Type.Optional(ref(CodeGeneratorSettings)),
  limits: Type.Array(ref(LimitConfig), { maxItems: MAX.small }),
  campaignGroups: Type.Optional(Type.Array(Int64(), { maxItems: MAX.ids })),
  type: Type.Optional(StringEnum(['cartItem', 'advanced'], { default: 'advanced' })),
  linkedStoreIds: Type.Optional(Type.Array(Int64(), { maxItems: 50 })),
  couponAttributes: Type.Optional(Attributes()),
  evaluationGroupId: Type.Optional(Int64()),
};

export const NewCampaign = Type.Object(campaignProps, { $id: 'NewCampaign' });
export type NewCampaign = Static<typeof NewCampaign>;
export const UpdateCampaign = Type.Object(campaignProps, { $id: 'UpdateCampaign' });
export type UpdateCampaign = Static<typeof UpdateCampaign>;

const Campaign = Type.Object({
  id: Int64(), created: DateTime(), applicationId: Int64(), userId: Int64(), ...campaignProps,
  attributes: Type.Optional(AnyObject()), couponAttributes: Type.Optional(AnyObject()),
  description: Type.String(), state: StringEnum(['enabled', 'disabled', 'archived']), reevaluateOnReturn: Type.Boolean(),
  type: StringEnum(['cartItem', 'advanced']),
  frontendState: StringEnum(['expired', 'scheduled', 'running', 'disabled', 'archived', 'staged']),
  storesImported: Type.Boolean(), updated: Type.Optional(DateTime()),
  budgets: Type.Optional(Type.Array(Type.Object({ action: Type.String(), limit: Type.Number({ minimum: 0 }), counter: Type.Number({ minimum: 0 }) }))),
}, { $id: 'Campaign' });

const Binding = Type.Object({
  name: Type.String({ maxLength: MAX.name }), type: Type.Optional(Type.String({ maxLength: MAX.name })), expression: Type.Unknown(), valueType: Type.Optional(Type.String({ maxLength: MAX.name })),
  minValue: Type.Optional(Type.Number()), maxValue: Type.Optional(Type.Number()), attributeId: Type.Optional(Int64()),
}, { $id: 'Binding' });

const Rule = Type.Object({
  id: Type.Optional(Type.String({ maxLength: MAX.name })), parentId: Type.Optional(Type.String({ maxLength: MAX.name })), title: Type.String({ maxLength: MAX.name }),
  description: Type.Optional(Type.String({ maxLength: MAX.text })),
  bindings: Type.Optional(Type.Array(ref(Binding), { maxItems: MAX.rules })),
  condition: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX.rules }),
  effects: Type.Array(Type.Unknown(), { maxItems: MAX.rules }),
  failureEffects: Type.Optional(Type.Array(Type.Unknown(), { maxItems: MAX.rules, description: 'OpenPromo extension (docs/rules-language.md, Evaluation): effects evaluated when the condition is false' })),
}, { $id: 'Rule' });

export const NewRuleset = Type.Object({
  rules: Type.Array(ref(Rule), { maxItems: MAX.rules }),
  strikethroughRules: Type.Optional(Type.Array(ref(Rule), { maxItems: MAX.rules })),
  bindings: Type.Array(ref(Binding), { maxItems: MAX.rules }),
  rbVersion: Type.Optional(Type.String({ maxLength: MAX.name })),
  activate: Type.Optional(Type.Boolean()),
}, { $id: 'NewRuleset' });
export type NewRuleset = Static<typeof NewRuleset>;

const Ruleset = Type.Object({
  id: Int64(), created: DateTime(), userId: Int64(), campaignId: Type.Optional(Int64()), activatedAt: Type.Optional(DateTime()),
  rules: Type.Array(ref(Rule)), strikethroughRules: Type.Optional(Type.Array(ref(Rule))), bindings: Type.Array(ref(Binding)),
  rbVersion: Type.Optional(Type.String()), activate: Type.Optional(Type.Boolean()),
}, { $id: 'Ruleset' });

const CampaignPage = Page(ref(Campaign), 'CampaignPage');
const RulesetPage = Page(ref(Ruleset), 'RulesetPage');

export const campaignSchemas = [LimitConfig, CodeGeneratorSettings, NewCampaign, UpdateCampaign, Campaign, Binding, Rule, NewRuleset, Ruleset, CampaignPage, RulesetPage];
