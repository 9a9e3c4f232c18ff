import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../src/domain/money.js';
import { cmp, minOf, sign } from '../../src/engine/num.js';
import { evaluate } from '../../src/engine/index.js';
import { always, call, campaign, input, item, session } from './fakes.js';

test('allocation-free Decimal comparison agrees with decimal.js', () => {
  const vals = ['0', '-0', '1', '-1', '0.5', '-0.5', '123.45', '123.450001', '1000.005', '1e20', '-1e20', '1e-20', '9999999', '10000000',
    '10000001', '0.1', '0.10000000000001', '-123.45', '1.5', '12', 'Infinity', '-Infinity'].map((s) => new Decimal(s));
  for (const a of vals) {
    assert.equal(sign(a), a.isZero() ? 0 : a.s, `sign ${a.toString()}`);
    for (const b of vals) {
      assert.equal(Math.sign(cmp(a, b)), Math.sign(a.cmp(b)), `${a.toString()} vs ${b.toString()}`);
      assert.equal(minOf(a, b).cmp(a.lessThan(b) ? a : b), 0);
    }
  }
});

test('the cached evaluation tree follows group changes on a reused campaigns array', () => {
  const c1 = campaign(1, [always('a', () => [call('setDiscount', 'a', 5)])]);
  const c2 = campaign(2, [always('b', () => [call('setDiscount', 'b', 7)])]);
  const campaigns = [c1, c2];
  const s = session([item('X', 100)]);
  const ids = (groups: Parameters<typeof input>[2]) => evaluate(input(s, campaigns, groups)).effects.map((e) => e.campaignId);
  assert.deepEqual(ids({}), [1, 2]);
  c1.evaluationGroupId = 5; c2.evaluationGroupId = 5;
  const groups = [{ id: 5, name: 'g', mode: 'listOrder' as const }];
  assert.deepEqual(ids({ evaluationGroups: groups }), [1]);
  groups[0] = { ...groups[0], mode: 'highestDiscount' as never };
  assert.deepEqual(ids({ evaluationGroups: groups }), [2]);
  assert.deepEqual(ids({ evaluationGroups: groups }), [2]);
});
