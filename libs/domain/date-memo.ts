/**
 * The calendar checks of dates.ts, remembered. Ingest checks an occurredAt and one or two data
 * dates on every event and they repeat constantly (a year has 366 dates), while each check runs a
 * regex and builds a Date: remembering the answers takes that off the ingest hot path. The answers
 * are those of dates.ts (pure functions); the memory is bounded by entry count and key length.
 */
import { isIsoDate, isMonth, occurredOnDate } from './dates.js';

const LIMIT = 4096;

function remember<T>(memo: Map<string, T>, key: string, compute: (key: string) => T): T {
  const known = memo.get(key);
  if (known !== undefined) return known;
  const value = compute(key);
  if (memo.size >= LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

const isoDates = new Map<string, boolean>();
const months = new Map<string, boolean>();
const occurredOn = new Map<string, string | null>();

/** isIsoDate: YYYY-MM-DD and a real calendar day. */
export function isIsoDateMemo(value: string): boolean {
  // Only 10-character strings can match YYYY-MM-DD: nothing longer is remembered.
  if (value.length !== 10) return false;
  return remember(isoDates, value, isIsoDate);
}

/** isMonth: YYYY-MM with a month 01–12. */
export function isMonthMemo(value: string): boolean {
  if (value.length !== 7) return false;
  return remember(months, value, isMonth);
}

/** occurredOnDate, for values of at most 40 characters (longer ones are computed, not remembered). */
export function occurredOnDateMemo(value: string): string | null {
  if (value.length > 40) return occurredOnDate(value);
  return remember(occurredOn, value, occurredOnDate);
}
