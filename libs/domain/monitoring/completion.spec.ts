import { completionRatio, directionOf, isNumericTarget } from './completion.js';

const ratio = (target: string, actual: string) => completionRatio(target, actual)?.toFixed(2) ?? null;

describe('completion ratio of a numeric target', () => {
  test('given an at-least target, when the actual falls short, then actual ÷ target, half-up to 0.01', () => {
    expect(ratio('≥5000亩', '2000亩')).toBe('40.00'); // 2000 / 5000
    expect(ratio('≥90%', '85%')).toBe('94.44'); // 85 / 90 = 94.444…
    expect(ratio('72家', '70家')).toBe('97.22'); // a bare number is at least: 70 / 72 = 97.222…
    expect(ratio('≥3', '2')).toBe('66.67'); // 66.666… rounds half-up
    expect(ratio('≥8', '1')).toBe('12.50');
    expect(ratio('不少于200人次', '0人次')).toBe('0.00');
  });

  test('given an at-least target, when the actual meets or passes it, then 100 (capped)', () => {
    expect(ratio('≥5000亩', '5000亩')).toBe('100.00');
    expect(ratio('≥5000亩', '7000亩')).toBe('100.00');
    expect(ratio('≥0家', '0家')).toBe('100.00'); // nothing to reach
  });

  test('given an at-most target (≤5%, 10天内), when met then 100, else target ÷ actual', () => {
    expect(ratio('≤5%', '3%')).toBe('100.00');
    expect(ratio('≤5%', '5%')).toBe('100.00');
    expect(ratio('≤5%', '8%')).toBe('62.50'); // 5 / 8
    expect(ratio('30天内', '60天')).toBe('50.00'); // 30 / 60
    expect(ratio('10天内', '30天')).toBe('33.33'); // 10 / 30 = 33.333…
    expect(ratio('<3次', '3次')).toBe('100.00'); // 3 / 3: missed by nothing
    expect(ratio('<0次', '0次')).toBe('0.00'); // missed, and no actual to divide by
  });

  test('given a target or actual that cannot be compared, then null', () => {
    expect(ratio('明显提升', '初步提升')).toBeNull(); // qualitative
    expect(ratio('不适用', '1')).toBeNull();
    expect(ratio('≥5-8处', '6处')).toBeNull(); // unreadable target
    expect(ratio('≥5000亩', '大部分完成')).toBeNull(); // no number in the actual
    expect(ratio('≥5000亩', '')).toBeNull(); // unreadable actual
    expect(ratio('≥5000亩', '3000公里')).toBeNull(); // units differ
    expect(ratio('每季度10家', '每月4家')).toBeNull(); // periods differ
    expect(ratio('≥18处', '12')).toBe('66.67'); // an actual without a unit is compared as printed
  });

  test('directions and numeric targets', () => {
    expect(['>=', '>', '=', '<=', '<'].map((c) => directionOf(c as never))).toEqual([
      'at_least',
      'at_least',
      'at_least',
      'at_most',
      'at_most',
    ]);
    expect(['≥5000亩', '20日内', '明显提升', '不适用', '≥5-8处'].map(isNumericTarget)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
