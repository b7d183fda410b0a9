/**
 * Amounts as finance offices write them: thousands separators (`1,234.50`, full-width
 * `１，２３４．５０`), parentheses or a leading minus for negatives, amounts in 元 or 万元, blank
 * cells and the accounting dash for zero. The result is yuan with at most 2 decimals (fen), exactly.
 */
import { Decimal } from '#domain/decimal.js';
import { cleanNumber, type AmountUnit, type CellValue } from './text.js';

export type AmountResult = { ok: true; amount: Decimal | null } | { ok: false; reason: string };

const PLAIN = /^\d+(\.\d+)?$/;
const GROUPED = /^\d{1,3}(,\d{3})+(\.\d+)?$/;
const DASHES = /^[-–—−]+$/;
/** 13 integer digits at most (below ten trillion yuan), as the wire contract allows. */
const LIMIT = new Decimal('1e13');

/**
 * Parses one amount cell. Blank → `amount: null`. A lone dash ("-", "—") is zero. `unit` is the
 * column's unit; a cell that itself ends in "万元" or "元" overrides it.
 */
export function parseAmount(value: CellValue, unit: AmountUnit = 'yuan'): AmountResult {
  if (value === null) return { ok: true, amount: null };
  if (typeof value === 'boolean' || value instanceof Date)
    return { ok: false, reason: `${show(value)} is not an amount` };
  let text = typeof value === 'number' ? cleanNumber(value) : value.normalize('NFKC').replace(/\s+/g, '');
  if (text === '') return { ok: true, amount: null };
  if (DASHES.test(text)) return { ok: true, amount: new Decimal(0) };
  const original = typeof value === 'number' ? text : value.trim();
  let cellUnit = unit;
  if (text.endsWith('万元')) {
    cellUnit = 'wan';
    text = text.slice(0, -2);
  } else if (text.endsWith('元')) {
    cellUnit = 'yuan';
    text = text.slice(0, -1);
  }
  text = text.replace(/^[¥$]/, '');
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  if (/^[-−–]/.test(text)) {
    if (negative) return { ok: false, reason: `${show(original)} is not an amount (a sign inside parentheses)` };
    negative = true;
    text = text.slice(1);
  } else if (text.startsWith('+')) text = text.slice(1);
  text = text.replace(/^[¥$]/, '');
  if (!PLAIN.test(text) && !GROUPED.test(text)) {
    const hint =
      /^\d+(,\d+)+$/.test(text) || /^\d+(,\d+)*,\d{1,2}$/.test(text)
        ? ' (commas are only read as thousands separators: 1,234.50)'
        : '';
    return { ok: false, reason: `${show(original)} is not an amount${hint}` };
  }
  let amount = new Decimal(text.replace(/,/g, ''));
  if (cellUnit === 'wan') amount = amount.times(10000);
  if (negative) amount = amount.negated();
  if (amount.decimalPlaces() > 2) {
    const yuan = cellUnit === 'wan' ? ` (${amount.toString()} 元)` : '';
    return {
      ok: false,
      reason: `${show(original)}${cellUnit === 'wan' ? ' 万元' : ''} has more than 2 decimals in yuan${yuan}: amounts are recorded to the fen (0.01 元)`,
    };
  }
  if (amount.abs().gte(LIMIT))
    return { ok: false, reason: `${show(original)} is too large (at most 13 digits of yuan)` };
  return { ok: true, amount: amount.isZero() ? new Decimal(0) : amount };
}

function show(v: unknown): string {
  return JSON.stringify(v instanceof Date ? v.toISOString() : v);
}
