/**
 * Execution figures from facts (FRAMEWORK.md "Schedule and alerts"): budget in force at a date,
 * cumulative spending through a month by valid month (corrections at the corrected month),
 * rate (half-up to 0.01 pp), schedule, lag and alert level, bitemporally ("as known on").
 * Pure: the caller passes every date in.
 */
import { isIsoDate, lastDayOfMonth } from '../dates.js';
import { Decimal, ZERO, percentOf, roundRate } from '../decimal.js';
import type { IsoDate } from '../events.js';
import { elementAt, entryOf } from '../required.js';
import {
  amount,
  budgetUnitsOn,
  budgetsOn,
  factIndex,
  spendingView,
  spentThrough,
  throughIndex,
  type FactIndex,
} from './fact-index.js';
import type { ExecutionFacts, LineInfo, StreamMeta } from './facts.js';
import { checkpointAfter, isQuarterly, placeCheckpoints, scheduleAtMonth, type Checkpoint } from './schedule.js';

export type { Checkpoint } from './schedule.js';

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

/** Whether a unit or line was registered by `knownOn` (null: everything known). */
export function knownBy(item: { knownOn: IsoDate }, knownOn: IsoDate | null | undefined): boolean {
  return !knownOn || item.knownOn <= knownOn;
}

/**
 * Line ids included by the source filter and known by `knownOn`: every id with an entry in
 * facts.lines that passes both (a line allocated later does not exist as known on an earlier date).
 */
function includedIds(facts: ExecutionFacts, source: SourceFilter, knownOn?: IsoDate | null): Set<string> {
  const out = new Set<string>();
  for (const l of facts.lines) if (lineIncluded(l, source) && knownBy(l, knownOn)) out.add(l.line);
  return out;
}

