import fc from 'fast-check';
import { Decimal, ZERO, decimalPlacesOf, fromUnits, sumAmounts, toUnits } from './decimal.js';

/**
 * Amount strings of the shapes that reach the figures: validated amounts, numeric columns, more
 * decimals, exponents.
 */
const amount = fc.oneof(
  fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 999_999_999_999_999n })).map(([neg, cents]) => {
    const s = cents.toString().padStart(3, '0');
    return `${neg ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`;
  }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc
    .tuple(fc.integer({ min: -99_999, max: 99_999 }), fc.integer({ min: 0, max: 999_999 }))
    .map(([i, f]) => `${i}.${String(f).padStart(6, '0')}`),
  fc.constantFrom('0', '-0', '0.00', '-0.00', '1e3', '-2.5E-3', '12.', '.5'),
);

describe('exact fixed-point sums (decimal.ts)', () => {
  test('sumAmounts equals the Decimal sum of the same strings, value and sign of zero', () => {
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 40 }), (amounts) => {
        const expected = amounts.reduce((t: Decimal, a) => t.plus(a), ZERO);
        const got = sumAmounts(amounts);
        expect(got.eq(expected)).toBe(true);
        expect(got.valueOf()).toBe(expected.valueOf());
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  test('units round-trip at any scale that holds the amount', () => {
    fc.assert(
      fc.property(amount, fc.integer({ min: 0, max: 4 }), (a, extra) => {
        const scale = decimalPlacesOf(a) + extra;
        expect(fromUnits(toUnits(a, scale), scale).eq(new Decimal(a))).toBe(true);
      }),
      { numRuns: 500, seed: 8 },
    );
  });

  test('examples', () => {
    expect(decimalPlacesOf('1263391.60')).toBe(2);
    expect(decimalPlacesOf('-2.5E-3')).toBe(4);
    expect(toUnits('1263391.6', 2)).toBe(126339160n);
    expect(toUnits('-7', 2)).toBe(-700n);
    expect(fromUnits(-5n, 2).toFixed(2)).toBe('-0.05');
    expect(fromUnits(0n, 2).valueOf()).toBe('0');
    expect(() => toUnits('1.234', 2)).toThrow(/more than 2 decimals/);
    expect(sumAmounts([]).valueOf()).toBe('0');
    expect(sumAmounts(['4095000.00', '-0.01', '0.01']).toFixed(2)).toBe('4095000.00');
  });
});
