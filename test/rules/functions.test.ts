/** One or more evaluation cases for every non-effect function of the registry. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_FUNCTIONS } from '../../src/rules/registry.js';
import { ev, js, NOW, session, throwsEval } from './helpers.js';

const S = session({ Attributes: { ShippingCity: 'Berlin' } }, [
  { name: 'Runner', sku: 'SH-RUN', quantity: 2, price: 50, category: 'Shoes' },
  { name: 'Socks', sku: 'SO-1', quantity: 1, price: 5, category: 'Socks' },
  { name: 'Gift card', sku: 'GC-25', quantity: 1, price: 25 },
]);
const roots = { Session: S };
const items = ['.', 'Session', 'CartItems'];
const price = [['Item'], ['.', 'Item', 'Price']];

/** [function name, expression, expected plain value]. */
const cases: [string, unknown, unknown][] = [
  // logic
  ['and', ['and', true, true], true], ['and', ['and'], true], ['and', ['and', true, false, ['>', ['/', 1, 0], 1]], false],
  ['or', ['or', false, true, ['>', ['/', 1, 0], 1]], true], ['or', ['or'], false],
  ['not', ['not', false], true],
  ['catch', ['catch', 7, ['/', 1, 0]], 7], ['catch', ['catch', ['/', 1, 0], ['+', 1, 1]], 2],
  ['.|', ['.|', 0, ['.', 'Session', 'Attributes', 'PointsToSpend']], 0], ['.|', ['.|', 0, ['.', 'Session', 'Attributes', 'ShippingCity']], 0],
  ['.|', ['.|', 'x', ['.', 'Session', 'Attributes', 'ShippingCity']], 'Berlin'],
  ['noop', ['noop'], null],
  ['identity', ['identity', 25], 25],
  ['do', ['do', ['list', 1, 2, 3], [['L'], ['count', ['.', 'L']]]], 3], ['do', ['do', 5, 'x', ['*', ['.', 'x'], 2]], 10],
  ['if', ['if', true, 1, ['/', 1, 0]], 1], ['if', ['if', false, 1, 2], 2],
  ['.', ['.', 'Session', 'Total'], 130], ['.', ['.', 'Session', 'Attributes', 'ShippingCity'], 'Berlin'],
  // comparison
  ['=', ['=', 1, 1.0], true], ['=', ['=', 1, '1'], true], ['=', ['=', 'a', 'a', 'b'], false], ['=', ['=', '2024-01-01T00:00:00Z', ['parseTime', '2024-01-01']], true],
  ['!=', ['!=', 'Hello', 'Hello', 'Bye'], false], ['!=', ['!=', 'Hello', 'Hi', 'Bye'], true],
  ['<', ['<', 1, 2, 3], true], ['<', ['<', 2, 3, 1], false], ['<', ['<', '2020-01-01T00:00:00Z', ['now']], true],
  ['<=', ['<=', 2, 2], true], ['>', ['>', 3, 2, 1], true], ['>', ['>', ['now'], '2030-01-01T00:00:00Z'], false], ['>=', ['>=', 2, 2, 3], false],
  ['between', ['between', 1, 0, 2], true], ['between', ['between', 2, 0, 2], false], ['between', ['between', 1, 1.5, 0, 2], true],
  ['between', ['between', ['now'], '2024-01-01T00:00:00Z', '2024-12-31T00:00:00Z'], true],
  ['oneOf', ['oneOf', 'b', ['list', 'a', 'b']], true], ['oneOf', ['oneOf', 3, ['list', 1, 2]], false],
  ['isSet', ['isSet', ['.', 'Session', 'Attributes', 'ShippingCity']], true], ['isSet', ['isSet', ['.', 'Session', 'Attributes', 'PointsToSpend']], false],
  // math
  ['+', ['+', 0.1, 0.2], 0.3], ['+', ['+', 'a', 'b', 'c'], 'abc'], ['-', ['-', 10, 2, 3], 5], ['*', ['*', 2, 3, 4], 24],
  ['/', ['/', 10, 4], 2.5], ['mod', ['mod', 10, 4], 2], ['mod', ['mod', -7, 3], -1],
  ['floor', ['floor', 75.6], 75], ['floor', ['floor', -1.5], -2], ['ceil', ['ceil', 1.2], 2],
  ['round', ['round', 2.5], 3], ['round', ['round', -2.5], -3], ['round', ['round', 1.23456, 2], 1.23],
  ['min', ['min', ['list', 3, 'x', 1, 2]], 1], ['min', ['min', 4, 2, 9], 2], ['max', ['max', ['list', 3, 1, 2]], 3], ['max', ['max', 4, 9], 9],
  ['toNumber', ['toNumber', ' 12.50 '], 12.5], ['toNumber', ['toNumber', 3], 3],
  // lists
  ['list', ['list', '10014', '10015'], ['10014', '10015']], ['list', ['list'], []],
  ['count', ['count', items], 4], ['count', ['count', ['kv', ['a', 1]]], 1],
  ['isEmpty', ['isEmpty', ['list']], true], ['isEmpty', ['isEmpty', items], false],
  ['head', ['head', ['list', 1, 2]], 1], ['head', ['head', ['list']], null],
  ['tail', ['tail', ['list', 1, 2, 3]], [2, 3]], ['drop', ['drop', ['list', 1, 2, 3]], [1, 2]],
  ['item', ['item', ['list', 'a', 'b'], 1], 'b'],
  ['push', ['push', ['list', 1], 2, 3], [1, 2, 3]], ['append', ['append', ['list'], 'x'], ['x']],
  ['reverse', ['reverse', ['list', 1, 2, 3]], [3, 2, 1]],
  ['sort', ['sort', ['list', 10, 9, 100]], [9, 10, 100]], ['sort', ['sort', ['list', 'b', 'c', 'a'], true], ['c', 'b', 'a']],
  ['sortByNumber', ['map', ['sortByNumber', items, price, false], price], [5, 25, 50, 50]],
  ['sortByNumber', ['map', ['sortByNumber', items, price, true], [['I'], ['.', 'I', 'Sku']]], ['SH-RUN', 'SH-RUN', 'GC-25', 'SO-1']],
  ['sortByString', ['map', ['sortByString', items, [['I'], ['.', 'I', 'Sku']]], [['I'], ['.', 'I', 'Sku']]], ['GC-25', 'SH-RUN', 'SH-RUN', 'SO-1']],
  ['filter', ['count', ['filter', items, [['Item'], ['catch', false, ['=', ['.', 'Item', 'Category'], 'Shoes']]]]], 2],
  ['map', ['map', ['list', 1, 2], [['x'], ['*', ['.', 'x'], 10]]], [10, 20]], ['map', ['map', ['list', 1, 2], 'x', ['+', ['.', 'x'], 1]], [2, 3]],
  ['exists', ['exists', items, [['Item'], ['=', ['.', 'Item', 'Sku'], 'SO-1']]], true],
  ['every', ['every', items, [['Item'], ['>', ['.', 'Item', 'Price'], 1]]], true], ['every', ['every', ['list'], [['x'], false]], true],
  ['sum', ['sum', items, price], 130], ['sum', ['sum', items, 'Item', ['.', 'Item', 'Price']], 130],
  ['take', ['take', ['list', 1, 2, 3], 2], [1, 2]], ['take', ['take', ['list', 1], 5], [1]],
  ['join', ['join', ['list', 'a', 'b'], '-'], 'a-b'], ['split', ['split', 'a,b,c', ','], ['a', 'b', 'c']],
  ['kv', ['kv', ['minutes', 30], ['reason', 'promo']], { minutes: 30, reason: 'promo' }],
  // strings
  ['concat', ['concat', 'a', 'b'], 'ab'],
  ['contains', ['contains', 'Hello World', 'Hello', 'World'], true], ['contains', ['contains', 'Hello', ''], true], ['contains', ['contains', 'Hello', 'x'], false],
  ['notContains', ['notContains', 'Hello World', 'Bye', 'Ciao'], true], ['notContains', ['notContains', 'Hello', 'ell'], false],
  ['startsWith', ['startsWith', 'Hello World', 'Hello', 'Hell'], true], ['endsWith', ['endsWith', 'Hello World', 'World', 'Hello'], false],
  ['~', ['~', '^[A-Z]+-\\d+$', 'SH-1', 'AB-22'], true], ['~', ['~', '[a-z\\s]*$', 'Hello W0rld'], true], ['~', ['~', '^[a-z\\s]*$', 'hello w0rld'], false],
  ['~', ['~', '(?i)^sale', 'SALE-10'], true],
  ['toString', ['toString', 1.5], '1.5'], ['toString', ['toString', true], 'true'], ['toString', ['toString', ['parseTime', '2024-01-02T03:04:05Z']], '2024-01-02T03:04:05Z'],
  ['firstName', ['firstName', 'Mr Foo Bar'], 'Mr Foo'], ['lastName', ['lastName', 'Alex Unger'], 'Unger'],
  ['lower', ['lower', 'SAVE5'], 'save5'], ['upper', ['upper', 'save5'], 'SAVE5'],
  // time (NOW = 2024-03-15T10:30:00Z, a Friday)
  ['now', ['now'], NOW.toISOString()],
  ['parseTime', ['parseTime', '2024-02-01T12:00:00+02:00'], '2024-02-01T10:00:00.000Z'], ['parseTime', ['parseTime', '2024-02-01'], '2024-02-01T00:00:00.000Z'],
  ['parseTime', ['parseTime', '08:15:00', 'HH:mm:ss'], '2024-03-15T08:15:00.000Z'], ['parseTime', ['parseTime', '01/02/2024', 'dd/MM/yyyy'], '2024-02-01T00:00:00.000Z'],
  ['formatTime', ['formatTime', ['now']], '2024-03-15T10:30:00Z'], ['formatTime', ['formatTime', ['now'], 'yyyy-MM-dd HH:mm'], '2024-03-15 10:30'],
  ['after', ['after', ['now'], '2024-03-15T10:29:59Z'], true], ['before', ['before', ['now'], '2024-03-15T10:29:59Z'], false],
  ['betweenTimes', ['betweenTimes', ['now'], '2024-03-15T00:00:00Z', '2024-03-16T00:00:00Z'], true],
  ['addDuration', ['addDuration', ['now'], 2.9, 'days'], '2024-03-17T10:30:00.000Z'], ['subDuration', ['subDuration', ['now'], 30, 'minutes'], '2024-03-15T10:00:00.000Z'],
  ['daysBetween', ['daysBetween', '2024-03-01T00:00:00Z', '2024-03-02T12:00:00Z'], 1.5], ['days', ['days', '2024-03-16T10:30:00Z'], 1],
  ['date', ['date', ['now']], '2024-03-15'], ['year', ['year', ['now']], '2024'], ['month', ['month', ['now']], '3'], ['monthDay', ['monthDay', ['now']], '15'],
  ['hour', ['hour', '2024-03-15T04:05:00Z'], '4'], ['minute', ['minute', ['now']], '30'], ['weekday', ['weekday', ['now']], '5'],
  ['matchTime', ['matchTime', ['now'], '2024-03-15T23:00:00Z', 'YYYY-MM-DD'], true], ['matchTime', ['matchTime', ['now'], '2024-03-16T00:00:00Z', 'YYYY-MM-DD'], false],
  ['anniversaryWithin', ['anniversaryWithin', '1990-03-20T00:00:00Z', 0, 7], true], ['anniversaryWithin', ['anniversaryWithin', '1990-03-20T00:00:00Z', 7, 0], false],
  ['anniversaryWithin', ['anniversaryWithin', '1990-12-30T00:00:00Z', 70, 0], false], ['anniversaryWithin', ['anniversaryWithin', '1990-01-02T00:00:00Z', 80, 0], true],
];

