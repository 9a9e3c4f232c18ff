/** Save-time errors (docs/rules-language.md, "Static checking"): every one carries the rule index and the JSON path of the node. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRuleset, RulesetValidationError } from '../../src/rules/compile.js';
import { ENV, rejects, rejectsExpr, rule } from './helpers.js';

describe('check: malformed nodes', () => {
  it('rejects objects, empty arrays and arrays headed by a number', () => {
    rejectsExpr({ a: 1 }, '', /objects are not expressions/);
    rejectsExpr(['list', []], '[1]', /empty array/);
    rejectsExpr([1, 2], '', /must start with a function name/);
  });
  it('rejects a lambda outside a lambda slot and a lambda with two parameters', () => {
    rejectsExpr(['list', [['x'], true]], '[1]', /only allowed where the function takes one/);
    rejectsExpr(['map', ['list'], [['x', 'y'], true]], '[2][0]', /exactly one parameter/);
    rejectsExpr(['map', ['list'], true], '[2]', /expected a lambda/);
  });
  it('rejects malformed kv pairs', () => {
    rejectsExpr(['kv', ['a']], '[1]', /pairs/);
  });
  it('rejects a missing condition and non-array effects', () => {
    rejects({ rules: [{ title: 't', effects: [] } as never] }, 'rules[0].condition', /condition must be an expression array/);
    rejects({ rules: [{ title: 't', condition: ['and'], effects: 'x' as never }] }, 'rules[0].effects', /must be an array/);
  });
});

describe('check: functions', () => {
  it('unknown function', () => {
    rejects(rule(['and', ['frobnicate', 1]]), 'rules[0].condition[1]', /unknown function "frobnicate"/);
  });
  it('wrong arity, with the signature in the message', () => {
    rejects(rule(['and', true], [['setDiscount', 'x']]), 'rules[0].effects[0]', /setDiscount does not take 1 argument; expected setDiscount\(name: string, value: number\[, scope: string\[, partial: boolean\]\]\)/);
    rejects(rule(['not', true, false]), 'rules[0].condition', /not does not take 2 arguments/);
  });
  it('static kind mismatch points at the argument', () => {
    rejects(rule(['and', ['>', ['.', 'Session', 'Total'], 'abc']]), 'rules[0].condition[1]', /> does not accept \(number, string\); expected >\(value: number, other: number...\) or >\(value: time, other: time...\)/);
    rejects(rule(['and', true], [['setDiscount', 'x', 'ten']]), 'rules[0].effects[0][2]', /setDiscount: argument 2 \(value\) must be a number, got string/);
    rejects(rule(['and', ['=', ['.', 'Session', 'CartItems'], 1]]), 'rules[0].condition[1][1]', /must be an atom/);
  });
  it('condition must be boolean', () => {
    rejects(rule(['+', 1, 2]), 'rules[0].condition', /condition must be a boolean expression, got number/);
  });
  it('effect functions only in effects; only notifications and custom effects in failureEffects', () => {
    rejects(rule(['and', ['=', ['setDiscount', 'x', 1], null]]), 'rules[0].condition[1][1]', /only allowed in effects/);
    rejects({ bindings: [{ name: 'b', expression: ['addFreeItem', 'a', 'b'] }], rules: [] }, 'bindings[0].expression', /only allowed in effects/, null);
    rejects(rule(['and', true], [], { failureEffects: [['setDiscount', 'x', 1]] }), 'rules[0].failureEffects[0]', /not allowed in failureEffects/);
  });
  it('set and setTemplate are rejected', () => {
    rejects(rule(['and', true], [['set', 'a', 1]]), 'rules[0].effects[0]', /not allowed in stored rules/);
  });
  it('invalid literal regex', () => {
    rejects(rule(['and', ['~', '(a', 'x']]), 'rules[0].condition[1][1]', /invalid regular expression/);
    rejects(rule(['and', ['~', '(a)\\1', 'x']]), 'rules[0].condition[1][1]', /backreferences/);
  });
  it('isSet needs a path', () => {
    rejects(rule(['and', ['isSet', 1]]), 'rules[0].condition[1]', /isSet expects a path/);
  });
  it('effect-specific checks: scope, additional cost, custom effect, writable slot', () => {
    rejects(rule(['and', true], [['setDiscount', 'x', 1, 'everything']]), 'rules[0].effects[0][3]', /unknown scope "everything"/);
    rejects(rule(['and', true], [['setDiscountPerAdditionalCost', 'x', 'insurance', 1]]), 'rules[0].effects[0][2]', /additional cost "insurance" is not defined/);
    rejects(rule(['and', true], [['customEffect', 'Confetti', ['kv']]]), 'rules[0].effects[0][1]', /custom effect "Confetti" is not defined/);
    rejects(rule(['and', true], [['customEffect', 'GiftWrap', ['kv', ['colour', 'red']]]]), 'rules[0].effects[0][2]', /has no parameter "colour"/);
    rejects(rule(['and', true], [['updateAttribute', 'Session.Total', 1]]), 'rules[0].effects[0][1]', /is not writable/);
    rejects(rule(['and', true], [['updateAttribute', 'Profile.Attributes.Nope', 1]]), 'rules[0].effects[0][1]', /not defined for CustomerProfile/);
    rejects(rule(['and', true], [['updateAttribute', 'Profile.Attributes.Segment', 1]]), 'rules[0].effects[0][2]', /string attribute, got a number/);
  });
});

describe('check: names and paths', () => {
  it('path to nothing, stepping into a scalar, unknown root', () => {
    rejects(rule(['and', ['>', ['.', 'Session', 'Totl'], 1]]), 'rules[0].condition[1][1][2]', /Session.Totl does not exist/);
    rejects(rule(['and', ['=', ['.', 'Session', 'Total', 'X'], 1]]), 'rules[0].condition[1][1][3]', /cannot read "X" from Session.Total: it is a number/);
    rejects(rule(['and', ['=', ['.', 'Sesion', 'Total'], 1]]), 'rules[0].condition[1][1][1]', /unknown name "Sesion"/);
  });
  it('undefined custom attribute, per entity', () => {
    rejects(rule(['and', ['=', ['.', 'Session', 'Attributes', 'Segment'], 'x']]), 'rules[0].condition[1][1][3]', /attribute "Segment" is not defined for CustomerSession/);
    rejects(rule(['and', ['exists', ['.', 'Session', 'CartItems'], [['Item'], ['=', ['.', 'Item', 'Attributes', 'Color'], 'red']]]]), 'rules[0].condition[1][2][1][1][3]', /not defined for CartItem/);
    assert.ok(compileRuleset(rule(['and', ['=', ['.', 'Profile', 'Attributes', 'Segment'], 'vip']]), ENV));
    assert.ok(compileRuleset(rule(['and', ['=', ['.', 'CustomerProfile', 'Attributes', 'Name'], 'Ann']]), ENV), 'built-in attribute via the long root name');
  });
  it('attribute types flow into kind checks', () => {
    rejects(rule(['and', ['>', ['.', 'Session', 'Attributes', 'ShippingCity'], 1]]), 'rules[0].condition[1]', /does not accept \(string, number\)/);
  });
  it('undefined additional cost in a path', () => {
    rejects(rule(['and', ['>', ['.', 'Session', 'AdditionalCosts', 'insurance', 'Price'], 0]]), 'rules[0].condition[1][1][3]', /additional cost "insurance" is not defined/);
  });
  it('Item outside a lambda', () => {
    rejects(rule(['and', ['>', ['.', 'Item', 'Price'], 0]]), 'rules[0].condition[1][1][1]', /only bound inside a lambda/);
  });
  it('lambda parameter types come from the list: Item fields are checked through bindings', () => {
    rejects({
      rules: [{
        title: 't', bindings: [{ name: 'Shoes', expression: ['filter', ['.', 'Session', 'CartItems'], [['Item'], true]] }],
        condition: ['and', ['>', ['.', ['head', ['.', 'Shoes']] as never, 'Price'], 0]], effects: [],
      }],
    }, 'rules[0].condition[1][1][1]', /first key of a path must be a literal/);
    rejects({
      rules: [{
        title: 't', bindings: [{ name: 'Shoes', expression: ['filter', ['.', 'Session', 'CartItems'], [['Item'], true]] }],
        condition: ['and', true], effects: [['do', ['head', ['.', 'Shoes']], [['S'], ['setDiscountPerItem', 'x', ['.', 'S', 'Prize'], ['.', 'S']]]]],
      }],
    }, 'rules[0].effects[0][2][1][2][2]', /Item|does not exist/);
  });
  it('undefined bindings, use before definition, duplicates, reserved names, shadowing', () => {
    rejects(rule(['and', ['isEmpty', ['.', 'Shoes']]]), 'rules[0].condition[1][1][1]', /unknown name "Shoes"/);
    rejects({ bindings: [{ name: 'a', expression: ['.', 'b'] }, { name: 'b', expression: 1 }], rules: [] }, 'bindings[0].expression[1]', /unknown name "b"/, null);
    rejects({ bindings: [{ name: 'a', expression: 1 }, { name: 'a', expression: 2 }], rules: [] }, 'bindings[1].name', /duplicate binding name/, null);
    rejects({ bindings: [{ name: 'Session', expression: 1 }], rules: [] }, 'bindings[0].name', /reserved/, null);
    rejects({ bindings: [{ name: 'a', expression: 1 }], rules: [{ title: 't', bindings: [{ name: 'a', expression: 2 }], condition: ['and'], effects: [] }] }, 'rules[0].bindings[0].name', /shadow/);
  });
  it('binding types and template parameter ranges', () => {
    rejects({ bindings: [{ name: 'b', type: 'subledgerBalance', expression: ['list'] }], rules: [] }, 'bindings[0].expression', /must evaluate to number/, null);
    rejects({ bindings: [{ name: 'Cap', type: 'templateParameter', valueType: 'number', minValue: 0, maxValue: 100, expression: ['+', 250, 0] }], rules: [] }, 'bindings[0].expression', /above maxValue 100/, null);
    rejects({ bindings: [{ name: 'b', type: 'weird', expression: 1 }], rules: [] }, 'bindings[0].type', /unknown binding type/, null);
  });
  it('errors carry the rule index of later rules and are all collected', () => {
    let errors: { ruleIndex: number | null; path: string }[] = [];
    try {
      compileRuleset({ rules: [{ title: 'ok', condition: ['and'], effects: [] }, { title: 'bad', condition: ['and', ['nope']], effects: [['nope2']] }] }, ENV);
    } catch (e) {
      assert.ok(e instanceof RulesetValidationError);
      errors = e.errors;
    }
    assert.deepEqual(errors.map((e) => [e.ruleIndex, e.path]), [[1, 'rules[1].condition[1]'], [1, 'rules[1].effects[0]']]);
  });
});

describe('check: templates', () => {
  it('expands ["!", name, args…] with ["#", i] parameters', () => {
    assert.ok(compileRuleset(rule(['and', ['>', ['!', 'PercentOf', ['.', 'Session', 'Total'], 15], 1]]), ENV));
  });
  it('rejects unknown templates, wrong argument counts and stray #', () => {
    rejects(rule(['and', ['!', 'Nope']]), 'rules[0].condition[1]', /unknown template/);
    rejects(rule(['and', ['>', ['!', 'PercentOf', 1], 1]]), 'rules[0].condition[1][1]', /expects 2 arguments/);
    rejects(rule(['and', ['>', ['#', 0], 1]]), 'rules[0].condition[1][1]', /only allowed inside template bodies/);
  });
  it('caps recursive expansion', () => {
    const env = { ...ENV, templates: [{ name: 'Loop', expr: ['!', 'Loop'] }] };
    rejects(rule(['and', ['!', 'Loop']]), 'rules[0].condition[1]', /nested deeper than 16/, 0, env);
  });
});
