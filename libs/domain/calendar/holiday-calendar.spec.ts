import fc from 'fast-check';
import { dateOfDay, dayNumber } from '../dates.js';
import { CN_HOLIDAYS, DEFAULT_CALENDAR } from './cn-holidays.js';
import {
  addWorkingDays,
  CalendarError,
  coverage,
  holidayCalendar,
  isWorkingDay,
  parseCalendarYear,
  workingDaysBetween,
} from './holiday-calendar.js';

const cal = DEFAULT_CALENDAR;
const WEEKDAYS_ONLY = holidayCalendar([]);

describe('working days on the shipped calendar', () => {
  test('National Day 2024: 10 working days after Friday 2024-09-27 is 2024-10-16', () => {
    // 09-28 Sat off; 09-29 Sun 调休 (1); 09-30 Mon (2); 10-01..10-07 国庆节 off;
    // 10-08 Tue (3), 09 (4), 10 (5), 11 Fri (6); 10-12 Sat 调休 (7); 10-13 Sun off;
    // 10-14 Mon (8), 15 (9), 16 Wed (10).
    expect(addWorkingDays(cal, '2024-09-27', 10)).toBe('2024-10-16');
    expect(workingDaysBetween(cal, '2024-09-27', '2024-10-16')).toBe(10);
    expect(workingDaysBetween(cal, '2024-09-27', '2024-10-15')).toBe(9);
  });

  test('Spring Festival 2023: 5 working days after Friday 2023-01-20 is 2023-02-01', () => {
    // 01-21 Sat..01-27 Fri 春节 off; 01-28 Sat 调休 (1); 01-29 Sun 调休 (2);
    // 01-30 Mon (3), 01-31 Tue (4), 02-01 Wed (5).
    expect(addWorkingDays(cal, '2023-01-20', 5)).toBe('2023-02-01');
    expect(addWorkingDays(cal, '2023-01-20', 1)).toBe('2023-01-28');
  });

  test('National Day 2025: 10 working days after Friday 2025-09-26 is 2025-10-16', () => {
    // 09-27 Sat off; 09-28 Sun 调休 (1); 09-29 Mon (2), 09-30 Tue (3); 10-01..10-08 off;
    // 10-09 Thu (4), 10-10 Fri (5); 10-11 Sat 调休 (6); 10-12 Sun off; 10-13 Mon (7), 14 (8), 15 (9), 16 Thu (10).
    expect(addWorkingDays(cal, '2025-09-26', 10)).toBe('2025-10-16');
  });

  test('2026: the 调休 Sunday before National Day counts, the 中秋节 Friday does not', () => {
    // 09-19 Sat off; 09-20 Sun 调休 (1); 09-21 Mon (2), 22 (3), 23 (4), 24 Thu (5); 09-25 Fri 中秋节 off.
    expect(addWorkingDays(cal, '2026-09-18', 5)).toBe('2026-09-24');
    // 09-25..09-27 off; 09-28 Mon (6).
    expect(addWorkingDays(cal, '2026-09-18', 6)).toBe('2026-09-28');
  });

  test('workingDaysBetween across 春节 2024: 17 working days after 2024-02-01 up to 2024-02-29', () => {
    // 28 days after Thu 02-01 are exactly 4 weeks: 20 Monday–Fridays.
    // Less 02-12 Mon..02-16 Fri inside the 02-10..02-17 break (5), plus 调休 Sundays 02-04 and 02-18 (2):
    // 20 - 5 + 2 = 17. 除夕 02-09 (Fri) is a working day: the notice only encourages leave.
    expect(workingDaysBetween(cal, '2024-02-01', '2024-02-29')).toBe(17);
    expect(workingDaysBetween(WEEKDAYS_ONLY, '2024-02-01', '2024-02-29')).toBe(20);
    expect(isWorkingDay(cal, '2024-02-09')).toBe(true);
  });

  test('working days of each shipped year: Monday–Fridays less the statutory days off', () => {
    // Monday–Fridays: 2023 starts on a Sunday, 52 weeks + 1 Sunday = 260; 2024 (leap) starts on a Monday,
    // 52 weeks + Mon, Tue = 262; 2025 (Wed) and 2026 (Thu) 52 weeks + 1 weekday = 261.
    // Statutory days: 11 until 2024, 13 from 2025 (除夕 and 5-02 added). So 249, 251, 248, 248.
    const expected: Record<number, [number, number]> = {
      2023: [260, 249],
      2024: [262, 251],
      2025: [261, 248],
      2026: [261, 248],
    };
    for (const [year, [weekdays, working]] of Object.entries(expected)) {
      const [from, to] = [`${Number(year) - 1}-12-31`, `${year}-12-31`];
      expect([year, workingDaysBetween(WEEKDAYS_ONLY, from, to)]).toEqual([year, weekdays]);
      expect([year, workingDaysBetween(cal, from, to)]).toEqual([year, working]);
    }
  });

  test('isWorkingDay: weekday not a holiday, or a listed 调休 weekend day', () => {
    expect(isWorkingDay(cal, '2024-02-04')).toBe(true); // Sunday, 调休
    expect(isWorkingDay(cal, '2024-02-12')).toBe(false); // Monday, 春节
    expect(isWorkingDay(cal, '2024-02-17')).toBe(false); // Saturday, in the 春节 range
    expect(isWorkingDay(cal, '2024-02-24')).toBe(false); // ordinary Saturday
    expect(isWorkingDay(cal, '2024-02-26')).toBe(true); // ordinary Monday
    expect(() => isWorkingDay(cal, '2024-02-30')).toThrow(/date: "2024-02-30" is not a date/);
  });

  test('a year the calendar does not list counts Monday to Friday, and coverage says so', () => {
    expect(coverage(cal, 2024)).toBe('listed');
    expect(coverage(cal, 2027)).toBe('weekdays-only');
    expect(coverage(cal, 2022)).toBe('weekdays-only');
    // 2027-01-01 is a Friday: 元旦 in practice, a working day here as no 2027 arrangement is listed.
    expect(isWorkingDay(cal, '2027-01-01')).toBe(true);
    // Thu 2026-12-31 + 1 is Fri 2027-01-01; + 2 skips the weekend to Mon 2027-01-04.
    expect(addWorkingDays(cal, '2026-12-31', 1)).toBe('2027-01-01');
    expect(addWorkingDays(cal, '2026-12-31', 2)).toBe('2027-01-04');
    // Fri 01-01 (1), Mon 01-04..Fri 01-08 (5): 6.
    expect(workingDaysBetween(cal, '2026-12-31', '2027-01-08')).toBe(6);
  });

  test('edges: n = 0, counting back, to ≤ from', () => {
    expect(addWorkingDays(cal, '2024-10-05', 0)).toBe('2024-10-05');
    // Back from Tue 10-08 over 10-07..10-01 to Mon 09-30, then 调休 Sun 09-29.
    expect(addWorkingDays(cal, '2024-10-08', -1)).toBe('2024-09-30');
    expect(addWorkingDays(cal, '2024-10-08', -2)).toBe('2024-09-29');
    expect(workingDaysBetween(cal, '2024-10-08', '2024-10-08')).toBe(0);
    expect(workingDaysBetween(cal, '2024-10-08', '2024-09-01')).toBe(0);
    expect(() => addWorkingDays(cal, '2024-10-08', 1.5)).toThrow(RangeError);
  });

  test('workingDaysBetween agrees with counting day by day, and undoes addWorkingDays', () => {
    const start = dayNumber('2021-06-01');
    const day = fc.integer({ min: start, max: start + 7 * 365 }).map(dateOfDay);
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 400 }), (from, span) => {
        const to = dateOfDay(dayNumber(from) + span);
        let count = 0;
        for (let d = dayNumber(from) + 1; d <= dayNumber(to); d++) if (isWorkingDay(cal, dateOfDay(d))) count++;
        expect(workingDaysBetween(cal, from, to)).toBe(count);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 300 }), (from, n) => {
        const to = addWorkingDays(cal, from, n);
        expect(workingDaysBetween(cal, from, to)).toBe(n);
        if (n > 0) expect(isWorkingDay(cal, to)).toBe(true);
        expect(addWorkingDays(cal, to, -n) <= from).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('shipped years', () => {
  test('each parses as its own calendar file would, with its notice as source', () => {
    expect(CN_HOLIDAYS.map((y) => y.year)).toEqual([2023, 2024, 2025, 2026]);
    for (const y of CN_HOLIDAYS) {
      expect(parseCalendarYear(JSON.parse(JSON.stringify(y)))).toEqual(y);
      expect(y.source).toMatch(/^国务院办公厅关于\d{4}年部分节假日安排的通知（国办发明电〔\d{4}〕\d+号）$/);
    }
    expect(cal.years.get(2026)?.source).toContain('国办发明电〔2025〕7号');
  });
});

describe('parseCalendarYear', () => {
  const year = (over: Record<string, unknown>) => ({ year: 2024, holidays: [], workdays: [], ...over });
  const fails = (json: unknown, message: string) => {
    expect(() => parseCalendarYear(json)).toThrow(CalendarError);
    expect(() => parseCalendarYear(json)).toThrow(message);
  };

  test('a well-formed year, dates sorted', () => {
    expect(
      parseCalendarYear(year({ holidays: ['2024-10-02', '2024-10-01'], workdays: ['2024-09-29'], source: 'x' })),
    ).toEqual({ year: 2024, holidays: ['2024-10-01', '2024-10-02'], workdays: ['2024-09-29'], source: 'x' });
  });

  test('errors name the field', () => {
    fails(
      year({ holidays: ['2024-01-01', '2024-02-10', '2024-02-11', '2024-02-30'] }),
      'holidays[3]: "2024-02-30" is not a date',
    );
    fails(year({ holidays: [20240101] }), 'holidays[0]: 20240101 is not a date');
    fails(year({ workdays: ['2023-12-31'] }), 'workdays[0]: "2023-12-31" is not in 2024');
    fails(year({ holidays: ['2024-02-04'], workdays: ['2024-02-04'] }), 'workdays: "2024-02-04" is also in holidays');
    fails(year({ holidays: ['2024-10-01', '2024-10-01'] }), 'holidays[1]: "2024-10-01" is listed twice');
    fails(year({ workdays: ['2024-02-05'] }), 'workdays[0]: "2024-02-05" is a Monday–Friday');
    fails(year({ holidays: 'none' }), 'holidays: must be an array of dates');
    fails(year({ year: '2024' }), 'year: "2024" is not a year');
    fails({ holidays: [], workdays: [] }, 'year: undefined is not a year');
    fails(year({ comment: 'x' }), 'comment: unknown field');
    fails(year({ source: 7 }), 'source: must be a text');
    fails([], 'a calendar year must be an object');
  });

  test('at most 400 entries each', () => {
    const all = Array.from({ length: 366 }, (_, i) => dateOfDay(dayNumber('2024-01-01') + i));
    expect(parseCalendarYear(year({ holidays: all })).holidays).toHaveLength(366);
    fails(year({ holidays: [...all, ...all.slice(0, 35)] }), 'holidays: 401 entries, at most 400');
  });
});
