import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, DateTime, Int64, Page, ref, StringEnum } from './common.js';

const FEATURES = ['coupons', 'referrals', 'loyalty', 'giveaways', 'strikethrough', 'achievements'] as const;
const LIMIT_ACTIONS = ['redeemCoupon', 'redeemReferral', 'setDiscount', 'setDiscountEffect', 'createCoupon', 'createReferral',
  'createLoyaltyPoints', 'redeemLoyaltyPoints', 'customEffect', 'createLoyaltyPointsEffect', 'redeemLoyaltyPointsEffect', 'callApi',
  'awardGiveaway', 'addFreeItemEffect', 'reserveCoupon'] as const;

const LimitConfig = Type.Object({
  action: StringEnum(LIMIT_ACTIONS), limit: Type.Number({ minimum: 0 }), period: Type.Optional(StringEnum(['daily', 'weekly', 'monthly', 'yearly'])),
  entities: Type.Array(StringEnum(['Coupon', 'Referral', 'Profile', 'Identifier', 'Store', 'Session'])),
}, { $id: 'LimitConfig' });

const CodeGeneratorSettings = Type.Object({
  validCharacters: Type.Array(Type.String()), couponPattern: Type.String({ minLength: 3, maxLength: 100, pattern: '^[A-Za-z0-9._%+@#-]+$' }),
}, { $id: 'CodeGeneratorSettings' });

const campaignProps = {
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  startTime: Type.Optional(DateTime()),
  endTime: Type.Optional(DateTime()),
  attributes: Type.Optional(AnyObject()),
  state: Type.Optional(StringEnum(['enabled', 'disabled', 'archived'], { default: 'enabled' })),
  activeRulesetId: Type.Optional(Int64()),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 50 }),
  reevaluateOnReturn: Type.Optional(Type.Boolean()),
  features: Type.Array(StringEnum(FEATURES)),
  couponSettings: Type.Optional(ref(CodeGeneratorSettings)),
  referralSettings: Type.Optional(ref(CodeGeneratorSettings)),
  limits: Type.Array(ref(LimitConfig)),
  campaignGroups: Type.Optional(Type.Array(Int64())),
  type: Type.Optional(StringEnum(['cartItem', 'advanced'], { default: 'advanced' })),
  linkedStoreIds: Type.Optional(Type.Array(Int64())),
  couponAttributes: Type.Optional(AnyObject()),
  evaluationGroupId: Type.Optional(Int64()),
};

export const NewCampaign = Type.Object(campaignProps, { $id: 'NewCampaign' });
export type NewCampaign = Static<typeof NewCampaign>;
export const UpdateCampaign = Type.Object(campaignProps, { $id: 'UpdateCampaign' });
export type UpdateCampaign = Static<typeof UpdateCampaign>;

const Campaign = Type.Object({
  id: Int64(), created: DateTime(), applicationId: Int64(), userId: Int64(), ...campaignProps,
  description: Type.String(), state: StringEnum(['enabled', 'disabled', 'archived']), reevaluateOnReturn: Type.Boolean(),
  type: StringEnum(['cartItem', 'advanced']),
  frontendState: StringEnum(['expired', 'scheduled', 'running', 'disabled', 'archived', 'staged']),
  storesImported: Type.Boolean(), updated: Type.Optional(DateTime()),
  budgets: Type.Optional(Type.Array(Type.Object({ action: Type.String(), limit: Type.Number({ minimum: 0 }), counter: Type.Number({ minimum: 0 }) }))),
}, { $id: 'Campaign' });

const Binding = Type.Object({
  name: Type.String(), type: Type.Optional(Type.String()), expression: Type.Unknown(), valueType: Type.Optional(Type.String()),
  minValue: Type.Optional(Type.Number()), maxValue: Type.Optional(Type.Number()), attributeId: Type.Optional(Int64()),
}, { $id: 'Binding' });

const Rule = Type.Object({
  id: Type.Optional(Type.String()), parentId: Type.Optional(Type.String()), title: Type.String(), description: Type.Optional(Type.String()),
  bindings: Type.Optional(Type.Array(ref(Binding))),
  condition: Type.Array(Type.Unknown(), { minItems: 1 }),
  effects: Type.Array(Type.Unknown()),
  failureEffects: Type.Optional(Type.Array(Type.Unknown(), { description: 'OpenPromo extension (docs/rules-language.md, Evaluation): effects evaluated when the condition is false' })),
}, { $id: 'Rule' });

export const NewRuleset = Type.Object({
  rules: Type.Array(ref(Rule), { maxItems: 1000 }),
  strikethroughRules: Type.Optional(Type.Array(ref(Rule))),
  bindings: Type.Array(ref(Binding)),
  rbVersion: Type.Optional(Type.String()),
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
