/**
 * What every scoring rule shares: its input and output types, rates as they enter formulas and
 * bands. The figures in the Chinese formula text are formatted with format.ts (percentExact,
 * points, pointsEq, groupedAmount).
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

/** The score of the first band whose floor the rate reaches (bands highest first), else `otherwise`. */
export function bandAtLeast(rate: Decimal, bands: readonly [string, string][], otherwise: string): Decimal {
  for (const [floor, score] of bands) if (rate.gte(floor)) return new Decimal(score);
  return new Decimal(otherwise);
}
