import { parseDate, parseMonth } from './dates.js';

const month = (v: Parameters<typeof parseMonth>[0], year = 2023) => {
  const r = parseMonth(v, year);
  return r.ok ? r.value : `error: ${r.reason}`;
};

describe('parseMonth', () => {
  test.each([
    ['2023-03', '2023-03'],
    ['2023-3', '2023-03'],
    ['2023/03', '2023-03'],
    ['2023.3', '2023-03'],
    ['2023年3月', '2023-03'],
    ['２０２３年３月', '2023-03'],
    ['2023年03月份', '2023-03'],
    ['3月', '2023-03'],
    ['12月', '2023-12'],
    ['三月', '2023-03'],
    ['十二月', '2023-12'],
    ['202303', '2023-03'],
    ['2023-03-15', '2023-03'],
    ['2023年3月15日', '2023-03'],
  ])('%s → %s', (input, expected) => {
    expect(month(input)).toBe(expected);
  });

  test('Excel cells: dates, YYYYMM numbers, month numbers and serial days', () => {
    expect(month(new Date(Date.UTC(2023, 2, 1)))).toBe('2023-03');
    expect(month(202303)).toBe('2023-03');
    expect(month(3)).toBe('2023-03');
    expect(month(44986)).toBe('2023-03'); // 2023-03-01 as an Excel serial day
  });

  test('blank is null; bad months and months of another year are rejected', () => {
    expect(month(null)).toBeNull();
    expect(month('')).toBeNull();
    expect(month('2023-13')).toMatch(/is not a month/);
    expect(month('13月')).toMatch(/is not a month/);
    expect(month('March')).toMatch(/is not a month/);
    expect(month('2022-12')).toMatch(/outside the imported year 2023/);
  });
});

describe('parseDate', () => {
  test('dates in the year', () => {
    expect(parseDate('2023-07-15', 2023)).toEqual({ ok: true, value: '2023-07-15' });
    expect(parseDate('2023年7月15日', 2023)).toEqual({ ok: true, value: '2023-07-15' });
    expect(parseDate(new Date(Date.UTC(2023, 6, 15)), 2023)).toEqual({ ok: true, value: '2023-07-15' });
    expect(parseDate(20230715, 2023)).toEqual({ ok: true, value: '2023-07-15' });
    expect(parseDate('2023-02-30', 2023).ok).toBe(false);
    expect(parseDate('2023-07', 2023).ok).toBe(false);
    expect(parseDate('2024-01-01', 2023).ok).toBe(false);
  });
});
