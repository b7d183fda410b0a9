/**
 * Execution facts: the bitemporal rows every execution figure is computed from.
 * Each fact carries its valid time (effectiveOn / month) and its record time (knownOn, the
 * event's occurredOn), so "as of X, as known on D" is a filter on the same rows.
 * The projector stores exactly these rows; the in-memory fold below builds the same ones.
 */
import type {
  AlertThresholds,
  Category,
  CheckpointInput,
  Economic,
  EventInput,
  FundSource,
  IsoDate,
  Percent,
  Schedule,
} from '../events.js';
import { placeCheckpoints, quarterCheckpoints, quarterEndSchedule } from './schedule.js';

export interface StreamMeta {
  department: string;
  year: number;
  departmentName: string;
  /**
   * The schedule at the four quarter ends (what the year-end scoring's quarterly terms use):
   * YearOpened's `schedule` (default 25/50/75/100), or the values its `checkpoints` give there.
   */
  schedule: { Q1: Percent; Q2: Percent; Q3: Percent; Q4: Percent };
  /**
   * The schedule's checkpoints, always present (see schedule.ts): YearOpened's `checkpoints`, else
   * the four quarter ends of `schedule`.
   */
  checkpoints: CheckpointInput[];
  thresholds: { yellow: Percent; red: Percent; divergence: Percent };
  openedOn: IsoDate;
  closedOn: IsoDate | null;
}

export interface UnitInfo {
  unit: string;
  name: string;
  /** Record date of its UnitRegistered: "as known on" an earlier date the unit does not exist. */
  knownOn: IsoDate;
}

export interface LineInfo {
  line: string;
  unit: string;
  name: string;
  category: Category;
  economic: Economic;
  source: FundSource;
  /** Record date of its BudgetAllocated: "as known on" an earlier date the line does not exist. */
  knownOn: IsoDate;
}

export interface BudgetFact {
  line: string;
  kind: 'allocation' | 'adjustment';
  /** Valid time: allocations count from the first day of the year, adjustments from effectiveOn. */
  effectiveOn: IsoDate;
  /** Record time: occurredOn of the event. */
  knownOn: IsoDate;
  amount: string;
}

export interface SpendingFact {
  line: string;
  /** Valid time: month number 1..12 (a correction carries the corrected record's month). */
  month: number;
  knownOn: IsoDate;
  amount: string;
  kind: 'recorded' | 'correction';
}

export interface PlanFact {
  unit: string;
  month: number;
  knownOn: IsoDate;
  amount: string;
}

export interface ExecutionFacts {
  meta: StreamMeta | null;
  units: UnitInfo[];
  lines: LineInfo[];
  budget: BudgetFact[];
  spending: SpendingFact[];
  plans: PlanFact[];
  /** SpendingRecorded id → line, month and record date, to place corrections. */
  records: Map<string, RecordPlacement>;
}

/** Where a SpendingRecorded went: its line and valid month, and its record date. */
export interface RecordPlacement {
  line: string;
  month: number;
  knownOn: IsoDate;
}

export const DEFAULT_SCHEDULE = { Q1: '25', Q2: '50', Q3: '75', Q4: '100' } as const;
export const DEFAULT_THRESHOLDS = { yellow: '5', red: '10', divergence: '10' } as const;

/**
 * The schedule part of a stream's meta from YearOpened: its `checkpoints` when given (the quarter
 * ends then take the schedule's values there), else the quarter-end checkpoints of its `schedule`
 * (over the default 25/50/75/100), which keeps `schedule` as given.
 */
export function scheduleOf(
  year: number,
  data: { schedule?: Partial<Schedule>; checkpoints?: readonly CheckpointInput[] },
): Pick<StreamMeta, 'schedule' | 'checkpoints'> {
  if (data.checkpoints?.length) {
    const checkpoints = data.checkpoints.map((c) => ({ on: c.on, percent: c.percent }));
    return { schedule: quarterEndSchedule(placeCheckpoints(year, checkpoints)), checkpoints };
  }
  const schedule = { ...DEFAULT_SCHEDULE, ...(data.schedule ?? {}) };
  return { schedule, checkpoints: quarterCheckpoints(schedule) };
}

/** The thresholds of a stream's meta: the defaults under what YearOpened (or a stored row) gives. */
export function thresholdsOf(given: Partial<AlertThresholds> | null | undefined): StreamMeta['thresholds'] {
  return { ...DEFAULT_THRESHOLDS, ...(given ?? {}) };
}

export function emptyFacts(): ExecutionFacts {
  return { meta: null, units: [], lines: [], budget: [], spending: [], plans: [], records: new Map() };
}

/** The event plus its record date (occurredOn, Asia/Shanghai). */
export type DatedEvent = EventInput & { occurredOn: IsoDate };

