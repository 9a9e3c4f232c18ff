/**
 * Effect functions (docs/rules-language.md, "Functions"). Their implementation only records an EffectCall with the
 * evaluated arguments; the engine turns calls into Talon.One effects (caps, budgets, props).
 * The declarations carry the signatures so that a ruleset is validated when it is saved.
 */
import { isDec } from '../../domain/money.js';
import { p, type CallSite, type CheckApi, type FnDef, type Param } from '../fn.js';
import { attributeShape, findAttribute, WRITABLE_ROOTS } from '../model.js';

interface EffectSpec {
  name: string;
  description: string;
  params: Param[];
  min?: number;
  failureEffect?: boolean;
  check?: (site: CallSite, api: CheckApi) => void;
}

function effect(spec: EffectSpec): FnDef {
  const { name } = spec;
  return {
    name, family: 'effects', description: spec.description, effect: true,
    ...(spec.failureEffect ? { failureEffect: true } : {}),
    ...(spec.check ? { check: spec.check } : {}),
    overloads: [{
      params: spec.params, ...(spec.min !== undefined ? { min: spec.min } : {}), result: 'null',
      eager: (a, c) => { c.emit(name, a); return null; },
    }],
  };
}

/** A literal argument at position i must be one of `allowed`. */
function oneOfLiteral(i: number, what: string, allowed: readonly string[]) {
  return (site: CallSite, api: CheckApi): void => {
    const v = site.literals[i];
    if (typeof v === 'string' && !allowed.includes(v)) api.error(api.argPath(i), `${site.name}: unknown ${what} "${v}" (expected one of ${allowed.join(', ')})`);
  };
}

function additionalCostDefined(i: number) {
  return (site: CallSite, api: CheckApi): void => {
    const v = site.literals[i];
    if (typeof v === 'string' && !api.env.additionalCosts.includes(v)) api.error(api.argPath(i), `${site.name}: additional cost "${v}" is not defined`);
  };
}

function customEffectDefined(site: CallSite, api: CheckApi): void {
  const name = site.literals[0];
  if (typeof name !== 'string') return;
  const def = api.env.customEffects.find((e) => e.name === name);
  if (def === undefined) {
    api.error(api.argPath(0), `customEffect: custom effect "${name}" is not defined`);
    return;
  }
  const given = site.shapes[1]?.fields; // known when params is a literal ["kv", …]
  if (given === undefined) return;
  for (const key of Object.keys(given)) {
    if (!def.params.some((q) => q.name === key)) api.error(api.argPath(1), `customEffect: "${name}" has no parameter "${key}" (parameters: ${def.params.map((q) => q.name).join(', ') || 'none'})`);
  }
  for (const q of def.params) {
    if (!(q.name in given)) api.error(api.argPath(1), `customEffect: parameter "${q.name}" of "${name}" is missing`);
  }
}

function writableSlot(site: CallSite, api: CheckApi): void {
  const path = site.literals[0];
  if (typeof path !== 'string') return;
  const m = /^(\w+)\.Attributes\.(.+)$/.exec(path);
  const entity = m === null ? undefined : WRITABLE_ROOTS[m[1]];
  if (m === null || entity === undefined) {
    api.error(api.argPath(0), `updateAttribute: "${path}" is not writable (writable: Profile.Attributes.<name>, Session.Attributes.<name>)`);
    return;
  }
  const attr = findAttribute(api.env, entity, m[2]);
  if (attr === undefined) {
    api.error(api.argPath(0), `updateAttribute: attribute "${m[2]}" is not defined for ${entity}`);
    return;
  }
  const want = attributeShape(attr.type).kind;
  const got = site.shapes[1].kind;
  if (want !== 'any' && got !== 'any' && got !== want && !(want === 'time' && got === 'string')) {
    api.error(api.argPath(1), `updateAttribute: ${path} is a ${attr.type} attribute, got a ${got} value`);
  }
}

/** A literal program id (argument 0) must name a subscribed program; a literal subledger (argument 1) needs one that allows them. */
function loyaltyProgram(site: CallSite, api: CheckApi): void {
  const programs = api.env.loyaltyPrograms;
  const lit = site.literals[0];
  const id = isDec(lit) ? lit.toNumber() : typeof lit === 'number' ? lit : undefined;
  if (programs === undefined || id === undefined) return;
  const program = programs.find((x) => x.id === id);
  if (!program) { api.error(api.argPath(0), `${site.name}: loyalty program ${id} does not exist or is not subscribed to this Application`); return; }
  const sub = site.literals[1];
  if (typeof sub === 'string' && sub !== '' && !program.allowSubledger) api.error(api.argPath(1), `${site.name}: loyalty program ${id} does not allow subledgers`);
}

const both = (...checks: ((s: CallSite, a: CheckApi) => void)[]) => (s: CallSite, a: CheckApi): void => { for (const c of checks) c(s, a); };

const SESSION_SCOPES = ['sessionTotal', 'cartItems', 'additionalCosts'];
const ITEM_SCOPES = ['price', 'itemTotal', 'additionalCosts'];

