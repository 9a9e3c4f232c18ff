/**
 * Sessionless evaluations (custom events, profile updates): `EngineInput.sessionless` leaves `Session`
 * and `LoyaltyCard` unbound and binds `Profile` whenever a profile is given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/domain/money.js';
import { buildRoots, evaluate, toWire } from '../../src/engine/index.js';
import type { BudgetRemaining, EngineInput, EngineSession } from '../../src/engine/types.js';
import type { CompileEnv, RulesetInput, ValueMap } from '../../src/rules/contract.js';
import { input, NOW, profile, session } from './fakes.js';
import { withRuleset } from './compiled.js';

const ENV: CompileEnv = {
  attributes: [
    { entity: 'Event', name: 'source', type: 'string', eventType: 'newsletter_signup' },
    { entity: 'CustomerProfile', name: 'Tier', type: 'string' },
    { entity: 'CustomerProfile', name: 'Subscribed', type: 'boolean' },
  ],
  additionalCosts: [], customEffects: [{ name: 'Welcome', params: [{ name: 'channel', type: 'string' }] }],
};

/** The placeholder the service passes: no items, zero totals, no codes; the profile id and store kept. */
function empty(profileId: string | null, extra: Partial<EngineSession> = {}): EngineSession {
  return session([], { integrationId: '', profileId, loyaltyCards: [], identifiers: [], ...extra });
}

function eventInput(type: string, rs: RulesetInput[], extra: Partial<EngineInput> = {}): EngineInput {
  const campaigns = rs.map((r, i) => withRuleset(r, {}, ENV, i + 1));
  return input(empty('cust-1'), campaigns, {
    sessionless: true, profile: profile('cust-1', { attributes: { Tier: 'gold' } }),
    event: { type, attributes: { source: 'footer' }, created: NOW }, options: { includeFailureReasons: true }, ...extra,
  });
}

const wire = (r: ReturnType<typeof evaluate>) => r.effects.map(toWire);
const rule = (title: string, condition: unknown[], effects: unknown[]) => ({ bindings: [], rules: [{ title, condition, effects }] });
const signup = ['and', ['=', ['.', 'Event', 'Type'], 'newsletter_signup']];

test('buildRoots: Session and LoyaltyCard unbound, Profile, Event, Store and Application bound', () => {
  const store = { id: 7, integrationId: 'berlin', name: 'Berlin', attributes: {} };
  const roots = buildRoots(eventInput('newsletter_signup', [], { store, session: empty('cust-1', { loyaltyCards: ['card-1'] }) }));
  assert.equal(roots.Session, undefined);
  assert.equal(roots.LoyaltyCard, undefined);
  assert.equal(roots.Profile!.IntegrationId, 'cust-1');
  assert.equal((roots.Profile!.Attributes as ValueMap).Tier, 'gold');
  assert.equal(roots.Event!.Type, 'newsletter_signup');
  assert.equal((roots.Event!.Attributes as ValueMap).source, 'footer');
  assert.equal(roots.Event!.Created, NOW);
  assert.equal(roots.Store!.IntegrationId, 'berlin');
  assert.equal(roots.Application!.Currency, 'EUR');
  // the profile is bound from `profile` alone; without one, Profile stays unbound
  assert.equal(buildRoots(eventInput('x', [], { session: empty(null) })).Profile!.IntegrationId, 'cust-1');
  assert.equal(buildRoots(eventInput('x', [], { profile: null })).Profile, undefined);
  // the flag off: the same input binds Session (and the card) as before
  const withSession = buildRoots({ ...eventInput('x', [], { session: empty('cust-1', { loyaltyCards: ['card-1'] }) }), sessionless: false });
  assert.equal((withSession.Session!.Total as Decimal).toString(), '0');
  assert.equal(withSession.LoyaltyCard!.Identifier, 'card-1');
});

test('a rule on Event.Type fires; another event type does not', () => {
  const rs = [rule('Signup notice', signup, [['showNotification', 'info', 'Thanks', ['+', 'Subscribed via ', ['.', 'Event', 'Attributes', 'source']]]])];
  const r = evaluate(eventInput('newsletter_signup', rs));
  assert.deepEqual(wire(r), [{
    campaignId: 1, rulesetId: 10, ruleIndex: 0, ruleName: 'Signup notice', effectType: 'showNotification',
    props: { notificationType: 'info', title: 'Thanks', body: 'Subscribed via footer' },
  }]);
  assert.deepEqual(r.triggeredCampaignIds, [1]);
  assert.deepEqual(r.ruleFailureReasons, []);
  const other = evaluate(eventInput('page_viewed', rs));
  assert.deepEqual(other.effects, []);
  assert.deepEqual(other.triggeredCampaignIds, []);
  assert.deepEqual(other.ruleFailureReasons.map((f) => [f.campaignID, f.conditionIndex, f.details]), [[1, 0, 'condition evaluated to false']]);
});

