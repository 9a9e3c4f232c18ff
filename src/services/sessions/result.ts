import type { Effect } from '../../domain/effect.js';
import type { CustomerProfile } from '../../domain/profile.js';
import type { Return, SessionEvent } from '../../domain/records.js';
import type { CustomerSession } from '../../domain/session.js';
import type { Evaluation } from './evaluate.js';

/** Everything a session use case hands back; http/ shapes it per `responseContent`. */
export interface SessionResult {
  session: CustomerSession;
  effects: Effect[];
  evaluation: Evaluation;
  profile: CustomerProfile | null;
  event: SessionEvent;
  previousReturns?: Return[];
  return?: Return;
  /** dry: echoed in the dry response's customerSession only (OQ-5) */
  evaluableCampaignIds?: number[];
}
