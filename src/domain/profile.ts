import type { Decimal } from './money.js';

/** A customer profile: deployment-wide, keyed by its integration id (docs/profiles-and-events.md). */
export interface CustomerProfile {
  id: number;
  accountId: number;
  integrationId: string;
  attributes: Record<string, unknown>;
  closedSessions: number;
  totalSales: Decimal;
  created: string;
  lastActivity: string;
}
