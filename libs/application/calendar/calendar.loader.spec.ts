import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CALENDAR } from '#domain/calendar/cn-holidays.js';
import { CalendarError, coverage, isWorkingDay } from '#domain/calendar/holiday-calendar.js';
import { loadHolidayCalendar, MAX_CALENDAR_FILE_BYTES } from './calendar.loader.js';

describe('loadHolidayCalendar', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'paceline-holidays-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, json: unknown) => writeFileSync(join(dir, name), JSON.stringify(json));
  const load = () => loadHolidayCalendar({ PACELINE_HOLIDAYS_DIR: dir });

  test('without PACELINE_HOLIDAYS_DIR: the shipped calendar', () => {
    expect(loadHolidayCalendar({})).toBe(DEFAULT_CALENDAR);
    expect(loadHolidayCalendar({ PACELINE_HOLIDAYS_DIR: '  ' })).toBe(DEFAULT_CALENDAR);
  });

  test('a file replaces the shipped year of its number and adds a year; other years stay', () => {
    write('2024.json', { year: 2024, holidays: ['2024-01-01'], workdays: [], source: 'local notice' });
    write('2027.json', { year: 2027, holidays: ['2027-01-01'], workdays: [] });
    writeFileSync(join(dir, 'README.md'), 'not a calendar');
    mkdirSync(join(dir, 'old'));
    const cal = load();
    expect(cal.years.get(2024)?.source).toBe('local notice');
    expect(isWorkingDay(cal, '2024-10-01')).toBe(true); // a Tuesday, no longer National Day
    expect(isWorkingDay(cal, '2024-09-29')).toBe(false); // a Sunday, no longer 调休
    expect(isWorkingDay(cal, '2023-10-02')).toBe(false); // shipped 2023 still applies
    expect(isWorkingDay(cal, '2027-01-01')).toBe(false);
    expect(coverage(cal, 2027)).toBe('listed');
    expect(coverage(cal, 2028)).toBe('weekdays-only');
    expect(DEFAULT_CALENDAR.years.get(2024)?.source).toContain('国办发明电〔2023〕7号');
  });

  test('a bad file stops loading with an error naming the file and the field', () => {
    write('2025.json', { year: 2025, holidays: ['2025-01-01', '2025-02-30'], workdays: [] });
    expect(load).toThrow(CalendarError);
    expect(load).toThrow(`PACELINE_HOLIDAYS_DIR: ${join(dir, '2025.json')}: holidays[1]: "2025-02-30" is not a date`);
  });

  test('a linked file is read (a mounted ConfigMap links its files)', () => {
    const data = mkdtempSync(join(tmpdir(), 'paceline-holidays-data-'));
    try {
      writeFileSync(join(data, '2025.json'), JSON.stringify({ year: 2025, holidays: [], workdays: [] }));
      symlinkSync(join(data, '2025.json'), join(dir, '2025.json'));
      expect(isWorkingDay(load(), '2025-10-01')).toBe(true);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  test('not JSON, a year unlike the file name, a misnamed file, a missing folder', () => {
    writeFileSync(join(dir, '2025.json'), '{ "year": 2025,');
    expect(load).toThrow(/2025\.json: not JSON/);
    write('2025.json', { year: 2026, holidays: [], workdays: [] });
    expect(load).toThrow(/2025\.json: year: 2026 does not match the file name/);
    rmSync(join(dir, '2025.json'));
    write('holidays-2025.json', { year: 2025, holidays: [], workdays: [] });
    expect(load).toThrow(/holidays-2025\.json: name a calendar file YYYY\.json/);
    expect(() => loadHolidayCalendar({ PACELINE_HOLIDAYS_DIR: join(dir, 'absent') })).toThrow(/cannot be read/);
  });

  test('at most 50 files, counted before any is read', () => {
    for (let y = 2000; y <= 2050; y++) writeFileSync(join(dir, `${y}.json`), 'not read');
    expect(load).toThrow(`${dir} has 51 calendar files, at most 50`);
  });

  test('at most 64 kB a file, checked before it is read', () => {
    const json = JSON.stringify({ year: 2025, holidays: [], workdays: [] });
    writeFileSync(join(dir, '2025.json'), json.padEnd(MAX_CALENDAR_FILE_BYTES, ' '));
    expect(load().years.get(2025)?.holidays).toEqual([]);
    writeFileSync(join(dir, '2025.json'), json.padEnd(MAX_CALENDAR_FILE_BYTES + 1, ' '));
    expect(load).toThrow(`${join(dir, '2025.json')}: 65537 bytes, at most 65536`);
  });
});
