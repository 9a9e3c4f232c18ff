/**
 * Product predicates and readers (docs/rules-language.md, "Functions"). They read facts the engine supplies per
 * evaluation (EvalOptions.facts); a missing callback is an evaluation error, never a silent false.
 */
import type { ProductFacts, Value } from '../contract.js';
import { Decimal } from '../../domain/money.js';
import { p, type FnDef } from '../fn.js';
import type { Ctx } from '../runtime.js';
import { fail } from '../values.js';

type D = Decimal;

function fact<K extends keyof ProductFacts>(c: Ctx, name: K, fn: string): NonNullable<ProductFacts[K]> {
  const f = c.facts[name];
  if (f === undefined) fail(`${fn}: not available in this evaluation (no ${String(name)} facts)`);
  return f;
}

const noArgs = (name: string, description: string, read: (c: Ctx) => boolean): FnDef =>
  ({ name, family: 'product', description, overloads: [{ params: [], result: 'boolean', eager: (_a, c) => read(c) }] });

const byId = (name: string, arg: string, description: string, read: (c: Ctx, id: D) => Value, result: 'boolean' | 'string' | 'number' | 'list' = 'boolean'): FnDef =>
  ({ name, family: 'product', description, overloads: [{ params: [p(arg, 'number')], result, eager: (a, c) => read(c, a[0] as D) }] });

export const COUPON_FUNCTIONS = ['couponValid', 'couponValidNoRedeem'];
export const REFERRAL_FUNCTIONS = ['referralValid'];

export const product: FnDef[] = [
  noArgs('couponValid', 'The coupon in scope is valid for this campaign; if the rule fires the coupon is accepted and redeemed.',
    (c) => fact(c, 'couponValid', 'couponValid').call(c.facts)),
  noArgs('couponValidNoRedeem', 'Like couponValid, but firing the rule does not redeem the coupon.',
    (c) => (c.facts.couponValidNoRedeem ?? fact(c, 'couponValid', 'couponValidNoRedeem')).call(c.facts)),
  noArgs('couponCanBeCreated', 'The createCoupon budget still allows a coupon for this profile.',
    (c) => fact(c, 'couponCanBeCreated', 'couponCanBeCreated').call(c.facts)),
  noArgs('referralValid', 'The session referral code belongs to this campaign and is valid; if the rule fires it is accepted and redeemed.',
    (c) => fact(c, 'referralValid', 'referralValid').call(c.facts)),
  byId('inAudience', 'audienceId', 'The current profile is a member of the audience.', (c, id) => fact(c, 'inAudience', 'inAudience').call(c.facts, id)),
  byId('hasJoinedAudience', 'audienceId', 'The profile joined the audience in this session.', (c, id) => fact(c, 'hasJoinedAudience', 'hasJoinedAudience').call(c.facts, id)),
  byId('hasLeftAudience', 'audienceId', 'The profile left the audience in this session.', (c, id) => fact(c, 'hasLeftAudience', 'hasLeftAudience').call(c.facts, id)),
  {
    name: 'loyaltyBalance', family: 'product', description: 'Active points of the profile in the program (subledger "" = main ledger), including tentative changes.',
    overloads: [{
      params: [p('programId', 'number'), p('subledgerId', 'string')], min: 1, result: 'number',
      eager: (a, c) => fact(c, 'loyaltyBalance', 'loyaltyBalance').call(c.facts, a[0] as D, (a[1] as string | undefined) ?? ''),
    }],
  },
  {
    name: 'loyaltyPointsCanBeRedeemed', family: 'product', description: 'Balance ≥ points and the redemption budget allows it.',
    overloads: [{
      params: [p('programId', 'number'), p('points', 'number'), p('subledgerId', 'string')], min: 2, result: 'boolean',
      eager: (a, c) => fact(c, 'loyaltyPointsCanBeRedeemed', 'loyaltyPointsCanBeRedeemed').call(c.facts, a[0] as D, a[1] as D, (a[2] as string | undefined) ?? ''),
    }],
  },
  byId('loyaltyTier', 'programId', 'Current tier name of the profile ("" if none).', (c, id) => fact(c, 'loyaltyTier', 'loyaltyTier').call(c.facts, id) ?? '', 'string'),
  byId('loyaltyCardValid', 'programId', 'The session loyalty card exists, is active and belongs to the program.', (c, id) => fact(c, 'loyaltyCardValid', 'loyaltyCardValid').call(c.facts, id)),
  byId('achievementCompleted', 'achievementId', 'The profile completed the achievement.', (c, id) => fact(c, 'achievementCompleted', 'achievementCompleted').call(c.facts, id)),
  {
    name: 'budgetRemaining', family: 'product', description: 'Remaining campaign budget for a limitable action (Infinity when unlimited).',
    overloads: [{
      params: [p('action', 'string')], result: 'number',
      eager: (a, c) => fact(c, 'budgetRemaining', 'budgetRemaining').call(c.facts, a[0] as string) ?? new Decimal(Infinity),
    }],
  },
  byId('appCartItemFilter', 'cartItemFilterId', 'Result of an Application cart item filter.', (c, id) => fact(c, 'appCartItemFilter', 'appCartItemFilter').call(c.facts, id), 'list'),
];
