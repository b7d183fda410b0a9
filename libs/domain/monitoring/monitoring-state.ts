/**
 * The monitoring events of one stream folded into what the monitoring answer reads (MONITORING.md,
 * contract v1.1): the projects (TaskPlanned of kind project) with the budget lines that fund them
 * (BudgetAllocated.task), the performance targets (IndicatorDefined, with or without task), the
 * in-year progress reports, the deviation explanations and the follow-ups of their measures, and
 * the divergence threshold of YearOpened.
 *
 * Every item keeps its record date (`knownOn`, the event's occurredOn) and its position in the
 * stream (`seq`), so "as known on D" is a filter on the same state, exactly as for the execution
 * facts; nothing here depends on an "as of" date. Pure: the caller passes the dated events in.
 */
import type {
  ActionStatus,
  DeviationCause,
  EventInput,
  EventType,
  IsoDate,
  Likelihood,
  Percent,
  SubjectKind,
  TaskKind,
} from '../events.js';

/**
 * The event types the fold reads (what the monitoring answer loads of a stream, besides the
 * execution facts). Migration 0015 indexes exactly these types: a type added here needs a new
 * index (a new migration) for its reads to stay on one.
 */
export const MONITORING_EVENT_TYPES: readonly EventType[] = [
  'YearOpened',
  'TaskPlanned',
  'BudgetAllocated',
  'IndicatorDefined',
  'IndicatorProgressReported',
  'DeviationExplained',
  'CorrectiveActionReported',
];

/** An event with its record date (occurredOn, Asia/Shanghai). */
export type MonitoringEvent = EventInput & { occurredOn: IsoDate };

/** What every item carries: its record date and its position among the events folded. */
export interface Recorded {
  /** Record date (occurredOn): "as known on" an earlier date the item does not exist. */
  knownOn: IsoDate;
  /** 0-based position among the folded events (stream order): breaks ties between equal dates. */
  seq: number;
}

export interface TaskInfo extends Recorded {
  task: string;
  kind: TaskKind;
  unit: string;
  title: string;
  due: IsoDate;
}

export interface ProjectLine extends Recorded {
  line: string;
  task: string;
}

export interface TargetInfo extends Recorded {
  indicator: string;
  level1: string;
  level2: string;
  name: string;
  target: string;
  /** The project whose target it is; null: a department-level target. */
  task: string | null;
}

export interface ProgressReport extends Recorded {
  eventId: string;
  indicator: string;
  asOf: IsoDate;
  actual: string;
  expectedYearEnd: string | null;
  likelihood: Likelihood;
  deviation: { cause: DeviationCause; reason: string } | null;
  measure: string | null;
}

export interface ExplanationRecord extends Recorded {
  eventId: string;
  subject: { kind: SubjectKind; id: string | null };
  asOf: IsoDate;
  cause: DeviationCause;
  reason: string;
  measure: string;
  due: IsoDate | null;
}

export interface ActionRecord extends Recorded {
  eventId: string;
  /** The DeviationExplained or IndicatorProgressReported whose measure this follows up. */
  explanation: string;
  on: IsoDate;
  status: ActionStatus;
  note: string;
}

export interface MonitoringState {
  /** Events folded so far (the next item's seq). */
  count: number;
  /** YearOpened.alertThresholds.divergence, null when not given (the default applies). */
  divergence: Percent | null;
  /** Every planned task in planning order; the projects are those of kind `project`. */
  tasks: Map<string, TaskInfo>;
  /** Budget line → the project it funds (lines without task are not here). */
  lineProjects: Map<string, ProjectLine>;
  /** Targets in definition order. */
  targets: Map<string, TargetInfo>;
  /** Indicator → its progress reports in stream order. */
  progress: Map<string, ProgressReport[]>;
  /** Every explanation in stream order. */
  explanations: ExplanationRecord[];
  /** Measure (event id) → its follow-ups in stream order. */
  actions: Map<string, ActionRecord[]>;
}

