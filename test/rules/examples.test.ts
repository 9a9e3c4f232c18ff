/** The rule parts of the worked examples (docs/rule-examples.md), and every effect function's EffectCall. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRuleset } from '../../src/rules/compile.js';
import type { ProductFacts, Roots, RuleOutcome, RulesetInput } from '../../src/rules/contract.js';
import { ALL_FUNCTIONS } from '../../src/rules/registry.js';
import { ENV, js, map, opts, session } from './helpers.js';

function evaluate(input: RulesetInput, roots: Roots, facts: ProductFacts = {}): RuleOutcome[] {
  const pass = compileRuleset(input, ENV).bind(opts(roots, { facts }));
  return input.rules.map((_, i) => pass.evaluate(i));
}

/** [fn, args, effectIndex] of a fired outcome; 'not fired: <conditionIndex>' otherwise. */
function summary(o: RuleOutcome): unknown {
  if (o.fired) return o.effects.map((e) => [e.fn, js(e.args), e.index]);
  return `not fired: ${('conditionIndex' in o ? o.conditionIndex : undefined) ?? '-'}: ${o.details}`;
}

const item = (fields: Record<string, unknown>) => js(map(fields));

describe('worked examples (docs/rule-examples.md)', () => {
  it('1: 10% off the session total above a threshold', () => {
    const rs: RulesetInput = { bindings: [], rules: [{ title: '10% off above 100', condition: ['and', ['>', ['.', 'Session', 'Total'], 100]], effects: [['setDiscount', '10% off above 100', ['*', ['.', 'Session', 'Total'], ['/', 10, 100]]]] }] };
    const lamp = { name: 'Desk lamp', sku: 'LAMP-1', price: 60, category: 'Lighting' };
    assert.deepEqual(evaluate(rs, { Session: session({}, [{ ...lamp, quantity: 2 }]) }).map(summary), [[['setDiscount', ['10% off above 100', 12], 0]]]);
    assert.deepEqual(evaluate(rs, { Session: session({}, [lamp]) }).map(summary), ['not fired: 0: condition evaluated to false']);
  });

  it('2: coupon-gated fixed discount', () => {
    const rs: RulesetInput = { bindings: [], rules: [{ title: 'SAVE5: 5 off', condition: ['and', ['couponValid']], effects: [['setDiscount', '5 off with SAVE5', 5]] }] };
    const roots = { Session: session({ CouponCodes: ['SAVE5'] }, [{ sku: 'MUG-01', price: 40 }]), Coupon: map({ Value: 'SAVE5', Id: 901 }) };
    assert.deepEqual(evaluate(rs, roots, { couponValid: () => true }).map(summary), [[['setDiscount', ['5 off with SAVE5', 5], 0]]]);
    assert.deepEqual(evaluate(rs, roots, { couponValid: () => false }).map(summary), ['not fired: 0: condition evaluated to false']);
    assert.equal(compileRuleset(rs, ENV).rules[0].referencesCoupon, true);
  });

  it('3: per-item discount on a category (filter binding + map)', () => {
    const rs: RulesetInput = {
      bindings: [],
      rules: [{
        title: '20% off shoes',
        bindings: [{ name: 'Shoes', type: 'cartItemFilter', expression: ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['catch', false, ['=', ['.', 'Item', 'Category'], 'Shoes']]]] }],
        condition: ['and', ['not', ['isEmpty', ['.', 'Shoes']]]],
        effects: [['map', ['.', 'Shoes'], [['Item'], ['setDiscountPerItem', '20% off shoes', ['*', ['.', 'Item', 'Price'], ['/', 20, 100]], ['.', 'Item']]]]],
      }],
    };
    const s = session({}, [
      { name: 'Runner', sku: 'SH-RUN', quantity: 2, price: 50, category: 'Shoes' },
      { name: 'Socks', sku: 'SO-1', quantity: 1, price: 5, category: 'Socks' },
      { name: 'Gift card', sku: 'GC-25', quantity: 1, price: 25 },
    ]);
    const runner = (sub: number) => item({ Quantity: 1, Position: 0, SubPosition: sub, Name: 'Runner', Sku: 'SH-RUN', Price: 50, Category: 'Shoes' });
    assert.deepEqual(evaluate(rs, { Session: s }).map(summary), [[
      ['setDiscountPerItem', ['20% off shoes', 10, runner(0)], 0],
      ['setDiscountPerItem', ['20% off shoes', 10, runner(1)], 0],
    ]]);
  });

  it('4a: buy two bags of beans, get a mug', () => {
    const rs: RulesetInput = {
      bindings: [],
      rules: [{
        title: 'Free mug with 2 bags of beans',
        bindings: [{ name: 'Beans', type: 'cartItemFilter', expression: ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['=', ['.', 'Item', 'Sku'], 'BEANS-1KG']]] }],
        condition: ['and', ['>=', ['count', ['.', 'Beans']], 2]],
        effects: [['addFreeItem', 'MUG-01', 'Free mug']],
      }],
    };
    assert.deepEqual(evaluate(rs, { Session: session({}, [{ sku: 'BEANS-1KG', quantity: 2, price: 18 }, { sku: 'FILTER-100', quantity: 1, price: 4 }]) }).map(summary), [[['addFreeItem', ['MUG-01', 'Free mug'], 0]]]);
    assert.deepEqual(evaluate(rs, { Session: session({}, [{ sku: 'BEANS-1KG', quantity: 1, price: 18 }]) }).map(summary), ['not fired: 0: condition evaluated to false']);
  });

  it('4b: three shirts, the cheapest is free (sortByNumber, head, do) and the every-third variant', () => {
    const shirts = { name: 'Shirts', type: 'cartItemFilter', expression: ['sortByNumber', ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['catch', false, ['=', ['.', 'Item', 'Category'], 'Shirts']]]], [['Item'], ['.', 'Item', 'Price']], false] };
    const rs: RulesetInput = {
      bindings: [],
      rules: [
        { title: '3 shirts: cheapest free', bindings: [shirts], condition: ['and', ['>=', ['count', ['.', 'Shirts']], 3]], effects: [['do', ['head', ['.', 'Shirts']], [['Cheapest'], ['setDiscountPerItem', 'Cheapest shirt free', ['.', 'Cheapest', 'Price'], ['.', 'Cheapest']]]]] },
        { title: 'every third', bindings: [shirts], condition: ['and', true], effects: [['map', ['take', ['.', 'Shirts'], ['floor', ['/', ['count', ['.', 'Shirts']], 3]]], [['Item'], ['setDiscountPerItem', 'Every 3rd shirt free', ['.', 'Item', 'Price'], ['.', 'Item']]]]] },
      ],
    };
    const s = session({}, [{ sku: 'TS-RED', price: 25, category: 'Shirts' }, { sku: 'TS-BLUE', price: 15, category: 'Shirts' }, { sku: 'TS-GREEN', price: 30, category: 'Shirts' }]);
    const blue = item({ Quantity: 1, Position: 1, SubPosition: 0, Sku: 'TS-BLUE', Price: 15, Category: 'Shirts' });
    assert.deepEqual(evaluate(rs, { Session: s }).map(summary), [
      [['setDiscountPerItem', ['Cheapest shirt free', 15, blue], 0]],
      [['setDiscountPerItem', ['Every 3rd shirt free', 15, blue], 0]],
    ]);
  });

  it('5: discount on the shipping additional cost', () => {
    const rs: RulesetInput = {
      bindings: [],
      rules: [{
        title: 'Free shipping from 50',
        condition: ['and', ['>=', ['.', 'Session', 'CartItemTotal'], 50], ['catch', false, ['>', ['.', 'Session', 'AdditionalCosts', 'shipping', 'Price'], 0]]],
        effects: [['setDiscountPerAdditionalCost', 'Free shipping from 50', 'shipping', ['.', 'Session', 'AdditionalCosts', 'shipping', 'Price']]],
      }],
    };
    const withShipping = { AdditionalCosts: { shipping: { Price: 4.99 } } };
    assert.deepEqual(evaluate(rs, { Session: session(withShipping, [{ sku: 'BOOK-7', quantity: 3, price: 20 }]) }).map(summary), [[['setDiscountPerAdditionalCost', ['Free shipping from 50', 'shipping', 4.99], 0]]]);
    assert.deepEqual(evaluate(rs, { Session: session(withShipping, [{ sku: 'BOOK-7', quantity: 2, price: 20 }]) }).map(summary), ['not fired: 0: condition evaluated to false']);
    assert.deepEqual(evaluate(rs, { Session: session({}, [{ sku: 'BOOK-7', quantity: 3, price: 20 }]) }).map(summary), ['not fired: 1: condition evaluated to false']);
  });

  it('6: loyalty points per currency unit spent', () => {
    const rs: RulesetInput = {
      bindings: [],
      rules: [{
        title: '1 point per EUR spent',
        condition: ['and', ['=', ['.', 'Session', 'State'], 'closed'], ['>=', ['.', 'Session', 'CartItemTotal'], 1]],
        effects: [['addLoyaltyPoints', 7, '', ['floor', ['.', 'Session', 'CartItemTotal']], '1 point per EUR spent']],
      }],
    };
    const lines = [{ sku: 'TEA-1', quantity: 2, price: 22.8 }, { sku: 'POT-2', quantity: 1, price: 30 }];
    assert.deepEqual(evaluate(rs, { Session: session({ State: 'closed' }, lines) }).map(summary), [[['addLoyaltyPoints', [7, '', 75, '1 point per EUR spent'], 0]]]);
    assert.deepEqual(evaluate(rs, { Session: session({ State: 'open' }, lines) }).map(summary), ['not fired: 0: condition evaluated to false']);
  });

  it('7: referral reward', () => {
    const rs: RulesetInput = {
      bindings: [],
      rules: [
        { title: 'Friend welcome', condition: ['and', ['referralValid']], effects: [['setDiscount', 'Welcome gift from a friend', 10]] },
        { title: 'Advocate reward', condition: ['and', ['referralValid'], ['=', ['.', 'Session', 'State'], 'closed']], effects: [['addLoyaltyPoints', 7, '', 500, 'Referral reward', ['.', 'Referral', 'AdvocateProfileIntegrationId']]] },
      ],
    };
    const roots = (state: string) => ({ Session: session({ State: state, ReferralCode: 'REF-ANNA' }, [{ sku: 'KIT-1', price: 50 }]), Referral: map({ Code: 'REF-ANNA', AdvocateProfileIntegrationId: 'anna' }) });
    const facts = { referralValid: () => true };
    assert.deepEqual(evaluate(rs, roots('closed'), facts).map(summary), [
      [['setDiscount', ['Welcome gift from a friend', 10], 0]],
      [['addLoyaltyPoints', [7, '', 500, 'Referral reward', 'anna'], 0]],
    ]);
    assert.deepEqual(evaluate(rs, roots('open'), facts).map(summary)[1], 'not fired: 1: condition evaluated to false');
    assert.deepEqual(compileRuleset(rs, ENV).rules.map((r) => r.referencesReferral), [true, true]);
  });

  it('8: first-session-only discount', () => {
    const rs: RulesetInput = { bindings: [], rules: [{ title: 'Welcome: 15% off the first order', condition: ['and', ['=', ['.', 'Session', 'FirstSession'], true]], effects: [['setDiscount', 'Welcome 15%', ['*', ['.', 'Session', 'Total'], ['/', 15, 100]]]] }] };
    assert.deepEqual(evaluate(rs, { Session: session({ FirstSession: true }, [{ sku: 'X', price: 80 }]) }).map(summary), [[['setDiscount', ['Welcome 15%', 12], 0]]]);
    assert.deepEqual(evaluate(rs, { Session: session({ FirstSession: false }, [{ sku: 'X', price: 80 }]) }).map(summary), ['not fired: 0: condition evaluated to false']);
  });

  it('9: notification based on a session attribute', () => {
    const rs: RulesetInput = {
      bindings: [],
      rules: [{
        title: 'Berlin delivery notice',
        condition: ['and', ['catch', false, ['=', ['.', 'Session', 'Attributes', 'ShippingCity'], 'Berlin']]],
        effects: [['showNotification', 'info', 'Free same-day delivery', 'Orders shipped to Berlin before 14:00 arrive today.']],
      }],
    };
    const cartLine = [{ sku: 'LAMP-1', price: 60 }];
    assert.deepEqual(evaluate(rs, { Session: session({ Attributes: { ShippingCity: 'Berlin' } }, cartLine) }).map(summary),
      [[['showNotification', ['info', 'Free same-day delivery', 'Orders shipped to Berlin before 14:00 arrive today.'], 0]]]);
    assert.deepEqual(evaluate(rs, { Session: session({ Attributes: { ShippingCity: 'Paris' } }, cartLine) }).map(summary), ['not fired: 0: condition evaluated to false']);
    assert.deepEqual(evaluate(rs, { Session: session({}, cartLine) }).map(summary), ['not fired: 0: condition evaluated to false']);
  });

  it('10: discount capped per order by a template parameter', () => {
    const rs: RulesetInput = {
      bindings: [{ name: 'Cap', type: 'templateParameter', valueType: 'number', minValue: 0, maxValue: 100, expression: ['+', 25, 0] }],
      rules: [{
        title: '20% off, max Cap',
        condition: ['and', ['>', ['.', 'Session', 'Total'], 0]],
        effects: [['setDiscount', '20% off (max 25)', ['min', ['list', ['*', ['.', 'Session', 'Total'], ['/', 20, 100]], ['.', 'Cap']]], 'sessionTotal', true]],
      }],
    };
    assert.deepEqual(evaluate(rs, { Session: session({}, [{ sku: 'X', price: 200 }]) }).map(summary), [[['setDiscount', ['20% off (max 25)', 25, 'sessionTotal', true], 0]]]);
    assert.deepEqual(evaluate(rs, { Session: session({}, [{ sku: 'X', price: 60 }]) }).map(summary), [[['setDiscount', ['20% off (max 25)', 12, 'sessionTotal', true], 0]]]);
  });

  it('expressions from Talon.One\'s public material compile', () => {
    const conds = [['and', ['couponValid']], ['and', true],
      ['exists', ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['catch', false, ['=', ['.', 'Item', 'Category'], 'Kitchen']]]], [['x'], true]],
      ['exists', ['filter', ['.', 'Session', 'CartItems'], [['Item'], ['catch', false, ['and', ['!=', ['.', 'Item', 'Attributes', 'c_productType'], 'egiftcard']]]]], [['x'], true]],
      ['=', ['count', ['list', '10014', '10015']], ['+', 2, 0]]];
    for (const c of conds) assert.ok(compileRuleset({ rules: [{ title: 't', condition: c, effects: [['setDiscount', 'Free money', 45.55]] }] }, ENV));
  });
});

