/**
 * Which committed effects a revoke, reopen or return undoes, and the rollback effects that say so
 * (docs/engine.md, "Rollback") — the engine decides, this adapts stored (wire) effects. A session
 * stores its net effects, so the rolled-back ones leave the stored list: GET shows neither them nor
 * their rollbacks (docs/sessions.md, "What a session commits, and when").
 */
import type { Effect } from '../../domain/effect.js';
import { fromWire, netEffects, rollbackAll, rollbackReturned, toWire, type ReturnedUnits, type WireEffect } from '../../engine/index.js';
import type { Sql } from '../../store/db.js';
import { rollbackReturnedPoints, rollbackSessionLoyalty } from '../loyalty/sessionRollback.js';

export interface Rollback { rollbacks: Effect[]; remaining: Effect[] }

function split(committed: readonly Effect[], rollbacks: ReturnType<typeof rollbackAll>): Rollback {
  const engineCommitted = committed.map((e) => fromWire(e as WireEffect));
  const remaining = netEffects([...engineCommitted, ...rollbacks]).map(toWire);
  return { rollbacks: rollbacks.map(toWire), remaining };
}

/** Revoke (closed/partially_returned → cancelled) and reopen: undo everything that can be undone. */
function rollbackForRevoke(committed: readonly Effect[]): Rollback {
  return split(committed, rollbackAll(committed.map((e) => fromWire(e as WireEffect))));
}

type Origin = { applicationId: number; sessionIntegrationId: string; profileId?: string };

/** `rb` with the loyalty rollbacks `points` added: the rolled-back effects leave the remaining ones. */
function withPoints(rb: Rollback, points: Effect[]): Rollback {
  if (points.length === 0) return rb;
  return { rollbacks: [...rb.rollbacks, ...points], remaining: netEffects([...rb.remaining, ...points].map((e) => fromWire(e as WireEffect))).map(toWire) };
}

/**
 * A revoke or reopen with its points: the loyalty rollbacks depend on the ledgers as they stand (return
 * policy, balances), so their entries are written here, in the caller's transaction.
 */
export async function revokeWithPoints(sql: Sql, committed: readonly Effect[], origin: Origin, now: Date): Promise<Rollback> {
  return withPoints(rollbackForRevoke(committed), await rollbackSessionLoyalty(sql, committed, origin, now));
}

/** A partial return with the per-item points of the returned units (their ledger entries written here). */
export async function returnWithPoints(sql: Sql, committed: readonly Effect[], returned: readonly ReturnedUnits[], origin: Origin, now: Date): Promise<Rollback> {
  const units = new Set(returned.flatMap((r) => r.subPositions.map((s) => `${r.position}:${s}`)));
  return withPoints(rollbackForReturn(committed, returned), await rollbackReturnedPoints(sql, committed, units, origin, now));
}

/** A partial return: undo the per-item effects of the returned units only (docs/sessions.md, "Returns"). */
function rollbackForReturn(committed: readonly Effect[], returned: readonly ReturnedUnits[]): Rollback {
  return split(committed, rollbackReturned(committed.map((e) => fromWire(e as WireEffect)), returned));
}

/** A return's re-evaluation: undo what the given campaigns committed (reevaluate.ts). */
export function rollbackForCampaigns(committed: readonly Effect[], campaignIds: ReadonlySet<number>): Rollback {
  return split(committed, rollbackAll(committed.filter((e) => campaignIds.has(e.campaignId)).map((e) => fromWire(e as WireEffect))));
}
