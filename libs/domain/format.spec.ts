import fc from 'fast-check';
import { Decimal } from './decimal.js';
import {
  dateCn,
  fullDateCn,
  fullDateCnNumeric,
  groupDigits,
  groupedAmount,
  monthsCn,
  percent2,
  percentExact,
  percentPointsAbs,
  points,
  pointsEq,
  quarterCn,
  storedAmount,
  wan,
  wanFigure,
  yuan,
  yuanWan,
} from './format.js';

describe('amounts', () => {
  test('grouped, 元 and 万元, half-up to 2 decimals', () => {
    expect(groupedAmount('1263391.6')).toBe('1,263,391.60');
    expect(groupedAmount('-82324.24')).toBe('-82,324.24');
    expect(groupedAmount('0')).toBe('0.00');
    expect(groupedAmount('999.995')).toBe('1,000.00');
    expect(groupedAmount(new Decimal('-1000000.005'))).toBe('-1,000,000.01');
    expect(yuan('1263391.6')).toBe('1,263,391.60元');
    expect(wanFigure('1263391.6')).toBe('126.34');
    expect(wan('52560298.65')).toBe('5,256.03万元');
    expect(yuanWan('1263391.6')).toBe('1,263,391.60元（126.34万元）');
    expect(yuanWan('-10000')).toBe('-10,000.00元（-1.00万元）');
    expect(yuanWan('9999')).toBe('9,999.00元');
  });

  test('a text grouped as written', () => {
    expect(groupDigits('1646484.90')).toBe('1,646,484.90');
    expect(groupDigits('1646484.9')).toBe('1,646,484.9');
    expect(groupDigits('-82324.24')).toBe('-82,324.24');
    expect(groupDigits('999')).toBe('999');
    expect(groupDigits('1234')).toBe('1,234');
  });

  test('groupDigits of the 2-decimal text is groupedAmount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 4 }), (n, scale) => {
        const d = new Decimal(n.toString()).div(new Decimal(10).pow(scale));
        expect(groupDigits(d.toFixed(2))).toBe(groupedAmount(d));
      }),
      { numRuns: 2000 },
    );
  });

  test('a single amount is stored as Decimal#toFixed(2) would print it', () => {
    const amount = fc
      .tuple(
        fc.boolean(),
        fc.oneof(fc.constant('0'), fc.bigInt({ min: 1n, max: 9_999_999_999_999n }).map(String)),
        fc.oneof(
          fc.constant(''),
          fc.integer({ min: 0, max: 9 }).map((d) => `.${d}`),
          fc.integer({ min: 0, max: 99 }).map((d) => `.${String(d).padStart(2, '0')}`),
        ),
      )
      .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac}`);
    fc.assert(
      fc.property(amount, (a) => {
        expect(storedAmount(a)).toBe(new Decimal(a).toFixed(2));
      }),
      { numRuns: 2000 },
    );
    expect(storedAmount(new Decimal('1.005').plus('0.005'))).toBe('1.01');
  });
});

describe('rates and points', () => {
  test('percent2: half-up to 2 decimals', () => {
    expect(percent2('16.745')).toBe('16.75%');
    expect(percent2('90')).toBe('90.00%');
    expect(percent2(new Decimal('-0.005'))).toBe('-0.01%');
  });

  test('percentExact: as exact as the value', () => {
    expect(percentExact('75.53')).toBe('75.53%');
    expect(percentExact('90')).toBe('90%');
    expect(percentExact('75.00')).toBe('75%');
    expect(percentExact('60.1275')).toBe('60.1275%');
  });

  test('percentage points without sign', () => {
    expect(percentPointsAbs('-33.246')).toBe('33.25');
    expect(percentPointsAbs('10.08')).toBe('10.08');
  });

  test('points: exact to 4 decimals, else half-up to 4', () => {
    expect(points('0.7')).toBe('0.7');
    expect(points('0.834')).toBe('0.834');
    expect(points('0.98145')).toBe('0.9815');
    expect(pointsEq('0.834')).toBe('= 0.834');
    expect(pointsEq('0.98145')).toBe('≈ 0.9815');
  });
});

describe('dates and periods', () => {
  test('dates', () => {
    expect(dateCn('2023-09-30')).toBe('9月30日');
    expect(fullDateCn('2023-07-05')).toBe('2023年7月5日');
    expect(fullDateCnNumeric('2023-07-05')).toBe('2023年7月5日');
    expect(fullDateCn('0999-07-05')).toBe('0999年7月5日');
    expect(fullDateCnNumeric('0999-07-05')).toBe('999年7月5日');
  });

  test('quarters and months', () => {
    expect(quarterCn(3)).toBe('第三季度');
    expect(quarterCn(0)).toBe('');
    expect(quarterCn(5)).toBe('第5季度');
    expect(monthsCn(1)).toBe('1月');
    expect(monthsCn(6)).toBe('1—6月');
  });
});
