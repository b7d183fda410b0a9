/**
 * The year-end self-evaluation (部门整体支出绩效自评): every criterion of a framework scored by rule
 * or judgement, subtotals, total and grade, indicator attainment with the effect suggestion, and
 * the reconciliation with the department's submitted sheet. Pure.
 *
 * A total is a range: the score so far (what is missing or not yet due counts 0) and the most it
 * can still reach (that at its best). It is `final` once the year is closed with every input and
 * judgement in (the range is one figure), `incomplete` when the year is closed with some missing,
 * and a `forecast` before the year is closed, scored as of an evaluation date that is passed in.
 * The grade is given only when both ends of the range have the same one.
 */
import { Decimal, fixed2, sum } from '../decimal.js';
import type { IsoDate } from '../events.js';
import type { ExecutionFacts } from '../execution/facts.js';
import {
  effectSuggestion,
  indicatorAttainment,
  type EffectSuggestion,
  type IndicatorAttainment,
} from './attainment.js';
import type { EvaluationState } from './evaluation-state.js';
import type { FrameworkDef, GroupDef } from './framework.js';
import { reconcile, type Reconciliation } from './reconcile.js';
import { missingRules } from './rules.js';
import { scoreCriterion, type CriterionScore } from './scores.js';

export interface Subtotal {
  id: string;
  name: string;
  weight: string;
  score: Decimal;
  display: string;
  /** The most the group can still reach. */
  max: Decimal;
}

/**
 * final: the year is closed and every input and judgement is in; incomplete: closed, but some are
 * missing; forecast: the year is not closed yet.
 */
export type EvaluationStatus = 'final' | 'incomplete' | 'forecast';

/** A criterion (or sub-item) whose score is still open: what is missing or not yet due. */
export interface PendingCriterion {
  criterion: string;
  name: string;
  weight: string;
  /** Its score so far and the most it can reach. */
  score: Decimal;
  max: Decimal;
  /** In Chinese: `缺少：资产报告（AssetsReported）`, `尚未评定（AssessmentRecorded）`, `尚未到期：…`. */
  reason: string;
}

export interface Evaluation {
  framework: { id: string; version: string; name: string };
  status: EvaluationStatus;
  /** The evaluation date of a forecast (what is due was judged by it); null once the year is closed. */
  asOf: IsoDate | null;
  criteria: CriterionScore[];
  level1: Subtotal[];
  level2: Subtotal[];
  /** Exact sum of the criterion scores: the score so far (the low end of the range). */
  total: Decimal;
  totalDisplay: string;
  /** The score so far and the most it can still reach (equal when final). */
  range: { min: Decimal; max: Decimal };
  /** The grade when the range decides it (both ends in the same band), else null. */
  grade: string | null;
  /** The grades still possible, lowest first (one when decided). */
  grades: string[];
  /** Criteria and sub-items with an input or a judgement missing. */
  missing: PendingCriterion[];
  /** During the year: criteria and sub-items (wholly or partly) not yet due. */
  notDue: PendingCriterion[];
  indicators: IndicatorAttainment;
  effectSuggestion: EffectSuggestion | null;
  /** Null until a SelfEvaluationSubmitted is in the stream. */
  reconciliation: Reconciliation | null;
}

export interface EvaluateInput {
  framework: FrameworkDef;
  facts: ExecutionFacts;
  state: EvaluationState;
  /** YearClosed is among the events considered; default: the facts' year has a closing date. */
  closed?: boolean;
  /**
   * The evaluation date of a year not closed (the forecast's "as of"; passed in, never the clock);
   * default the year's last day. Ignored once the year is closed.
   */
  asOf?: IsoDate;
}

/** The grade of a total: the first threshold (highest first) it reaches, else the lowest grade. */
export function gradeFor(framework: FrameworkDef, total: Decimal): string {
  const grades = [...framework.grades].sort((a, b) => new Decimal(b.min).comparedTo(a.min));
  const lowest = grades[grades.length - 1];
  if (!lowest) throw new Error(`framework ${framework.id} has no grades`);
  return (grades.find((g) => total.gte(g.min)) ?? lowest).grade;
}

/** The grades of every total from `min` to `max`, lowest first. */
export function gradesBetween(framework: FrameworkDef, min: Decimal, max: Decimal): string[] {
  const ascending = [...framework.grades].sort((a, b) => new Decimal(a.min).comparedTo(b.min)).map((g) => g.grade);
  const low = ascending.indexOf(gradeFor(framework, min));
  const high = ascending.indexOf(gradeFor(framework, Decimal.max(min, max)));
  return ascending.slice(low, high + 1);
}

function subtotals(groups: GroupDef[], criteria: CriterionScore[], key: 'level1' | 'level2'): Subtotal[] {
  return groups.map((g) => {
    const of = criteria.filter((c) => c[key] === g.id);
    const score = sum(of.map((c) => c.score));
    return { id: g.id, name: g.name, weight: g.weight, score, display: fixed2(score), max: sum(of.map((c) => c.max)) };
  });
}

function flatten(criteria: CriterionScore[]): Map<string, CriterionScore> {
  const out = new Map<string, CriterionScore>();
  const walk = (list: CriterionScore[]) => {
    for (const c of list) {
      out.set(c.id, c);
      if (c.items) walk(c.items);
    }
  };
  walk(criteria);
  return out;
}

function pendingOf(c: CriterionScore): PendingCriterion {
  return { criterion: c.id, name: c.name, weight: c.weight, score: c.score, max: c.max, reason: c.pending ?? '' };
}

export function evaluate({ framework, facts, state, closed, asOf }: EvaluateInput): Evaluation {
  const unruled = missingRules(framework);
  if (unruled.length)
    throw new Error(`framework ${framework.id} has computed criteria without a rule: ${unruled.join(', ')}`);
  const isClosed = closed ?? (facts.meta !== null && facts.meta.closedOn !== null);
  const on = isClosed ? undefined : (asOf ?? (facts.meta ? `${facts.meta.year}-12-31` : undefined));
  const criteria = framework.criteria.map((def) => scoreCriterion(def, { facts, state, asOf: on }));
  const total = sum(criteria.map((c) => c.score));
  const max = sum(criteria.map((c) => c.max));
  const grades = gradesBetween(framework, total, max);
  const grade = grades.length === 1 ? (grades[0] ?? null) : null;
  const leaves = criteria.flatMap((c) => c.items ?? [c]);
  const missing = leaves.filter((c) => c.missing).map(pendingOf);
  const notDue = leaves.filter((c) => c.notDue && !c.missing).map(pendingOf);
  const indicators = indicatorAttainment(state);
  return {
    framework: { id: framework.id, version: framework.version, name: framework.name },
    status: !isClosed ? 'forecast' : missing.length ? 'incomplete' : 'final',
    asOf: on ?? null,
    criteria,
    level1: subtotals(framework.level1, criteria, 'level1'),
    level2: subtotals(framework.level2, criteria, 'level2'),
    total,
    totalDisplay: fixed2(total),
    range: { min: total, max },
    grade,
    grades,
    missing,
    notDue,
    indicators,
    effectSuggestion: effectSuggestion(framework, indicators),
    reconciliation: state.submission
      ? reconcile({
          framework,
          scores: flatten(criteria),
          total,
          max,
          grade,
          grades,
          gradeOf: (t) => gradeFor(framework, t),
          submission: state.submission,
        })
      : null,
  };
}
