/**
 * The seam between the session use cases and the rule engine: loads what an evaluation needs
 * (the Application's running campaigns, coupons, counters) and runs the pure engine.
 */
import type { Application } from '../../domain/application.js';
import type { Effect } from '../../domain/effect.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { CustomerSession, SessionEventType } from '../../domain/session.js';
import type { Sql } from '../../store/db.js';
import type { ServiceContext } from '../context.js';

export interface EvaluationInput {
  app: Application;
  session: CustomerSession;
  profile: CustomerProfile | null;
  event: SessionEventType;
  now: Date;
  dry: boolean;
  evaluableCampaignIds?: number[];
  failureReasons: boolean;
}

export interface Evaluation {
  effects: Effect[];
  ruleFailureReasons: unknown[];
  triggeredCampaigns: unknown[];
  createdCoupons: unknown[];
  createdReferrals: unknown[];
}

export const emptyEvaluation = (): Evaluation => ({ effects: [], ruleFailureReasons: [], triggeredCampaigns: [], createdCoupons: [], createdReferrals: [] });

/** Campaigns arrive with issue #3; until an Application has campaigns, sessions earn no effects. */
export async function evaluateSession(_ctx: ServiceContext, _sql: Sql, _input: EvaluationInput): Promise<Evaluation> {
  return emptyEvaluation();
}
