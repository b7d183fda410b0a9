/**
 * What the dashboard shows, gathered from the read models:
 * - the finance bureau's overview: every department-year with its current fiscal execution rate,
 *   lag, level and forecast score (the self-evaluation total and grade);
 * - the cumulative execution curve of one department-year, month by month, for the department and
 *   each unit, against the month-linear schedule (pure functions of libs/domain/execution);
 * - one department-year's page: figures, quarter-end rates, curve inputs, open alerts, the latest
 *   notices and the scoring table.
 * Amounts and rates are decimal strings, as everywhere on the wire.
 */
import { inScope, type Principal } from '#domain/access.js';
import { lastDayOfMonth } from '#domain/dates.js';
import { fixed2, money, ZERO } from '#domain/decimal.js';
import { streamId } from '#domain/events.js';
import {
  executionRate,
  lineTotals,
  monthlySchedule,
  monthThrough,
  requireMeta,
  type AlertLevel,
  type SourceFilter,
  type Totals,
  knownBy,
} from '#domain/execution/execution.js';
import type { ExecutionRepository } from '#persistence/execution.repository.js';
import { AccessDeniedError } from '../common/errors.js';
import type { IssuedNotice, NoticesRepository } from '#persistence/notices.repository.js';
import type { EvaluationStatus } from '#domain/evaluation/evaluate.js';
import type { EvaluationReport } from '../evaluation/evaluation.wire.js';
import type { EvaluationService } from '../evaluation/evaluation.service.js';
import type { ExecutionService } from '../execution/execution.service.js';
import { elementAt, entryOf, required } from '#domain/required.js';
import type { MonitoringSummary } from '#domain/monitoring/monitoring.js';

export interface CurveParams {
  /** Only facts recorded on or before this date. */
  knownOn?: string;
  source?: SourceFilter;
  /** Months after the one that counts "as of" this date have no figures (null); default as in execution. */
  asOf?: string;
}

/** Month by month (index 0 = January): budget in force at the month's end, cumulative spending, rate. */
export interface CurveSeries {
  budget: (string | null)[];
  spent: (string | null)[];
  rate: (string | null)[];
}

export interface Curve {
  department: string;
  year: number;
  departmentName: string;
  source: SourceFilter;
  knownOn: string | null;
  asOf: string;
  /** Last month with figures (0..12); later months are null. */
  throughMonth: number;
  months: number[];
  /** Month-linear schedule at each month's end (percent). */
  schedule: string[];
  total: CurveSeries;
  units: ({ unit: string; name: string } & CurveSeries)[];
}

export interface DepartmentOverview {
  department: string;
  year: number;
  departmentName: string;
  closedOn: string | null;
  asOf: string;
  throughMonth: number;
  source: 'fiscal';
  budget: string;
  spent: string;
  rate: string | null;
  schedule: string;
  lag: string | null;
  level: AlertLevel | null;
  units: { total: number; green: number; yellow: number; red: number };
  forecast: {
    yearEndRate: string | null;
    nextCheckpoint: {
      /** 1..4 at a quarter end, else null. */
      quarter: number | null;
      date: string;
      schedule: string | null;
      projectedRate: string | null;
      projectedLevel: AlertLevel | null;
    } | null;
  };
  /**
   * The self-evaluation (final after YearClosed with every input in, incomplete when some are
   * missing, else a running forecast): the score so far, its range (2 decimals), the grade when the
   * range decides it, the grades still possible, and how many criteria are missing or not yet due;
   * null when it cannot be computed.
   */
  evaluation: {
    status: EvaluationStatus;
    total: string;
    range: { min: string; max: string };
    grade: string | null;
    grades: string[];
    missing: number;
    notDue: number;
    framework: string;
  } | null;
  links: { dashboard: string; execution: string; evaluation: string };
}

export interface OverviewParams {
  year?: number;
  knownOn?: string;
}

export interface PageParams {
  asOf?: string;
  knownOn?: string;
  source?: SourceFilter;
}

/** Department-years warmed together (their stored parts read in one query per kind). */
const WARM_GROUP = 50;

export class OverviewService {
  constructor(
    private readonly repo: ExecutionRepository,
    private readonly execution: ExecutionService,
    private readonly evaluation: EvaluationService,
    private readonly notices: NoticesRepository,
    private readonly concurrency = 4,
  ) {}

