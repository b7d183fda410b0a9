/**
 * Execution figures from facts (FRAMEWORK.md "Schedule and alerts"): budget in force at a date,
 * cumulative spending through a month by valid month (corrections at the corrected month),
 * rate (half-up to 0.01 pp), schedule, lag and alert level, bitemporally ("as known on").
 * Pure: the caller passes every date in.
 */
import { isIsoDate, lastDayOfMonth } from '../dates.js';
import { Decimal, ZERO, percentOf, roundRate } from '../decimal.js';
import type { IsoDate } from '../events.js';
import type { ExecutionFacts, LineInfo, StreamMeta } from './facts.js';

export type SourceFilter = 'fiscal' | 'all';
export type AlertLevel = 'green' | 'yellow' | 'red';

export interface Totals {
  budget: Decimal;
  spent: Decimal;
}

export interface FigureWindow {
  /** Budget in force on this date (allocations + adjustments with effectiveOn ≤ it). */
  budgetOn: IsoDate;
  /** Spending of valid months 1..throughMonth (0: nothing). */
  throughMonth: number;
  /** Only facts recorded on or before this date; null/undefined: everything (as corrected). */
  knownOn?: IsoDate | null;
  source: SourceFilter;
}

export function lineIncluded(line: LineInfo, source: SourceFilter): boolean {
  return source === 'all' || line.source === source;
}

/** Budget and spending per line for a window. Lines outside the source filter are left out. */
export function lineTotals(facts: ExecutionFacts, w: FigureWindow): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const l of facts.lines) if (lineIncluded(l, w.source)) out.set(l.line, { budget: ZERO, spent: ZERO });
  const known = (d: IsoDate) => !w.knownOn || d <= w.knownOn;
  for (const b of facts.budget) {
    const t = out.get(b.line);
    if (t && b.effectiveOn <= w.budgetOn && known(b.knownOn)) t.budget = t.budget.plus(b.amount);
  }
  for (const s of facts.spending) {
    const t = out.get(s.line);
    if (t && s.month <= w.throughMonth && known(s.knownOn)) t.spent = t.spent.plus(s.amount);
  }
  return out;
}

export function addTotals(a: Totals, b: Totals): Totals {
  return { budget: a.budget.plus(b.budget), spent: a.spent.plus(b.spent) };
}

/** Execution rate in percent, half-up to 0.01; null when there is no budget. */
export function executionRate(t: Totals): Decimal | null {
  const r = percentOf(t.spent, t.budget);
  return r === null ? null : roundRate(r);
}

export function checkpoints(meta: StreamMeta): Decimal[] {
  return [ZERO, new Decimal(meta.schedule.Q1), new Decimal(meta.schedule.Q2), new Decimal(meta.schedule.Q3), new Decimal(meta.schedule.Q4)];
}

/**
 * Month-linear schedule at the end of month m (0..12): linear between the quarter checkpoints,
 * so it equals the checkpoint at each quarter end and month/12 for the default 25/50/75/100.
 * Rounded half-up to 0.01 pp.
 */
export function monthlySchedule(meta: StreamMeta, month: number): Decimal {
  if (month <= 0) return ZERO;
  const cps = checkpoints(meta);
  const q = Math.ceil(month / 3);
  const within = month - 3 * (q - 1);
  return roundRate(cps[q - 1]!.plus(cps[q]!.minus(cps[q - 1]!).times(within).div(3)));
}

export function alertLevel(meta: StreamMeta, lag: Decimal): AlertLevel {
  if (lag.gte(meta.thresholds.red)) return 'red';
  if (lag.gte(meta.thresholds.yellow)) return 'yellow';
  return 'green';
}

/** The last month whose spending counts "as of" a date: its own month at month end, else the month before. */
export function monthThrough(year: number, asOf: IsoDate): number {
  const y = Number(asOf.slice(0, 4));
  if (y < year) return 0;
  if (y > year) return 12;
  const m = Number(asOf.slice(5, 7));
  return asOf === lastDayOfMonth(year, m) ? m : m - 1;
}

export interface Checkpoint {
  quarter: 1 | 2 | 3 | 4;
  month: number;
  date: IsoDate;
  percent: Decimal;
}