test('a condition reading Session fails with a reason, never an error effect', () => {
  const rs = [rule('Big spender', ['and', signup[1], ['>', ['.', 'Session', 'Total'], 0]], [['showNotification', 'info', 'x', 'y']])];
  const r = evaluate(eventInput('newsletter_signup', rs));
  assert.deepEqual(r.effects, []);
  assert.equal(r.ruleFailureReasons.length, 1);
  const f = r.ruleFailureReasons[0];
  assert.equal(f.conditionIndex, 1);
  assert.match(f.details ?? '', /^error: .*Session/);
  // guarded by catch, the same read is simply false
  const guarded = evaluate(eventInput('newsletter_signup', [rule('g', ['and', ['catch', false, ['>', ['.', 'Session', 'Total'], 0]]], [['showNotification', 'info', 'x', 'y']])]));
  assert.deepEqual([guarded.effects, guarded.ruleFailureReasons[0].details], [[], 'condition evaluated to false']);
});

test('Profile attributes are readable and writable (set), custom effects render, discounts have nothing to discount', () => {
  const rs = [rule('Welcome gold', ['and', signup[1], ['=', ['.', 'Profile', 'Attributes', 'Tier'], 'gold']], [
    ['updateAttribute', 'Profile.Attributes.Subscribed', true],
    ['customEffect', 'Welcome', ['kv', ['channel', ['.', 'Event', 'Attributes', 'source']]]],
    ['setDiscount', '10 off', 10],
  ])];
  const r = evaluate(eventInput('newsletter_signup', rs, { customEffects: [{ id: 4, name: 'Welcome', payload: '{"channel":"${channel}"}', params: [{ name: 'channel', type: 'string' }] }] }));
  assert.deepEqual(wire(r).map((e) => [e.effectType, e.props]), [
    ['set', { path: 'Profile.Attributes.Subscribed', value: true }],
    ['customEffect', { effectId: 4, name: 'Welcome', payload: { channel: 'footer' } }],
  ]);
  assert.deepEqual(r.triggeredCampaignIds, [1]);
  assert.deepEqual(r.usage.budgets.filter((b) => b.action === 'setDiscount'), []);
});

test('createCoupon goes to the profile and consumes the campaign budget; an exhausted budget drops it', () => {
  const rs = [rule('Reward', signup, [['createCoupon']])];
  const r = evaluate(eventInput('newsletter_signup', rs));
  assert.deepEqual(wire(r).map((e) => [e.effectType, e.props.profileId]), [['couponCreated', 'cust-1']]);
  assert.equal(r.createdCoupons[0].recipientIntegrationId, 'cust-1');
  assert.deepEqual(r.usage.budgets.map((b) => [b.campaignId, b.action, b.amount.toString()]), [[1, 'createCoupon', '1']]);
  const budgets: BudgetRemaining[] = [{ campaignId: 1, action: 'createCoupon', entities: [], remaining: new Decimal(0) }];
  const none = evaluate(eventInput('newsletter_signup', rs, { budgets }));
  assert.deepEqual(none.effects, []);
  assert.deepEqual(none.createdCoupons, []);
  assert.equal(none.ruleFailureReasons[0].details, 'budget exhausted: createCoupon');
});

test('store-linked campaigns run only for the linked store', () => {
  const store = { id: 7, integrationId: 'berlin', name: 'Berlin', attributes: {} };
  const base = eventInput('newsletter_signup', [rule('n', signup, [['showNotification', 'info', 'x', 'y']])]);
  base.campaigns[0].linkedStoreIds = [7];
  assert.deepEqual(evaluate(base).effects, []);
  const linked = evaluate({ ...base, store, session: empty('cust-1', { storeIntegrationId: 'berlin' }) });
  assert.deepEqual(linked.triggeredCampaignIds, [1]);
  assert.equal(buildRoots({ ...base, store, session: empty('cust-1', { storeIntegrationId: 'berlin' }) }).Store!.Name, 'Berlin');
});
