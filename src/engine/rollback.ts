/**
 * Rollback effects and net effects (docs/engine.md, "Rollback"). Pure:
 * loyalty rollbacks need ledger data (return policy, new transaction ids) and are left to the service.
 */
import { isDec } from '../domain/money.js';
import type { Effect, Props } from './types.js';

/** The effects that take money off the session: what `rollbackDiscount` undoes. */
export const DISCOUNT_EFFECTS: ReadonlySet<string> = new Set(['setDiscount', 'setDiscountPerItem', 'setDiscountPerAdditionalCost', 'setDiscountPerAdditionalCostPerItem']);
const ROLLBACK_OF: Record<string, string> = {
  rollbackDiscount: 'discount', rollbackCoupon: 'acceptCoupon', rollbackReferral: 'acceptReferral',
  rollbackAddedLoyaltyPoints: 'addLoyaltyPoints', rollbackDeductedLoyaltyPoints: 'deductLoyaltyPoints',
  rollbackIncreasedAchievementProgress: 'increaseAchievementProgress',
};

/** Whether an effect type is a rollback (of a discount, a code acceptance, loyalty points or achievement progress). */
export function isRollback(effectType: string): boolean {
  return effectType in ROLLBACK_OF;
}

function envelope(e: Effect, effectType: Effect['effectType'], props: Props): Effect {
  const r: Effect = { campaignId: e.campaignId, rulesetId: e.rulesetId, ruleIndex: e.ruleIndex, ruleName: e.ruleName, effectType, props };
  if (e.triggeredByCoupon !== undefined) r.triggeredByCoupon = e.triggeredByCoupon;
  return r;
}

/** rollbackDiscount props for a discount effect. */
function rollbackDiscountProps(e: Effect): Props {
  const p = e.props;
  const out: Props = { name: p.name, value: p.value };
  if (e.effectType === 'setDiscountPerItem' || e.effectType === 'setDiscountPerAdditionalCostPerItem') {
    out.cartItemPosition = p.position;
    if (p.subPosition !== undefined) out.cartItemSubPosition = p.subPosition;
  }
  if (e.effectType === 'setDiscountPerAdditionalCost' || e.effectType === 'setDiscountPerAdditionalCostPerItem') {
    out.additionalCostId = p.additionalCostId;
    out.additionalCost = p.additionalCost;
  }
  if (p.scope !== undefined) out.scope = p.scope;
  return out;
}

/**
 * Rollbacks for a revoke (closed/partially_returned → cancelled) or a reopen: one per committed,
 * not yet rolled back discount, coupon acceptance and referral acceptance.
 */
export function rollbackAll(committed: readonly Effect[]): Effect[] {
  const out: Effect[] = [];
  for (const e of netEffects(committed)) {
    if (DISCOUNT_EFFECTS.has(e.effectType)) out.push(envelope(e, 'rollbackDiscount', rollbackDiscountProps(e)));
    else if (e.effectType === 'acceptCoupon') out.push(envelope(e, 'rollbackCoupon', { value: e.props.value }));
    else if (e.effectType === 'acceptReferral') out.push(envelope(e, 'rollbackReferral', { value: e.props.value }));
  }
  return out;
}

export interface ReturnedUnits { position: number; subPositions: number[] }

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(String(v));
}

/** Rollbacks of the per-item discounts on returned units (a partial return, docs/engine.md "Rollback"). */
export function rollbackReturned(committed: readonly Effect[], returned: readonly ReturnedUnits[]): Effect[] {
  const units = new Set(returned.flatMap((r) => r.subPositions.map((s) => `${r.position}:${s}`)));
  const out: Effect[] = [];
  for (const e of netEffects(committed)) {
    if (e.effectType !== 'setDiscountPerItem' && e.effectType !== 'setDiscountPerAdditionalCostPerItem') continue;
    if (units.has(`${num(e.props.position)}:${num(e.props.subPosition ?? 0)}`)) out.push(envelope(e, 'rollbackDiscount', rollbackDiscountProps(e)));
  }
  return out;
}

/** Text of a compared prop (an atom): effects built by the engine hold Decimals where stored ones hold JSON numbers. */
function propText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isDec(v)) return v.toString();
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

const same = (a: unknown, b: unknown): boolean => (a === undefined || b === undefined ? a === b : propText(a) === propText(b));

/** Whether rollback `r` undoes effect `e`. */
function undoes(r: Effect, e: Effect): boolean {
  const target = ROLLBACK_OF[r.effectType];
  if (!target || e.campaignId !== r.campaignId || e.ruleIndex !== r.ruleIndex || e.triggeredByCoupon !== r.triggeredByCoupon) return false;
  const p = e.props, q = r.props;
  switch (target) {
    case 'discount': {
      if (!DISCOUNT_EFFECTS.has(e.effectType)) return false;
      const x = rollbackDiscountProps(e);
      return same(x.name, q.name) && same(x.cartItemPosition, q.cartItemPosition) && same(x.cartItemSubPosition, q.cartItemSubPosition)
        && same(x.additionalCostId, q.additionalCostId);
    }
    case 'acceptCoupon': case 'acceptReferral':
      return e.effectType === target && same(p.value, q.value);
    case 'addLoyaltyPoints': case 'deductLoyaltyPoints':
      return e.effectType === target && same(p.programId, q.programId) && same(p.subLedgerId, q.subLedgerId)
        && same(p.cartItemPosition, q.cartItemPosition) && same(p.cartItemSubPosition, q.cartItemSubPosition);
    default:
      return e.effectType === target && same(p.achievementId, q.achievementId);
  }
}

/** Removes every rolled-back effect and its rollback (each rollback cancels the earliest matching effect). */
export function netEffects(effects: readonly Effect[]): Effect[] {
  const removed = new Set<number>();
  effects.forEach((r, ri) => {
    if (!isRollback(r.effectType)) return;
    const ei = effects.findIndex((e, i) => i !== ri && !removed.has(i) && !isRollback(e.effectType) && undoes(r, e));
    if (ei >= 0) { removed.add(ei); removed.add(ri); }
  });
  return effects.filter((_, i) => !removed.has(i));
}