/** The facts one event contributes (the projector writes these as rows). */
export type FactDelta =
  | { kind: 'meta'; meta: StreamMeta }
  | { kind: 'closed'; on: IsoDate }
  | { kind: 'unit'; unit: UnitInfo }
  | { kind: 'line'; line: LineInfo }
  | { kind: 'budget'; fact: BudgetFact }
  | { kind: 'spending'; fact: SpendingFact; recordId?: string }
  | { kind: 'plan'; fact: PlanFact };

/**
 * Facts contributed by one event. `lookupRecord` finds the line, month and record date of a
 * SpendingRecorded (for corrections); events of other types contribute nothing.
 *
 * A correction is known from the later of its own record date and its record's: as known on a
 * date before the record, it has nothing to apply to and does not count. A correction whose
 * record is not among the events folded (a log filtered by record date) contributes nothing.
 */
export function factsOf(event: DatedEvent, lookupRecord: (id: string) => RecordPlacement | undefined): FactDelta[] {
  const knownOn = event.occurredOn;
  switch (event.type) {
    case 'YearOpened':
      return [
        {
          kind: 'meta',
          meta: {
            department: event.department,
            year: event.year,
            departmentName: event.data.departmentName,
            ...scheduleOf(event.year, event.data),
            thresholds: thresholdsOf(event.data.alertThresholds),
            openedOn: knownOn,
            closedOn: null,
          },
        },
      ];
    case 'YearClosed':
      return [{ kind: 'closed', on: knownOn }];
    case 'UnitRegistered':
      return [{ kind: 'unit', unit: { unit: event.data.unit, name: event.data.name, knownOn } }];
    case 'BudgetAllocated': {
      const d = event.data;
      return [
        {
          kind: 'line',
          line: {
            line: d.line,
            unit: d.unit,
            name: d.name,
            category: d.category,
            economic: d.economic,
            source: d.source,
            knownOn,
          },
        },
        {
          kind: 'budget',
          fact: { line: d.line, kind: 'allocation', effectiveOn: `${event.year}-01-01`, knownOn, amount: d.amount },
        },
      ];
    }
    case 'BudgetAdjusted':
      return [
        {
          kind: 'budget',
          fact: {
            line: event.data.line,
            kind: 'adjustment',
            effectiveOn: event.data.effectiveOn,
            knownOn,
            amount: event.data.amount,
          },
        },
      ];
    case 'SpendingRecorded':
      return [{ kind: 'spending', recordId: event.id, fact: recordedSpendingFact(event) }];
    case 'SpendingCorrected': {
      const rec = lookupRecord(event.data.corrects);
      if (!rec) return [];
      const known = rec.knownOn > knownOn ? rec.knownOn : knownOn;
      return [
        {
          kind: 'spending',
          fact: { line: rec.line, month: rec.month, knownOn: known, amount: event.data.amount, kind: 'correction' },
        },
      ];
    }
    case 'SpendingPlanned':
      return [
        {
          kind: 'plan',
          fact: {
            unit: event.data.unit,
            month: Number(event.data.month.slice(5, 7)),
            knownOn,
            amount: event.data.amount,
          },
        },
      ];
    default:
      return [];
  }
}

/** The spending fact of a SpendingRecorded: its line, valid month, record date and amount. */
export function recordedSpendingFact(event: Extract<DatedEvent, { type: 'SpendingRecorded' }>): SpendingFact {
  return {
    line: event.data.line,
    month: Number(event.data.month.slice(5, 7)),
    knownOn: event.occurredOn,
    amount: event.data.amount,
    kind: 'recorded',
  };
}

/** Folds one event into in-memory facts (mutates and returns `facts`). */
export function evolveFacts(facts: ExecutionFacts, event: DatedEvent): ExecutionFacts {
  for (const delta of factsOf(event, (id) => facts.records.get(id))) {
    switch (delta.kind) {
      case 'meta':
        facts.meta = delta.meta;
        break;
      case 'closed':
        if (facts.meta) facts.meta = { ...facts.meta, closedOn: delta.on };
        break;
      case 'unit':
        facts.units.push(delta.unit);
        break;
      case 'line':
        facts.lines.push(delta.line);
        break;
      case 'budget':
        facts.budget.push(delta.fact);
        break;
      case 'spending':
        facts.spending.push(delta.fact);
        if (delta.recordId)
          facts.records.set(delta.recordId, {
            line: delta.fact.line,
            month: delta.fact.month,
            knownOn: delta.fact.knownOn,
          });
        break;
      case 'plan':
        facts.plans.push(delta.fact);
        break;
    }
  }
  return facts;
}

export function factsFromEvents(events: Iterable<DatedEvent>): ExecutionFacts {
  const facts = emptyFacts();
  for (const e of events) evolveFacts(facts, e);
  return facts;
}
