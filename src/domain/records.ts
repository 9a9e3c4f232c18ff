/** Small records stored beside sessions: events, returns, additional costs, attributes, API keys. */
import type { Effect } from './effect.js';

export interface SessionEvent {
  id: number;
  applicationId: number;
  type: string;
  profileId: string;
  sessionId: string;
  storeIntegrationId?: string;
  attributes: Record<string, unknown>;
  effects: Effect[];
  created: string;
}

export interface ReturnedCartItem { position: number; quantity: number; sku: string }

export interface Return {
  id: number;
  created: string;
  applicationId: number;
  accountId: number;
  returnedCartItems: ReturnedCartItem[];
  eventId: number;
  sessionId: number;
  sessionIntegrationId: string;
  profileId?: number;
  profileIntegrationId?: string;
}

export interface AdditionalCostDef {
  id: number;
  created: string;
  accountId: number;
  name: string;
  title: string;
  description: string;
  subscribedApplicationsIds?: number[];
  type: 'session' | 'item' | 'both';
}

export type AttributeType =
  | 'string' | 'number' | 'boolean' | 'time' | '(list string)' | '(list number)' | '(list time)' | 'location' | '(list location)';

export interface AttributeDef {
  id: number;
  created: string;
  accountId: number;
  entity: string;
  eventType?: string;
  name: string;
  title: string;
  type: AttributeType;
  description: string;
  suggestions: string[];
  hasAllowedList?: boolean;
  restrictedBySuggestions?: boolean;
  editable: boolean;
  subscribedApplicationsIds?: number[];
  subscribedCatalogsIds?: number[];
  allowedSubscriptions?: string[];
}

export interface ApiKeyRecord {
  id: number;
  title: string;
  expires: string;
  platform?: string;
  type?: string;
  timeOffset?: number;
  createdBy: number;
  accountID: number;
  applicationID: number;
  created: string;
}