export const effects: FnDef[] = [
  effect({
    name: 'setDiscount', description: 'Session discount; scope ∈ sessionTotal | cartItems | additionalCosts; partial overrides Application.enablePartialDiscounts.',
    params: [p('name', 'string'), p('value', 'number'), p('scope', 'string'), p('partial', 'boolean')], min: 2,
    check: oneOfLiteral(2, 'scope', SESSION_SCOPES),
  }),
  effect({
    name: 'setDiscountPerItem', description: 'Discount on one (flattened) cart item; scope ∈ price | itemTotal | additionalCosts.',
    params: [p('name', 'string'), p('value', 'number'), p('item', 'map'), p('scope', 'string'), p('partial', 'boolean')], min: 3,
    check: oneOfLiteral(3, 'scope', ITEM_SCOPES),
  }),
  effect({
    name: 'setDiscountPerItemProRata', description: 'Spread a total discount over items in proportion to their prices.',
    params: [p('name', 'string'), p('total', 'number'), p('items', 'list'), p('scope', 'string')], min: 3,
    check: oneOfLiteral(3, 'scope', ITEM_SCOPES),
  }),
  effect({
    name: 'setDiscountPerAdditionalCost', description: 'Discount on a session-level additional cost.',
    params: [p('name', 'string'), p('additionalCost', 'string'), p('value', 'number'), p('partial', 'boolean')], min: 3,
    check: additionalCostDefined(1),
  }),
  effect({
    name: 'setDiscountPerAdditionalCostPerItem', description: 'Discount on an item-level additional cost.',
    params: [p('name', 'string'), p('additionalCost', 'string'), p('value', 'number'), p('item', 'map'), p('partial', 'boolean')], min: 4,
    check: additionalCostDefined(1),
  }),
  effect({ name: 'addFreeItem', description: 'Ask the integration to add a free item.', params: [p('sku', 'string'), p('name', 'string')] }),
  effect({
    name: 'addLoyaltyPoints', description: 'Add (tentative) loyalty points; subledgerId "" = main ledger; recipient defaults to the session profile.',
    params: [p('programId', 'number'), p('subledgerId', 'string'), p('points', 'number'), p('name', 'string'), p('recipientIntegrationId', 'string'), p('startDate', 'time'), p('expiryDate', 'time')], min: 4, check: loyaltyProgram,
  }),
  effect({
    name: 'addLoyaltyPointsPerItem', description: 'Add loyalty points for one cart item.',
    params: [p('programId', 'number'), p('subledgerId', 'string'), p('points', 'number'), p('name', 'string'), p('item', 'map')], check: loyaltyProgram,
  }),
  effect({
    name: 'deductLoyaltyPoints', description: 'Redeem loyalty points; an insufficient balance fails the rule (not an error).',
    params: [p('programId', 'number'), p('subledgerId', 'string'), p('points', 'number'), p('name', 'string')], check: loyaltyProgram,
  }),
  effect({
    name: 'createCoupon', description: 'Create a coupon with the campaign coupon settings.',
    params: [p('recipientIntegrationId', 'string'), p('usageLimit', 'number'), p('validityDays', 'number')], min: 0,
  }),
  effect({ name: 'createReferral', description: 'Create a referral code.', params: [p('advocateIntegrationId', 'string')], min: 0 }),
  effect({ name: 'reserveCoupon', description: 'Reserve the coupon in scope for the profile.', params: [] }),
  effect({
    name: 'showNotification', description: 'Notification for the integration (type is free text: Info, Offer, Error, Misc…).',
    params: [p('type', 'string'), p('title', 'string'), p('body', 'string')], failureEffect: true,
  }),
  effect({
    name: 'updateAttribute', description: 'Write a writable slot (Profile.Attributes.<name> or Session.Attributes.<name>); emits effect type `set`.',
    params: [p('path', 'string'), p('value', 'any')], check: writableSlot,
  }),
  effect({ name: 'triggerWebhook', description: 'Queue a webhook call (effect type callApi).', params: [p('webhookId', 'number'), p('params', 'map')], min: 1 }),
  effect({
    name: 'customEffect', description: 'Trigger a custom effect defined in the Application, with its parameters as a map.',
    params: [p('name', 'string'), p('params', 'map'), p('item', 'map')], min: 1, failureEffect: true,
    check: both(customEffectDefined),
  }),
  effect({ name: 'awardGiveaway', description: 'Award an item of a giveaway pool.', params: [p('poolId', 'number'), p('recipientIntegrationId', 'string')], min: 1 }),
  effect({ name: 'addToAudience', description: 'Add the profile to an audience.', params: [p('audienceId', 'number')] }),
  effect({ name: 'removeFromAudience', description: 'Remove the profile from an audience.', params: [p('audienceId', 'number')] }),
  effect({ name: 'increaseAchievementProgress', description: 'Increase the progress of an achievement.', params: [p('achievementId', 'number'), p('delta', 'number')] }),
  effect({
    name: 'setLoyaltyPointsExpiryDate', description: 'Set the expiry date of the profile’s points.',
    params: [p('programId', 'number'), p('subledgerId', 'string'), p('newDate', 'time')], check: loyaltyProgram,
  }),
  effect({
    name: 'extendLoyaltyPointsExpiryDate', description: 'Extend the expiry of the profile’s points by a duration such as "30D".',
    params: [p('programId', 'number'), p('subledgerId', 'string'), p('duration', 'string')], check: loyaltyProgram,
  }),
];
