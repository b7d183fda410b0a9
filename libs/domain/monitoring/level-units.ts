/**
 * The alert level of many month ends in exact integer units, without a Decimal per figure (the
 * explanations walk back every month of every subject at yellow or red): the same level as
 * execution's `standing` (rate half-up to 0.01, lag = schedule − rate, yellow/red from the
 * thresholds), checked against it in level-units.spec.ts.
 *
 * With budget B > 0 and spending S ≥ 0 in the same units, the rate in hundredths of a percent is
 * floor((2 · S · 10000 + B) / (2 · B)) (half-up); the lag in hundredths is schedule × 100 − that,
 * an integer, so `lag ≥ threshold` is `lag × 100 ≥ ceil(threshold × 100)`. Anything else (no
 * budget, a negative figure) is left to the caller's Decimal path (null here).
 */
import type { Decimal } from '../decimal.js';
import type { AlertLevel } from '../execution/execution.js';

/** Thresholds as whole hundredths of a point, rounded up (an integer lag reaches T exactly when it reaches ceil(T)). */
export interface UnitThresholds {
  yellow: bigint;
  red: bigint;
}

export function hundredthsUp(percent: Decimal): bigint {
  return BigInt(percent.times(100).ceil().toFixed(0));
}

/** A schedule (2 decimals at most, as roundRate leaves it) in hundredths. */
export function hundredths(percent: Decimal): bigint {
  return BigInt(percent.times(100).toFixed(0));
}

/** The level of `spent` against `budget` (same units) at a schedule in hundredths; null: decide it with Decimals. */
export function levelOfUnits(spent: bigint, budget: bigint, schedule: bigint, t: UnitThresholds): AlertLevel | null {
  if (budget <= 0n || spent < 0n) return null;
  const rate = (2n * spent * 10000n + budget) / (2n * budget);
  const lag = schedule - rate;
  if (lag >= t.red) return 'red';
  if (lag >= t.yellow) return 'yellow';
  return 'green';
}
