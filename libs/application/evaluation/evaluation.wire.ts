/**
 * The year-end self-evaluation on the wire: every score as a decimal string shown to 2 decimals
 * plus its exact value, amounts with 2 decimals, rates to 0.01 pp. Pure: built from the events
 * considered (or from the execution projection's facts and evaluation state), no clock.
 */
import { Decimal, ZERO, fixed2, money, percentOf, roundRate } from '#domain/decimal.js';
import type { EffectSuggestion, IndicatorResult } from '#domain/evaluation/attainment.js';
import {
  evaluate,
  type Evaluation,
  type EvaluationStatus,
  type PendingCriterion,
  type Subtotal,
} from '#domain/evaluation/evaluate.js';
import { evaluationStateFromEvents, type EvaluationState } from '#domain/evaluation/evaluation-state.js';
import type { CriterionHow, FrameworkDef } from '#domain/evaluation/framework.js';
import type { Reconciliation } from '#domain/evaluation/reconcile.js';
import type { CriterionScore } from '#domain/evaluation/scores.js';
import { lineTotals, type Totals } from '#domain/execution/execution.js';
import { factsFromEvents, type DatedEvent, type ExecutionFacts } from '#domain/execution/facts.js';
import { entryOf, required } from '#domain/required.js';

export interface ScoreWire {
  /** Shown to 2 decimals, e.g. "4.70". */
  score: string;
  /** Exact decimal, e.g. "4.703416666666666666666666666666666666667". */
  exact: string;
}

export interface CriterionWire extends ScoreWire {
  id: string;
  name: string;
  weight: string;
  level1: string;
  level2: string;
  kind: CriterionHow;
  /** How the score was computed: the figures it used and the formula in words (Chinese). */
  how: { formula: string; inputs: Record<string, string> };
  /** The assessor's evidence (judged criteria), else null. */
  evidence: string | null;
  /** Ids of the events the score came from. */
  sources: string[];
  /** An input or a judgement is missing, wholly or for a part (the score counts it as 0). */
  missing: boolean;
  /** During the year: the criterion is wholly or partly not yet due (the score counts it as 0). */
  notDue: boolean;
  /** The most the criterion can still reach (equal to the score when decided). */
  max: ScoreWire;
  /** What keeps it open (Chinese: 缺少：…, 尚未评定（AssessmentRecorded）, 尚未到期：…); null when decided or composite. */
  pending: string | null;
  items?: CriterionWire[];
}

export interface SubtotalWire extends ScoreWire {
  id: string;
  name: string;
  weight: string;
  /** The most the group can still reach. */
  max: ScoreWire;
}

/** A criterion or sub-item whose score is still open, and why (Chinese). */
export interface PendingWire {
  criterion: string;
  name: string;
  weight: string;
  /** Its score so far and the most it can reach, 2 decimals. */
  score: string;
  max: string;
  reason: string;
}

/** The least and the most a total can end at: the score so far, and everything open at its best. */
export interface RangeWire {
  min: ScoreWire;
  max: ScoreWire;
}

export interface AmountPair {
  /** All fund sources. */
  total: string;
  /** 其中：财政拨款. */
  fiscal: string;
}

/** One row of 年度主要任务完成情况: the budget lines of one task (line names up to "—", without a "（…）" note). */
export interface BudgetTaskWire {
  name: string;
  lines: { line: string; name: string; unit: string; source: string }[];
  budget: AmountPair;
  spent: AmountPair;
  /** spent / budget of all sources in percent (half-up, 0.01 pp); null without budget. */
  rate: string | null;
}

export interface EvaluationReport {
  department: string;
  year: number;
  departmentName: string;
  framework: { id: string; version: string; name: string };
  /**
   * final: YearClosed is among the events considered and every input and judgement is in;
   * incomplete: closed, but some are missing (`missing`); forecast: not closed, a running score.
   */
  status: EvaluationStatus;
  /** The latest record date (occurredOn) of the events considered. */
  asOf: string;
  /** The date what is due was judged by in a forecast (knownOn when given, else asOf); null once closed. */
  dueAsOf: string | null;
  knownOn: string | null;
  eventsConsidered: number;
  /** Short Chinese note for a forecast or an incomplete result, else null. */
  note: string | null;
  criteria: CriterionWire[];
  level1: SubtotalWire[];
  level2: SubtotalWire[];
  /** The score so far (the sum of the criterion scores; the total when final). */
  total: ScoreWire;
  /** The score so far and the most it can still reach (what is missing or not yet due at its best). */
  range: RangeWire;
  /** The grade when the range decides it, else null. */
  grade: string | null;
  /** The grades still possible, lowest first (shown 良—优). */
  grades: string[];
  /** What is missing: inputs of computed criteria, judgements (AssessmentRecorded). */
  missing: PendingWire[];
  /** During the year: what is not yet due. */
  notDue: PendingWire[];
  indicators: { defined: number; applicable: number; met: number; items: IndicatorResult[] };
  effectSuggestion: {
    criterion: string;
    weight: string;
    score: string | null;
    exact: string | null;
    formula: string;
  } | null;
  reconciliation: Reconciliation | null;
  /** Budget and spending for the year as corrected (budget in force on Dec 31, spending of months 1–12). */
  budget: { tasks: BudgetTaskWire[]; total: { budget: AmountPair; spent: AmountPair } };
}

