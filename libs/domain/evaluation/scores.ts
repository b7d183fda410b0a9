/**
 * Scoring of one criterion: by rule (computed), from AssessmentRecorded (judged) or as the sum of
 * its sub-items; and what it can still reach when an input is missing or not yet due.
 */
import { Decimal, ZERO, fixed2, sum } from '../decimal.js';
import type { IsoDate } from '../events.js';
import type { ExecutionFacts } from '../execution/facts.js';
import type { EvaluationState } from './evaluation-state.js';
import type { CriterionDef, CriterionHow } from './framework.js';
import type { RuleResult } from './rule-kit.js';
import { midYearOf, ruleFor } from './rules.js';

export interface CriterionScore {
  id: string;
  name: string;
  weight: string;
  level1: string;
  level2: string;
  how: CriterionHow;
  /** Exact score: during the year, or with an input missing, the score so far (what is open counts 0). */
  score: Decimal;
  /** The score shown to 2 decimals. */
  display: string;
  /** The most the criterion can still reach (what is missing or not yet due at its best); the score when decided. */
  max: Decimal;
  /** How the score came about, in words (the rule's formula, the judgement's evidence, or the sum of sub-items). */
  basis: string;
  inputs: Record<string, string>;
  /** Judged criteria: the assessor's evidence. */
  evidence?: string;
  /** Ids of the events the score came from. */
  sources: string[];
  /** An input or a judgement is missing (wholly or for a part; for a composite, for a sub-item). */
  missing: boolean;
  /** During the year: the criterion (wholly or a part; for a composite, a sub-item) is not yet due. */
  notDue: boolean;
  /**
   * What keeps the score open, in Chinese (`缺少：资产报告（AssetsReported）`, `尚未评定（AssessmentRecorded）`,
   * `尚未到期：…`); null when decided, and for a composite (its sub-items say).
   */
  pending: string | null;
  items?: CriterionScore[];
}

export interface ScoringContext {
  facts: ExecutionFacts;
  state: EvaluationState;
  /**
   * The evaluation date of a year not closed yet (a forecast): what is due is judged by it.
   * Absent: the year is closed, everything is due.
   */
  asOf?: IsoDate;
}

/** A score in words: exact when it has at most 2 decimals (`4`, `0.5`), else shown to 2 (`4.70`). */
export function scoreText(score: Decimal): string {
  return score.decimalPlaces() <= 2 ? score.toFixed() : fixed2(score);
}

function base(def: CriterionDef) {
  return { id: def.id, name: def.name, weight: def.weight, level1: def.level1, level2: def.level2, how: def.how };
}

/** Score 0, at most the weight: the criterion is wholly open. */
function open(def: CriterionDef, basis: string, pending: string, flag: 'missing' | 'notDue'): CriterionScore {
  return {
    ...base(def),
    score: ZERO,
    display: fixed2(ZERO),
    max: new Decimal(def.weight),
    basis,
    inputs: {},
    sources: [],
    missing: flag === 'missing',
    notDue: flag === 'notDue',
    pending,
  };
}

function judged(def: CriterionDef, ctx: ScoringContext): CriterionScore {
  const a = ctx.state.assessments.get(def.id);
  if (!a) {
    // During the year an assessment is not yet due (assessors judge once the year is over).
    if (ctx.asOf !== undefined && midYearOf(def) !== 'so_far')
      return open(
        def,
        '尚未到期：评定指标在年度结束后评定（AssessmentRecorded），暂不计分',
        '尚未到期：年度结束后评定（AssessmentRecorded）',
        'notDue',
      );
    return open(def, '尚无评定（AssessmentRecorded），暂得0分', '尚未评定（AssessmentRecorded）', 'missing');
  }
  const recorded = new Decimal(a.score);
  const score = Decimal.min(new Decimal(def.weight), Decimal.max(ZERO, recorded));
  const clamped = score.eq(recorded)
    ? ''
    : `（评定分 ${a.score} 超出 [0, ${def.weight}]，按 ${scoreText(score)} 分计）`;
  return {
    ...base(def),
    score,
    display: fixed2(score),
    max: score,
    basis: `评定 ${scoreText(score)} 分${clamped}：${a.evidence}`,
    inputs: { score: a.score },
    evidence: a.evidence,
    sources: [a.eventId],
    missing: false,
    notDue: false,
    pending: null,
  };
}

/** The most a rule's result can reach: its own max, else the weight when open, else the score (never below it). */
function maxOf(def: CriterionDef, r: RuleResult): Decimal {
  const max = r.max ?? (r.missing !== undefined || r.notDue !== undefined ? new Decimal(def.weight) : r.score);
  return Decimal.max(r.score, max);
}

function computed(def: CriterionDef, ctx: ScoringContext): CriterionScore {
  const rule = ruleFor(def.id);
  if (!rule) throw new Error(`no scoring rule is registered for computed criterion "${def.id}" (${def.name})`);
  const midYear = midYearOf(def);
  const year = ctx.facts.meta?.year;
  if (ctx.asOf !== undefined && midYear === 'year_end' && year !== undefined && ctx.asOf < `${year}-12-31`) {
    return open(
      def,
      `尚未到期：${def.name}按全年数据计算，年度结束（${year}-12-31）后计分，暂不计分`,
      `尚未到期：按全年数据计算，${year}-12-31 后计分`,
      'notDue',
    );
  }
  const r = rule({ facts: ctx.facts, state: ctx.state, criterion: def, asOf: ctx.asOf });
  if (ctx.asOf !== undefined && midYear === 'on_report' && r.missing !== undefined) {
    // A yearly report not recorded yet: not yet due during the year.
    return open(def, `尚未到期：待${r.missing}，暂不计分`, `尚未到期：待${r.missing}`, 'notDue');
  }
  return {
    ...base(def),
    score: r.score,
    display: fixed2(r.score),
    max: maxOf(def, r),
    basis: r.formula,
    inputs: r.inputs,
    sources: r.sources,
    missing: r.missing !== undefined,
    notDue: r.notDue !== undefined,
    pending: r.missing !== undefined ? `缺少：${r.missing}` : r.notDue !== undefined ? `尚未到期：${r.notDue}` : null,
  };
}

function composite(def: CriterionDef, ctx: ScoringContext): CriterionScore {
  const items = (def.items ?? []).map((item) => scoreCriterion(item, ctx));
  const score = sum(items.map((i) => i.score));
  return {
    ...base(def),
    score,
    display: fixed2(score),
    max: sum(items.map((i) => i.max)),
    basis: `${items.map((i) => `${i.name} ${scoreText(i.score)}`).join(' + ')} = ${scoreText(score)}分`,
    inputs: Object.fromEntries(items.map((i) => [i.id, i.display])),
    sources: [...new Set(items.flatMap((i) => i.sources))],
    missing: items.some((i) => i.missing),
    notDue: items.some((i) => i.notDue),
    pending: null,
    items,
  };
}

export function scoreCriterion(def: CriterionDef, ctx: ScoringContext): CriterionScore {
  switch (def.how) {
    case 'judged':
      return judged(def, ctx);
    case 'computed':
      return computed(def, ctx);
    case 'composite':
      return composite(def, ctx);
  }
}
