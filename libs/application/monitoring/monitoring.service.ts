/**
 * Answers the monitoring questions (docs/monitoring.md): one department-year's monitoring answer,
 * and the finance bureau's roll-up of every department-year. An answer is the stream's projected
 * execution facts (as ExecutionService loads them: the same 404 before YearOpened is known) and its
 * monitoring events (only those types, in one statement, up to the projected version the answer is
 * keyed by) through the pure domain function, with the holiday calendar loaded at startup; it is
 * asked of the answer store at the stream's projected version, so it is computed once per version
 * and parameters. The facts and the folded monitoring events are kept per stream version too (a
 * bounded number of them), so asking the same department-year about another date computes without
 * reading it again. The roll-up reads the monitoring events of many streams in one statement and
 * keeps one small row per department-year (not each department's whole answer).
 */
import { inScope, unitLimit, type Principal } from '#domain/access.js';
import type { HolidayCalendar } from '#domain/calendar/holiday-calendar.js';
import { lastDayOfMonth } from '#domain/dates.js';
import { fixed2, money, ZERO } from '#domain/decimal.js';
import {
  streamId,
  type ActionStatus,
  type DeviationCause,
  type IsoDate,
  type Likelihood,
  type SubjectKind,
} from '#domain/events.js';
import {
  executionRate,
  lineTotals,
  monthlySchedule,
  requireMeta,
  type AlertLevel,
  type Totals,
} from '#domain/execution/execution.js';
import {
  MONITORING_EVENT_TYPES,
  monitoringStateFrom,
  recordedBy,
  type MonitoringEvent,
  type MonitoringState,
} from '#domain/monitoring/monitoring-state.js';
import type { ExecutionFacts } from '#domain/execution/facts.js';
import {
  monitoringReport,
  unitCut,
  worstFirst,
  type MonitoringQuery,
  type MonitoringSummary,
} from '#domain/monitoring/monitoring.js';
import type { EventsRepository } from '#persistence/events.repository.js';
import type { ExecutionRepository } from '#persistence/execution.repository.js';
import type { CachedAnswer } from '../answers/answer-cache.js';
import { AnswerStore, type Question } from '../answers/answer-store.js';
import { AccessDeniedError, NotFoundError, yearNotOpened } from '../common/errors.js';
import { defaultAsOf, type ExecutionService } from '../execution/execution.service.js';
import { monitoringWire, type MonitoringAnswer } from './monitoring.wire.js';

export interface MonitoringParams {
  asOf?: string;
  knownOn?: string;
}

export interface RollupParams extends MonitoringParams {
  year?: number;
}

/** One department-year of the roll-up. */
export interface RollupRow {
  department: string;
  year: number;
  departmentName: string;
  asOf: string;
  /** The department's execution level (fiscal funds), null without budget. */
  level: AlertLevel | null;
  summary: MonitoringSummary;
  links: { monitoring: string; execution: string };
}

export interface Rollup {
  year: number | null;
  asOf: string | null;
  knownOn: string | null;
  departments: RollupRow[];
}

type RowPart = Pick<RollupRow, 'departmentName' | 'asOf' | 'level' | 'summary'>;

/** A project's cumulative spending month by month (fiscal funds; index 0 = January). */
export interface ProjectCurve {
  months: number[];
  /** The last month with figures ("as of" the answer's date); later months are null. */
  throughMonth: number;
  /** Budget in force at each month's end, cumulative spending and rate through it. */
  budget: (string | null)[];
  spent: (string | null)[];
  rate: (string | null)[];
  /** The stream's month-linear schedule at each month's end (percent). */
  schedule: string[];
}

interface TimelineBase {
  eventId: string;
  /** The date it is about: an explanation's or a report's asOf, a follow-up's on. */
  date: IsoDate;
  /** Its record date (occurredOn). */
  recordedOn: IsoDate;
}

