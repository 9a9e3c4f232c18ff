/**
 * Which committed effects a revoke, reopen or return undoes, and the rollback effects that say so
 * (sessions.md §3.3–§3.5, effects.md §7). The stored effects of a session are its net effects, so
 * the rolled-back ones are removed from it (GET shows neither them nor their rollbacks, §4.1).
 */
import type { Effect } from '../../domain/effect.js';

const SESSION_DISCOUNTS = new Set(['setDiscount', 'setDiscountPerAdditionalCost']);
const ITEM_DISCOUNTS = new Set(['setDiscountPerItem', 'setDiscountPerAdditionalCostPerItem']);

export interface Rollback { rollbacks: Effect[]; remaining: Effect[] }

function envelope(e: Effect, effectType: string, props: Record<string, unknown>): Effect {
  const r: Effect = { campaignId: e.campaignId, rulesetId: e.rulesetId, ruleIndex: e.ruleIndex, ruleName: e.ruleName, effectType, props };
  if (e.triggeredByCoupon !== undefined) r.triggeredByCoupon = e.triggeredByCoupon;
  if (e.evaluationGroupID !== undefined) r.evaluationGroupID = e.evaluationGroupID;
  if (e.evaluationGroupMode !== undefined) r.evaluationGroupMode = e.evaluationGroupMode;
  return r;
}

function rollbackDiscount(e: Effect): Effect {
  const p = e.props;
  const props: Record<string, unknown> = { name: p.name, value: p.value };
  if (ITEM_DISCOUNTS.has(e.effectType)) {
    props.cartItemPosition = p.position;
    if (p.subPosition !== undefined) props.cartItemSubPosition = p.subPosition;
  }
  if (p.additionalCostId !== undefined) props.additionalCostId = p.additionalCostId;
  if (p.additionalCost !== undefined) props.additionalCost = p.additionalCost;
  if (p.scope !== undefined) props.scope = p.scope;
  return envelope(e, 'rollbackDiscount', props);
}

/** One rollback for an effect that a revoke or reopen undoes; null for the never-rolled-back kinds (§3.4). */
function rollbackOf(e: Effect): Effect | null {
  if (SESSION_DISCOUNTS.has(e.effectType) || ITEM_DISCOUNTS.has(e.effectType)) return rollbackDiscount(e);
  if (e.effectType === 'acceptCoupon') return envelope(e, 'rollbackCoupon', { value: e.props.value });
  if (e.effectType === 'acceptReferral') return envelope(e, 'rollbackReferral', { value: e.props.value });
  return null;
}

/** Revoke (closed/partially_returned → cancelled) and reopen: undo everything that can be undone. */
export function rollbackForRevoke(committed: readonly Effect[]): Rollback {
  const rollbacks: Effect[] = [];
  const remaining: Effect[] = [];
  for (const e of committed) {
    const r = rollbackOf(e);
    if (r) rollbacks.push(r);
    else remaining.push(e);
  }
  return { rollbacks, remaining };
}

/** A partial return: undo the per-item effects of the returned units only (effects.md Q8). */
export function rollbackForReturn(committed: readonly Effect[], returnedUnits: ReadonlySet<string>): Rollback {
  const rollbacks: Effect[] = [];
  const remaining: Effect[] = [];
  for (const e of committed) {
    if (ITEM_DISCOUNTS.has(e.effectType) && returnedUnits.has(unitKey(Number(e.props.position), Number(e.props.subPosition ?? 0)))) {
      rollbacks.push(rollbackDiscount(e));
    } else {
      remaining.push(e);
    }
  }
  return { rollbacks, remaining };
}

export const unitKey = (position: number, subPosition: number) => `${position}:${subPosition}`;
