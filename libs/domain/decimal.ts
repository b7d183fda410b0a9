import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The one Decimal used for money and rates: 40 significant digits, half-up rounding.
 * Never use JS numbers for amounts or rates.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO = new Decimal(0);
export const HUNDRED = new Decimal(100);

export function dec(value: DecimalJs.Value): Decimal {
  return new Decimal(value);
}

export function sum(values: Iterable<DecimalJs.Value>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

/** part / whole in percent, unrounded; null when whole is zero. */
export function percentOf(part: DecimalJs.Value, whole: DecimalJs.Value): Decimal | null {
  const w = new Decimal(whole);
  if (w.isZero()) return null;
  return new Decimal(part).div(w).times(100);
}

/** A rate as it enters formulas and printed tables: half-up to 0.01 percentage point. */
export function roundRate(rate: Decimal): Decimal {
  return rate.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** A Decimal as it is, anything else parsed (formatting many figures allocates no copies). */
const asDecimal = (value: DecimalJs.Value): Decimal => (value instanceof Decimal ? value : new Decimal(value));

/** Amount on the wire: 2 decimals. */
export function money(value: DecimalJs.Value): string {
  return asDecimal(value).toFixed(2);
}

/** Shown to 2 decimals (rates, scores). */
export function fixed2(value: DecimalJs.Value): string {
  return asDecimal(value).toFixed(2, Decimal.ROUND_HALF_UP);
}

/*
 * Exact fixed-point sums for many amounts (execution figures add up ~10,000 spending facts per
 * department): an amount becomes a BigInt count of 10^-scale units once, sums are BigInt
 * additions, and only the figures shown become Decimals again. Parsing and adding BigInts costs a
 * fraction of decimal.js's string parsing and addition, and stays exact at any size. Never a JS
 * number: money stays exact.
 */

/**
 * A plain decimal string: optional minus, digits, optional fraction (the form of validated amounts
 * and numeric columns).
 */
const PLAIN_RE = /^-?\d+(\.\d+)?$/;

/** Digits after the decimal point that `amount` needs (any decimal.js-readable value, exponent forms included). */
export function decimalPlacesOf(amount: string): number {
  if (!PLAIN_RE.test(amount)) return new Decimal(amount).decimalPlaces();
  const dot = amount.indexOf('.');
  return dot < 0 ? 0 : amount.length - dot - 1;
}

/** `amount` as a count of 10^-scale units; `scale` must be at least decimalPlacesOf(amount). */
export function toUnits(amount: string, scale: number): bigint {
  if (!PLAIN_RE.test(amount)) return BigInt(new Decimal(amount).times(new Decimal(10).pow(scale)).toFixed(0));
  const dot = amount.indexOf('.');
  if (dot < 0) return BigInt(amount + '0'.repeat(scale));
  const fraction = amount.slice(dot + 1);
  if (fraction.length > scale) throw new Error(`toUnits: ${amount} has more than ${scale} decimals`);
  return BigInt(amount.slice(0, dot) + fraction.padEnd(scale, '0'));
}

/** A count of 10^-scale units as a Decimal (zero is always the positive zero). */
export function fromUnits(units: bigint, scale: number): Decimal {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return new Decimal(negative ? `-${text}` : text);
}

/** Exact sum of amount strings, each parsed once into units (no Decimal parse and addition per amount). */
export function sumAmounts(amounts: readonly string[]): Decimal {
  let scale = 0;
  for (const a of amounts) scale = Math.max(scale, decimalPlacesOf(a));
  let total = 0n;
  for (const a of amounts) total += toUnits(a, scale);
  return fromUnits(total, scale);
}