/** One entry of a project's timeline: explanations, progress reports with a measure, follow-ups. */
export type TimelineEntry =
  | (TimelineBase & {
      kind: 'explanation';
      subject: { kind: SubjectKind; id: string | null; name: string };
      cause: DeviationCause;
      reason: string;
      measure: string;
      due: IsoDate | null;
    })
  | (TimelineBase & {
      kind: 'progress';
      indicator: string;
      name: string;
      actual: string;
      likelihood: Likelihood;
      deviation: { cause: DeviationCause; reason: string } | null;
      measure: string;
    })
  | (TimelineBase & {
      kind: 'action';
      /** The measure (event id of the explanation or progress report) it follows up. */
      measure: string;
      status: ActionStatus;
      note: string;
    });

/** What a project's dashboard page shows, as one principal may see it. */
export interface ProjectDetail {
  /** The principal's monitoring answer (a unit reader's cut). */
  answer: MonitoringAnswer;
  project: MonitoringAnswer['projects'][number];
  curve: ProjectCurve;
  /** Oldest first; only what is recorded by knownOn and dated on or before asOf. */
  timeline: TimelineEntry[];
}

/** A measure that can be followed up (整改): an explanation's or a progress report's. */
export interface MeasureChoice {
  eventId: string;
  kind: 'explanation' | 'progress';
  /** What it is about, in words (the subject's or the indicator's name). */
  about: string;
  measure: string;
  /** The unit it belongs to (null: the department as a whole). */
  unit: string | null;
  /** The project it belongs to, when it is about one (its lines, its targets). */
  task: string | null;
  date: IsoDate;
}

/**
 * What the dashboard's forms may refer to, from the log itself (what ingest decides against, not
 * the projection): the units, fiscal lines, projects, project targets and measures recorded so
 * far, and whether the year is closed.
 */
export interface FormContext {
  departmentName: string;
  /** The log holds the year's YearOpened (nothing can be filed before). */
  opened: boolean;
  closed: boolean;
  units: { unit: string; name: string }[];
  lines: { line: string; unit: string; name: string; task: string | null }[];
  projects: { task: string; unit: string; title: string }[];
  targets: { indicator: string; task: string; name: string; target: string; unit: string }[];
  measures: MeasureChoice[];
}

/** What a department-year's answers are computed from: its projected facts and its monitoring events folded. */
interface Inputs {
  facts: ExecutionFacts;
  state: MonitoringState;
}

/**
 * Inputs kept per stream version, the least recently used dropped first, up to a number of items
 * (facts, lines, units and monitoring events; with the memos the facts' index builds, about half a
 * kilobyte each): a few city-sized department-years, or a few hundred small ones.
 */
export class KeptInputs {
  private readonly entries = new Map<string, { value: Promise<Inputs>; items: number }>();
  private items = 0;

  constructor(private readonly maxItems = 120_000) {}

