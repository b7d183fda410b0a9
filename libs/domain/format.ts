/**
 * Figures as people read them (Chinese notices, alerts, scoring formulas, reports, the dashboard), each
 * formatter once, its doc saying its rounding and output. Pure and Decimal-based.
 *
 * The plain wire forms stay in decimal.ts: `money` (an amount, 2 decimals) and `fixed2` (a rate or score,
 * 2 decimals), both half-up and without separators; the formatters below build on `fixed2`.
 */
import { Decimal, fixed2 } from './decimal.js';
import type { IsoDate } from './events.js';

/** A decimal string, number or Decimal. */
type Value = ConstructorParameters<typeof Decimal>[0];

/* ---------------------------------------------------------------------------------------- */
/* Amounts                                                                                  */

const THOUSANDS = /\B(?=(\d{3})+(?!\d))/g;

/** Integer digits, optionally signed, with thousands separators: "-1263391" → "-1,263,391". */
function groupInteger(int: string): string {
  return int.startsWith('-') ? `-${int.slice(1).replace(THOUSANDS, ',')}` : int.replace(THOUSANDS, ',');
}

/**
 * `groupDigits("1646484.9")` → "1,646,484.9": a decimal text as written (not parsed, not rounded) with
 * thousands separators in its integer part ("-82324.24" → "-82,324.24", "999" → "999").
 */
export function groupDigits(text: string): string {
  const [int = '', frac] = text.split('.');
  return frac === undefined ? groupInteger(int) : `${groupInteger(int)}.${frac}`;
}

/** `groupedAmount(v)` → "1,263,391.60": half-up to 2 decimals, thousands separators ("999.995" → "1,000.00"). */
export function groupedAmount(value: Value): string {
  const [int, frac] = fixed2(value).split('.') as [string, string];
  return `${groupInteger(int)}.${frac}`;
}

/** `yuan(v)` → "1,263,391.60元": groupedAmount (half-up to 2 decimals) and 元. */
export function yuan(value: Value): string {
  return `${groupedAmount(value)}元`;
}

/** `wanFigure(v)` → "126.34" for 1263391.6: v ÷ 10,000, half-up to 2 decimals, thousands separators, no unit. */
export function wanFigure(value: Value): string {
  return groupedAmount(new Decimal(value).div(10000));
}

/** `wan(v)` → "126.34万元" for 1263391.6: wanFigure (v ÷ 10,000, half-up to 2 decimals) and 万元. */
export function wan(value: Value): string {
  return `${wanFigure(value)}万元`;
}

/**
 * `yuanWan(v)` → "1,263,391.60元（126.34万元）" when |v| ≥ 10,000, else "9,999.00元": yuan, then wan in
 * full-width brackets (both half-up to 2 decimals).
 */
export function yuanWan(value: Value): string {
  return new Decimal(value).abs().gte(10000) ? `${yuan(value)}（${wan(value)}）` : yuan(value);
}

/**
 * `storedAmount(a)` → "1263391.60": an amount as stored, 2 decimals, no separators (what Decimal#toFixed(2),
 * half-up, prints). A string must be a validated amount (at most 2 decimals, no exponent): it is padded,
 * not parsed ("7" → "7.00", "1.5" → "1.50", "-0" → "0"); a Decimal is printed with toFixed(2).
 */
export function storedAmount(a: Decimal | string): string {
  if (typeof a !== 'string') return a.toFixed(2);
  // Decimal prints a negative zero without its sign.
  if (a.startsWith('-') && !/[1-9]/.test(a)) a = a.slice(1);
  const dot = a.indexOf('.');
  if (dot < 0) return `${a}.00`;
  return a.length - dot === 2 ? `${a}0` : a;
}

/* ---------------------------------------------------------------------------------------- */
/* Rates, percentage points, scores                                                         */

/** `percent2(v)` → "16.75%": half-up to 2 decimals, then % ("90" → "90.00%"). */
export function percent2(value: Value): string {
  return `${fixed2(value)}%`;
}

/** `percentExact(v)` → "75.53%", "90%": exact (every decimal the value has, no trailing zeros), then %. */
export function percentExact(value: Value): string {
  return `${new Decimal(value).toFixed()}%`;
}

/** `percentPointsAbs(v)` → "33.25" for -33.246: |v| half-up to 2 decimals, no sign and no unit. */
export function percentPointsAbs(value: Value): string {
  return fixed2(new Decimal(value).abs());
}

/** `points(v)` → "0.7", "0.834", "0.9815": exact up to 4 decimals, else half-up to 4; no trailing zeros. */
export function points(value: Value): string {
  return new Decimal(value).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed();
}

/** `pointsEq(v)` → "= 0.834" when exact to 4 decimals, "≈ 0.9815" when `points` rounded it. */
export function pointsEq(value: Value): string {
  const d = new Decimal(value);
  return `${d.eq(d.toDecimalPlaces(4)) ? '=' : '≈'} ${points(d)}`;
}

/* ---------------------------------------------------------------------------------------- */
/* Dates and periods                                                                        */

/** `dateCn("2023-09-30")` → "9月30日": month and day without leading zeros. */
export function dateCn(date: IsoDate): string {
  return `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
}

/** `fullDateCn("2023-07-05")` → "2023年7月5日": the year as written, then dateCn. */
export function fullDateCn(date: IsoDate): string {
  return `${date.slice(0, 4)}年${dateCn(date)}`;
}

/**
 * `fullDateCnNumeric("2023-07-05")` → "2023年7月5日", like fullDateCn but the year as a number: the two
 * differ only for a year written with a leading zero ("0999-07-05" → "999年7月5日").
 */
export function fullDateCnNumeric(date: IsoDate): string {
  return `${Number(date.slice(0, 4))}年${dateCn(date)}`;
}

const QUARTERS = ['', '第一季度', '第二季度', '第三季度', '第四季度'] as const;

/** `quarterCn(3)` → "第三季度" (1..4); `quarterCn(0)` → ""; any other n → "第n季度". */
export function quarterCn(q: number): string {
  return QUARTERS[q] ?? `第${q}季度`;
}

/** `monthsCn(6)` → "1—6月": months 1..m, with an em dash; `monthsCn(1)` → "1月". */
export function monthsCn(month: number): string {
  return month === 1 ? '1月' : `1—${month}月`;
}
