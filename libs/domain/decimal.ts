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

/** Amount on the wire: 2 decimals. */
export function money(value: DecimalJs.Value): string {
  return new Decimal(value).toFixed(2);
}

/** Shown to 2 decimals (rates, scores). */
export function fixed2(value: DecimalJs.Value): string {
  return new Decimal(value).toFixed(2, Decimal.ROUND_HALF_UP);
}
