#!/usr/bin/env node
/**
 * Extracts the reference schemas for the wire-conformance test (test/compat/openapi-conformance.test.ts).
 *
 * Reads Talon.One's public OpenAPI 3.0.1 document from ../shared/reference/talon-one-openapi-25.17.yaml
 * (relative to the project root; override with the first argument) and writes
 * test/fixtures/talon-one-25.17-schemas.json: the components/schemas closure (every schema reachable
 * through $ref) of the response schemas we serve, plus the effect-props schemas of the effect types we
 * emit, without annotations (description, example, x-*). The output is deterministic (sorted keys) and
 * committed, so the test does not need ../shared.
 *
 *   node scripts/extract-reference-schemas.mjs [path/to/openapi.yaml]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(root, process.argv[2] ?? '../shared/reference/talon-one-openapi-25.17.yaml');
const target = resolve(root, 'test/fixtures/talon-one-25.17-schemas.json');

/** Response schemas of the endpoints we serve (Integration API, then a few Management ones). */
export const ROOTS = [
  'IntegrationStateV2', 'IntegrationCustomerSessionResponse', 'ReopenSessionResponse', 'IntegrationEventV2Response',
  'CustomerProfileIntegrationResponseV2', 'ErrorResponse', 'ErrorResponseWithStatus',
  'Application', 'NewApplicationAPIKey', 'Campaign', 'Ruleset', 'Coupon', 'Referral', 'Attribute', 'AccountAdditionalCost', 'Store',
  // loyalty cards (test/loyalty/cards.test.ts)
  'LoyaltyCard', 'LoyaltyCardBatchResponse', 'LoyaltyCardBalances', 'CardLedgerTransactionLogEntryIntegrationAPI', 'CardLedgerTransactionLogEntry',
  'CardLedgerPointsEntryIntegrationAPI',
  // card imports and the loyalty dashboard (test/loyalty/cards-conformance.test.ts)
  'Import', 'inline_response_200_18',
  // loyalty tiers (test/loyalty/tiers.test.ts)
  'LoyaltyBalancesWithTiers', 'LoyaltyLedger',
];
/**
 * Wire effectType -> props schema, for the effect types we emit (the reference names them <EffectType>EffectProps;
 * `set` and `callApi` are the wire names of updateAttribute / triggerWebhook, spec effects.md §2).
 */
export const EFFECT_PROPS = {
  setDiscount: 'SetDiscountEffectProps',
  setDiscountPerItem: 'SetDiscountPerItemEffectProps',
  setDiscountPerAdditionalCost: 'SetDiscountPerAdditionalCostEffectProps',
  setDiscountPerAdditionalCostPerItem: 'SetDiscountPerAdditionalCostPerItemEffectProps',
  addFreeItem: 'AddFreeItemEffectProps',
  showNotification: 'ShowNotificationEffectProps',
  customEffect: 'CustomEffectProps',
  acceptCoupon: 'AcceptCouponEffectProps',
  rejectCoupon: 'RejectCouponEffectProps',
  couponCreated: 'CouponCreatedEffectProps',
  reserveCoupon: 'ReserveCouponEffectProps',
  acceptReferral: 'AcceptReferralEffectProps',
  rejectReferral: 'RejectReferralEffectProps',
  referralCreated: 'ReferralCreatedEffectProps',
  redeemReferral: 'RedeemReferralEffectProps',
  set: 'UpdateAttributeEffectProps',
  rollbackCoupon: 'RollbackCouponEffectProps',
  rollbackReferral: 'RollbackReferralEffectProps',
  rollbackDiscount: 'RollbackDiscountEffectProps',
  callApi: 'TriggerWebhookEffectProps',
  addToAudience: 'AddToAudienceEffectProps',
  removeFromAudience: 'RemoveFromAudienceEffectProps',
  addLoyaltyPoints: 'AddLoyaltyPointsEffectProps',
  deductLoyaltyPoints: 'DeductLoyaltyPointsEffectProps',
  changeLoyaltyTierLevel: 'ChangeLoyaltyTierLevelEffectProps',
  extendLoyaltyPointsExpiryDate: 'ExtendLoyaltyPointsExpiryDateEffectProps',
  setLoyaltyPointsExpiryDate: 'SetLoyaltyPointsExpiryDateEffectProps',
  rollbackAddedLoyaltyPoints: 'RollbackAddedLoyaltyPointsEffectProps',
  rollbackDeductedLoyaltyPoints: 'RollbackDeductedLoyaltyPointsEffectProps',
  increaseAchievementProgress: 'IncreaseAchievementProgressEffectProps',
  rollbackIncreasedAchievementProgress: 'RollbackIncreasedAchievementProgressEffectProps',
  awardGiveaway: 'AwardGiveawayEffectProps',
  willAwardGiveaway: 'WillAwardGiveawayEffectProps',
  showBundleMetadata: 'ShowBundleMetadataEffectProps',
  error: 'ErrorEffectProps',
};
/** Annotations validation ignores; dropped to keep the fixture small (never inside `properties`, where they are field names). */
const ANNOTATION = (k) => k === 'description' || k === 'example' || k === 'examples' || k.startsWith('x-');

function main() {
  const doc = parse(readFileSync(source, 'utf8'), { maxAliasCount: -1 });
  const all = doc.components.schemas;
  const out = {};
  const visit = (name) => {
    if (out[name]) return;
    if (!all[name]) throw new Error(`components/schemas/${name} not found in ${source}`);
    out[name] = all[name];
    walk(all[name]);
  };
  const walk = (node, inProperties = false) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n));
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && !inProperties) {
        const m = /^#\/components\/schemas\/(.+)$/.exec(v);
        if (!m) throw new Error(`unsupported $ref ${v}`);
        visit(m[1]);
      } else if (inProperties || !ANNOTATION(k)) walk(v, !inProperties && k === 'properties');
    }
  };
  for (const name of [...ROOTS, ...Object.values(EFFECT_PROPS)]) visit(name);
  const strip = (node, inProperties = false) => {
    if (Array.isArray(node)) return node.map((n) => strip(n));
    if (!node || typeof node !== 'object') return node;
    const o = {};
    for (const k of Object.keys(node).sort()) {
      if (inProperties || !ANNOTATION(k)) o[k] = strip(node[k], !inProperties && k === 'properties');
    }
    return o;
  };
  const schemas = {};
  for (const name of Object.keys(out).sort()) schemas[name] = strip(out[name]);
  const fixture = { source: 'talon-one-openapi-25.17.yaml', openapi: doc.openapi, roots: ROOTS, effectProps: EFFECT_PROPS, schemas };
  writeFileSync(target, JSON.stringify(fixture, null, 1) + '\n');
  console.log(`${Object.keys(schemas).length} schemas -> ${target}`);
}

main();
