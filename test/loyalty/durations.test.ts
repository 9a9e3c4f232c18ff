/** Pure loyalty arithmetic: the duration grammar in a time zone, the spending order, counters moved forward and rebuilt. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advance, allocate, applyDuration, durationProblem, emptyCounters, parseDuration, rebuild, type Bucket } from '../../src/domain/loyalty.js';
import { dec } from '../../src/domain/money.js';

const at = (s: string, d: string, zone = 'UTC') => applyDuration(new Date(s), parseDuration(d)!, zone).toISOString();

test('duration grammar: units, rounding suffixes, special words', () => {
  for (const ok of ['30s', '15m', '2h', '30D', '2W', '1M', '1Y', '0D', '3D_D', '1D_U', '1W_U', '1M_U', '1Y_U']) assert.ok(parseDuration(ok), ok);
  for (const bad of ['', 'D', '30', '30d', '1.5D', '-1D', '30 D', '1M_D', '1h_U', '1D_X', 'unlimited', '1D_U_U']) assert.equal(parseDuration(bad), null, bad);
  assert.equal(durationProblem('unlimited', ['unlimited']), null);
  assert.equal(durationProblem('on_action', ['immediate', 'on_action']), null);
  assert.match(durationProblem('on_action', ['unlimited'])!, /got "on_action"/);
});

test('durations are calendar steps in the program time zone, rounded there', () => {
  assert.equal(at('2026-01-31T10:00:00Z', '1M'), '2026-02-28T10:00:00.000Z');
  assert.equal(at('2024-02-29T10:00:00Z', '1Y'), '2025-02-28T10:00:00.000Z');
  assert.equal(at('2026-03-01T10:00:00Z', '90m'), '2026-03-01T11:30:00.000Z');
  assert.equal(at('2026-03-01T10:00:00Z', '2D_D'), '2026-03-03T00:00:00.000Z');
  assert.equal(at('2026-03-01T10:00:00Z', '2D_U'), '2026-03-03T23:59:59.000Z');
  // Sunday 2026-03-01 + 1W = Sunday 2026-03-08, the end of its ISO week
  assert.equal(at('2026-03-01T10:00:00Z', '1W_U'), '2026-03-08T23:59:59.000Z');
  assert.equal(at('2026-03-02T10:00:00Z', '1W_U'), '2026-03-15T23:59:59.000Z');
  assert.equal(at('2026-01-15T10:00:00Z', '1M_U'), '2026-02-28T23:59:59.000Z');
  assert.equal(at('2026-01-15T10:00:00Z', '1Y_U'), '2027-12-31T23:59:59.000Z');
  // Berlin: 23:30 UTC on 1 March is already 2 March there; end of that local day is 22:59:59 UTC
  assert.equal(at('2026-03-01T23:30:00Z', '0D_U', 'Europe/Berlin'), '2026-03-02T22:59:59.000Z');
  // a day step across the spring change keeps the wall-clock time (23 hours later in UTC)
  assert.equal(at('2026-03-28T12:00:00Z', '1D', 'Europe/Berlin'), '2026-03-29T11:00:00.000Z');
});

const bucket = (id: number, amount: string, start: string | null, expiry: string | null, created = '2026-01-01T00:00:00.000Z'): Bucket =>
  ({ id, amount: dec(amount), remaining: dec(amount), start, expiry, state: 'active', created });

test('spending order: earliest expiry first, unlimited last, oldest first among equals', () => {
  const b = [
    bucket(1, '10', '2026-01-01T00:00:00Z', null),
    bucket(2, '10', '2026-01-02T00:00:00Z', '2026-06-01T00:00:00Z'),
    bucket(3, '10', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'),
    bucket(4, '10', '2025-12-01T00:00:00Z', null),
  ];
  assert.deepEqual(allocate(dec('35.5'), b).map((x) => [x.bucket.id, x.take.toString()]), [[3, '10'], [2, '10'], [4, '10'], [1, '5.5']]);
  assert.throws(() => allocate(dec('40.01'), b));
});

test('counters moved forward equal counters rebuilt from history', () => {
  const b1 = { ...bucket(1, '100.5', '2026-01-10T00:00:00.000Z', '2026-02-01T00:00:00.000Z'), state: 'pending' as const };
  const b2 = bucket(2, '20', '2026-01-01T00:00:00.000Z', null);
  const c0 = { ...emptyCounters(), pending: dec('100.5'), active: dec('20') };
  const mid = advance(c0, [b1, b2], '2026-01-15T00:00:00.000Z').counters;
  assert.deepEqual([mid.active.toString(), mid.pending.toString()], ['120.5', '0']);
  const late = advance(c0, [b1, b2], '2026-02-01T00:00:00.000Z').counters;
  assert.deepEqual([late.active.toString(), late.expired.toString()], ['20', '100.5']);
  const hist = rebuild([{ bucket: b1, spends: [] }, { bucket: b2, spends: [] }], dec(0), '2026-02-01T00:00:00.000Z');
  assert.deepEqual(hist, late);
});