const scoreWire = (d: Decimal): ScoreWire => ({ score: fixed2(d), exact: d.toFixed() });

export function criterionWire(c: CriterionScore): CriterionWire {
  return {
    id: c.id,
    name: c.name,
    weight: c.weight,
    level1: c.level1,
    level2: c.level2,
    kind: c.how,
    ...scoreWire(c.score),
    how: { formula: c.basis, inputs: c.inputs },
    evidence: c.evidence ?? null,
    sources: c.sources,
    missing: c.missing,
    notDue: c.notDue,
    max: scoreWire(c.max),
    pending: c.pending,
    ...(c.items ? { items: c.items.map(criterionWire) } : {}),
  };
}

const subtotalWire = (s: Subtotal): SubtotalWire => ({
  id: s.id,
  name: s.name,
  weight: s.weight,
  ...scoreWire(s.score),
  max: scoreWire(s.max),
});

const pendingWire = (p: PendingCriterion): PendingWire => ({
  criterion: p.criterion,
  name: p.name,
  weight: p.weight,
  score: fixed2(p.score),
  max: fixed2(p.max),
  reason: p.reason,
});

export const rangeWire = (e: Pick<Evaluation, 'range'>): RangeWire => ({
  min: scoreWire(e.range.min),
  max: scoreWire(e.range.max),
});

function suggestionWire(s: EffectSuggestion | null): EvaluationReport['effectSuggestion'] {
  if (!s) return null;
  return {
    criterion: s.criterion,
    weight: s.weight,
    score: s.display,
    exact: s.score ? s.score.toFixed() : null,
    formula: s.formula,
  };
}

/** The task a budget line belongs to: its name up to the first dash, without a trailing "（…）" note. */
export function taskNameOf(lineName: string): string {
  const dash = lineName.search(/[—–]/);
  const head = (dash < 0 ? lineName : lineName.slice(0, dash)).trim();
  return head.replace(/\s*[（(][^（）()]*[）)]\s*$/, '').trim() || lineName;
}

const pair = (all: Decimal, fiscal: Decimal): AmountPair => ({ total: money(all), fiscal: money(fiscal) });

/** 年度主要任务完成情况: lines grouped by task, in the order they were allocated. */
export function budgetTasks(facts: ExecutionFacts): EvaluationReport['budget'] {
  const year = required(facts.meta, 'the meta of the year (YearOpened)').year;
  const totals = lineTotals(facts, { budgetOn: `${year}-12-31`, throughMonth: 12, source: 'all' });
  const groups = new Map<string, { lines: BudgetTaskWire['lines']; all: Totals; fiscal: Totals }>();
  const sums = { all: { budget: ZERO, spent: ZERO }, fiscal: { budget: ZERO, spent: ZERO } };
  for (const l of facts.lines) {
    const t = entryOf(totals, l.line, 'totals of line');
    const name = taskNameOf(l.name);
    const g = groups.get(name) ?? {
      lines: [],
      all: { budget: ZERO, spent: ZERO },
      fiscal: { budget: ZERO, spent: ZERO },
    };
    g.lines.push({ line: l.line, name: l.name, unit: l.unit, source: l.source });
    g.all = { budget: g.all.budget.plus(t.budget), spent: g.all.spent.plus(t.spent) };
    if (l.source === 'fiscal')
      g.fiscal = { budget: g.fiscal.budget.plus(t.budget), spent: g.fiscal.spent.plus(t.spent) };
    groups.set(name, g);
  }
  const tasks = [...groups].map(([name, g]) => {
    sums.all = { budget: sums.all.budget.plus(g.all.budget), spent: sums.all.spent.plus(g.all.spent) };
    sums.fiscal = { budget: sums.fiscal.budget.plus(g.fiscal.budget), spent: sums.fiscal.spent.plus(g.fiscal.spent) };
    const rate = percentOf(g.all.spent, g.all.budget);
    return {
      name,
      lines: g.lines,
      budget: pair(g.all.budget, g.fiscal.budget),
      spent: pair(g.all.spent, g.fiscal.spent),
      rate: rate === null ? null : roundRate(rate).toFixed(2),
    };
  });
  return {
    tasks,
    total: { budget: pair(sums.all.budget, sums.fiscal.budget), spent: pair(sums.all.spent, sums.fiscal.spent) },
  };
}

/** The grade, or the grades still possible, in words: `优`, `良—优`. */
export function gradesText(grade: string | null, grades: readonly string[]): string {
  if (grade !== null) return grade;
  return grades.length > 1 ? `${grades[0]}—${grades[grades.length - 1]}` : (grades[0] ?? '');
}

