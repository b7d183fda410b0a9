/**
 * The monitoring answer of a department-year (绩效运行监控, MONITORING.md "What monitoring must
 * answer"), from the execution facts, the monitoring state, an "as of" and an "as known on" date
 * and a holiday calendar:
 * - projects: budget in force, spending, rate, schedule, lag and level of their lines, the
 *   year-end projection and 预计结转结余, exactly as execution computes a unit's figures;
 * - targets with the latest progress known as of the date, completion ratio and risk;
 * - divergence between a project's spending rate and its targets' average completion;
 * - the explanation of every subject at yellow or red, and whether it is overdue;
 * - the measures and the latest follow-up of each, and whether it is overdue;
 * - a summary (what the finance bureau's roll-up sorts by).
 * Fiscal funds (财政资金) only, as the notices, alerts and the department list count them.
 * Pure: every date, and the calendar, is passed in.
 */
import { workingDaysBetween, type HolidayCalendar } from '../calendar/holiday-calendar.js';
import { isIsoDate, lastDayOfMonth } from '../dates.js';
import { Decimal, ZERO, roundRate } from '../decimal.js';
import type { IsoDate, Percent, Schedule, SubjectKind } from '../events.js';
import {
  checkpoints as scheduleCheckpoints,
  forecast,
  monthThrough,
  monthlySchedule,
  requireMeta,
  standing,
  type AlertLevel,
  type Standing,
} from '../execution/execution.js';
import { amount, budgetUnitsOn, factIndex, spendingView, type FactIndex } from '../execution/fact-index.js';
import type { ExecutionFacts, StreamMeta } from '../execution/facts.js';
import { placeCheckpoints, quarterCheckpoints } from '../execution/schedule.js';
import { entryOf } from '../required.js';
import { completionRatio } from './completion.js';
import { hundredths, hundredthsUp, levelOfUnits, type UnitThresholds } from './level-units.js';
import {
  latestAsOf,
  recordedBy,
  subjectKey,
  type ActionRecord,
  type ExplanationRecord,
  type MonitoringState,
  type ProgressReport,
  type TargetInfo,
} from './monitoring-state.js';

/** Working days an alert may stay open without an explanation (MONITORING.md: default 10). */
export const EXPLANATION_PERIOD = 10;
/** Percentage points between spending rate and completion that count as divergence, when YearOpened gives none. */
export const DEFAULT_DIVERGENCE = '10';
/** Months of spending the year-end projection carries forward (execution's default). */
export const RUN_RATE_MONTHS = 3;

export interface MonitoringQuery {
  asOf: IsoDate;
  /** Only what was recorded on or before this date; null: everything recorded so far. */
  knownOn: IsoDate | null;
}

/** A checkpoint of the stream's schedule: by `date`, `percent` of the budget spent. */
export interface MonitoringCheckpoint {
  date: IsoDate;
  percent: Decimal;
}

/** The v1 default schedule (25/50/75/100 at the quarter ends). */
const QUARTERLY: Schedule = { Q1: '25', Q2: '50', Q3: '75', Q4: '100' };

/**
 * The stream's checkpoints, placed in its year exactly as the schedule places them
 * (execution.ts `checkpoints`, schedule.ts `placeCheckpoints`): `meta.checkpoints` (always present in a meta built
 * from YearOpened), else the four quarter ends of `meta.schedule`.
 */
export function monitoringCheckpoints(meta: StreamMeta): MonitoringCheckpoint[] {
  const m = meta as Omit<StreamMeta, 'checkpoints' | 'schedule'> & {
    checkpoints?: StreamMeta['checkpoints'] | null;
    schedule?: Schedule;
  };
  const placed = m.checkpoints?.length
    ? scheduleCheckpoints(meta)
    : placeCheckpoints(meta.year, quarterCheckpoints(m.schedule ?? QUARTERLY));
  return placed.map((c) => ({ date: c.date, percent: c.percent }));
}

/** From this date on, a progress report saying `possible` puts its target at risk: the second-to-last checkpoint. */
export function riskFrom(checkpoints: readonly MonitoringCheckpoint[]): IsoDate | null {
  const cp = checkpoints[Math.max(0, checkpoints.length - 2)];
  return cp ? cp.date : null;
}

