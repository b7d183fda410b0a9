/**
 * The year-end self-evaluation (部门整体支出绩效自评): every criterion of a framework scored by rule
 * or judgement, subtotals, total and grade, indicator attainment with the effect suggestion, and
 * the reconciliation with the department's submitted sheet. Pure; works as a running forecast
 * before year end (missing inputs score 0 and say so).
 */
import { Decimal, fixed2, sum } from '../decimal.js';
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
}

export interface Evaluation {
  framework: { id: string; version: string; name: string };
  criteria: CriterionScore[];
  level1: Subtotal[];
  level2: Subtotal[];
  /** Exact sum of the criterion scores. */
  total: Decimal;
  totalDisplay: string;
  grade: string;
  indicators: IndicatorAttainment;
  effectSuggestion: EffectSuggestion | null;
  /** Null until a SelfEvaluationSubmitted is in the stream. */
  reconciliation: Reconciliation | null;
}

export interface EvaluateInput {
  framework: FrameworkDef;
  facts: ExecutionFacts;
  state: EvaluationState;
}

/** The grade of a total: the first threshold (highest first) it reaches, else the lowest grade. */
export function gradeFor(framework: FrameworkDef, total: Decimal): string {
  const grades = [...framework.grades].sort((a, b) => new Decimal(b.min).comparedTo(a.min));
  const lowest = grades[grades.length - 1];
  if (!lowest) throw new Error(`framework ${framework.id} has no grades`);
  return (grades.find((g) => total.gte(g.min)) ?? lowest).grade;
}

function subtotals(groups: GroupDef[], criteria: CriterionScore[], key: 'level1' | 'level2'): Subtotal[] {
  return groups.map((g) => {
    const score = sum(criteria.filter((c) => c[key] === g.id).map((c) => c.score));
    return { id: g.id, name: g.name, weight: g.weight, score, display: fixed2(score) };
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

export function evaluate({ framework, facts, state }: EvaluateInput): Evaluation {
  const unruled = missingRules(framework);
  if (unruled.length)
    throw new Error(`framework ${framework.id} has computed criteria without a rule: ${unruled.join(', ')}`);
  const criteria = framework.criteria.map((def) => scoreCriterion(def, { facts, state }));
  const total = sum(criteria.map((c) => c.score));
  const grade = gradeFor(framework, total);
  const indicators = indicatorAttainment(state);
  return {
    framework: { id: framework.id, version: framework.version, name: framework.name },
    criteria,
    level1: subtotals(framework.level1, criteria, 'level1'),
    level2: subtotals(framework.level2, criteria, 'level2'),
    total,
    totalDisplay: fixed2(total),
    grade,
    indicators,
    effectSuggestion: effectSuggestion(framework, indicators),
    reconciliation: state.submission
      ? reconcile({
          framework,
          scores: flatten(criteria),
          total,
          grade,
          gradeOf: (t) => gradeFor(framework, t),
          submission: state.submission,
        })
      : null,
  };
}