describe('effect functions record EffectCalls', () => {
  const it0 = ['head', ['.', 'Session', 'CartItems']];
  const effects: unknown[][] = [
    ['setDiscount', 'a', 1], ['setDiscountPerItem', 'a', 1, it0, 'price', false], ['setDiscountPerItemProRata', 'a', 10, ['.', 'Session', 'CartItems']],
    ['setDiscountPerAdditionalCost', 'a', 'shipping', 1, true], ['setDiscountPerAdditionalCostPerItem', 'a', 'shipping', 1, it0],
    ['addFreeItem', 'SKU', 'Free'], ['addLoyaltyPoints', 7, '', 10, 'pts', 'cust-1', '2024-01-01T00:00:00Z'], ['addLoyaltyPointsPerItem', 7, '', 1, 'pts', it0],
    ['deductLoyaltyPoints', 7, '', 5, 'spend'], ['createCoupon'], ['createReferral', 'anna'], ['reserveCoupon'], ['showNotification', 'Info', 't', 'b'],
    ['updateAttribute', 'Profile.Attributes.LastPromo', 'spring'], ['triggerWebhook', 3, ['kv', ['a', 1]]], ['customEffect', 'GiftWrap', ['kv', ['color', 'red']]],
    ['awardGiveaway', 2], ['addToAudience', 4], ['removeFromAudience', 4], ['increaseAchievementProgress', 9, 1],
    ['setLoyaltyPointsExpiryDate', 7, '', '2025-01-01T00:00:00Z'], ['extendLoyaltyPointsExpiryDate', 7, '', '30D'],
  ];
  it('covers every effect function of the registry, in order, with converted arguments', () => {
    const [o] = evaluate({ rules: [{ title: 'all', condition: ['and', true], effects }] }, { Session: session({}, [{ sku: 'A', price: 10 }]) });
    assert.ok(o.fired);
    if (!o.fired) return;
    assert.deepEqual(o.effects.map((e) => e.fn), effects.map((e) => e[0]));
    assert.deepEqual(o.effects.map((e) => e.index), effects.map((_, i) => i));
    const names = new Set(effects.map((e) => e[0]));
    assert.deepEqual(ALL_FUNCTIONS.filter((d) => d.effect && !names.has(d.name)).map((d) => d.name), []);
    const pts = o.effects[6];
    assert.ok(pts.args[5] instanceof Date, 'time parameters convert RFC 3339 strings');
  });
  it('arity and kinds of effect calls are checked at save time', () => {
    for (const bad of [['addFreeItem', 'SKU'], ['showNotification', 'Info', 't'], ['addLoyaltyPoints', '7', '', 1, 'x'], ['setDiscountPerItem', 'a', 1, 'not a map']]) {
      assert.throws(() => compileRuleset({ rules: [{ title: 't', condition: ['and'], effects: [bad] }] }, ENV), /RulesetValidationError|invalid ruleset/, JSON.stringify(bad));
    }
  });
});
