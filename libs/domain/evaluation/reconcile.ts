/**
 * Reconciliation of the department's own score sheet (SelfEvaluationSubmitted) with the scores
 * computed by rule and judgement: the criteria where they differ, and why.
 */
import { Decimal, fixed2, sum } from '../decimal.js';
import { entryOf } from '../required.js';
import type { SubmissionState } from './evaluation-state.js';
import type { FrameworkDef } from './framework.js';
import { scoreText, type CriterionScore } from './scores.js';

export type ScoreFindingKind = 'exceeds_weight' | 'differs' | 'not_submitted' | 'unknown_criterion';

export interface ScoreFinding {
  criterion: string;
  name: string | null;
  kind: ScoreFindingKind;
  submitted: string | null;
  /** The computed score shown to 2 decimals. */
  computed: string | null;
  weight: string | null;
  reason: string;
}

export type TotalFindingKind = 'total_vs_sum' | 'total_vs_computed' | 'grade_vs_total' | 'grade_vs_computed';

export interface TotalFinding {
  kind: TotalFindingKind;
  submitted: string;
  expected: string;
  reason: string;
}

export interface Reconciliation {
  submittedBy: string;
  submittedTotal: string;
  submittedGrade: string;
  /**
   * Sum of the submitted scores of the top-level criteria (a composite from its sub-items when only
   * they are filled).
   */
  sumOfSubmitted: string;
  /** The computed total so far (2 decimals); the most it can still reach, equal when decided. */
  computedTotal: string;
  computedMax: string;
  /** The computed grade when decided, else null; the grades still possible, lowest first. */
  computedGrade: string | null;
  computedGrades: string[];
  findings: ScoreFinding[];
  totalFindings: TotalFinding[];
}

export interface ReconcileInput {
  framework: FrameworkDef;
  /** Every criterion and sub-item, by id. */
  scores: ReadonlyMap<string, CriterionScore>;
  /** The total so far, and the most it can still reach (default: the total). */
  total: Decimal;
  max?: Decimal;
  /** The computed grade, null when the range does not decide it; the grades still possible. */
  grade: string | null;
  grades?: string[];
  gradeOf: (total: Decimal) => string;
  submission: SubmissionState;
}

