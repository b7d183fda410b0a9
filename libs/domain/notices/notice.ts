/**
 * Monthly spending status notices (月度支出情况通报): per unit (业务科室) and per department.
 *
 * Pure: every figure comes from the execution facts through the functions of execution.ts
 * (executionReport at the month's last day, lineTotals, monthlySchedule, nextCheckpoint,
 * forecast, alertLevel); the caller passes the month and the "as known on" date in.
 * Amounts in the notice are strings with 2 decimals; rates and percentage points are strings
 * with 2 decimals and no `%` (renderers add it).
 */
import { lastDayOfMonth } from '../dates.js';
import { Decimal, ZERO, fixed2, money, percentOf, roundRate } from '../decimal.js';
import type { IsoDate } from '../events.js';
import {
  type AlertLevel,
  type ExecutionReport,
  type Forecast,
  type SourceFilter,
  type Standing,
  checkpoints,
  executionReport,
  lineTotals,
} from '../execution/execution.js';
import type { ExecutionFacts, PlanFact } from '../execution/facts.js';
import { elementAt } from '../required.js';
import type { NoticeMonitoring } from './monitoring-section.js';

export type LevelLabel = '正常' | '黄色预警' | '红色预警';

export const LEVEL_LABELS: Record<AlertLevel, LevelLabel> = {
  green: '正常',
  yellow: '黄色预警',
  red: '红色预警',
};

export function levelLabel(level: AlertLevel | null): LevelLabel | null {
  return level === null ? null : LEVEL_LABELS[level];
}

export interface NoticeInput {
  /** Month number 1..12 of the stream's year; figures are as of its last day. */
  month: number;
  /** Only facts recorded on or before this date; null/undefined: everything (as corrected). */
  knownOn?: IsoDate | null;
  /** Fund source filter (default 'fiscal', as the execution-rate criterion uses). */
  source?: SourceFilter;
  /** Months in the forecast run-rate (default 3). */
  runRateMonths?: number;
}

export interface UnitNoticeInput extends NoticeInput {
  unit: string;
}

/** The next checkpoint of the stream's schedule (execution.ts nextCheckpoint). */
export interface NoticeCheckpoint {
  /** 1..4 at a quarter end (always, for a quarterly schedule); null for another checkpoint (v1.1). */
  quarter: 1 | 2 | 3 | 4 | null;
  /** Month number of the checkpoint's date (3, 6, 9, 12 for a quarterly schedule). */
  month: number;
  date: IsoDate;
  /** Checkpoint percent (e.g. "75.00"). */
  percent: string;
  /** checkpoint − rate in percentage points (positive: behind); null without budget. */
  gap: string | null;
  /** Further spending needed (from the month's cumulative) to reach the checkpoint, ≥ 0. */
  neededToReach: string;
}

export interface NoticeFigures {
  /** Budget in force on the month's last day. */
  budget: string;
  /** Spending of valid month = the notice month (corrections applied). */
  spentMonth: string;
  /** Spending of months 1..month. */
  spentCumulative: string;
  /** Cumulative execution rate (percent); null when there is no budget. */
  rate: string | null;
  /** Month-linear schedule (percent). */
  schedule: string;
  /** schedule − rate in percentage points (positive: behind); null without budget. */
  lag: string | null;
  level: AlertLevel | null;
  levelLabel: LevelLabel | null;
  checkpoint: NoticeCheckpoint | null;
}

export interface NoticePlan {
  month: number;
  /** Latest known SpendingPlanned for the month (sum over units for a department); null: none. */
  planned: string | null;
  /** Spending of the month. */
  actual: string;
  /** actual − planned (negative: under plan); null without a plan. */
  difference: string | null;
  /** actual / planned in percent; null without a plan or with a zero plan. */
  completion: string | null;
}

export interface NoticeNextPlan {
  month: number;
  planned: string | null;
}

