/**
 * freshCode (domain/coupon.ts): generated coupon and referral codes avoid the codes known to be taken;
 * a small pattern is filled to its last code whatever the random draws, a full one yields null.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshCode, patternSpace } from '../../src/domain/coupon.js';

const always0 = () => 0;

test('a small pattern gives its last free code even when every random draw collides', () => {
  const chars = ['1', '2', '3'];
  const avoid = new Set<string>();
  for (let i = 0; i < patternSpace('EX-##', chars); i++) {
    const code = freshCode('EX-##', chars, avoid, 10, always0);
    assert.ok(code !== null && /^EX-[123]{2}$/.test(code), String(code));
    assert.ok(!avoid.has(code));
    avoid.add(code);
  }
  assert.equal(avoid.size, 9);
  assert.equal(freshCode('EX-##', chars, avoid, 10, always0), null, 'every code taken');
});

test('a large pattern draws at random only: null after the draws collide, a fresh code otherwise', () => {
  const chars = [...'ABCDEFGHIJ'];
  const first = freshCode('LG-####', chars, new Set(), 10, always0);
  assert.equal(first, 'LG-AAAA');
  assert.equal(freshCode('LG-####', chars, new Set([first]), 10, always0), null);
  const code = freshCode('LG-####', chars, new Set([first]), 10);
  assert.ok(code !== null && code !== first && /^LG-[A-J]{4}$/.test(code));
});
