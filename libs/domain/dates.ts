/** Calendar helpers on ISO strings; no clock reads, no time zones beyond Asia/Shanghai (UTC+8, no DST). */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isIsoDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export function isMonth(value: string): boolean {
  const m = MONTH_RE.exec(value);
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

/**
 * The calendar date (Asia/Shanghai) on which an occurredAt value falls, or null when it is not
 * an ISO date or date-time. A date-time without offset is read as Shanghai local time.
 */
export function occurredOnDate(value: string): string | null {
  if (isIsoDate(value)) return value;
  const m = DATE_TIME_RE.exec(value);
  if (!m) return null;
  if (!isIsoDate(`${m[1]}-${m[2]}-${m[3]}`)) return null;
  const [hh, mm, ss] = [Number(m[4]), Number(m[5]), Number(m[6] ?? '0')];
  if (hh > 23 || mm > 59 || ss > 59) return null;
  const zone = m[8];
  if (!zone) return `${m[1]}-${m[2]}-${m[3]}`;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

export function monthNumber(month: string): number {
  return Number(month.slice(5, 7));
}

export function monthKey(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

export function lastDayOfMonth(year: number, month: number): string {
  return `${monthKey(year, month)}-${String(daysInMonth(year, month)).padStart(2, '0')}`;
}

/** Quarter (1..4) of a month number (1..12). */
export function quarterOfMonth(month: number): 1 | 2 | 3 | 4 {
  return (Math.floor((month - 1) / 3) + 1) as 1 | 2 | 3 | 4;
}

/** An ISO date as days since 1970-01-01 (compact, and ordered as the dates are). */
export function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;
}

/** The ISO date of a day number. */
export function dateOfDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