/** Figures of the department or a project: execution's standing plus the year-end projection. */
export interface Figures extends Standing {
  /** Spending projected by December 31 at the run rate of the last RUN_RATE_MONTHS months (execution's forecast). */
  projectedYearEnd: Decimal;
  /** 预计结转结余: budget in force − projected year-end spending, never below 0. */
  carryOver: Decimal;
}

export interface TargetStatus {
  indicator: string;
  level1: string;
  level2: string;
  name: string;
  target: string;
  /** The latest progress report known, dated on or before "as of"; null when none. */
  progress: ProgressReport | null;
  /** Completion ratio of a numeric target (percent, 0.00–100.00); null when it has none. */
  completion: Decimal | null;
  /** The latest progress says `impossible`, or `possible` at or after the second-to-last checkpoint. */
  atRisk: boolean;
}

export type DivergenceKind = 'spending_ahead' | 'work_ahead';

export interface Divergence {
  rate: Decimal;
  /** Average completion ratio of the project's numeric targets with progress, half-up to 0.01. */
  completion: Decimal;
  /** rate − completion in percentage points (positive: spending ahead of the work). */
  difference: Decimal;
  /** spending_ahead: 钱花了事没干; work_ahead: 事干了钱没花. */
  kind: DivergenceKind;
}

export interface ProjectMonitoring extends Figures {
  task: string;
  title: string;
  unit: string;
  unitName: string;
  /** The project's budget lines (fiscal, known), in allocation order. */
  lines: string[];
  targets: TargetStatus[];
  divergence: Divergence | null;
}

/** What an explanation or a measure is about; `unit` is whose it is (null: the department's). */
export interface SubjectRef {
  kind: SubjectKind | 'indicator';
  /** Null for the department. */
  id: string | null;
  name: string;
  unit: string | null;
}

export type ExplanationStatus = 'explained' | 'unexplained' | 'overdue';

export interface SubjectExplanation {
  subject: SubjectRef;
  level: 'yellow' | 'red';
  /** When the alert opened: the first month end of the unbroken yellow/red run that reaches "as of". */
  since: IsoDate;
  /** The latest explanation known for the subject (dated on or before "as of"), whenever it was made. */
  explanation: ExplanationRecord | null;
  /** explained: an explanation dated on or after `since`; else overdue after EXPLANATION_PERIOD working days. */
  status: ExplanationStatus;
  /** Working days after `since` up to and including "as of". */
  workingDaysOpen: number;
}

export interface MeasureStatus {
  /** The DeviationExplained or IndicatorProgressReported that states the measure. */
  eventId: string;
  subject: SubjectRef;
  measure: string;
  asOf: IsoDate;
  due: IsoDate | null;
  /** The latest follow-up (CorrectiveActionReported) known, dated on or before "as of". */
  status: ActionRecord | null;
  /** Past `due` ("as of" after it) and not done. */
  overdue: boolean;
}

export interface MonitoringSummary {
  redProjects: number;
  yellowProjects: number;
  /** Subjects at yellow/red without an explanation since their alert opened, not yet overdue. */
  unexplained: number;
  /** Subjects whose alert has been open for more than EXPLANATION_PERIOD working days without one. */
  overdue: number;
  targetsAtRisk: number;
  divergences: number;
  overdueMeasures: number;
}

export interface MonitoringReport {
  department: string;
  year: number;
  departmentName: string;
  asOf: IsoDate;
  knownOn: IsoDate | null;
  throughMonth: number;
  checkpoints: MonitoringCheckpoint[];
  thresholds: { yellow: Decimal; red: Decimal; divergence: Decimal };
  /** The department as a whole; null in a unit reader's cut. */
  total: Figures | null;
  projects: ProjectMonitoring[];
  departmentTargets: TargetStatus[];
  explanations: SubjectExplanation[];
  measures: MeasureStatus[];
  summary: MonitoringSummary;
}

/** What every group's figures are computed from, for one "as of" and "as known on". */
interface Context {
  meta: StreamMeta;
  index: FactIndex;
  asOf: IsoDate;
  knownOn: IsoDate | null;
  month: number;
  schedule: Decimal;
  budgets: readonly bigint[];
  monthly: readonly (readonly bigint[])[];
  cumulative: readonly (readonly bigint[])[];
  /** Schedule at the end of months 0..12 (made on first use). */
  schedules: (Decimal | undefined)[];
  /** The same in hundredths, and the thresholds in hundredths (for levelOfUnits). */
  schedulesH: (bigint | undefined)[];
  thresholdsH: UnitThresholds;
}

