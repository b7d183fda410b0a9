/**
 * What every scoring rule shares: its input and output types and the formatting of figures in
 * the Chinese formula text (rates to 0.01 pp, amounts with thousands separators).
 */
import { Decimal, ZERO, percentOf, roundRate, type dec } from '../decimal.js';
import type { ExecutionFacts } from '../execution/facts.js';
import type { EvaluationState } from './evaluation-state.js';
import type { CriterionDef } from './framework.js';

export interface RuleContext {
  facts: ExecutionFacts;
  state: EvaluationState;
  criterion: CriterionDef;
}

export interface RuleResult {
  /** Exact score. */
  score: Decimal;
  /** The figures the score was computed from, as strings. */
  inputs: Record<string, string>;
  /** How the score was computed, in words (Chinese). */
  formula: string;
  /** Ids of the events the inputs came from. */
  sources: string[];
  /** What is missing when the rule could not be applied (the score is then 0). */
  missing?: string;
}

export type Rule = (ctx: RuleContext) => RuleResult;

/** A decimal string, number or Decimal. */
type Value = Parameters<typeof dec>[0];

/** Score 0 because an input is missing; the formula says what. */
export function missingInput(what: string, sources: string[] = [], inputs: Record<string, string> = {}): RuleResult {
  return { score: ZERO, inputs, formula: `${what}，暂得0分`, sources, missing: what };
}

/** part / whole in percent, half-up to 0.01 pp (as it enters formulas); null when whole is 0. */
export function rateOf(part: Value, whole: Value): Decimal | null {
  const r = percentOf(part, whole);
  return r === null ? null : roundRate(r);
}

/** A rate in a formula: `75.53%`, `90%`. */
export function pct(rate: Value): string {
  return `${new Decimal(rate).toFixed()}%`;
}

/** Points in a formula, exact up to 4 decimals (`0.7`, `0.834`), else rounded half-up to 4 (`0.9815`). */
export function pts(score: Value): string {
  return new Decimal(score).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed();
}

/** `= 0.834` when exact to 4 decimals, `≈ 0.9815` when rounded. */
export function eqPts(score: Value): string {
  const d = new Decimal(score);
  return `${d.eq(d.toDecimalPlaces(4)) ? '=' : '≈'} ${pts(d)}`;
}

/** An amount in a formula: `4,095,000.00`. */
export function yuan(amount: Value): string {
  const [int, frac] = new Decimal(amount).toFixed(2).split('.');
  const sign = int!.startsWith('-') ? '-' : '';
  const digits = sign ? int!.slice(1) : int!;
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

/** The score of the first band whose floor the rate reaches (bands highest first), else `otherwise`. */
export function bandAtLeast(rate: Decimal, bands: readonly [string, string][], otherwise: string): Decimal {
  for (const [floor, score] of bands) if (rate.gte(floor)) return new Decimal(score);
  return new Decimal(otherwise);
}
