/**
 * add / sub / mul (domain/money.ts) give exactly decimal.js's plus / minus / times — same value and the
 * same representation (sign, exponent, digit words), so nothing downstream can tell them apart; and
 * fromNumber / toNumber give exactly `new Decimal(number)` / `x.toNumber()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, dec, Decimal, fromNumber, mul, sub, toNumber, type DecimalRepr } from '../../src/domain/money.js';
import { rng } from '../../bench/rules.js'; // mulberry32, seeded

const repr = (x: Decimal) => {
  const r = x as unknown as DecimalRepr;
  return { s: r.s, e: r.e, d: r.d === null ? null : [...r.d], text: x.toString() };
};

function same(op: string, got: Decimal, want: Decimal, x: Decimal, y: Decimal): void {
  assert.deepEqual(repr(got), repr(want), `${x.toString()} ${op} ${y.toString()}`);
}

function check(x: Decimal, y: Decimal): void {
  same('+', add(x, y), x.plus(y), x, y);
  same('-', sub(x, y), x.minus(y), x, y);
  same('*', mul(x, y), x.times(y), x, y);
}

/** A random decimal text: sign, 0–22 integer digits, 0–22 fraction digits, sometimes runs of 0s and 9s. */
function randomText(r: () => number): string {
  const digits = (n: number) => {
    let s = '';
    const style = r();
    for (let i = 0; i < n; i++) s += style < 0.2 ? '9' : style < 0.4 ? (i === 0 ? '1' : '0') : String(Math.floor(r() * 10));
    return s;
  };
  const int = digits(Math.floor(r() * (r() < 0.7 ? 6 : 23))) || '0';
  const frac = digits(Math.floor(r() * (r() < 0.7 ? 4 : 23)));
  return `${r() < 0.3 ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

test('edge cases: zeros, signed zeros, equal magnitudes, carries and borrows across words, infinities, NaN', () => {
  const texts = ['0', '-0', '1', '-1', '0.1', '0.2', '0.3', '9999999', '10000000', '9999999.9999999', '0.0000001', '-0.0000001',
    '19.99', '59.9', '4.5', '66.66', '0.1', '1e-30', '1e30', '123456789012345678901234567890', '0.000000000000001',
    '99999999999999999999', '1.0000000000000000000000000000000000001', '5000000', '0.5', '-0.5', '12345678.87654321'];
  const values = [...texts.map((t) => new Decimal(t)), new Decimal(Infinity), new Decimal(-Infinity), new Decimal(NaN)];
  for (const x of values) for (const y of values) check(x, y);
});

test('money: 0.1 + 0.2 = 0.3, 19.99 × 3 = 59.97, 10 % of 66.66 = 6.666', () => {
  assert.equal(add(new Decimal(0.1), new Decimal(0.2)).toString(), '0.3');
  assert.equal(mul(new Decimal(19.99), new Decimal(3)).toString(), '59.97');
  assert.equal(mul(new Decimal(66.66), new Decimal('0.1')).toString(), '6.666');
  assert.equal(sub(new Decimal(152.33), new Decimal(152.33)).toString(), '0');
});

test('40,000 random operand pairs, from 1 to 45 significant digits (results past 40 digits round like decimal.js)', () => {
  const r = rng(20261126);
  for (let i = 0; i < 40_000; i++) check(new Decimal(randomText(r)), new Decimal(randomText(r)));
});

test('one- and two-word operands (the double fast path): every scale pairing, exactness at 2^53, zero sums', () => {
  // at most 14 digits in two base-1e7 words, at word exponents from 1e-21 to 1e14, both signs
  const r = rng(53);
  const word = () => (r() < 0.3 ? [1, 9_999_999, 5_000_000, 1_000_000][Math.floor(r() * 4)] : 1 + Math.floor(r() * 9_999_999));
  const twoWord = (): Decimal => {
    const top = Math.floor(r() * 6) - 3; // word exponent of the first word
    const words = r() < 0.5 ? [word()] : [word(), word()];
    const digits = words.map((w, i) => (i === 0 ? String(w) : String(w).padStart(7, '0'))).join('');
    const intWords = top + 1;
    const text = intWords >= words.length ? digits + '0'.repeat(7 * (intWords - words.length))
      : intWords > 0 ? `${digits.slice(0, digits.length - 7 * (words.length - intWords))}.${digits.slice(digits.length - 7 * (words.length - intWords))}`
        : `0.${'0'.repeat(-7 * intWords)}${words.map((w) => String(w).padStart(7, '0')).join('')}`;
    return new Decimal(`${r() < 0.3 ? '-' : ''}${text}`);
  };
  for (let i = 0; i < 40_000; i++) {
    const x = twoWord();
    check(x, twoWord());
    check(x, x.negated()); // sums to exactly zero
    check(x, x);
  }
  // products and sums on both sides of 2^53 (9007199254740991 is 2^53 − 1)
  for (const [x, y] of [['94906265.62425155', '0.00000009490626'], ['9007199.254740991', '1'], ['9007199.254740992', '1'],
    ['4503599.6274370496', '2'], ['4503599.6274370495', '2'], ['9999999.9999999', '9999999.9999999'], ['0.0000001', '0.0000001'],
    ['9007199254740991', '1'], ['4503599627370495.5', '4503599627370495.5'], ['8999999.9999999', '0.0000001']]) {
    check(new Decimal(x), new Decimal(y));
  }
});

test('the results are ordinary Decimals: further decimal.js operations on them agree', () => {
  const r = rng(7);
  for (let i = 0; i < 2_000; i++) {
    const x = new Decimal(randomText(r));
    const y = new Decimal(randomText(r));
    const z = new Decimal(randomText(r));
    assert.equal(add(x, y).times(z).minus(y).toString(), x.plus(y).times(z).minus(y).toString());
    assert.equal(mul(sub(x, y), z).toFixed(10), x.minus(y).times(z).toFixed(10));
  }
});

test('fromNumber is new Decimal(number): cents, integers, other doubles, signed zeros, limits', () => {
  const r = rng(11);
  const values = [0, -0, 0.01, -0.01, 0.05, 0.1, 0.2, 0.3, 0.1 + 0.2, 19.99, 59.9, 4.5, 66.66, 1, 7, 9999999, 10_000_000, 10_000_000.01,
    // eslint-disable-next-line no-loss-of-precision -- these literals stand for the doubles nearest them, which the test feeds on purpose
    99_999_999_999_999.99, 9_999_999_999_999.99, 1e13, 1e13 - 0.01, 123456789.12, 0.001, 1 / 3, 1e-7, 1e21, 2 ** 53, Number.MAX_VALUE,
    Number.MIN_VALUE, Infinity, -Infinity, NaN, 152.33, 39.98];
  for (let i = 0; i < 30_000; i++) {
    const cents = Math.floor(r() * 10 ** Math.floor(r() * 16));
    values.push((r() < 0.3 ? -1 : 1) * cents / 100, cents, r() * 10 ** Math.floor(r() * 20 - 5));
  }
  for (const v of values) {
    assert.deepEqual(repr(fromNumber(v)), repr(new Decimal(v)), `fromNumber(${v})`);
    assert.deepEqual(repr(dec(v)), repr(new Decimal(v)), `dec(${v})`);
  }
});

test('toNumber is x.toNumber(): the nearest double to the decimal, for short and long decimals', () => {
  const r = rng(12);
  const texts = ['0', '-0', '19.99', '0.3', '6.666', '1e-30', '1e30', '123456789012345', '1234567890123456', '0.000000123',
    '99999999999999999999', '9007199254740993', '9007199254740991', '-152.33', '1e22', '1e23', '1.5e-22', '1.5e-23'];
  const values = [...texts.map((t) => new Decimal(t)), new Decimal(Infinity), new Decimal(-Infinity), new Decimal(NaN)];
  for (let i = 0; i < 40_000; i++) values.push(new Decimal(randomText(r)));
  for (const x of values) assert.ok(Object.is(toNumber(x), x.toNumber()), `toNumber(${x.toString()})`);
});
