import { parseAmount } from './amount.js';

const ok = (v: Parameters<typeof parseAmount>[0], unit?: 'yuan' | 'wan') => {
  const r = parseAmount(v, unit);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(v)} to parse: ${r.reason}`);
  return r.amount === null ? null : r.amount.toFixed(2);
};
const reason = (v: Parameters<typeof parseAmount>[0], unit?: 'yuan' | 'wan') => {
  const r = parseAmount(v, unit);
  if (r.ok) throw new Error(`expected ${JSON.stringify(v)} to be rejected, got ${r.amount?.toFixed(2)}`);
  return r.reason;
};

describe('parseAmount', () => {
  test('plain amounts, thousands separators and full-width digits', () => {
    expect(ok('1234.5')).toBe('1234.50');
    expect(ok('1,234.50')).toBe('1234.50');
    expect(ok('1,263,391.60')).toBe('1263391.60');
    expect(ok('１，２３４．５０')).toBe('1234.50');
    expect(ok(' 12 345.00 ')).toBe('12345.00');
    expect(ok('¥1,000')).toBe('1000.00');
    expect(ok('￥1,000.00元')).toBe('1000.00');
  });

  test('numbers from a workbook, with binary noise from formulas cleaned to 15 digits', () => {
    expect(ok(1263391.6)).toBe('1263391.60');
    expect(ok(0.1 + 0.2)).toBe('0.30');
    expect(ok(1234.5600000000002)).toBe('1234.56');
  });

  test('negatives: parentheses or a leading minus (also full-width)', () => {
    expect(ok('(1,234.50)')).toBe('-1234.50');
    expect(ok('（１，２３４．５０）')).toBe('-1234.50');
    expect(ok('-100')).toBe('-100.00');
    expect(ok('−100')).toBe('-100.00');
    expect(ok(-3.5)).toBe('-3.50');
    expect(reason('(-100)')).toMatch(/sign inside parentheses/);
  });

  test('万元 × 10000 exactly; the result must be whole fen', () => {
    expect(ok('12.345', 'wan')).toBe('123450.00');
    expect(ok('1,554.260665', 'wan')).toBe('15542606.65');
    expect(ok(1554.260665, 'wan')).toBe('15542606.65');
    expect(ok('(0.5)', 'wan')).toBe('-5000.00');
    expect(reason('1.2345678', 'wan')).toMatch(/more than 2 decimals in yuan \(12345\.678 元\)/);
    // The cell's own unit wins over the column's.
    expect(ok('3万元', 'yuan')).toBe('30000.00');
    expect(ok('300元', 'wan')).toBe('300.00');
  });

  test('more than 2 decimals in yuan is rejected', () => {
    expect(reason('12.345')).toMatch(/"12.345" has more than 2 decimals/);
    expect(reason(12.345)).toMatch(/more than 2 decimals/);
  });

  test('blank cells are null, the accounting dash is zero', () => {
    expect(ok(null)).toBeNull();
    expect(ok('')).toBeNull();
    expect(ok('   ')).toBeNull();
    expect(ok('\u3000')).toBeNull();
    expect(ok('-')).toBe('0.00');
    expect(ok('—')).toBe('0.00');
    expect(ok('0')).toBe('0.00');
  });

  test('text that is not an amount is rejected with a reason', () => {
    expect(reason('abc')).toMatch(/is not an amount/);
    expect(reason('12,34')).toMatch(/thousands separators/);
    expect(reason('1.234,50')).toMatch(/is not an amount/);
    expect(reason('90%')).toMatch(/is not an amount/);
    expect(reason(new Date(0))).toMatch(/is not an amount/);
    expect(reason('12345678901234')).toMatch(/too large/);
  });
});