const slotOf = (ctx: Context, line: string) => entryOf(ctx.index.slotOf, line, 'fact index slot of line');

/** Figures of a group of budget lines (their slots), as executionReport computes a unit's. */
function groupFigures(ctx: Context, slots: readonly number[]): Figures {
  let budget = 0n;
  let spent = 0n;
  const monthly = new Array<bigint>(13).fill(0n);
  for (const slot of slots) {
    budget += ctx.budgets[slot] ?? 0n;
    spent += ctx.cumulative[slot]?.[ctx.month] ?? 0n;
    const months = ctx.monthly[slot] ?? [];
    for (let m = 1; m <= 12; m++) monthly[m] += months[m] ?? 0n;
  }
  const totals = { budget: amount(ctx.index, budget), spent: amount(ctx.index, spent) };
  const cumulative: Decimal[] = [ZERO];
  let running = 0n;
  for (let m = 1; m <= 12; m++) cumulative.push(amount(ctx.index, (running += monthly[m] ?? 0n)));
  const f = forecast({
    meta: ctx.meta,
    month: ctx.month,
    budget: totals.budget,
    cumulative,
    runRateMonths: RUN_RATE_MONTHS,
  });
  return withProjection(standing(ctx.meta, totals, ctx.schedule), f.yearEnd.projectedSpent);
}

function withProjection(s: Standing, projectedYearEnd: Decimal): Figures {
  return { ...s, projectedYearEnd, carryOver: Decimal.max(ZERO, s.budget.minus(projectedYearEnd)) };
}

function scheduleAt(ctx: Context, m: number): Decimal {
  return (ctx.schedules[m] ??= monthlySchedule(ctx.meta, m));
}

/**
 * The level of a group of lines at the end of month m: budget in force that day, spending through
 * m, in exact units (level-units.ts), with execution's own `standing` where those do not apply.
 */
function levelAtMonthEnd(ctx: Context, slots: readonly number[], m: number): AlertLevel | null {
  return levelOf(ctx, slots, budgetUnitsOn(ctx.index, lastDayOfMonth(ctx.meta.year, m), ctx.knownOn), m);
}

/**
 * The level of a group of lines with these budgets in force, spending through month m and the
 * schedule at m's end: as execution's `standing` decides it (level-units.ts, its fast path).
 */
function levelOf(ctx: Context, slots: readonly number[], budgets: readonly bigint[], m: number): AlertLevel | null {
  let budget = 0n;
  let spent = 0n;
  for (const slot of slots) {
    budget += budgets[slot] ?? 0n;
    spent += ctx.cumulative[slot]?.[m] ?? 0n;
  }
  const schedule = (ctx.schedulesH[m] ??= hundredths(scheduleAt(ctx, m)));
  const fast = levelOfUnits(spent, budget, schedule, ctx.thresholdsH);
  if (fast !== null) return fast;
  const totals = { budget: amount(ctx.index, budget), spent: amount(ctx.index, spent) };
  return standing(ctx.meta, totals, scheduleAt(ctx, m)).level;
}

const alerting = (level: AlertLevel | null): level is 'yellow' | 'red' => level === 'yellow' || level === 'red';

/**
 * When the current alert of a group opened: the first month end of the unbroken run of yellow/red
 * month ends that reaches the last month counting "as of" the date; "as of" itself when that
 * month's end was green (the level changed since, by a budget adjustment) or no month counts yet.
 */
function openedOn(ctx: Context, slots: readonly number[]): IsoDate {
  let first = 0;
  for (let m = ctx.month; m >= 1; m--) {
    if (!alerting(levelAtMonthEnd(ctx, slots, m))) break;
    first = m;
  }
  return first === 0 ? ctx.asOf : lastDayOfMonth(ctx.meta.year, first);
}

/** The divergence threshold: the stream meta's when it carries one, else YearOpened's, else the default. */
function divergenceThreshold(meta: StreamMeta, state: MonitoringState): Decimal {
  const fromMeta = (meta.thresholds as { divergence?: Percent }).divergence;
  return new Decimal(fromMeta ?? state.divergence ?? DEFAULT_DIVERGENCE);
}

