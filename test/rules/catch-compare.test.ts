/** The compiled fast path for ["catch", lit, ["=" | "!=", path, lit]] behaves like the general route. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ev, session } from './helpers.js';

const P = (...k: string[]) => ['.', ...k];

test('catch around = / != over a path: value, missing key, unbound root, operand order, numbers as text', () => {
  const s = session({ Attributes: { ShippingCity: 'Berlin' } }, [{ sku: 'A', price: 5, category: 'Shoes' }]);
  const roots = { Session: s };
  const city = P('Session', 'Attributes', 'ShippingCity');
  assert.equal(ev(['catch', false, ['=', city, 'Berlin']], roots), true);
  assert.equal(ev(['catch', false, ['=', 'Berlin', city]], roots), true);
  assert.equal(ev(['catch', false, ['=', city, 'Paris']], roots), false);
  assert.equal(ev(['catch', 'x', ['!=', city, 'Paris']], roots), true);
  assert.equal(ev(['catch', 'missing', ['=', city, 'Berlin']], { Session: session({}) }), 'missing');
  assert.equal(ev(['catch', 'unbound', ['=', P('Profile', 'Attributes', 'Segment'), 'gold']], roots), 'unbound');
  assert.equal(ev(['exists', P('Session', 'CartItems'), [['Item'], ['catch', false, ['=', P('Item', 'Category'), 'Shoes']]]], roots), true);
  assert.equal(ev(['exists', P('Session', 'CartItems'), [['Item'], ['catch', false, ['=', P('Item', 'Attributes', 'c_productType'), 'red']]]], roots), false);
  // `=` compares text: a number read by the path equals a string literal with the same text.
  assert.equal(ev(['exists', P('Session', 'CartItems'), [['Item'], ['catch', false, ['=', P('Item', 'Price'), '5']]]], roots), true);
});

test('numeric comparisons agree with decimal.js ordering (signs, exponents, digit words, infinities)', () => {
  const vals = ['0', '-0', '1', '-1', '0.5', '-0.5', '123.45', '123.450001', '1e20', '-1e20', '1e-20', '9999999', '10000000', '10000001', '-123.45'];
  for (const a of vals) for (const b of vals) {
    const x = Number(a); const y = Number(b);
    assert.equal(ev(['>', ['toNumber', a], ['toNumber', b]]), x > y, `${a} > ${b}`);
    assert.equal(ev(['<=', ['toNumber', a], ['toNumber', b]]), x <= y, `${a} <= ${b}`);
  }
});