export interface NoticeForecast {
  runRate: string;
  runRateMonths: number;
  nextCheckpoint: {
    /** 1..4 at a quarter end, else null. */
    quarter: number | null;
    date: IsoDate;
    percent: string;
    projectedSpent: string;
    projectedRate: string | null;
    projectedLevel: AlertLevel | null;
    projectedLevelLabel: LevelLabel | null;
    neededToReach: string;
  } | null;
  yearEnd: { projectedSpent: string; projectedRate: string | null };
  willMissCheckpoint: boolean;
}

interface NoticeBase {
  id: string;
  department: string;
  departmentName: string;
  year: number;
  month: number;
  asOf: IsoDate;
  knownOn: IsoDate | null;
  source: SourceFilter;
  figures: NoticeFigures;
  /** This month's plan (下月计划 filed the month before) against the actual spending. */
  plan: NoticePlan;
  /** The plan for the following month; null in December. */
  nextPlan: NoticeNextPlan | null;
  forecast: NoticeForecast;
  /**
   * The stream's checkpoints when they are not the four quarter ends (YearOpened.checkpoints, v1.1),
   * for the notes; absent for a quarterly schedule.
   */
  checkpoints?: NoticeScheduleCheckpoint[];
}

export interface NoticeScheduleCheckpoint {
  date: IsoDate;
  /** Percent as given (e.g. "25"). */
  percent: string;
}

export interface UnitRank {
  /** 1 = highest execution rate; ties share a position; units without budget come last. */
  position: number;
  of: number;
}

export interface UnitNotice extends NoticeBase {
  kind: 'unit';
  unit: string;
  unitName: string;
  rank: UnitRank;
  /**
   * The unit's deviations without an explanation and its measures due (monitoring-section.ts);
   * absent when there is nothing to list (always for a v1 stream).
   */
  monitoring?: NoticeMonitoring;
}

export interface UnitRow {
  unit: string;
  unitName: string;
  rank: number;
  budget: string;
  spentMonth: string;
  spentCumulative: string;
  rate: string | null;
  lag: string | null;
  level: AlertLevel | null;
  levelLabel: LevelLabel | null;
  checkpointGap: string | null;
  neededToReach: string | null;
  planned: string | null;
  nextPlanned: string | null;
}

export interface DepartmentNotice extends NoticeBase {
  kind: 'department';
  /** All units, best rank first (registration order within a tie). */
  units: UnitRow[];
  red: UnitRow[];
  yellow: UnitRow[];
}

export type Notice = UnitNotice | DepartmentNotice;

export function noticeId(department: string, year: number, subject: string, month: number): string {
  return `notice:${department}:${year}:${subject}:${month}`;
}

/* ---------------------------------------------------------------------------------------- */

/** The latest known plan of a unit for a month: greatest knownOn, the later fact on a tie. */
export function latestPlan(
  plans: readonly PlanFact[],
  unit: string,
  month: number,
  knownOn?: IsoDate | null,
): PlanFact | null {
  let best: PlanFact | null = null;
  for (const p of plans) {
    if (p.unit !== unit || p.month !== month) continue;
    if (knownOn && p.knownOn > knownOn) continue;
    if (!best || p.knownOn >= best.knownOn) best = p;
  }
  return best;
}

/** Competition ranking by rate, highest first; null rates share the last position. */
export function rankByRate<T extends { rate: Decimal | null }>(items: readonly T[]): number[] {
  const ranks: number[] = [];
  const rated = items.filter((i) => i.rate !== null).length;
  for (const item of items) {
    const rate = item.rate;
    if (rate === null) {
      ranks.push(rated + 1);
      continue;
    }
    const better = items.filter((o) => o.rate !== null && o.rate.gt(rate)).length;
    ranks.push(better + 1);
  }
  return ranks;
}

interface SubjectFigures {
  standing: Standing;
  forecast: Forecast;
  spentMonth: Decimal;
  planned: Decimal | null;
  nextPlanned: Decimal | null;
}