function targetStatus(
  t: TargetInfo,
  state: MonitoringState,
  q: MonitoringQuery,
  riskDate: IsoDate | null,
): TargetStatus {
  const progress = latestAsOf(state.progress.get(t.indicator), (p) => p.asOf, q.asOf, q.knownOn);
  const atRisk =
    progress !== null &&
    (progress.likelihood === 'impossible' ||
      (progress.likelihood === 'possible' && riskDate !== null && progress.asOf >= riskDate));
  return {
    indicator: t.indicator,
    level1: t.level1,
    level2: t.level2,
    name: t.name,
    target: t.target,
    progress,
    completion: progress === null ? null : completionRatio(t.target, progress.actual),
    atRisk,
  };
}

/** The average completion ratio of the targets that have one, half-up to 0.01; null when none has. */
export function averageCompletion(targets: readonly Pick<TargetStatus, 'completion'>[]): Decimal | null {
  const ratios = targets.flatMap((t) => (t.completion === null ? [] : [t.completion]));
  if (ratios.length === 0) return null;
  return roundRate(ratios.reduce((a, b) => a.plus(b), ZERO).div(ratios.length));
}

/** The divergence of a project, or null when there is none (or nothing to compare). */
export function divergenceOf(
  rate: Decimal | null,
  targets: readonly Pick<TargetStatus, 'completion'>[],
  threshold: Decimal,
): Divergence | null {
  const completion = averageCompletion(targets);
  if (rate === null || completion === null) return null;
  const difference = roundRate(rate.minus(completion));
  if (difference.abs().lt(threshold)) return null;
  return { rate, completion, difference, kind: difference.gt(0) ? 'spending_ahead' : 'work_ahead' };
}

export function summarize(
  r: Pick<MonitoringReport, 'projects' | 'departmentTargets' | 'explanations' | 'measures'>,
): MonitoringSummary {
  const count = <T>(items: readonly T[], pick: (item: T) => boolean) => items.filter(pick).length;
  const targets = [...r.projects.flatMap((p) => p.targets), ...r.departmentTargets];
  return {
    redProjects: count(r.projects, (p) => p.level === 'red'),
    yellowProjects: count(r.projects, (p) => p.level === 'yellow'),
    unexplained: count(r.explanations, (e) => e.status === 'unexplained'),
    overdue: count(r.explanations, (e) => e.status === 'overdue'),
    targetsAtRisk: count(targets, (t) => t.atRisk),
    divergences: count(r.projects, (p) => p.divergence !== null),
    overdueMeasures: count(r.measures, (m) => m.overdue),
  };
}

