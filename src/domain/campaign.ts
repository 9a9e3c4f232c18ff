/** Campaigns, rulesets, evaluation groups, stores and custom effects as configured by managers. */

type CampaignState = 'enabled' | 'disabled' | 'archived';
export type FrontendState = 'expired' | 'scheduled' | 'running' | 'disabled' | 'archived';

export interface LimitConfig { action: string; limit: number; period?: 'daily' | 'weekly' | 'monthly' | 'yearly'; entities: string[] }
interface CodeGeneratorSettings { validCharacters: string[]; couponPattern: string }

/** What NewCampaign / UpdateCampaign carry. */
export interface CampaignSettings {
  name: string;
  description?: string;
  startTime?: string;
  endTime?: string;
  attributes?: Record<string, unknown>;
  state: CampaignState;
  activeRulesetId?: number;
  tags: string[];
  reevaluateOnReturn?: boolean;
  features: string[];
  couponSettings?: CodeGeneratorSettings;
  referralSettings?: CodeGeneratorSettings;
  limits: LimitConfig[];
  campaignGroups?: number[];
  type?: 'cartItem' | 'advanced';
  linkedStoreIds?: number[];
  couponAttributes?: Record<string, unknown>;
  evaluationGroupId?: number;
}

export interface Campaign extends CampaignSettings {
  id: number;
  applicationId: number;
  userId: number;
  created: string;
  updated: string;
  /** usage of the campaign-wide limits (CampaignBudget), filled when reading a campaign */
  budgets?: { action: string; limit: number; counter: number }[];
}

/** The state the Campaign Manager shows, derived from state and schedule at `now`. */
export function frontendState(c: Pick<CampaignSettings, 'state' | 'startTime' | 'endTime'>, now: Date): FrontendState {
  if (c.state === 'archived') return 'archived';
  if (c.state === 'disabled') return 'disabled';
  if (c.endTime && Date.parse(c.endTime) <= now.getTime()) return 'expired';
  if (c.startTime && Date.parse(c.startTime) > now.getTime()) return 'scheduled';
  return 'running';
}

interface RuleDef {
  id?: string;
  parentId?: string;
  title: string;
  description?: string;
  bindings?: { name: string; type?: string; expression: unknown; valueType?: string; minValue?: number; maxValue?: number; attributeId?: number }[];
  condition: unknown[];
  effects: unknown[];
  failureEffects?: unknown[];
}

export interface RulesetDef {
  rules: RuleDef[];
  strikethroughRules?: RuleDef[];
  bindings: RuleDef['bindings'] & object;
  rbVersion?: string;
}

export interface Ruleset extends RulesetDef {
  id: number;
  created: string;
  userId: number;
  campaignId: number;
  activate?: boolean;
  activatedAt?: string;
}

export type EvaluationMode = 'stackable' | 'listOrder' | 'lowestDiscount' | 'highestDiscount';

export interface EvaluationGroup {
  id: number;
  applicationId: number;
  name: string;
  parentId?: number;
  description?: string;
  evaluationMode: EvaluationMode;
  evaluationScope: 'cartItem' | 'session';
  locked: boolean;
}

export interface Store {
  id: number;
  applicationId: number;
  created: string;
  updated: string;
  name: string;
  description: string;
  attributes?: Record<string, unknown>;
  integrationId: string;
}

export interface CustomEffect {
  id: number;
  accountId: number;
  created: string;
  modified?: string;
  applicationIds: number[];
  isPerItem?: boolean;
  name: string;
  title: string;
  payload: string;
  description?: string;
  enabled: boolean;
  params?: { name: string; type: string; title: string; description?: string }[];
}
