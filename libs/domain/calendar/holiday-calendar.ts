/**
 * Working days as official finance offices count them: Monday to Friday, less the year's official
 * days off, plus its 调休 weekend working days. A year the calendar does not list counts Monday to
 * Friday only; `coverage` says which applies.
 */
import { dateOfDay, dayNumber, isIsoDate } from '../dates.js';
import type { IsoDate } from '../events.js';

/** One year of the official arrangement (国务院办公厅关于部分节假日安排的通知), as data. */
export interface HolidayCalendarYear {
  year: number;
  /** Official days off, the whole 放假 ranges (weekend days included). */
  holidays: IsoDate[];
  /** 调休 weekend days that are working days. */
  workdays: IsoDate[];
  /** Where the dates come from, e.g. the notice's number. */
  source?: string;
}

/** Listed years, with their days as day numbers so a lookup is one Set probe; made by `holidayCalendar`. */
export interface HolidayCalendar {
  readonly years: ReadonlyMap<number, HolidayCalendarYear>;
  readonly daysOff: ReadonlySet<number>;
  readonly daysOn: ReadonlySet<number>;
  /** Sorted day numbers a listed year moves off (a weekday holiday) or on (a weekend workday). */
  readonly weekdaysOff: readonly number[];
  readonly weekendsOn: readonly number[];
}

export type Coverage = 'listed' | 'weekdays-only';

/** A calendar year that does not parse; the message names the field. */
export class CalendarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

export const MAX_CALENDAR_ENTRIES = 400;
const FIELDS = new Set(['year', 'holidays', 'workdays', 'source']);
const MAX_SOURCE = 500;

/** Day of the week, Sunday first (day 0, 1970-01-01, was a Thursday). */
const weekdayOf = (day: number): number => (((day + 4) % 7) + 7) % 7;
const isWeekday = (day: number): boolean => {
  const w = weekdayOf(day);
  return w >= 1 && w <= 5;
};

function dateList(obj: Record<string, unknown>, field: 'holidays' | 'workdays', year: number): IsoDate[] {
  const list = obj[field];
  if (!Array.isArray(list)) throw new CalendarError(`${field}: must be an array of dates`);
  if (list.length > MAX_CALENDAR_ENTRIES) {
    throw new CalendarError(`${field}: ${list.length} entries, at most ${MAX_CALENDAR_ENTRIES}`);
  }
  const seen = new Set<string>();
  list.forEach((d: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof d !== 'string' || !isIsoDate(d)) throw new CalendarError(`${at}: ${JSON.stringify(d)} is not a date`);
    if (Number(d.slice(0, 4)) !== year) throw new CalendarError(`${at}: "${d}" is not in ${year}`);
    if (seen.has(d)) throw new CalendarError(`${at}: "${d}" is listed twice`);
    if (field === 'workdays' && isWeekday(dayNumber(d))) {
      throw new CalendarError(`${at}: "${d}" is a Monday–Friday; list only the weekend days worked`);
    }
    seen.add(d);
  });
  return [...(list as IsoDate[])].sort();
}

/** One year's calendar from JSON: year, holidays and workdays inside that year, an optional source. */
export function parseCalendarYear(json: unknown): HolidayCalendarYear {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CalendarError('a calendar year must be an object with year, holidays and workdays');
  }
  const obj = json as Record<string, unknown>;
  const unknown = Object.keys(obj).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) throw new CalendarError(`${unknown}: unknown field`);
  const year = obj.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 1970 || year > 9999) {
    throw new CalendarError(`year: ${JSON.stringify(year)} is not a year (1970–9999)`);
  }
  const holidays = dateList(obj, 'holidays', year);
  const workdays = dateList(obj, 'workdays', year);
  const off = new Set(holidays);
  const both = workdays.find((d) => off.has(d));
  if (both !== undefined) throw new CalendarError(`workdays: "${both}" is also in holidays`);
  const source = obj.source;
  if (source !== undefined && (typeof source !== 'string' || source.length > MAX_SOURCE)) {
    throw new CalendarError(`source: must be a text of at most ${MAX_SOURCE} characters`);
  }
  return source === undefined ? { year, holidays, workdays } : { year, holidays, workdays, source };
}

/** A calendar of these years (as parseCalendarYear returns them); a later year replaces one of the same number. */
export function holidayCalendar(years: Iterable<HolidayCalendarYear>): HolidayCalendar {
  const byYear = new Map<number, HolidayCalendarYear>();
  for (const y of years) byYear.set(y.year, y);
  const daysOff = new Set<number>();
  const daysOn = new Set<number>();
  for (const y of byYear.values()) {
    for (const d of y.holidays) daysOff.add(dayNumber(d));
    for (const d of y.workdays) daysOn.add(dayNumber(d));
  }
  const asc = (a: number, b: number) => a - b;
  return {
    years: byYear,
    daysOff,
    daysOn,
    weekdaysOff: [...daysOff].filter(isWeekday).sort(asc),
    weekendsOn: [...daysOn].filter((d) => !isWeekday(d)).sort(asc),
  };
}

/** Whether a year's working days follow a listed arrangement or Monday to Friday only. */
export function coverage(cal: HolidayCalendar, year: number): Coverage {
  return cal.years.has(year) ? 'listed' : 'weekdays-only';
}

function dayOf(date: IsoDate, field: string): number {
  if (!isIsoDate(date)) throw new RangeError(`${field}: ${JSON.stringify(date)} is not a date`);
  return dayNumber(date);
}

function workingDay(cal: HolidayCalendar, day: number): boolean {
  if (cal.daysOff.has(day)) return false;
  return cal.daysOn.has(day) || isWeekday(day);
}

export function isWorkingDay(cal: HolidayCalendar, date: IsoDate): boolean {
  return workingDay(cal, dayOf(date, 'date'));
}

/** The date n working days after `date` (not counting `date` itself); n < 0 counts back. */
export function addWorkingDays(cal: HolidayCalendar, date: IsoDate, n: number): IsoDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`n: ${n} is not a whole number`);
  let day = dayOf(date, 'date');
  const step = n < 0 ? -1 : 1;
  for (let left = Math.abs(n); left > 0;) {
    day += step;
    if (workingDay(cal, day)) left--;
  }
  return dateOfDay(day);
}

/** How many of the sorted days fall in (from, to]. */
function countIn(sorted: readonly number[], from: number, to: number): number {
  const firstAbove = (x: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] ?? Infinity) <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return firstAbove(to) - firstAbove(from);
}

/** Monday–Fridays from a fixed Sunday (the one before day 0) up to `day`; differences give any range. */
function weekdaysThrough(day: number): number {
  const sinceSunday = day + 4;
  const weeks = Math.floor(sinceSunday / 7);
  return weeks * 5 + Math.min(sinceSunday - weeks * 7, 5);
}

/** Working days after `from` up to and including `to`; 0 when `to` is not after `from`. */
export function workingDaysBetween(cal: HolidayCalendar, from: IsoDate, to: IsoDate): number {
  const a = dayOf(from, 'from');
  const b = dayOf(to, 'to');
  if (b <= a) return 0;
  return weekdaysThrough(b) - weekdaysThrough(a) - countIn(cal.weekdaysOff, a, b) + countIn(cal.weekendsOn, a, b);
}
