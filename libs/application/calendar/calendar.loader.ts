/**
 * The holiday calendar in use: the shipped years, each replaced by an operator's `YYYY.json` in
 * PACELINE_HOLIDAYS_DIR when there is one. Read once at startup; a bad file stops startup with an
 * error naming the file and the field.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CN_HOLIDAYS, DEFAULT_CALENDAR } from '#domain/calendar/cn-holidays.js';
import {
  CalendarError,
  holidayCalendar,
  parseCalendarYear,
  type HolidayCalendar,
  type HolidayCalendarYear,
} from '#domain/calendar/holiday-calendar.js';

export const HOLIDAYS_DIR_ENV = 'PACELINE_HOLIDAYS_DIR';
export const MAX_CALENDAR_FILES = 50;
export const MAX_CALENDAR_FILE_BYTES = 64 * 1024;
const YEAR_FILE_RE = /^(\d{4})\.json$/;

function readYear(dir: string, name: string): HolidayCalendarYear {
  const path = join(dir, name);
  const fail = (reason: string) => new CalendarError(`${HOLIDAYS_DIR_ENV}: ${path}: ${reason}`);
  const stat = statSync(path);
  if (!stat.isFile()) throw fail('not a file');
  const size = stat.size;
  if (size > MAX_CALENDAR_FILE_BYTES) throw fail(`${size} bytes, at most ${MAX_CALENDAR_FILE_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw fail(`not JSON (${(e as Error).message})`);
  }
  let year: HolidayCalendarYear;
  try {
    year = parseCalendarYear(json);
  } catch (e) {
    if (e instanceof CalendarError) throw fail(e.message);
    throw e;
  }
  if (String(year.year) !== YEAR_FILE_RE.exec(name)?.[1]) throw fail(`year: ${year.year} does not match the file name`);
  return year;
}

/** The calendar for this process: shipped years, with any of PACELINE_HOLIDAYS_DIR's years in their place. */
export function loadHolidayCalendar(env: NodeJS.ProcessEnv = process.env): HolidayCalendar {
  const dir = env[HOLIDAYS_DIR_ENV]?.trim();
  if (!dir) return DEFAULT_CALENDAR;
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.json')) // links: mounted ConfigMaps
      .map((e) => e.name)
      .sort();
  } catch (e) {
    throw new CalendarError(`${HOLIDAYS_DIR_ENV}: ${dir} cannot be read (${(e as Error).message})`);
  }
  if (names.length > MAX_CALENDAR_FILES) {
    throw new CalendarError(
      `${HOLIDAYS_DIR_ENV}: ${dir} has ${names.length} calendar files, at most ${MAX_CALENDAR_FILES}`,
    );
  }
  const misnamed = names.find((n) => !YEAR_FILE_RE.test(n));
  if (misnamed !== undefined) {
    throw new CalendarError(`${HOLIDAYS_DIR_ENV}: ${join(dir, misnamed)}: name a calendar file YYYY.json`);
  }
  return holidayCalendar([...CN_HOLIDAYS, ...names.map((n) => readYear(dir, n))]);
}