function decimalsOf(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * A submitted score agrees with a computed one when they are equal, when they are equal shown to
 * 2 decimals, or (for a submitted score with decimals) when the computed score rounded to the
 * submitted precision equals it: 4.7 agrees with 4.7034…, but 5 does not agree with 4.70.
 */
export function agrees(submitted: string, computed: Decimal): boolean {
  const s = new Decimal(submitted);
  if (s.eq(computed) || fixed2(s) === fixed2(computed)) return true;
  const dp = decimalsOf(submitted.trim());
  return dp > 0 && computed.toDecimalPlaces(dp, Decimal.ROUND_HALF_UP).eq(s);
}

function why(c: CriterionScore): string {
  const value = scoreText(c.score);
  switch (c.how) {
    case 'computed':
      return `按规则应得 ${value} 分：${c.basis}`;
    case 'judged':
      if (c.notDue) return '尚未到期（年度结束后评定），暂不计分';
      return c.missing ? '尚无评定（AssessmentRecorded），按0分计' : `评定得分为 ${value} 分：${c.evidence ?? c.basis}`;
    case 'composite':
      return `各子项合计 ${value} 分：${c.basis}`;
  }
}

function scoreFinding(
  id: string,
  submitted: string,
  c: CriterionScore | undefined,
  framework: FrameworkDef,
): ScoreFinding | null {
  if (!c) {
    return {
      criterion: id,
      name: null,
      kind: 'unknown_criterion',
      submitted,
      computed: null,
      weight: null,
      reason: `自评表中的“${id}”不是评价体系“${framework.name}”的指标`,
    };
  }
  const s = new Decimal(submitted);
  const common = { criterion: id, name: c.name, submitted, computed: c.display, weight: c.weight };
  if (s.gt(c.weight)) {
    return {
      ...common,
      kind: 'exceeds_weight',
      reason: `自评 ${submitted} 分超过该指标分值 ${c.weight} 分；${why(c)}`,
    };
  }
  if (agrees(submitted, c.score)) return null;
  return { ...common, kind: 'differs', reason: `自评 ${submitted} 分，但${why(c)}` };
}

/** The score submitted for a criterion id: an own property of `scores` (not one inherited from Object). */
function ownScore(scores: Record<string, string>, id: string): string | undefined {
  return Object.hasOwn(scores, id) ? scores[id] : undefined;
}

/** The submitted score of a top-level criterion: its own, or the sum of its sub-items when all are filled. */
function submittedOf(c: CriterionScore, scores: Record<string, string>): Decimal | null {
  const own = ownScore(scores, c.id);
  if (own !== undefined) return new Decimal(own);
  const items = c.items?.map((i) => ownScore(scores, i.id)) ?? [];
  if (items.length && items.every((v): v is string => v !== undefined)) return sum(items);
  return null;
}

export function reconcile(input: ReconcileInput): Reconciliation {
  const { framework, scores, total, grade, submission } = input;
  const max = input.max ?? total;
  const grades = input.grades ?? (grade === null ? [] : [grade]);
  const decided = max.eq(total);
  const findings: ScoreFinding[] = [];
  for (const [id, submitted] of Object.entries(submission.scores)) {
    const f = scoreFinding(id, submitted, scores.get(id), framework);
    if (f) findings.push(f);
  }
  const submittedTop: Decimal[] = [];
  for (const def of framework.criteria) {
    const c = entryOf(scores, def.id, 'computed score of criterion');
    const s = submittedOf(c, submission.scores);
    if (s) {
      submittedTop.push(s);
      continue;
    }
    findings.push({
      criterion: def.id,
      name: def.name,
      kind: 'not_submitted',
      submitted: null,
      computed: c.display,
      weight: def.weight,
      reason: `自评表未填写该指标；${why(c)}`,
    });
  }
  const sumOfSubmitted = sum(submittedTop);
  const submittedTotal = new Decimal(submission.total);
  const totalFindings: TotalFinding[] = [];
  if (!submittedTotal.eq(sumOfSubmitted)) {
    totalFindings.push({
      kind: 'total_vs_sum',
      submitted: submission.total,
      expected: sumOfSubmitted.toFixed(),
      reason: `自评总分 ${submission.total} 分与各指标自评分之和 ${sumOfSubmitted.toFixed()} 分不一致`,
    });
  }
  if (!decided) {
    // Some scores are still open: the submitted total is a finding only outside the range.
    const below = submittedTotal.lt(total) && !agrees(submission.total, total);
    const above = submittedTotal.gt(max) && !agrees(submission.total, max);
    if (below || above)
      totalFindings.push({
        kind: 'total_vs_computed',
        submitted: submission.total,
        expected: `${fixed2(total)}—${fixed2(max)}`,
        reason: `自评总分 ${submission.total} 分，不在按规则和评定计算的得分范围 ${fixed2(total)}—${fixed2(max)} 分内（尚有指标缺少数据、评定或尚未到期）`,
      });
  } else if (!agrees(submission.total, total)) {
    const diff = submittedTotal.minus(total);
    totalFindings.push({
      kind: 'total_vs_computed',
      submitted: submission.total,
      expected: fixed2(total),
      reason: `自评总分 ${submission.total} 分，按规则和评定计算的总分为 ${fixed2(total)} 分，自评${diff.isPos() ? '高出' : '低于'}计算 ${fixed2(diff.abs())} 分`,
    });
  }
  const gradeOfSubmitted = input.gradeOf(submittedTotal);
  if (submission.grade !== gradeOfSubmitted) {
    totalFindings.push({
      kind: 'grade_vs_total',
      submitted: submission.grade,
      expected: gradeOfSubmitted,
      reason: `自评等级“${submission.grade}”与自评总分 ${submission.total} 分对应的等级“${gradeOfSubmitted}”不符`,
    });
  }
  if (grade === null) {
    if (!grades.includes(submission.grade))
      totalFindings.push({
        kind: 'grade_vs_computed',
        submitted: submission.grade,
        expected: grades.join('—'),
        reason: `自评等级“${submission.grade}”，按计算得分范围 ${fixed2(total)}—${fixed2(max)} 分应为“${grades.join('—')}”`,
      });
  } else if (submission.grade !== grade) {
    totalFindings.push({
      kind: 'grade_vs_computed',
      submitted: submission.grade,
      expected: grade,
      reason: `自评等级“${submission.grade}”，按计算总分 ${fixed2(total)} 分应为“${grade}”`,
    });
  }
  return {
    submittedBy: submission.eventId,
    submittedTotal: submission.total,
    submittedGrade: submission.grade,
    sumOfSubmitted: sumOfSubmitted.toFixed(),
    computedTotal: fixed2(total),
    computedMax: fixed2(max),
    computedGrade: grade,
    computedGrades: grades,
    findings,
    totalFindings,
  };
}