/** Budget and spending per line for a window. Lines outside the source filter are left out. */
export function lineTotals(facts: ExecutionFacts, w: FigureWindow): Map<string, Totals> {
  const index = factIndex(facts);
  const budgets = budgetsOn(index, w.budgetOn, w.knownOn);
  const spent = spentThrough(index, w.knownOn, w.throughMonth);
  const out = new Map<string, Totals>();
  for (const id of includedIds(facts, w.source, w.knownOn)) {
    const slot = entryOf(index.slotOf, id, 'fact index slot of line');
    out.set(id, { budget: budgets[slot], spent: spent[slot] });
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

/** The stream's schedule checkpoints in its year (from meta.checkpoints; see schedule.ts). */
export function checkpoints(meta: StreamMeta): Checkpoint[] {
  return placeCheckpoints(meta.year, meta.checkpoints);
}

/** Whether the stream's checkpoints are the four quarter ends (`schedule` or its default). */
export function quarterlySchedule(meta: StreamMeta): boolean {
  return isQuarterly(meta.checkpoints);
}

/** The schedule at the year start and the four quarter ends (index 0..4): 0, then meta.schedule Q1..Q4. */
export function quarterSchedule(meta: StreamMeta): Decimal[] {
  return [
    ZERO,
    new Decimal(meta.schedule.Q1),
    new Decimal(meta.schedule.Q2),
    new Decimal(meta.schedule.Q3),
    new Decimal(meta.schedule.Q4),
  ];
}

/**
 * Month-linear schedule at the end of month m (0..12): linear by month position between the
 * stream's checkpoints from (0, 0%), the last checkpoint's percent after it (schedule.ts). With the
 * quarterly schedule it equals the checkpoint at each quarter end and month/12 for the default
 * 25/50/75/100. Rounded half-up to 0.01 pp.
 */
export function monthlySchedule(meta: StreamMeta, month: number): Decimal {
  return scheduleAtMonth(checkpoints(meta), month);
}

/** The thresholds as Decimals, parsed once per thresholds object and text (a report asks for a level per line). */
const thresholdMemo = new WeakMap<StreamMeta['thresholds'], { text: string; yellow: Decimal; red: Decimal }>();

function thresholdsOf(meta: StreamMeta): { yellow: Decimal; red: Decimal } {
  const { yellow, red } = meta.thresholds;
  const text = `${yellow}|${red}`;
  let t = thresholdMemo.get(meta.thresholds);
  if (!t || t.text !== text)
    thresholdMemo.set(meta.thresholds, (t = { text, yellow: new Decimal(yellow), red: new Decimal(red) }));
  return t;
}

export function alertLevel(meta: StreamMeta, lag: Decimal): AlertLevel {
  const t = thresholdsOf(meta);
  if (lag.gte(t.red)) return 'red';
  if (lag.gte(t.yellow)) return 'yellow';
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

/**
 * The next checkpoint after the end of month m (0..12): the first dated after month m's last day
 * (for a quarterly schedule the current quarter's end, or the next one at a quarter end); null
 * when none is left.
 */
export function nextCheckpoint(meta: StreamMeta, month: number): Checkpoint | null {
  return checkpointAfter(checkpoints(meta), month);
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
  nextCheckpoint: {
    /** 1..4 at a quarter end, else null (see Checkpoint). */
    quarter: number | null;
    date: IsoDate;
    percent: Decimal;
    projectedSpent: Decimal;
    projectedRate: Decimal | null;
    projectedLevel: AlertLevel | null;
    neededToReach: Decimal;
  } | null;
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
  const spent = elementAt(f.cumulative, f.month, 'cumulative spending');
  const runRate = n === 0 ? ZERO : spent.minus(elementAt(f.cumulative, f.month - n, 'cumulative spending')).div(n);
  /** Spending projected at a month position (a checkpoint not at a month end sits between two). */
  const project = (toMonth: Decimal | number) => spent.plus(runRate.times(new Decimal(toMonth).minus(f.month)));
  const rateOf = (amount: Decimal) => executionRate({ budget: f.budget, spent: amount });
  const cp = nextCheckpoint(f.meta, f.month);
  let next: Forecast['nextCheckpoint'] = null;
  if (cp) {
    const projectedSpent = project(cp.position);
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
  /** Schedule minus rate (percentage points) and the alert level by the stream's thresholds. */
  lag: Decimal | null;
  level: AlertLevel | null;
}

/**
 * Budget and spending (valid months 1..through) summed over line slots, in the index's units (a
 * slot listed twice counts twice, as a line listed twice always did). Slots come from the index's
 * slotOf, so every per-slot array has them; `through` is 0..12.
 */
function sumSlots(
  slots: Iterable<number>,
  budgets: readonly bigint[],
  cumulative: readonly (readonly bigint[])[],
  through: number,
): { budget: bigint; spent: bigint } {
  let budget = 0n;
  let spent = 0n;
  for (const slot of slots) {
    budget += budgets[slot];
    spent += cumulative[slot][through];
  }
  return { budget, spent };
}

function totalsOf(index: FactIndex, t: { budget: bigint; spent: bigint }): Totals {
  return { budget: amount(index, t.budget), spent: amount(index, t.spent) };
}

/**
 * Department rates at the four quarter ends: spending through months 3/6/9/12 over the budget in
 * force on each quarter's last day.
 */
export function quarterRates(
  facts: ExecutionFacts,
  opts: { source: SourceFilter; knownOn?: IsoDate | null; lines?: Iterable<string> },
): QuarterRate[] {
  const meta = requireMeta(facts);
  const cps = quarterSchedule(meta);
  const index = factIndex(facts);
  const included = includedIds(facts, opts.source, opts.knownOn);
  const ids = opts.lines ? [...opts.lines].filter((id) => included.has(id)) : [...included];
  const slots = ids.map((id) => entryOf(index.slotOf, id, 'fact index slot of line'));
  const cumulative = spendingView(index, opts.knownOn).cumulative;
  return ([1, 2, 3, 4] as const).map((q) => {
    const date = lastDayOfMonth(meta.year, q * 3);
    const t = totalsOf(index, sumSlots(slots, budgetUnitsOn(index, date, opts.knownOn), cumulative, q * 3));
    const schedule = elementAt(cps, q, 'quarter-end schedule');
    const s = standing(meta, t, schedule);
    return { quarter: q, date, budget: t.budget, spent: t.spent, rate: s.rate, schedule, lag: s.lag, level: s.level };
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
  /** The next checkpoint after throughMonth (nextCheckpoint); null after the last one. */
  checkpoint: Checkpoint | null;
  /** Whether the stream's checkpoints are the four quarter ends (quarterlySchedule). */
  quarterly: boolean;
  /** Every checkpoint of the stream's schedule. */
  checkpoints: Checkpoint[];
  total: Standing & { forecast: Forecast };
  units: UnitExecution[];
  lines: LineExecution[];
}

/** Month-by-month sum (months 1..12) of several monthly series. */
function sumSeries(series: Iterable<readonly bigint[]>): bigint[] {
  const out = new Array<bigint>(13).fill(0n);
  for (const months of series) for (let m = 1; m <= 12; m++) out[m] += months[m];
  return out;
}

/** Cumulative spending through months 0..12 (as Decimals) from spending per month 1..12. */
function cumulate(index: FactIndex, monthly: readonly bigint[]): Decimal[] {
  const out: Decimal[] = [ZERO];
  let running = 0n;
  for (let m = 1; m <= 12; m++) out.push(amount(index, (running += monthly[m])));
  return out;
}

/** Distinct line slots per unit id, in line order. */
function slotsByUnit(included: readonly LineInfo[], index: FactIndex): Map<string, number[]> {
  const sets = new Map<string, Set<number>>();
  for (const l of included) {
    const set = sets.get(l.unit) ?? new Set<number>();
    set.add(entryOf(index.slotOf, l.line, 'fact index slot of line'));
    sets.set(l.unit, set);
  }
  return new Map([...sets].map(([unit, set]) => [unit, [...set]]));
}

/**
 * Derived from the grouped facts (fact-index.ts), parsed once: line figures from the line groups,
 * unit and department figures and monthly series (for the forecast) by adding up their lines'
 * groups in exact units; only the figures shown become Decimals.
 */
export function executionReport(facts: ExecutionFacts, q: ExecutionQuery): ExecutionReport {
  const meta = requireMeta(facts);
  if (!isIsoDate(q.asOf)) throw new Error(`asOf ${q.asOf} is not an ISO date`);
  const month = monthThrough(meta.year, q.asOf);
  const schedule = monthlySchedule(meta, month);
  const runRateMonths = q.runRateMonths ?? 3;
  const index = factIndex(facts);
  const budgetUnits = budgetUnitsOn(index, q.asOf, q.knownOn);
  const budgets = budgetsOn(index, q.asOf, q.knownOn);
  const view = spendingView(index, q.knownOn);
  const spent = spentThrough(index, q.knownOn, month);
  const through = throughIndex(month);
  const ids = includedIds(facts, q.source, q.knownOn);
  const forecastFor = (monthly: readonly bigint[], budget: Decimal) =>
    forecast({ meta, month, budget, cumulative: cumulate(index, monthly), runRateMonths });

  const included = facts.lines.filter((l) => ids.has(l.line));
  const lines: LineExecution[] = included.map((l) => {
    const slot = entryOf(index.slotOf, l.line, 'fact index slot of line');
    return {
      line: l.line,
      unit: l.unit,
      name: l.name,
      category: l.category,
      economic: l.economic,
      source: l.source,
      ...standing(meta, { budget: budgets[slot], spent: spent[slot] }, schedule),
    };
  });

  const unitSlots = slotsByUnit(included, index);
  const units: UnitExecution[] = facts.units
    .filter((u) => knownBy(u, q.knownOn))
    .map((u) => {
      const slots = unitSlots.get(u.unit) ?? [];
      const t = totalsOf(index, sumSlots(slots, budgetUnits, view.cumulative, through));
      return {
        unit: u.unit,
        name: u.name,
        ...standing(meta, t, schedule),
        forecast: forecastFor(sumSeries(slots.map((slot) => view.monthly[slot])), t.budget),
      };
    });

  const allSlots = [...ids].map((id) => entryOf(index.slotOf, id, 'fact index slot of line'));
  const all = totalsOf(index, sumSlots(allSlots, budgetUnits, view.cumulative, through));
  const totalMonthly = sumSeries(allSlots.map((slot) => view.monthly[slot]));
  return {
    department: meta.department,
    year: meta.year,
    departmentName: meta.departmentName,
    asOf: q.asOf,
    knownOn: q.knownOn ?? null,
    source: q.source,
    throughMonth: month,
    checkpoint: nextCheckpoint(meta, month),
    quarterly: quarterlySchedule(meta),
    checkpoints: checkpoints(meta),
    total: { ...standing(meta, all, schedule), forecast: forecastFor(totalMonthly, all.budget) },
    units,
    lines,
  };
}