  /** Cumulative rate per month 1..12 for the department and each unit, with the schedule line. */
  async curve(department: string, year: number, p: CurveParams, today: string): Promise<Curve> {
    const facts = await this.execution.facts(department, year, p.knownOn);
    const meta = requireMeta(facts);
    const source = p.source ?? 'fiscal';
    const knownOn = p.knownOn ?? null;
    const asOf = p.asOf ?? this.execution.defaultAsOf(year, today);
    const through = monthThrough(year, asOf);
    const months = Array.from({ length: 12 }, (_, i) => i + 1);
    const perMonth = months.map((m) =>
      lineTotals(facts, { budgetOn: lastDayOfMonth(year, m), throughMonth: m, knownOn, source }),
    );
    const series = (lines: string[] | null): CurveSeries => {
      const s: CurveSeries = { budget: [], spent: [], rate: [] };
      perMonth.forEach((totals, i) => {
        if (i + 1 > through) {
          s.budget.push(null);
          s.spent.push(null);
          s.rate.push(null);
          return;
        }
        let t: Totals = { budget: ZERO, spent: ZERO };
        for (const [line, v] of totals)
          if (!lines || lines.includes(line)) t = { budget: t.budget.plus(v.budget), spent: t.spent.plus(v.spent) };
        const rate = executionRate(t);
        s.budget.push(money(t.budget));
        s.spent.push(money(t.spent));
        s.rate.push(rate === null ? null : fixed2(rate));
      });
      return s;
    };
    const january = elementAt(perMonth, 0, 'monthly totals');
    const included = facts.lines.filter((l) => january.has(l.line));
    return {
      department,
      year,
      departmentName: meta.departmentName,
      source,
      knownOn,
      asOf,
      throughMonth: through,
      months,
      schedule: months.map((m) => monthlySchedule(meta, m).toFixed(2)),
      total: series(null),
      units: facts.units
        .filter((u) => knownBy(u, knownOn))
        .map((u) => ({
          unit: u.unit,
          name: u.name,
          ...series(included.filter((l) => l.unit === u.unit).map((l) => l.line)),
        })),
    };
  }