describe('functions: evaluation', () => {
  for (const [name, expression, expected] of cases) {
    it(`${name}: ${JSON.stringify(expression).slice(0, 90)}`, () => {
      assert.deepEqual(js(ev(expression, roots)), expected);
    });
  }

  it('covers every non-effect function of the registry', () => {
    const tested = new Set(cases.map((c) => c[0].toLowerCase()));
    const missing = ALL_FUNCTIONS.filter((d) => !d.effect && d.family !== 'product' && d.forbidden === undefined)
      .flatMap((d) => [d.name, ...(d.aliases ?? [])]).filter((n) => !tested.has(n.toLowerCase()));
    assert.deepEqual(missing, []);
  });

  it('evaluates calendar functions in the evaluation time zone', () => {
    const late = '2024-03-15T23:30:00Z';
    assert.equal(ev(['date', late], {}, { timezone: 'Europe/Berlin' }), '2024-03-16');
    assert.equal(ev(['hour', late], {}, { timezone: 'Europe/Berlin' }), '0');
    assert.equal(ev(['weekday', late], {}, { timezone: 'Europe/Berlin' }), '6');
    assert.equal(js(ev(['parseTime', '2024-07-01T09:00:00'], {}, { timezone: 'Europe/Berlin' })), '2024-07-01T07:00:00.000Z');
  });

  it('resolves function names case-insensitively', () => {
    assert.equal(ev(['AND', true, ['IsEmpty', ['LIST']]]), true);
  });
});