/** The next quarter checkpoint after month m (the one at m itself when m is not yet a quarter end). */
export function nextCheckpoint(meta: StreamMeta, month: number): Checkpoint | null {
  const q = Math.floor(month / 3) + 1;
  if (q > 4) return null;
  const cps = checkpoints(meta);
  return { quarter: q as 1 | 2 | 3 | 4, month: q * 3, date: lastDayOfMonth(meta.year, q * 3), percent: cps[q]! };
}

export interface Standing {
  budget: Decimal;
  spent: Decimal;
  rate: Decimal | null;
  schedule: Decimal;
  lag: Decimal | null;
  level: AlertLevel | null;
}

export function standing(meta: StreamMeta, t: Totals, schedule: Decimal): Standing {
  const rate = executionRate(t);
  const lag = rate === null ? null : schedule.minus(rate);
  return { budget: t.budget, spent: t.spent, rate, schedule, lag, level: lag === null ? null : alertLevel(meta, lag) };
}

export interface Forecast {
  /** Average monthly spending over the run-rate window. */
  runRate: Decimal;
  runRateMonths: number;
  nextCheckpoint: { quarter: number; date: IsoDate; percent: Decimal; projectedSpent: Decimal; projectedRate: Decimal | null; projectedLevel: AlertLevel | null; neededToReach: Decimal } | null;
  yearEnd: { projectedSpent: Decimal; projectedRate: Decimal | null };
  /** The projection falls behind the next checkpoint by the yellow threshold or more. */
  willMissCheckpoint: boolean;
}

export interface ForecastInput {
  meta: StreamMeta;
  month: number;
  budget: Decimal;
  /** Cumulative spending through each month 0..12 (index = month). */
  cumulative: Decimal[];
  runRateMonths: number;
}

export function forecast(f: ForecastInput): Forecast {
  const n = Math.min(f.runRateMonths, f.month);
  const runRate = n === 0 ? ZERO : f.cumulative[f.month]!.minus(f.cumulative[f.month - n]!).div(n);
  const spent = f.cumulative[f.month]!;
  const project = (toMonth: number) => spent.plus(runRate.times(toMonth - f.month));
  const rateOf = (amount: Decimal) => executionRate({ budget: f.budget, spent: amount });
  const cp = nextCheckpoint(f.meta, f.month);
  let next: Forecast['nextCheckpoint'] = null;
  if (cp) {
    const projectedSpent = project(cp.month);
    const projectedRate = rateOf(projectedSpent);
    const target = cp.percent.times(f.budget).div(100);
    next = {
      quarter: cp.quarter,
      date: cp.date,
      percent: cp.percent,
      projectedSpent,
      projectedRate,
      projectedLevel: projectedRate === null ? null : alertLevel(f.meta, cp.percent.minus(projectedRate)),
      neededToReach: Decimal.max(ZERO, target.minus(spent)).toDecimalPlaces(2, Decimal.ROUND_UP),
    };
  }
  const yearEndSpent = project(12);
  return {
    runRate: runRate.toDecimalPlaces(2),
    runRateMonths: n,
    nextCheckpoint: next,
    yearEnd: { projectedSpent: yearEndSpent.toDecimalPlaces(2), projectedRate: rateOf(yearEndSpent) },
    willMissCheckpoint: !!next && next.projectedLevel !== null && next.projectedLevel !== 'green',
  };
}

export interface QuarterRate {
  quarter: 1 | 2 | 3 | 4;
  date: IsoDate;
  budget: Decimal;
  spent: Decimal;
  rate: Decimal | null;
  schedule: Decimal;
}

function totalOf(map: Map<string, Totals>, lines?: Iterable<string>): Totals {
  let t: Totals = { budget: ZERO, spent: ZERO };
  const keys = lines ? [...lines] : [...map.keys()];
  for (const k of keys) {
    const v = map.get(k);
    if (v) t = addTotals(t, v);
  }
  return t;
}