  /** The self-evaluation, or null with the reason when it cannot be computed. */
  async evaluationOrNull(
    department: string,
    year: number,
    knownOn?: string,
  ): Promise<{ report: EvaluationReport | null; error: string | null }> {
    try {
      return { report: await this.evaluation.evaluation(department, year, { knownOn }), error: null };
    } catch (e) {
      return { report: null, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Stream → "projected version|today" as seen by the previous warm(), and as last warmed. */
  private lastSeen = new Map<string, string>();
  private readonly warmed = new Map<string, string>();

  /**
   * Computes the department list's parts (execution standing and evaluation summary, into the
   * services' answer caches) of every department-year whose projection has not moved since the
   * previous call and that is not warm yet, WARM_GROUP at a time (their stored parts read in one
   * query per kind), computing one department at a time and letting requests through between
   * groups. A stream still being loaded is left for a later call: a load moves it many times, and
   * computing a large department is costly until the worker has stored both parts. The first call
   * only looks. Returns how many were computed.
   */
  async warm(today: string): Promise<number> {
    const streams = await this.repo.listStreams();
    const seen = new Map<string, string>();
    const due: typeof streams = [];
    for (const s of streams) {
      const key = `${s.version}|${today}`;
      seen.set(s.stream, key);
      if (this.warmed.get(s.stream) !== key && this.lastSeen.get(s.stream) === key) due.push(s);
    }
    for (let i = 0; i < due.length; i += WARM_GROUP) {
      const group = due.slice(i, i + WARM_GROUP);
      // The department list's own calls and parameters (knownOn unset), so that it finds these
      // entries; a failure comes back as an Error (not cached: asked again by the list).
      await this.execution.standings(group, { source: 'fiscal' }, today, 1);
      await this.evaluation.summaries(group, {}, 1);
      for (const s of group) this.warmed.set(s.stream, entryOf(seen, s.stream, 'streams seen'));
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const stream of this.warmed.keys()) if (!seen.has(stream)) this.warmed.delete(stream);
    this.lastSeen = seen;
    return due.length;
  }

  /**
   * The department list as a principal may see it: the departments of its key (department totals,
   * so never for a unit reader).
   */
  async departmentsFor(
    principal: Principal,
    p: OverviewParams,
    today: string,
    refusal = "a unit reader sees only its own unit's figures, not the department list",
  ): Promise<{ knownOn: string | null; departments: DepartmentOverview[] }> {
    if (principal.role === 'unit') throw new AccessDeniedError(403, refusal);
    const list = await this.departments(p, today);
    return { ...list, departments: list.departments.filter((d) => inScope(principal, d.department)) };
  }

  /**
   * Every department-year with its current fiscal figures and forecast score: one listing of the
   * projected streams, then each row's standing and summary at the listed version, the cached ones
   * as they are and the stored ones read in one query per kind (a city of 1,000 departments in a
   * few queries, not four per department).
   */
  async departments(
    p: OverviewParams,
    today: string,
  ): Promise<{ knownOn: string | null; departments: DepartmentOverview[] }> {
    const streams = (await this.repo.listStreams()).filter((s) => p.year === undefined || s.year === p.year);
    const standings = await this.execution.standings(
      streams,
      { knownOn: p.knownOn, source: 'fiscal' },
      today,
      this.concurrency,
    );
    const summaries = await this.evaluation.summaries(streams, { knownOn: p.knownOn }, this.concurrency);
    const rows = streams.map((s, n): DepartmentOverview | null => {
      const r = elementAt(standings, n, 'standings');
      if (r instanceof Error) return null; // removed between the listing and now (a rebuild): leave it out
      const summary = elementAt(summaries, n, 'summaries');
      const ev = summary instanceof Error ? null : summary;
      const count = (level: AlertLevel) => r.units.filter((u) => u.level === level).length;
      const path = `${encodeURIComponent(s.department)}/years/${s.year}`;
      const next = r.total.forecast.nextCheckpoint;
      return {
        department: s.department,
        year: s.year,
        departmentName: r.departmentName,
        closedOn: s.closedOn,
        asOf: r.asOf,
        throughMonth: r.throughMonth,
        source: 'fiscal',
        budget: r.total.budget,
        spent: r.total.spent,
        rate: r.total.rate,
        schedule: required(r.total.schedule, `${s.stream}'s schedule`),
        lag: r.total.lag,
        level: r.total.level,
        units: { total: r.units.length, green: count('green'), yellow: count('yellow'), red: count('red') },
        forecast: {
          yearEndRate: r.total.forecast.yearEnd.projectedRate,
          nextCheckpoint: next && {
            quarter: next.quarter,
            date: next.date,
            schedule: next.schedule,
            projectedRate: next.projectedRate,
            projectedLevel: next.projectedLevel,
          },
        },
        evaluation: ev && {
          status: ev.status,
          total: ev.total,
          range: { min: ev.range.min.score, max: ev.range.max.score },
          grade: ev.grade,
          grades: ev.grades,
          missing: ev.missing,
          notDue: ev.notDue,
          framework: ev.framework,
        },
        links: {
          dashboard: `/dashboard/${encodeURIComponent(s.department)}/${s.year}`,
          execution: `/api/v1/departments/${path}/execution`,
          evaluation: `/api/v1/departments/${path}/evaluation`,
        },
      };
    });
    return { knownOn: p.knownOn ?? null, departments: rows.filter((r): r is DepartmentOverview => r !== null) };
  }

  /** Everything the department page shows, for the given "as of", "as known on" and fund source. */
  async departmentPage(department: string, year: number, p: PageParams, today: string) {
    const source = p.source ?? 'fiscal';
    const stream = streamId(department, year);
    const execution = await this.execution.execution(
      department,
      year,
      { asOf: p.asOf, knownOn: p.knownOn, source },
      today,
    );
    const other = source === 'fiscal' ? 'all' : 'fiscal';
    const [otherExecution, quarters, otherQuarters, evaluation, alerts, closes] = await Promise.all([
      this.execution.execution(department, year, { asOf: execution.asOf, knownOn: p.knownOn, source: other }, today),
      this.execution.quarters(department, year, { knownOn: p.knownOn, source }),
      this.execution.quarters(department, year, { knownOn: p.knownOn, source: other }),
      this.evaluationOrNull(department, year, p.knownOn),
      this.notices.listAlerts(stream, 'all'),
      this.notices.months(stream),
    ]);
    // The latest closed month that counts "as of" the date, and its notices (department first).
    const closed = closes.map((c) => c.month).filter((m) => m <= execution.throughMonth);
    const noticeMonth = closed.length ? Math.max(...closed) : null;
    const order = new Map(execution.units.map((u, i) => [u.unit, i + 1]));
    const notices: IssuedNotice[] =
      noticeMonth === null ? [] : await this.notices.listNotices(stream, { month: noticeMonth });
    notices.sort(
      (a, b) =>
        (a.subject === 'department' ? 0 : (order.get(a.subject) ?? 99)) -
        (b.subject === 'department' ? 0 : (order.get(b.subject) ?? 99)),
    );
    // Alerts open at the end of the month that counts "as of" the date: raised by then, not yet cleared.
    const openAlerts = alerts.filter(
      (a) =>
        a.month <= execution.throughMonth &&
        (a.status === 'open' || (a.cleared !== null && a.cleared.month > execution.throughMonth)),
    );
    openAlerts.sort((a, b) => (a.level === b.level ? b.month - a.month : a.level === 'red' ? -1 : 1));
    return {
      department,
      year,
      source,
      execution,
      otherExecution,
      quarters: quarters.quarters,
      otherQuarters: otherQuarters.quarters,
      evaluation: evaluation.report,
      evaluationError: evaluation.error,
      alerts: openAlerts,
      noticeMonth,
      notices: notices.map(({ markdown: _m, html: _h, content: _c, ...rest }) => rest),
      closedMonths: closes.map((c) => c.month),
    };
  }
}

export type DepartmentPage = Awaited<ReturnType<OverviewService['departmentPage']>>;

/**
 * A row of the dashboard's department list with its performance-monitoring counts (the summary of
 * the monitoring roll-up, GET /api/v1/monitoring, for the same department-year, as of the same date
 * and as known on the same date); null when the roll-up has no row for it (it could not be
 * answered).
 */
export type DepartmentListRow = DepartmentOverview & { monitoring: MonitoringSummary | null };

/** The department list's rows with the roll-up's summaries joined by department and year. */
export function withMonitoring(
  departments: readonly DepartmentOverview[],
  rollup: readonly { department: string; year: number; summary: MonitoringSummary }[],
): DepartmentListRow[] {
  const summaries = new Map(rollup.map((r) => [`${r.department}/${r.year}`, r.summary]));
  return departments.map((d) => ({ ...d, monitoring: summaries.get(`${d.department}/${d.year}`) ?? null }));
}