  /** The inputs of `key` when kept (or being read). */
  peek(key: string): Promise<Inputs> | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /** The kept inputs of `key`, else `load()`'s, kept (not when it fails). */
  get(key: string, load: () => Promise<Inputs>): Promise<Inputs> {
    const hit = this.peek(key);
    if (hit) return hit;
    const entry = { value: load(), items: 0 };
    this.entries.set(key, entry);
    entry.value.then(
      (v) => {
        if (this.entries.get(key) !== entry) return;
        entry.items = v.facts.lines.length + v.facts.units.length + v.facts.budget.length;
        entry.items += v.facts.spending.length + v.state.count;
        this.items += entry.items;
        for (const [k, e] of this.entries) {
          if (this.items <= this.maxItems) break;
          this.entries.delete(k);
          this.items -= e.items;
        }
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }

  get size(): { entries: number; items: number } {
    return { entries: this.entries.size, items: this.items };
  }
}

/** Streams whose monitoring events the roll-up reads in one statement. */
const ROLLUP_CHUNK = 50;

const inputsKey = (stream: string, version: number) => `${stream}@${version}`;

const question = (stream: string, key: readonly unknown[]): Question => ({
  family: 'execution',
  stream,
  key,
  stored: null,
});

export class MonitoringService {
  constructor(
    private readonly execution: ExecutionService,
    private readonly repo: ExecutionRepository,
    private readonly events: EventsRepository,
    private readonly calendar: HolidayCalendar,
    private readonly answers: AnswerStore = new AnswerStore(),
    private readonly concurrency = 4,
    private readonly kept = new KeptInputs(),
  ) {}

  /**
   * The facts and folded monitoring events of a stream at a projected version, kept (KeptInputs);
   * the same 404 as execution's when its YearOpened is not projected, or was recorded after `knownOn`.
   */
  private async inputs(department: string, year: number, version: number, knownOn: string | null): Promise<Inputs> {
    const stream = streamId(department, year);
    const inputs = await this.kept.get(inputsKey(stream, version), async () => {
      const facts = await this.execution.facts(department, year);
      const events = await this.events.readStreamTypes(stream, MONITORING_EVENT_TYPES, version);
      return { facts, state: monitoringStateFrom(events) };
    });
    return openedBy(inputs, department, year, knownOn);
  }

  private query(year: number, p: MonitoringParams, today: string): MonitoringQuery {
    return { asOf: p.asOf ?? defaultAsOf(year, today), knownOn: p.knownOn ?? null };
  }

  /**
   * The answer at a projected version (its key): the whole department, or a unit reader's cut
   * (`unit`), each kept with its bytes.
   */
  private answerAt(
    department: string,
    year: number,
    q: MonitoringQuery,
    version: number,
    unit: string | null,
  ): Promise<CachedAnswer<MonitoringAnswer>> {
    const stream = streamId(department, year);
    return this.answers.get(question(stream, ['monitoring', q.asOf, q.knownOn, unit]), version, async () => {
      const { facts, state } = await this.inputs(department, year, version, q.knownOn);
      const report = monitoringReport(facts, state, q, this.calendar);
      return monitoringWire(unit === null ? report : unitCut(report, unit));
    });
  }

  /** The department's monitoring answer with its bytes. */
  async monitoringCached(
    department: string,
    year: number,
    p: MonitoringParams,
    today: string,
    unit: string | null = null,
  ): Promise<CachedAnswer<MonitoringAnswer>> {
    const version = await this.repo.projectedVersion(streamId(department, year));
    return this.answerAt(department, year, this.query(year, p, today), version, unit);
  }

  async monitoring(department: string, year: number, p: MonitoringParams, today: string): Promise<MonitoringAnswer> {
    return (await this.monitoringCached(department, year, p, today)).value;
  }

  /**
   * What a principal may see: the whole answer, or for a unit reader its own unit's projects,
   * subjects and measures, without the department total and the department's targets (as the
   * execution answer is cut for it).
   */
  monitoringFor(
    principal: Principal,
    department: string,
    year: number,
    p: MonitoringParams,
    today: string,
  ): Promise<CachedAnswer<MonitoringAnswer>> {
    return this.monitoringCached(department, year, p, today, unitLimit(principal));
  }

  /**
   * The finance bureau's roll-up: every department-year the projection holds (the department
   * list's listing), of `year` when given and in the principal's scope, with its summary and
   * level, worst first (worstFirst; then department and year). A department-year that cannot be
   * answered (not yet opened as known on `knownOn`, or gone since it was listed) is left out.
   * Unit readers are refused: it shows whole departments. A row is computed from the inputs kept
   * for its stream version, else from its facts and the monitoring events read ROLLUP_CHUNK streams
   * at a time (the next chunk read while this one computes); rows are kept, the inputs are not (a
   * roll-up of every department would push out the department-years being looked at).
   */
  async rollupFor(principal: Principal, p: RollupParams, today: string): Promise<Rollup> {
    if (principal.role === 'unit')
      throw new AccessDeniedError(403, "a unit reader sees only its own unit's figures, not the monitoring roll-up");
    const streams = (await this.repo.listStreams()).filter(
      (s) => (p.year === undefined || s.year === p.year) && inScope(principal, s.department),
    );
    const queries = streams.map((s) => this.query(s.year, p, today));
    const chunks = new Map<number, Promise<Map<string, MonitoringEvent[]>>>();
    const chunk = (c: number) => {
      let read = chunks.get(c);
      if (!read && c * ROLLUP_CHUNK < streams.length) {
        read = this.monitoringEventsOf(streams.slice(c * ROLLUP_CHUNK, (c + 1) * ROLLUP_CHUNK));
        read.catch(() => undefined); // read ahead: awaited (and its failure seen) by the rows that need it
        chunks.set(c, read);
      }
      return read;
    };
    const parts = await this.answers.getMany<RowPart>(
      streams.map((s, n) => question(s.stream, ['monitoring-row', queries[n]?.asOf, queries[n]?.knownOn])),
      streams.map((s) => s.version),
      async (n) => {
        const s = streams[n];
        const q = queries[n];
        if (!s || !q) throw new Error(`roll-up row ${n} is missing`);
        const keptInputs = this.kept.peek(inputsKey(s.stream, s.version));
        let inputs: Inputs;
        if (keptInputs) inputs = openedBy(await keptInputs, s.department, s.year, q.knownOn);
        else {
          const c = Math.floor(n / ROLLUP_CHUNK);
          const read = chunk(c);
          chunk(c + 1);
          const [facts, events] = await Promise.all([this.execution.facts(s.department, s.year, q.knownOn), read]);
          inputs = { facts, state: monitoringStateFrom(events?.get(s.stream) ?? []) };
          events?.delete(s.stream);
        }
        const report = monitoringReport(inputs.facts, inputs.state, q, this.calendar);
        return {
          departmentName: report.departmentName,
          asOf: report.asOf,
          level: report.total?.level ?? null,
          summary: { ...report.summary },
        };
      },
      this.concurrency,
    );
    const rows: RollupRow[] = [];
    streams.forEach((s, n) => {
      const part = parts[n];
      if (part === undefined || part instanceof Error) return;
      const path = `/api/v1/departments/${encodeURIComponent(s.department)}/years/${s.year}`;
      rows.push({
        department: s.department,
        year: s.year,
        ...part,
        links: { monitoring: `${path}/monitoring`, execution: `${path}/execution` },
      });
    });
    rows.sort((a, b) => worstFirst(a.summary, b.summary));
    return { year: p.year ?? null, asOf: p.asOf ?? null, knownOn: p.knownOn ?? null, departments: rows };
  }

  /**
   * One project of a department-year for its dashboard page: the principal's answer (a unit
   * reader's cut) and the project in it, the project's cumulative spending month by month (its
   * fiscal lines, budget in force at each month's end, as the department curve is computed), and
   * the timeline of its explanations (about the project or its lines), its targets' progress
   * reports with a measure, and the follow-ups of those measures. A 404 when the project is not in
   * the answer (unknown, not yet known on knownOn, or of another unit for a unit reader).
   */
  async projectDetail(
    principal: Principal,
    department: string,
    year: number,
    task: string,
    p: MonitoringParams,
    today: string,
  ): Promise<ProjectDetail> {
    const stream = streamId(department, year);
    const version = await this.repo.projectedVersion(stream);
    const q = this.query(year, p, today);
    const answer = (await this.answerAt(department, year, q, version, unitLimit(principal))).value;
    const project = answer.projects.find((x) => x.task === task);
    if (!project) throw new NotFoundError(`未找到项目“${task}”（${department} ${year}年度）`);
    const { facts, state } = await this.inputs(department, year, version, q.knownOn);
    const meta = requireMeta(facts);
    const months = Array.from({ length: 12 }, (_, i) => i + 1);
    const curve: ProjectCurve = {
      months,
      throughMonth: answer.throughMonth,
      budget: [],
      spent: [],
      rate: [],
      schedule: months.map((m) => fixed2(monthlySchedule(meta, m))),
    };
    for (const m of months) {
      if (m > answer.throughMonth) {
        curve.budget.push(null);
        curve.spent.push(null);
        curve.rate.push(null);
        continue;
      }
      const totals = lineTotals(facts, {
        budgetOn: lastDayOfMonth(year, m),
        throughMonth: m,
        knownOn: q.knownOn,
        source: 'fiscal',
      });
      let t: Totals = { budget: ZERO, spent: ZERO };
      for (const line of project.lines) {
        const v = totals.get(line);
        if (v) t = { budget: t.budget.plus(v.budget), spent: t.spent.plus(v.spent) };
      }
      const rate = executionRate(t);
      curve.budget.push(money(t.budget));
      curve.spent.push(money(t.spent));
      curve.rate.push(rate === null ? null : fixed2(rate));
    }
    const lineNames = new Map(facts.lines.map((l) => [l.line, l.name]));
    return { answer, project, curve, timeline: projectTimeline(state, project, lineNames, q.asOf, q.knownOn) };
  }

  /** The monitoring events of these streams, each up to its listed version, in one statement. */
  private async monitoringEventsOf(
    streams: readonly { stream: string; version: number }[],
  ): Promise<Map<string, MonitoringEvent[]>> {
    const out = new Map<string, MonitoringEvent[]>(streams.map((s) => [s.stream, []]));
    const versions = new Map(streams.map((s) => [s.stream, s.version]));
    const events = await this.events.readStreamTypes(
      streams.map((s) => s.stream),
      MONITORING_EVENT_TYPES,
    );
    for (const e of events) if (e.version <= (versions.get(e.stream) ?? 0)) out.get(e.stream)?.push(e);
    return out;
  }

  /** Whether the log holds the year's YearClosed (nothing more can be filed for it). */
  async yearClosed(department: string, year: number): Promise<boolean> {
    return (await this.events.readStreamTypes(streamId(department, year), ['YearClosed'])).length > 0;
  }

  /** What the dashboard's forms may refer to (FormContext), read from the log. */
  async formContext(department: string, year: number): Promise<FormContext> {
    const events = await this.events.readStreamTypes(streamId(department, year), [
      ...MONITORING_EVENT_TYPES,
      'UnitRegistered',
      'YearClosed',
    ]);
    const state = monitoringStateFrom(events);
    let departmentName = department;
    let opened = false;
    let closed = false;
    const units: FormContext['units'] = [];
    const lines: FormContext['lines'] = [];
    for (const e of events) {
      if (e.type === 'YearOpened') {
        opened = true;
        departmentName = e.data.departmentName;
      } else if (e.type === 'YearClosed') closed = true;
      else if (e.type === 'UnitRegistered') units.push({ unit: e.data.unit, name: e.data.name });
      else if (e.type === 'BudgetAllocated' && e.data.source === 'fiscal')
        lines.push({ line: e.data.line, unit: e.data.unit, name: e.data.name, task: e.data.task ?? null });
    }
    const projects = [...state.tasks.values()]
      .filter((t) => t.kind === 'project')
      .map((t) => ({ task: t.task, unit: t.unit, title: t.title }));
    const taskUnit = new Map(projects.map((t) => [t.task, t.unit]));
    const targets = [...state.targets.values()].flatMap((t) => {
      const unit = t.task === null ? undefined : taskUnit.get(t.task);
      return t.task === null || unit === undefined
        ? []
        : [{ indicator: t.indicator, task: t.task, name: t.name, target: t.target, unit }];
    });
    const unitNames = new Map(units.map((u) => [u.unit, u.name]));
    const lineOf = new Map(lines.map((l) => [l.line, l]));
    const titleOf = new Map(projects.map((t) => [t.task, t.title]));
    const measures: (MeasureChoice & { seq: number })[] = [];
    for (const e of state.explanations) {
      const { kind, id } = e.subject;
      const line = kind === 'line' ? lineOf.get(id ?? '') : undefined;
      const unit =
        kind === 'unit'
          ? id
          : kind === 'line'
            ? (line?.unit ?? null)
            : kind === 'task'
              ? (taskUnit.get(id ?? '') ?? null)
              : null;
      const about =
        kind === 'department'
          ? departmentName
          : kind === 'unit'
            ? (unitNames.get(id ?? '') ?? id ?? '')
            : kind === 'line'
              ? (line?.name ?? id ?? '')
              : (titleOf.get(id ?? '') ?? id ?? '');
      const task = kind === 'task' ? id : kind === 'line' ? (line?.task ?? null) : null;
      measures.push({
        seq: e.seq,
        eventId: e.eventId,
        kind: 'explanation',
        about,
        measure: e.measure,
        unit,
        task,
        date: e.asOf,
      });
    }
    const targetOf = new Map(targets.map((t) => [t.indicator, t]));
    for (const reports of state.progress.values())
      for (const r of reports) {
        if (r.measure === null) continue;
        const target = targetOf.get(r.indicator);
        const name = target?.name ?? state.targets.get(r.indicator)?.name ?? r.indicator;
        measures.push({
          seq: r.seq,
          eventId: r.eventId,
          kind: 'progress',
          about: name,
          measure: r.measure,
          unit: target?.unit ?? null,
          task: target?.task ?? null,
          date: r.asOf,
        });
      }
    measures.sort((a, b) => a.seq - b.seq);
    return {
      departmentName,
      opened,
      closed,
      units,
      lines,
      projects,
      targets,
      measures: measures.map(({ seq: _seq, ...m }) => m),
    };
  }

  /**
   * Waits (up to `timeoutMs`) until the projection holds the stream up to `version`, so that a
   * page shown right after a form was filed shows what was filed. True when it does.
   */
  async waitProjected(department: string, year: number, version: number, timeoutMs = 2000): Promise<boolean> {
    const stream = streamId(department, year);
    const until = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.repo.projectedVersion(stream)) >= version) return true;
      if (Date.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** The inputs, unless as known on `knownOn` the year was not opened yet (the same 404 as execution's). */
function openedBy(inputs: Inputs, department: string, year: number, knownOn: string | null): Inputs {
  const openedOn = inputs.facts.meta?.openedOn;
  if (openedOn === undefined || (knownOn && openedOn > knownOn)) throw yearNotOpened(department, year, knownOn);
  return inputs;
}

/**
 * A project's timeline (oldest first; by date, then stream order): its explanations (about the
 * project or one of its lines), its targets' progress reports that carry a measure, and the
 * follow-ups of those measures; only what is recorded by knownOn and dated on or before asOf.
 */
function projectTimeline(
  state: MonitoringState,
  project: { task: string; title: string; lines: string[]; targets: { indicator: string; name: string }[] },
  lineNames: ReadonlyMap<string, string>,
  asOf: IsoDate,
  knownOn: IsoDate | null,
): TimelineEntry[] {
  const entries: (TimelineEntry & { seq: number })[] = [];
  const shown = (item: { knownOn: IsoDate }, date: IsoDate) => recordedBy(item, knownOn) && date <= asOf;
  const measures = new Set<string>();
  for (const e of state.explanations) {
    const { kind, id } = e.subject;
    const mine = (kind === 'task' && id === project.task) || (kind === 'line' && project.lines.includes(id ?? ''));
    if (!mine || !shown(e, e.asOf)) continue;
    measures.add(e.eventId);
    const name = kind === 'task' ? project.title : (lineNames.get(id ?? '') ?? id ?? '');
    entries.push({
      kind: 'explanation',
      seq: e.seq,
      eventId: e.eventId,
      date: e.asOf,
      recordedOn: e.knownOn,
      subject: { kind, id, name },
      cause: e.cause,
      reason: e.reason,
      measure: e.measure,
      due: e.due,
    });
  }
  for (const t of project.targets)
    for (const r of state.progress.get(t.indicator) ?? []) {
      if (r.measure === null || !shown(r, r.asOf)) continue;
      measures.add(r.eventId);
      entries.push({
        kind: 'progress',
        seq: r.seq,
        eventId: r.eventId,
        date: r.asOf,
        recordedOn: r.knownOn,
        indicator: t.indicator,
        name: t.name,
        actual: r.actual,
        likelihood: r.likelihood,
        deviation: r.deviation,
        measure: r.measure,
      });
    }
  for (const [measure, actions] of state.actions) {
    if (!measures.has(measure)) continue;
    for (const a of actions) {
      if (!shown(a, a.on)) continue;
      entries.push({
        kind: 'action',
        seq: a.seq,
        eventId: a.eventId,
        date: a.on,
        recordedOn: a.knownOn,
        measure,
        status: a.status,
        note: a.note,
      });
    }
  }
  entries.sort((a, b) => (a.date === b.date ? a.seq - b.seq : a.date < b.date ? -1 : 1));
  return entries.map(({ seq: _seq, ...e }) => e as TimelineEntry);
}
