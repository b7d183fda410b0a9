/**
 * What the self-evaluation rules need besides the execution facts, folded from a stream's events
 * (decider style: `evolveEvaluation(state, event)` returns a new state, the old one is untouched).
 * Every value keeps the id of the event it came from, so a score can name its sources.
 */
import type { DisclosureStatus, EventDataByType, Grade, IsoDate, TaskKind } from '../events.js';
import type { DatedEvent } from '../execution/facts.js';

/** A reported value and the event it came from (the latest of its type wins). */
export interface Sourced<T> {
  value: T;
  eventId: string;
  occurredOn: IsoDate;
}

export interface TaskState {
  task: string;
  unit: string;
  kind: TaskKind;
  title: string;
  due: IsoDate;
  plannedBy: string;
  completedOn: IsoDate | null;
  completedBy: string | null;
}

export interface IndicatorState {
  indicator: string;
  level1: string;
  level2: string;
  name: string;
  target: string;
  definedBy: string;
  report: { actual: string; asOf: IsoDate; met?: boolean; eventId: string } | null;
}

export interface AssessmentState {
  criterion: string;
  score: string;
  evidence: string;
  eventId: string;
  occurredOn: IsoDate;
}

export interface SubmissionState {
  scores: Record<string, string>;
  total: string;
  grade: Grade;
  eventId: string;
  occurredOn: IsoDate;
}

/** Event ids per budget line: BudgetAllocated/BudgetAdjusted, and SpendingRecorded/SpendingCorrected. */
export interface LineEvents {
  budget: readonly string[];
  spending: readonly string[];
}

export interface EvaluationState {
  openedBy: string | null;
  tasks: ReadonlyMap<string, TaskState>;
  indicators: ReadonlyMap<string, IndicatorState>;
  headcount: Sourced<EventDataByType['HeadcountReported']> | null;
  assets: Sourced<EventDataByType['AssetsReported']> | null;
  procurement: Sourced<EventDataByType['ProcurementReported']> | null;
  satisfaction: Sourced<EventDataByType['SatisfactionMeasured']> | null;
  petitions: Sourced<EventDataByType['PetitionsReported']> | null;
  disclosure: Sourced<{ budget: DisclosureStatus; finalAccounts: DisclosureStatus }> | null;
  /** Latest AssessmentRecorded per criterion. */
  assessments: ReadonlyMap<string, AssessmentState>;
  /** Latest SelfEvaluationSubmitted. */
  submission: SubmissionState | null;
  lineEvents: ReadonlyMap<string, LineEvents>;
  /** SpendingRecorded id → its line (to place corrections). */
  recordLines: ReadonlyMap<string, string>;
}

export function initialEvaluationState(): EvaluationState {
  return {
    openedBy: null,
    tasks: new Map(),
    indicators: new Map(),
    headcount: null,
    assets: null,
    procurement: null,
    satisfaction: null,
    petitions: null,
    disclosure: null,
    assessments: new Map(),
    submission: null,
    lineEvents: new Map(),
    recordLines: new Map(),
  };
}

function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): Map<K, V> {
  const out = new Map(map);
  out.set(key, value);
  return out;
}

/**
 * The event id one event adds to a budget line's list (BudgetAllocated/BudgetAdjusted: budget;
 * SpendingRecorded, and SpendingCorrected on the corrected record's line: spending), or null.
 * Shared by the single step and the linear fold, so both place every id the same way.
 */
function lineEventOf(
  event: DatedEvent,
  recordLine: (id: string) => string | undefined,
): { line: string; kind: keyof LineEvents } | null {
  switch (event.type) {
    case 'BudgetAllocated':
    case 'BudgetAdjusted':
      return { line: event.data.line, kind: 'budget' };
    case 'SpendingRecorded':
      return { line: event.data.line, kind: 'spending' };
    case 'SpendingCorrected': {
      const line = recordLine(event.data.corrects);
      return line === undefined ? null : { line, kind: 'spending' };
    }
    default:
      return null;
  }
}

function withLineEvent(
  state: EvaluationState,
  line: string,
  kind: keyof LineEvents,
  eventId: string,
): ReadonlyMap<string, LineEvents> {
  const current = state.lineEvents.get(line) ?? { budget: [], spending: [] };
  return withEntry(state.lineEvents, line, { ...current, [kind]: [...current[kind], eventId] });
}

/**
 * One step: a new state, the old one untouched (it copies the maps it changes: fold many events with
 * evaluationStateFromEvents).
 */
