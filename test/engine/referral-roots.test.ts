import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/domain/money.js';
import { buildRoots, evaluate, toWire } from '../../src/engine/index.js';
import type { EngineReferral } from '../../src/engine/types.js';
import type { ValueMap } from '../../src/rules/contract.js';
import { call, campaign, fired, failed, input, item, NOW, profile, session } from './fakes.js';

const ref = (extra: Partial<EngineReferral> = {}): EngineReferral => ({
  id: 55, code: 'REF-ANNA', campaignId: 1, advocateProfileIntegrationId: 'anna', usageLimit: 0, usageCounter: 0,
  advocateProfile: profile('anna'), ...extra,
});
const refCampaign = () => campaign(1, [{
  title: 'Friend welcome', referencesReferral: true,
  run: (o) => ((o.facts as { referralValid?: () => boolean }).referralValid?.() ? fired(call('setDiscount', 'Welcome', 10)) : failed(0)),
}]);

function referralRun(profileId: string | null, r: EngineReferral | null) {
  const s = session([item('KIT', 50)], { profileId, referralCode: 'REF-ANNA' });
  return evaluate(input(s, [refCampaign()], { referral: r }));
}

test('acceptReferral before the rule effects; redemption usage', () => {
  const r = referralRun('ben', ref());
  assert.deepEqual(r.effects.map(toWire).map((e) => [e.effectType, e.props]), [
    ['acceptReferral', { value: 'REF-ANNA' }], ['setDiscount', { name: 'Welcome', value: 10 }],
  ]);
  assert.deepEqual(r.usage.referralRedemption, { referralId: 55, campaignId: 1, code: 'REF-ANNA' });
});

test('rejectReferral reasons', () => {
  const reason = (profileId: string | null, r: EngineReferral | null) => referralRun(profileId, r).effects.map(toWire).find((e) => e.effectType === 'rejectReferral');
  assert.deepEqual(reason('ben', null), { campaignId: -1, rulesetId: 0, ruleIndex: 0, ruleName: '', effectType: 'rejectReferral', props: { value: 'REF-ANNA', rejectionReason: 'ReferralNotFound' } });
  assert.equal(reason('anna', ref())!.props.rejectionReason, 'ReferralRecipientIdSameAsAdvocate');
  assert.equal(reason('ben', ref({ friendProfileIntegrationId: 'carl' }))!.props.rejectionReason, 'ReferralRecipientDoesNotMatch');
  assert.equal(reason('ben', ref({ expiryDate: new Date(NOW.getTime() - 1000) }))!.props.rejectionReason, 'ReferralExpired');
  assert.equal(reason('ben', ref({ startDate: new Date(NOW.getTime() + 1000) }))!.props.rejectionReason, 'ReferralStartDateInFuture');
  assert.equal(reason('ben', ref({ usageLimit: 1, usageCounter: 1 }))!.props.rejectionReason, 'ReferralLimitReached');
  assert.equal(reason('ben', ref({ friendAlreadyReferred: true }))!.props.rejectionReason, 'ReferralCustomerAlreadyReferred');
  assert.equal(reason('ben', ref({ advocateProfile: null }))!.props.rejectionReason, 'AdvocateNotFound');
  assert.equal(reason('ben', ref({ campaignId: 99 }))!.props.rejectionReason, 'ReferralPartOfNotRunningCampaign');
});

test('buildRoots: Talang names, flattened items, Decimal totals, null-prototype attributes', () => {
  const s = session([item('SH', 50, 2, { category: 'Shoes', attributes: { color: 'red', __proto__: 'x' } }), item('GC', 25)], {
    attributes: JSON.parse('{"ShippingCity":"Berlin","__proto__":{"polluted":true}}'),
    additionalCosts: { shipping: { price: new Decimal(4.99) } }, couponCodes: ['A'], identifiers: ['ip'],
  });
  const roots = buildRoots(input(s, [], { profile: profile('cust-1', { attributes: { tier: 'gold' }, audienceIds: [4] }) }));
  const S = roots.Session!;
  assert.equal((S.Total as Decimal).toString(), '129.99');
  assert.equal((S.CartItemTotal as Decimal).toString(), '125');
  assert.equal((S.AdditionalCostTotal as Decimal).toString(), '4.99');
  assert.equal((((S.AdditionalCosts as ValueMap).shipping as ValueMap).Price as Decimal).toString(), '4.99');
  const items = S.CartItems as ValueMap[];
  assert.deepEqual(items.map((i) => [i.Sku, (i.Position as Decimal).toNumber(), (i.SubPosition as Decimal).toNumber(), (i.Quantity as Decimal).toNumber()]), [['SH', 0, 0, 1], ['SH', 0, 1, 1], ['GC', 1, 0, 1]]);
  assert.equal(items[0].Category, 'Shoes');
  assert.equal('Category' in items[2], false);
  const attrs = S.Attributes as ValueMap;
  assert.equal(Object.getPrototypeOf(attrs), null);
  assert.equal(attrs.ShippingCity, 'Berlin');
  assert.equal(Object.getPrototypeOf(attrs.__proto__ as object), null);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(S.State, 'open');
  assert.equal(S.FirstSession, true);
  assert.equal(S.Currency, 'EUR');
  assert.equal(roots.Profile!.IntegrationId, 'cust-1');
  assert.equal((roots.Profile!.Attributes as ValueMap).tier, 'gold');
  assert.equal(roots.Application!.Currency, 'EUR');
  assert.equal(roots.Event!.Type, 'talon_session_updated');
  assert.equal(roots.Coupon, undefined);
  const anon = buildRoots(input(session([], { profileId: null }), []));
  assert.equal(anon.Profile, undefined);
  assert.equal('ProfileId' in anon.Session!, false);
});

test('Campaign and Coupon roots are bound per campaign / pass', () => {
  let seen: unknown[] = [];
  const c = campaign(3, [
    { title: 'a', run: (o) => { seen.push(o.roots.Campaign!.Name, o.roots.Coupon); return failed(0); } },
    { title: 'b', referencesCoupon: true, run: (o) => { seen.push((o.roots.Coupon as ValueMap).Value); return failed(0); } },
  ]);
  seen = [];
  evaluate(input(session([], { couponCodes: ['X1'] }), [c], { coupons: [{ id: 1, value: 'X1', campaignId: 3, usageLimit: 0, usageCounter: 0 }] }));
  assert.deepEqual(seen, ['Campaign 3', undefined, 'X1']);
});