describe('functions: evaluation errors', () => {
  const errs: [string, unknown, RegExp][] = [
    ['/', ['/', 1, 0], /division by zero/],
    ['mod', ['mod', 1, 0], /modulo by zero/],
    ['.', ['.', 'Session', 'Attributes', 'PointsToSpend'], /Unable to find `Session.Attributes.PointsToSpend`/],
    ['.', ['.', 'Coupon', 'Value'], /Unable to find `Coupon`/],
    ['item', ['item', ['list', 1], 1], /out of range/],
    ['min', ['min', ['list', 'a']], /no numbers/],
    ['toNumber', ['toNumber', '12abc'], /not a number/],
    ['parseTime', ['parseTime', 'yesterday-ish'], /cannot read/],
    ['parseTime', ['parseTime', '12:00', 'yyyy'], /does not match layout/],
    ['addDuration', ['addDuration', ['now'], 1, 'fortnights'], /unknown duration unit/],
    ['~', ['~', ['+', '(', ''], 'x'], /invalid regular expression/],
    ['filter', ['filter', ['list', 1], [['x'], 1]], /must return a boolean/],
    ['sortByNumber', ['sortByNumber', ['list', 1], [['x'], 'a'], false], /must return a number/],
    ['sum', ['sum', ['list', 1], [['x'], 'a']], /must return a number/],
    ['<', ['<', '2024-01-01T00:00:00Z', ['.', 'Session', 'Attributes', 'ShippingCity']], /not an RFC 3339 timestamp/],
    ['round', ['round', 1, 0.5], /places must be an integer/],
    ['and (dynamic)', ['and', ['head', ['list', 'x', 1]]], /must be a boolean/],
  ];
  for (const [name, expression, message] of errs) {
    it(`${name} raises: ${JSON.stringify(expression).slice(0, 80)}`, () => throwsEval(expression, message, roots));
  }
});
