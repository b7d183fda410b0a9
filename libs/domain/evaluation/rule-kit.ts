/**
 * What every scoring rule shares: its input and output types, rates as they enter formulas and
 * bands. The figures in the Chinese formula text are formatted with format.ts (percentExact,
 * points, pointsEq, groupedAmount).
 */
import { Decimal, ZERO, percentOf, roundRate, type dec } from '../decimal.js';
import type { IsoDate } from '../events.js';
import type { ExecutionFacts } from '../execution/facts.js';
import type { EvaluationState } from './evaluation-state.js';
import type { CriterionDef } from './framework.js';

export interface RuleContext {
  facts: ExecutionFacts;
  state: EvaluationState;
  criterion: CriterionDef;
  /**
   * The evaluation date of a year not closed yet (a forecast): a rule that is meaningful during the
   * year leaves out what is not yet due on this date (quarters whose end has not come, tasks whose
   * due date has not passed). Absent: the year is closed and everything is due (year-end scoring).
   * Passed in: the domain never reads the clock.
   */
  asOf?: IsoDate;
}

export interface RuleResult {
  /** Exact score; during the year, the score so far (what is not yet due counts 0). */
  score: Decimal;
  /** The figures the score was computed from, as strings. */
  inputs: Record<string, string>;
  /** How the score was computed, in words (Chinese). */
  formula: string;
  /** Ids of the events the inputs came from. */
  sources: string[];
  /**
   * What is missing (short, Chinese, naming the event: `资产报告（AssetsReported）`) when the rule
   * could not be applied, wholly (the score is then 0) or for a part.
   */
  missing?: string;
  /** What is not yet due on `asOf` (Chinese), when the rule left a part out. */
  notDue?: string;
  /**
   * The most the criterion can still reach once what is missing or not yet due is in. Default: the
   * score when nothing is missing or not yet due, else the criterion's weight.
   */
  max?: Decimal;
}

export type Rule = (ctx: RuleContext) => RuleResult;

/** A decimal string, number or Decimal. */
type Value = Parameters<typeof dec>[0];

/**
 * Score 0 because an input is missing: the formula says what (`what`, e.g. `尚无固定资产情况（AssetsReported）`),
 * `need` names it for the list of missing inputs (e.g. `资产报告（AssetsReported）`).
 */
export function missingInput(
  what: string,
  need: string,
  sources: string[] = [],
  inputs: Record<string, string> = {},
): RuleResult {
  return { score: ZERO, inputs, formula: `${what}，暂得0分`, sources, missing: need };
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
