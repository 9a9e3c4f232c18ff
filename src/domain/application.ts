/** Application settings (Talon.One `Application`, minus server fields). */
export interface ApplicationSettings {
  name: string;
  description?: string;
  timezone: string;
  currency: string;
  caseSensitivity?: 'sensitive' | 'insensitive-uppercase' | 'insensitive-lowercase';
  attributes?: Record<string, unknown>;
  limits?: unknown[];
  defaultDiscountScope?: 'sessionTotal' | 'cartItems' | 'additionalCosts';
  enableCascadingDiscounts?: boolean;
  enableFlattenedCartItems?: boolean;
  attributesSettings?: unknown;
  sandbox?: boolean;
  enablePartialDiscounts?: boolean;
  defaultDiscountAdditionalCostPerItemScope?: 'price' | 'itemTotal' | 'additionalCosts';
  defaultEvaluationGroupId?: number;
  defaultCartItemFilterId?: number;
  enableCampaignStateManagement?: boolean;
}

export interface Application extends ApplicationSettings {
  id: number;
  accountId: number;
  created: string;
  modified: string;
}

/** The single account of a self-hosted deployment. */
export const ACCOUNT_ID = 1;

/** Defaults Talon.One applies to a new Application when the request leaves them out. */
export function withDefaults(s: ApplicationSettings): ApplicationSettings {
  return {
    caseSensitivity: 'sensitive',
    attributes: {},
    limits: [],
    defaultDiscountScope: 'sessionTotal',
    enableCascadingDiscounts: false,
    enableFlattenedCartItems: true,
    sandbox: false,
    enablePartialDiscounts: false,
    defaultDiscountAdditionalCostPerItemScope: 'price',
    enableCampaignStateManagement: false,
    ...s,
  };
}