/** Department rates at the four quarter ends: spending through months 3/6/9/12 over the budget in force on each quarter's last day. */
export function quarterRates(facts: ExecutionFacts, opts: { source: SourceFilter; knownOn?: IsoDate | null; lines?: Iterable<string> }): QuarterRate[] {
  const meta = requireMeta(facts);
  const cps = checkpoints(meta);
  return ([1, 2, 3, 4] as const).map((q) => {
    const date = lastDayOfMonth(meta.year, q * 3);
    const t = totalOf(lineTotals(facts, { budgetOn: date, throughMonth: q * 3, knownOn: opts.knownOn, source: opts.source }), opts.lines);
    return { quarter: q, date, budget: t.budget, spent: t.spent, rate: executionRate(t), schedule: cps[q]! };
  });
}

export function requireMeta(facts: ExecutionFacts): StreamMeta {
  if (!facts.meta) throw new Error('the stream has no YearOpened');
  return facts.meta;
}

export interface ExecutionQuery {
  asOf: IsoDate;
  knownOn?: IsoDate | null;
  source: SourceFilter;
  /** Months in the forecast run-rate (default 3). */
  runRateMonths?: number;
}

export interface UnitExecution extends Standing {
  unit: string;
  name: string;
  forecast: Forecast;
}

export interface LineExecution extends Standing {
  line: string;
  unit: string;
  name: string;
  category: string;
  economic: string;
  source: string;
}

export interface ExecutionReport {
  department: string;
  year: number;
  departmentName: string;
  asOf: IsoDate;
  knownOn: IsoDate | null;
  source: SourceFilter;
  throughMonth: number;
  checkpoint: Checkpoint | null;
  total: Standing & { forecast: Forecast };
  units: UnitExecution[];
  lines: LineExecution[];
}

/** Cumulative spending through months 0..12 for a set of lines. */
function cumulativeByMonth(facts: ExecutionFacts, lines: Set<string>, knownOn: IsoDate | null | undefined): Decimal[] {
  const perMonth: Decimal[] = Array.from({ length: 13 }, () => ZERO);
  for (const s of facts.spending) {
    if (lines.has(s.line) && (!knownOn || s.knownOn <= knownOn)) perMonth[s.month] = perMonth[s.month]!.plus(s.amount);
  }
  const out: Decimal[] = [ZERO];
  for (let m = 1; m <= 12; m++) out.push(out[m - 1]!.plus(perMonth[m]!));
  return out;
}

export function executionReport(facts: ExecutionFacts, q: ExecutionQuery): ExecutionReport {
  const meta = requireMeta(facts);
  if (!isIsoDate(q.asOf)) throw new Error(`asOf ${q.asOf} is not an ISO date`);
  const month = monthThrough(meta.year, q.asOf);
  const schedule = monthlySchedule(meta, month);
  const perLine = lineTotals(facts, { budgetOn: q.asOf, throughMonth: month, knownOn: q.knownOn, source: q.source });
  const runRateMonths = q.runRateMonths ?? 3;
  const forecastFor = (lineIds: Set<string>, budget: Decimal) =>
    forecast({ meta, month, budget, cumulative: cumulativeByMonth(facts, lineIds, q.knownOn), runRateMonths });

  const included = facts.lines.filter((l) => perLine.has(l.line));
  const lines: LineExecution[] = included.map((l) => ({
    line: l.line,
    unit: l.unit,
    name: l.name,
    category: l.category,
    economic: l.economic,
    source: l.source,
    ...standing(meta, perLine.get(l.line)!, schedule),
  }));
  const units: UnitExecution[] = facts.units.map((u) => {
    const ids = new Set(included.filter((l) => l.unit === u.unit).map((l) => l.line));
    const t = totalOf(perLine, ids);
    return { unit: u.unit, name: u.name, ...standing(meta, t, schedule), forecast: forecastFor(ids, t.budget) };
  });
  const all = totalOf(perLine);
  return {
    department: meta.department,
    year: meta.year,
    departmentName: meta.departmentName,
    asOf: q.asOf,
    knownOn: q.knownOn ?? null,
    source: q.source,
    throughMonth: month,
    checkpoint: nextCheckpoint(meta, month),
    total: { ...standing(meta, all, schedule), forecast: forecastFor(new Set(perLine.keys()), all.budget) },
    units,
    lines,
  };
}