/** The computed side of a reconciliation in words: the total (or its range) and the grade (or `未定（良—优）`). */
export function computedText(rec: Reconciliation): { total: string; grade: string } {
  return {
    total: rec.computedTotal === rec.computedMax ? rec.computedTotal : `${rec.computedTotal}—${rec.computedMax}`,
    grade: rec.computedGrade ?? `未定（${gradesText(null, rec.computedGrades)}）`,
  };
}

function rangeNote(e: Evaluation): string {
  const grade =
    e.grade !== null ? `，评分等级已可确定为“${e.grade}”` : `，评分等级尚未确定（${gradesText(null, e.grades)}）`;
  return `目前得分 ${fixed2(e.range.min)} 分，最高可达 ${fixed2(e.range.max)} 分${grade}`;
}

function forecastNote(e: Evaluation, year: number, knownOn: string | null): string {
  const known = knownOn ? `截至 ${knownOn} 已知的` : '';
  const parts = [
    e.notDue.length ? `${e.notDue.length} 项尚未到期` : '',
    e.missing.length ? `${e.missing.length} 项缺少数据或评定` : '',
  ].filter(Boolean);
  const open = parts.length ? `；${parts.join('、')}，目前按0分计、最高按满分计` : '';
  return `预测：${year} 年度尚未结束（${known}日志中无 YearClosed），按截至 ${e.asOf ?? ''} 的数据计算${open}：${rangeNote(e)}；得分将随后续事件变化。`;
}

function incompleteNote(e: Evaluation, year: number): string {
  const names = e.missing.map((m) => m.name).join('、');
  return `结果不完整：${year} 年度已结账，但 ${e.missing.length} 项指标缺少数据或评定（${names}），暂按0分计：${rangeNote(e)}。补齐后重新计算。`;
}

function noteOf(e: Evaluation, year: number, knownOn: string | null): string | null {
  if (e.status === 'forecast') return forecastNote(e, year, knownOn);
  return e.status === 'incomplete' ? incompleteNote(e, year) : null;
}

export interface ReportInput {
  department: string;
  year: number;
  /** The events considered, in stream order; must contain YearOpened. */
  events: DatedEvent[];
  framework: FrameworkDef;
  knownOn: string | null;
}

/** What a report is computed from: the stream's facts and evaluation state, and what they cover. */
export interface ScoredInput {
  department: string;
  year: number;
  facts: ExecutionFacts;
  state: EvaluationState;
  framework: FrameworkDef;
  knownOn: string | null;
  /** The latest record date (occurredOn) of the events considered. */
  asOf: string;
  eventsConsidered: number;
  /** YearClosed is among the events considered. */
  closed: boolean;
}

/**
 * The date a forecast judges what is due by: the "as known on" date asked, else the latest record
 * date of the events considered (an answer is a function of the events and the question, never of
 * the clock: it stays right, and cached, until an event is appended).
 */
export function dueAsOf(knownOn: string | null, asOf: string): string {
  return knownOn ?? asOf;
}

/** Scores the events with the framework and puts the result on the wire. */
export function evaluationReport({ department, year, events, framework, knownOn }: ReportInput): EvaluationReport {
  const facts = factsFromEvents(events);
  if (!facts.meta) throw new Error('evaluationReport needs a YearOpened among the events');
  return scoredReport({
    department,
    year,
    facts,
    state: evaluationStateFromEvents(events),
    framework,
    knownOn,
    asOf: events.reduce(
      (max, ev) => (ev.occurredOn > max ? ev.occurredOn : max),
      required(events[0], 'a first event').occurredOn,
    ),
    eventsConsidered: events.length,
    closed: events.some((ev) => ev.type === 'YearClosed'),
  });
}

/** Scores facts and evaluation state with the framework and puts the result on the wire. */
export function scoredReport({
  department,
  year,
  facts,
  state,
  framework,
  knownOn,
  asOf,
  eventsConsidered,
  closed,
}: ScoredInput): EvaluationReport {
  if (!facts.meta) throw new Error('a report needs the meta of the year (YearOpened)');
  const e = evaluate({ framework, facts, state, closed, asOf: dueAsOf(knownOn, asOf) });
  return {
    department,
    year,
    departmentName: facts.meta.departmentName,
    framework: e.framework,
    status: e.status,
    asOf,
    dueAsOf: e.asOf,
    knownOn,
    eventsConsidered,
    note: noteOf(e, year, knownOn),
    criteria: e.criteria.map(criterionWire),
    level1: e.level1.map(subtotalWire),
    level2: e.level2.map(subtotalWire),
    total: scoreWire(e.total),
    range: rangeWire(e),
    grade: e.grade,
    grades: e.grades,
    missing: e.missing.map(pendingWire),
    notDue: e.notDue.map(pendingWire),
    indicators: {
      defined: e.indicators.defined,
      applicable: e.indicators.applicable,
      met: e.indicators.met,
      items: e.indicators.indicators,
    },
    effectSuggestion: suggestionWire(e.effectSuggestion),
    reconciliation: e.reconciliation,
    budget: budgetTasks(facts),
  };
}