/** The monitoring answer (see the file comment). `facts.meta` must be present (a YearOpened). */
export function monitoringReport(
  facts: ExecutionFacts,
  state: MonitoringState,
  q: MonitoringQuery,
  calendar: HolidayCalendar,
): MonitoringReport {
  const meta = requireMeta(facts);
  if (!isIsoDate(q.asOf)) throw new Error(`asOf ${q.asOf} is not an ISO date`);
  const month = monthThrough(meta.year, q.asOf);
  const index = factIndex(facts);
  const view = spendingView(index, q.knownOn);
  const ctx: Context = {
    meta,
    index,
    asOf: q.asOf,
    knownOn: q.knownOn,
    month,
    schedule: monthlySchedule(meta, month),
    budgets: budgetUnitsOn(index, q.asOf, q.knownOn),
    monthly: view.monthly,
    cumulative: view.cumulative,
    schedules: [],
    schedulesH: [],
    thresholdsH: {
      yellow: hundredthsUp(new Decimal(meta.thresholds.yellow)),
      red: hundredthsUp(new Decimal(meta.thresholds.red)),
    },
  };
  // What execution's report (fiscal funds, as of the date) says of the department, its units and its
  // lines, from the same index: its lines are the fiscal lines known by knownOn in facts order, its
  // units those known by knownOn, their levels and the department's figures as it computes them.
  const fiscal = new Set<string>();
  for (const l of facts.lines) if (l.source === 'fiscal' && recordedBy(l, q.knownOn)) fiscal.add(l.line);
  const fiscalLines = facts.lines
    .filter((l) => fiscal.has(l.line))
    .map((l) => ({ line: l.line, unit: l.unit, slot: slotOf(ctx, l.line) }));
  const allSlots = [...fiscal].map((line) => slotOf(ctx, line));
  const unitSlots = new Map<string, number[]>();
  for (const l of fiscalLines) {
    const list = unitSlots.get(l.unit);
    if (list === undefined) unitSlots.set(l.unit, [l.slot]);
    else if (!list.includes(l.slot)) list.push(l.slot);
  }
  const execution = {
    lines: fiscalLines.map((l) => ({
      line: l.line,
      unit: l.unit,
      slot: l.slot,
      level: levelOf(ctx, [l.slot], ctx.budgets, month),
    })),
    units: facts.units
      .filter((u) => recordedBy(u, q.knownOn))
      .map((u) => ({ unit: u.unit, level: levelOf(ctx, unitSlots.get(u.unit) ?? [], ctx.budgets, month) })),
  };
  const total = groupFigures(ctx, allSlots);

  const checkpoints = monitoringCheckpoints(meta);
  const riskDate = riskFrom(checkpoints);
  const threshold = divergenceThreshold(meta, state);

  const unitNames = new Map(facts.units.filter((u) => recordedBy(u, q.knownOn)).map((u) => [u.unit, u.name]));
  const knownLines = new Map(facts.lines.filter((l) => recordedBy(l, q.knownOn)).map((l) => [l.line, l]));
  const tasks = [...state.tasks.values()].filter((t) => recordedBy(t, q.knownOn));
  const targets = [...state.targets.values()].filter((t) => recordedBy(t, q.knownOn));
  const statusOf = (t: TargetInfo) => targetStatus(t, state, q, riskDate);

  // Lines of each project: fiscal lines known by knownOn whose allocation names the project.
  const projectLines = new Map<string, string[]>();
  for (const l of execution.lines) {
    const funded = state.lineProjects.get(l.line);
    if (!funded || !recordedBy(funded, q.knownOn)) continue;
    const list = projectLines.get(funded.task);
    if (list) list.push(l.line);
    else projectLines.set(funded.task, [l.line]);
  }

  // A project is monitored when it has lines or targets (a project task with neither only counts
  // for the year-end 项目完成及时性).
  const projects: ProjectMonitoring[] = tasks
    .filter((t) => t.kind === 'project' && (projectLines.has(t.task) || targets.some((i) => i.task === t.task)))
    .map((t) => {
      const lines = projectLines.get(t.task) ?? [];
      const figures = groupFigures(
        ctx,
        lines.map((l) => slotOf(ctx, l)),
      );
      const own = targets.filter((i) => i.task === t.task).map(statusOf);
      return {
        task: t.task,
        title: t.title,
        unit: t.unit,
        unitName: unitNames.get(t.unit) ?? t.unit,
        lines,
        ...figures,
        targets: own,
        divergence: divergenceOf(figures.rate, own, threshold),
      };
    });
  const departmentTargets = targets.filter((i) => i.task === null).map(statusOf);

  // Explanations: every subject at yellow or red, the department first, then units, projects, lines.
  const explanationsBySubject = new Map<string, ExplanationRecord[]>();
  for (const e of state.explanations) {
    const key = subjectKey(e.subject.kind, e.subject.id);
    const list = explanationsBySubject.get(key);
    if (list) list.push(e);
    else explanationsBySubject.set(key, [e]);
  }
  const taskRef = (id: string): SubjectRef => {
    const t = state.tasks.get(id);
    const known = t !== undefined && recordedBy(t, q.knownOn);
    return { kind: 'task', id, name: known ? t.title : id, unit: known ? t.unit : null };
  };
  const refOf = (kind: SubjectKind, id: string | null): SubjectRef => {
    switch (kind) {
      case 'department':
        return { kind, id: null, name: meta.departmentName, unit: null };
      case 'unit':
        return { kind, id, name: unitNames.get(id ?? '') ?? id ?? '', unit: id };
      case 'line': {
        const known = knownLines.get(id ?? '');
        return { kind, id, name: known?.name ?? id ?? '', unit: known?.unit ?? null };
      }
      case 'task':
        return taskRef(id ?? '');
    }
  };
  const explain = (subject: SubjectRef, level: AlertLevel | null, slots: () => number[]): SubjectExplanation | null => {
    if (!alerting(level)) return null;
    const since = openedOn(ctx, slots());
    const explanation = latestAsOf(
      explanationsBySubject.get(subjectKey(subject.kind as SubjectKind, subject.id)),
      (e) => e.asOf,
      q.asOf,
      q.knownOn,
    );
    const workingDaysOpen = workingDaysBetween(calendar, since, q.asOf);
    const status: ExplanationStatus =
      explanation !== null && explanation.asOf >= since
        ? 'explained'
        : workingDaysOpen > EXPLANATION_PERIOD
          ? 'overdue'
          : 'unexplained';
    return { subject, level, since, explanation, status, workingDaysOpen };
  };
  const explanations = [
    explain(refOf('department', null), total.level, () => allSlots),
    ...execution.units.map((u) => explain(refOf('unit', u.unit), u.level, () => unitSlots.get(u.unit) ?? [])),
    ...projects.map((p) => explain(taskRef(p.task), p.level, () => p.lines.map((l) => slotOf(ctx, l)))),
    ...execution.lines.map((l) => explain(refOf('line', l.line), l.level, () => [l.slot])),
  ].filter((e): e is SubjectExplanation => e !== null);

  // Measures: every explanation and every progress report with a measure, in stream order.
  const followUp = (eventId: string) => latestAsOf(state.actions.get(eventId), (a) => a.on, q.asOf, q.knownOn);
  const measures: (MeasureStatus & { seq: number })[] = [];
  for (const e of state.explanations) {
    if (!recordedBy(e, q.knownOn) || e.asOf > q.asOf) continue;
    const status = followUp(e.eventId);
    measures.push({
      seq: e.seq,
      eventId: e.eventId,
      subject: refOf(e.subject.kind, e.subject.id),
      measure: e.measure,
      asOf: e.asOf,
      due: e.due,
      status,
      overdue: e.due !== null && q.asOf > e.due && status?.status !== 'done',
    });
  }
  for (const reports of state.progress.values())
    for (const p of reports) {
      if (p.measure === null || !recordedBy(p, q.knownOn) || p.asOf > q.asOf) continue;
      const target = state.targets.get(p.indicator);
      const owner = target?.task ? taskRef(target.task).unit : null;
      measures.push({
        seq: p.seq,
        eventId: p.eventId,
        subject: { kind: 'indicator', id: p.indicator, name: target?.name ?? p.indicator, unit: owner },
        measure: p.measure,
        asOf: p.asOf,
        due: null,
        status: followUp(p.eventId),
        overdue: false,
      });
    }
  measures.sort((a, b) => a.seq - b.seq);

  const parts = {
    projects,
    departmentTargets,
    explanations,
    measures: measures.map(({ seq: _seq, ...m }) => m),
  };
  return {
    department: meta.department,
    year: meta.year,
    departmentName: meta.departmentName,
    asOf: q.asOf,
    knownOn: q.knownOn,
    throughMonth: month,
    checkpoints,
    thresholds: {
      yellow: new Decimal(meta.thresholds.yellow),
      red: new Decimal(meta.thresholds.red),
      divergence: threshold,
    },
    total,
    ...parts,
    summary: summarize(parts),
  };
}

/**
 * A unit reader's cut (as execution cuts its answer): no department total, its own unit's projects,
 * subjects and measures only, no department-level targets; the summary counts what is left.
 */
export function unitCut(r: MonitoringReport, unit: string): MonitoringReport {
  const parts = {
    projects: r.projects.filter((p) => p.unit === unit),
    departmentTargets: [],
    explanations: r.explanations.filter((e) => e.subject.unit === unit),
    measures: r.measures.filter((m) => m.subject.unit === unit),
  };
  return { ...r, total: null, ...parts, summary: summarize(parts) };
}

/**
 * The finance bureau's order, worst first: overdue explanations, then unexplained ones, red
 * projects, targets at risk, divergences, yellow projects (each more first); 0 when equal.
 */
export function worstFirst(a: MonitoringSummary, b: MonitoringSummary): number {
  return (
    b.overdue - a.overdue ||
    b.unexplained - a.unexplained ||
    b.redProjects - a.redProjects ||
    b.targetsAtRisk - a.targetsAtRisk ||
    b.divergences - a.divergences ||
    b.yellowProjects - a.yellowProjects
  );
}