interface NoticeContext {
  report: ExecutionReport;
  month: number;
  source: SourceFilter;
  knownOn: IsoDate | null;
  department: SubjectFigures;
  units: Array<SubjectFigures & { unit: string; name: string; rank: number }>;
  /** The stream's checkpoints (used when they are not the quarterly ones). */
  checkpoints: NoticeScheduleCheckpoint[];
}

function checkMonth(month: number): void {
  if (!Number.isInteger(month) || month < 1 || month > 12)
    throw new Error(`month must be an integer 1..12, got ${month}`);
}

function buildContext(facts: ExecutionFacts, input: NoticeInput): NoticeContext {
  checkMonth(input.month);
  if (!facts.meta) throw new Error('the stream has no YearOpened');
  const meta = facts.meta;
  const source = input.source ?? 'fiscal';
  const knownOn = input.knownOn ?? null;
  const asOf = lastDayOfMonth(meta.year, input.month);
  const report = executionReport(facts, { asOf, knownOn, source, runRateMonths: input.runRateMonths });
  // Spending through the month before, per line: the month's spending is the difference.
  const before = lineTotals(facts, { budgetOn: asOf, throughMonth: input.month - 1, knownOn, source });
  const spentBefore = (lineIds: Iterable<string>) => {
    let t = ZERO;
    for (const id of lineIds) t = t.plus(before.get(id)?.spent ?? ZERO);
    return t;
  };
  const planOf = (unit: string, month: number): Decimal | null => {
    if (month > 12) return null;
    const p = latestPlan(facts.plans, unit, month, knownOn);
    return p ? new Decimal(p.amount) : null;
  };
  const sumPlans = (values: Array<Decimal | null>): Decimal | null =>
    values.some((v) => v !== null) ? values.reduce<Decimal>((a, v) => a.plus(v ?? ZERO), ZERO) : null;

  const ranks = rankByRate(report.units);
  const units = report.units.map((u, i) => {
    const lineIds = report.lines.filter((l) => l.unit === u.unit).map((l) => l.line);
    return {
      unit: u.unit,
      name: u.name,
      rank: elementAt(ranks, i, 'rank of unit'),
      standing: u,
      forecast: u.forecast,
      spentMonth: u.spent.minus(spentBefore(lineIds)),
      planned: planOf(u.unit, input.month),
      nextPlanned: planOf(u.unit, input.month + 1),
    };
  });
  const department: SubjectFigures = {
    standing: report.total,
    forecast: report.total.forecast,
    spentMonth: report.total.spent.minus(spentBefore(report.lines.map((l) => l.line))),
    planned: sumPlans(units.map((u) => u.planned)),
    nextPlanned: input.month < 12 ? sumPlans(units.map((u) => u.nextPlanned)) : null,
  };
  const schedule = checkpoints(meta).map((c) => ({ date: c.date, percent: c.percent.toFixed() }));
  return { report, month: input.month, source, knownOn, department, units, checkpoints: schedule };
}

const rateStr = (r: Decimal | null): string | null => (r === null ? null : fixed2(r));

function figuresOf(ctx: NoticeContext, s: SubjectFigures): NoticeFigures {
  const cp = ctx.report.checkpoint;
  const fcp = s.forecast.nextCheckpoint;
  return {
    budget: money(s.standing.budget),
    spentMonth: money(s.spentMonth),
    spentCumulative: money(s.standing.spent),
    rate: rateStr(s.standing.rate),
    schedule: fixed2(s.standing.schedule),
    lag: rateStr(s.standing.lag),
    level: s.standing.level,
    levelLabel: levelLabel(s.standing.level),
    checkpoint: cp
      ? {
          quarter: cp.quarter,
          month: cp.month,
          date: cp.date,
          percent: fixed2(cp.percent),
          gap: s.standing.rate === null ? null : fixed2(cp.percent.minus(s.standing.rate)),
          neededToReach: money(fcp ? fcp.neededToReach : ZERO),
        }
      : null,
  };
}