export function evolveEvaluation(state: EvaluationState, event: DatedEvent): EvaluationState {
  const sourced = <T>(value: T): Sourced<T> => ({ value, eventId: event.id, occurredOn: event.occurredOn });
  switch (event.type) {
    case 'YearOpened':
      return { ...state, openedBy: event.id };
    case 'BudgetAllocated':
    case 'BudgetAdjusted':
    case 'SpendingRecorded':
    case 'SpendingCorrected': {
      const placed = lineEventOf(event, (id) => state.recordLines.get(id));
      if (!placed) return state;
      const lineEvents = withLineEvent(state, placed.line, placed.kind, event.id);
      return event.type === 'SpendingRecorded'
        ? { ...state, lineEvents, recordLines: withEntry(state.recordLines, event.id, event.data.line) }
        : { ...state, lineEvents };
    }
    case 'TaskPlanned': {
      const d = event.data;
      const task: TaskState = {
        task: d.task,
        unit: d.unit,
        kind: d.kind,
        title: d.title,
        due: d.due,
        plannedBy: event.id,
        completedOn: null,
        completedBy: null,
      };
      return { ...state, tasks: withEntry(state.tasks, d.task, task) };
    }
    case 'TaskCompleted': {
      const task = state.tasks.get(event.data.task);
      if (!task) return state;
      return {
        ...state,
        tasks: withEntry(state.tasks, task.task, {
          ...task,
          completedOn: event.data.completedOn,
          completedBy: event.id,
        }),
      };
    }
    case 'IndicatorDefined': {
      const d = event.data;
      const previous = state.indicators.get(d.indicator);
      const indicator: IndicatorState = {
        indicator: d.indicator,
        level1: d.level1,
        level2: d.level2,
        name: d.name,
        target: d.target,
        definedBy: event.id,
        report: previous?.report ?? null,
      };
      return { ...state, indicators: withEntry(state.indicators, d.indicator, indicator) };
    }
    case 'IndicatorReported': {
      const indicator = state.indicators.get(event.data.indicator);
      if (!indicator) return state;
      const { actual, asOf, met } = event.data;
      const report = { actual, asOf, ...(met === undefined ? {} : { met }), eventId: event.id };
      return { ...state, indicators: withEntry(state.indicators, indicator.indicator, { ...indicator, report }) };
    }
    case 'HeadcountReported':
      return { ...state, headcount: sourced(event.data) };
    case 'AssetsReported':
      return { ...state, assets: sourced(event.data) };
    case 'ProcurementReported':
      return { ...state, procurement: sourced(event.data) };
    case 'SatisfactionMeasured':
      return { ...state, satisfaction: sourced(event.data) };
    case 'PetitionsReported':
      return { ...state, petitions: sourced(event.data) };
    case 'DisclosureReported':
      return { ...state, disclosure: sourced(event.data) };
    case 'AssessmentRecorded': {
      const d = event.data;
      const assessment: AssessmentState = {
        criterion: d.criterion,
        score: d.score,
        evidence: d.evidence,
        eventId: event.id,
        occurredOn: event.occurredOn,
      };
      return { ...state, assessments: withEntry(state.assessments, d.criterion, assessment) };
    }
    case 'SelfEvaluationSubmitted': {
      const d = event.data;
      return {
        ...state,
        submission: {
          scores: d.scores,
          total: d.total,
          grade: d.grade,
          eventId: event.id,
          occurredOn: event.occurredOn,
        },
      };
    }
    default:
      return state;
  }
}

/**
 * The state after all events, the same as folding them with evolveEvaluation, in linear time: the
 * per-line id lists and the record → line map (one entry per spending event) are built in place
 * instead of copied on every event (which made the fold O(n²), slow for a city-sized stream).
 * The rare events go through evolveEvaluation, which copies only the small maps they change.
 */
export function evaluationStateFromEvents(events: Iterable<DatedEvent>): EvaluationState {
  const lineEvents = new Map<string, { budget: string[]; spending: string[] }>();
  const recordLines = new Map<string, string>();
  let state: EvaluationState = { ...initialEvaluationState(), lineEvents, recordLines };
  for (const event of events) {
    const placed = lineEventOf(event, (id) => recordLines.get(id));
    if (placed) {
      let lists = lineEvents.get(placed.line);
      if (!lists) lineEvents.set(placed.line, (lists = { budget: [], spending: [] }));
      lists[placed.kind].push(event.id);
      if (event.type === 'SpendingRecorded') recordLines.set(event.id, event.data.line);
    } else if (event.type !== 'SpendingCorrected') {
      // Never one of the four line events (a correction of an unknown record changes nothing).
      state = evolveEvaluation(state, event);
    }
  }
  return state;
}
