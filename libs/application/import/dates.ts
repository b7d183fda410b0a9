/**
 * Months and dates as spreadsheets hold them: `2023-03`, `2023/3`, `2023年3月`, `3月` (with the
 * import's year), `202303`, `三月`, Excel date cells and Excel serial day numbers.
 */
import { isIsoDate } from '#domain/dates.js';
import type { CellValue } from './text.js';

export type ParseResult<T> = { ok: true; value: T | null } | { ok: false; reason: string };

const CN_MONTHS: Record<string, number> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
  十: 10,
  十一: 11,
  十二: 12,
  正: 1,
  元: 1,
  冬: 11,
  腊: 12,
};

const pad = (n: number) => String(n).padStart(2, '0');

/** Excel serial day number (1900 date system) → UTC date; serials in a plausible range only. */
function fromSerial(n: number): Date | null {
  if (!Number.isFinite(n) || n < 20000 || n >= 80000) return null;
  return new Date(Math.round((n - 25569) * 86400_000));
}

interface Ymd {
  y: number;
  m: number;
  d?: number;
}

function fromDate(d: Date): Ymd {
  // Workbook dates are read as UTC midnight.
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

function parseParts(value: CellValue, year: number): Ymd | 'blank' | null {
  if (value === null) return 'blank';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : fromDate(value);
  if (typeof value === 'boolean') return null;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 1 && value <= 12) return { y: year, m: value };
    if (Number.isInteger(value) && value >= 190001 && value <= 210012)
      return { y: Math.floor(value / 100), m: value % 100 };
    if (Number.isInteger(value) && value >= 19000101 && value <= 21001231) {
      return { y: Math.floor(value / 10000), m: Math.floor(value / 100) % 100, d: value % 100 };
    }
    const d = fromSerial(value);
    return d ? fromDate(d) : null;
  }
  const s = value.normalize('NFKC').replace(/\s+/g, '');
  if (s === '') return 'blank';
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ].*)?$/.exec(s))) return { y: +m[1], m: +m[2], d: +m[3] };
  if ((m = /^(\d{4})[-/.年](\d{1,2})月?(?:份)?$/.exec(s))) return { y: +m[1], m: +m[2] };
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(s))) return { y: +m[1], m: +m[2], d: +m[3] };
  if ((m = /^(\d{4})(\d{2})$/.exec(s))) return { y: +m[1], m: +m[2] };
  if ((m = /^(\d{1,2})月?(?:份)?$/.exec(s))) return { y: year, m: +m[1] };
  if ((m = /^(十[一二]?|[一二三四五六七八九十正元冬腊])月(?:份)?$/.exec(s))) {
    // Every alternative of the group is a key of CN_MONTHS.
    const month = CN_MONTHS[m[1] ?? ''];
    if (month !== undefined) return { y: year, m: month };
  }
  return null;
}

/** A month YYYY-MM inside `year` (the stream's year); blank → null. */
export function parseMonth(value: CellValue, year: number): ParseResult<string> {
  const p = parseParts(value, year);
  if (p === 'blank') return { ok: true, value: null };
  const shown = JSON.stringify(value instanceof Date ? value.toISOString().slice(0, 10) : value);
  if (!p || p.m < 1 || p.m > 12) {
    return { ok: false, reason: `${shown} is not a month (use 2023-03, 2023年3月, 3月 or 202303)` };
  }
  if (p.y !== year) return { ok: false, reason: `${shown} is a month of ${p.y}, outside the imported year ${year}` };
  return { ok: true, value: `${p.y}-${pad(p.m)}` };
}

/** An ISO date inside `year`; blank → null. */
export function parseDate(value: CellValue, year: number): ParseResult<string> {
  const p = parseParts(value, year);
  if (p === 'blank') return { ok: true, value: null };
  const shown = JSON.stringify(value instanceof Date ? value.toISOString().slice(0, 10) : value);
  if (!p || p.d === undefined || !isIsoDate(`${p.y}-${pad(p.m)}-${pad(p.d)}`)) {
    return { ok: false, reason: `${shown} is not a date (use 2023-07-15 or 2023年7月15日)` };
  }
  if (p.y !== year) return { ok: false, reason: `${shown} is outside the imported year ${year}` };
  return { ok: true, value: `${p.y}-${pad(p.m)}-${pad(p.d)}` };
}