export function initialMonitoringState(): MonitoringState {
  return {
    count: 0,
    divergence: null,
    tasks: new Map(),
    lineProjects: new Map(),
    targets: new Map(),
    progress: new Map(),
    explanations: [],
    actions: new Map(),
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Folds one event in (mutates and returns `state`); events of other types only advance `count`.
 * Items are written out field by field, `knownOn` and `seq` first: built with an object spread
 * (`{...at, …}`) they took V8's slow path, which dominated the fold (docs/benchmarks/2026-12-02-monitoring.md).
 */
export function evolveMonitoring(state: MonitoringState, event: MonitoringEvent): MonitoringState {
  const knownOn = event.occurredOn;
  const seq = state.count;
  state.count += 1;
  switch (event.type) {
    case 'YearOpened':
      state.divergence = event.data.alertThresholds?.divergence ?? null;
      break;
    case 'TaskPlanned': {
      const d = event.data;
      state.tasks.set(d.task, { knownOn, seq, task: d.task, kind: d.kind, unit: d.unit, title: d.title, due: d.due });
      break;
    }
    case 'BudgetAllocated': {
      const d = event.data;
      if (d.task !== undefined) state.lineProjects.set(d.line, { knownOn, seq, line: d.line, task: d.task });
      break;
    }
    case 'IndicatorDefined': {
      const d = event.data;
      state.targets.set(d.indicator, {
        knownOn,
        seq,
        indicator: d.indicator,
        level1: d.level1,
        level2: d.level2,
        name: d.name,
        target: d.target,
        task: d.task ?? null,
      });
      break;
    }
    case 'IndicatorProgressReported': {
      const d = event.data;
      push(state.progress, d.indicator, {
        knownOn,
        seq,
        eventId: event.id,
        indicator: d.indicator,
        asOf: d.asOf,
        actual: d.actual,
        expectedYearEnd: d.expectedYearEnd ?? null,
        likelihood: d.likelihood,
        deviation: d.deviation ? { cause: d.deviation.cause, reason: d.deviation.reason } : null,
        measure: d.measure ?? null,
      });
      break;
    }
    case 'DeviationExplained': {
      const d = event.data;
      state.explanations.push({
        knownOn,
        seq,
        eventId: event.id,
        subject: { kind: d.subject.kind, id: d.subject.kind === 'department' ? null : (d.subject.id ?? null) },
        asOf: d.asOf,
        cause: d.cause,
        reason: d.reason,
        measure: d.measure,
        due: d.due ?? null,
      });
      break;
    }
    case 'CorrectiveActionReported': {
      const d = event.data;
      push(state.actions, d.explanation, {
        knownOn,
        seq,
        eventId: event.id,
        explanation: d.explanation,
        on: d.on,
        status: d.status,
        note: d.note,
      });
      break;
    }
    default:
      break;
  }
  return state;
}

/** The state of these events (in stream order). */
export function monitoringStateFrom(events: Iterable<MonitoringEvent>): MonitoringState {
  const state = initialMonitoringState();
  for (const e of events) evolveMonitoring(state, e);
  return state;
}

/** Whether an item was recorded by `knownOn` (null: everything recorded so far). */
export function recordedBy(item: { knownOn: IsoDate }, knownOn: IsoDate | null): boolean {
  return knownOn === null || item.knownOn <= knownOn;
}

/**
 * The latest of `items` by their date (`dateOf`), the later in stream order on the same date,
 * among those recorded by `knownOn` and dated on or before `asOf`; null when none is.
 */
export function latestAsOf<T extends Recorded>(
  items: readonly T[] | undefined,
  dateOf: (item: T) => IsoDate,
  asOf: IsoDate,
  knownOn: IsoDate | null,
): T | null {
  let best: T | null = null;
  for (const item of items ?? []) {
    if (!recordedBy(item, knownOn) || dateOf(item) > asOf) continue;
    if (best === null || dateOf(item) > dateOf(best) || (dateOf(item) === dateOf(best) && item.seq > best.seq))
      best = item;
  }
  return best;
}

/** The key of an explanation's subject: `kind` and id (none for the department). */
export function subjectKey(kind: SubjectKind, id: string | null): string {
  return kind === 'department' ? 'department' : `${kind}:${id ?? ''}`;
}