function planOf(month: number, s: SubjectFigures): NoticePlan {
  const completion = s.planned === null ? null : percentOf(s.spentMonth, s.planned);
  return {
    month,
    planned: s.planned === null ? null : money(s.planned),
    actual: money(s.spentMonth),
    difference: s.planned === null ? null : money(s.spentMonth.minus(s.planned)),
    completion: completion === null ? null : fixed2(roundRate(completion)),
  };
}

function forecastOf(f: Forecast): NoticeForecast {
  const n = f.nextCheckpoint;
  return {
    runRate: money(f.runRate),
    runRateMonths: f.runRateMonths,
    nextCheckpoint: n
      ? {
          quarter: n.quarter,
          date: n.date,
          percent: fixed2(n.percent),
          projectedSpent: money(n.projectedSpent),
          projectedRate: rateStr(n.projectedRate),
          projectedLevel: n.projectedLevel,
          projectedLevelLabel: levelLabel(n.projectedLevel),
          neededToReach: money(n.neededToReach),
        }
      : null,
    yearEnd: { projectedSpent: money(f.yearEnd.projectedSpent), projectedRate: rateStr(f.yearEnd.projectedRate) },
    willMissCheckpoint: f.willMissCheckpoint,
  };
}

function baseOf(ctx: NoticeContext, subject: string, s: SubjectFigures): NoticeBase {
  const r = ctx.report;
  const custom = r.quarterly ? {} : { checkpoints: ctx.checkpoints };
  return {
    id: noticeId(r.department, r.year, subject, ctx.month),
    department: r.department,
    departmentName: r.departmentName,
    year: r.year,
    month: ctx.month,
    asOf: r.asOf,
    knownOn: ctx.knownOn,
    source: ctx.source,
    figures: figuresOf(ctx, s),
    plan: planOf(ctx.month, s),
    nextPlan:
      ctx.month < 12 ? { month: ctx.month + 1, planned: s.nextPlanned === null ? null : money(s.nextPlanned) } : null,
    forecast: forecastOf(s.forecast),
    ...custom,
  };
}

export function buildUnitNotice(facts: ExecutionFacts, input: UnitNoticeInput): UnitNotice {
  const ctx = buildContext(facts, input);
  const u = ctx.units.find((x) => x.unit === input.unit);
  if (!u) throw new Error(`unit ${input.unit} is not registered in ${ctx.report.department}/${ctx.report.year}`);
  return {
    kind: 'unit',
    ...baseOf(ctx, u.unit, u),
    unit: u.unit,
    unitName: u.name,
    rank: { position: u.rank, of: ctx.units.length },
  };
}

/** The notice with its monitoring section, or the notice itself (unchanged) when there is none. */
export function withMonitoring(notice: UnitNotice, section: NoticeMonitoring | null): UnitNotice {
  return section === null ? notice : { ...notice, monitoring: section };
}

export function buildDepartmentNotice(facts: ExecutionFacts, input: NoticeInput): DepartmentNotice {
  const ctx = buildContext(facts, input);
  const rows: UnitRow[] = ctx.units
    .map((u) => {
      const f = figuresOf(ctx, u);
      return {
        unit: u.unit,
        unitName: u.name,
        rank: u.rank,
        budget: f.budget,
        spentMonth: f.spentMonth,
        spentCumulative: f.spentCumulative,
        rate: f.rate,
        lag: f.lag,
        level: f.level,
        levelLabel: f.levelLabel,
        checkpointGap: f.checkpoint?.gap ?? null,
        neededToReach: f.checkpoint?.neededToReach ?? null,
        planned: u.planned === null ? null : money(u.planned),
        nextPlanned: u.nextPlanned === null ? null : money(u.nextPlanned),
      };
    })
    .map((row, i) => ({ row, i }))
    .sort((a, b) => a.row.rank - b.row.rank || a.i - b.i)
    .map(({ row }) => row);
  return {
    kind: 'department',
    ...baseOf(ctx, 'department', ctx.department),
    units: rows,
    red: rows.filter((r) => r.level === 'red'),
    yellow: rows.filter((r) => r.level === 'yellow'),
  };
}
