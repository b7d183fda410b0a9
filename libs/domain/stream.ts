/**
 * The write model of one stream (department-year): what the cross-event rules of EVENTS.md need
 * to know about the events already accepted. `decide` checks a new event against it;
 * `evolve` folds an accepted event in.
 */
import { occurredOnDateMemo } from './date-memo.js';
import { dateOfDay, dayNumber } from './dates.js';
import { Decimal, ZERO } from './decimal.js';
import { AFTER_CLOSE_TYPES, type EventInput, type FundSource, type TaskKind } from './events.js';
import { entryOf, required } from './required.js';
import { SpendingIndex } from './spending-index.js';
import type { FieldError } from './validation.js';

export interface LineState {
  unit: string;
  source: FundSource;
  budget: Decimal;
  spent: Decimal;
}

export interface StreamState {
  version: number;
  opened: boolean;
  closed: boolean;
  units: Set<string>;
  lines: Map<string, LineState>;
  /** SpendingRecorded ids of this stream and the line each was recorded on (kept compact: a city stream has ~10k). */
  spending: SpendingIndex;
  tasks: Map<string, { completed: boolean; kind: TaskKind; unit: string }>;
  indicators: Set<string>;
  /** Explanations and progress reports that carry a measure (v1.1), with their unit (null: the department). */
  measures: Map<string, string | null>;
  /** Projects (TaskPlanned of kind project) with the lines that fund them and their targets (v1.1). */
  projects: Map<string, { lines: string[]; indicators: string[] }>;
}

export function initialStreamState(): StreamState {
  return {
    version: 0,
    opened: false,
    closed: false,
    units: new Set(),
    lines: new Map(),
    spending: new SpendingIndex(),
    tasks: new Map(),
    indicators: new Set(),
    measures: new Map(),
    projects: new Map(),
  };
}

/**
 * The unit a monitoring report is about (v1.1): a unit subject, a line's or a task's unit, an
 * indicator's project's unit, the unit of the measure a corrective action follows; null for the
 * department or a department target, undefined for other types or a reference not in the stream.
 */
export function unitOf(state: StreamState, event: EventInput): string | null | undefined {
  switch (event.type) {
    case 'DeviationExplained': {
      const { kind, id = '' } = event.data.subject;
      if (kind === 'department') return null;
      if (kind === 'unit') return state.units.has(id) ? id : undefined;
      if (kind === 'line') return state.lines.get(id)?.unit;
      return state.tasks.get(id)?.unit;
    }
    case 'IndicatorProgressReported': {
      if (!state.indicators.has(event.data.indicator)) return undefined;
      for (const [task, p] of state.projects)
        if (p.indicators.includes(event.data.indicator)) return state.tasks.get(task)?.unit;
      return null;
    }
    case 'CorrectiveActionReported':
      return state.measures.get(event.data.explanation);
    default:
      return undefined;
  }
}

/**
 * What a unit key may not file (access.ts, UNIT_FILING_TYPES): a type other than the monitoring
 * reports, or one about another unit or the department as a whole.
 */
export function unitScopeErrors(state: StreamState, event: EventInput, unit: string): FieldError[] {
  if (
    event.type !== 'IndicatorProgressReported' &&
    event.type !== 'DeviationExplained' &&
    event.type !== 'CorrectiveActionReported'
  )
    return [
      {
        path: 'type',
        reason: `a unit key files only IndicatorProgressReported, DeviationExplained and CorrectiveActionReported, not ${event.type}`,
      },
    ];
  const about = unitOf(state, event);
  if (about === undefined || about === unit) return [];
  const path =
    event.type === 'DeviationExplained'
      ? 'data.subject'
      : event.type === 'IndicatorProgressReported'
        ? 'data.indicator'
        : 'data.explanation';
  return [
    {
      path,
      reason:
        about === null
          ? `is about the department as a whole: a unit key files only for its own unit "${unit}"`
          : `is about unit "${about}": a unit key files only for its own unit "${unit}"`,
    },
  ];
}

/** Cross-event rules: the reasons `event` cannot follow the events folded into `state` (empty: accepted). */
export function decide(state: StreamState, event: EventInput, scope?: { unit: string }): FieldError[] {
  const errors = decideRules(state, event);
  if (scope && errors.length === 0) errors.push(...unitScopeErrors(state, event, scope.unit));
  return errors;
}

function decideRules(state: StreamState, event: EventInput): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (path: string, reason: string) => errors.push({ path, reason });
  if (event.expectedVersion !== undefined && event.expectedVersion !== state.version) {
    // Reported as a conflict by the caller (409), not a validation error.
    return errors;
  }
  if (!state.opened && event.type !== 'YearOpened') {
    fail(
      'type',
      `the stream ${event.department}/${event.year} has no YearOpened yet: YearOpened must be its first event`,
    );
    return errors;
  }
  if (state.closed && !AFTER_CLOSE_TYPES.has(event.type)) {
    fail('type', `the year is closed: after YearClosed only ${[...AFTER_CLOSE_TYPES].join(' and ')} are accepted`);
    return errors;
  }
  const line = (id: string, path = 'data.line') => {
    const l = state.lines.get(id);
    if (!l) fail(path, `unknown budget line "${id}": it needs a BudgetAllocated first`);
    return l;
  };
  const unit = (id: string, path = 'data.unit') => {
    if (!state.units.has(id)) fail(path, `unknown unit "${id}": it needs a UnitRegistered first`);
  };
  const project = (id: string | undefined) => {
    if (id === undefined) return;
    const t = state.tasks.get(id);
    if (!t) fail('data.task', `unknown project "${id}": it needs a TaskPlanned of kind "project" first`);
    else if (t.kind !== 'project') fail('data.task', `task "${id}" is of kind "${t.kind}", not a project`);
  };
  const indicator = (id: string) => {
    if (!state.indicators.has(id))
      fail('data.indicator', `unknown indicator "${id}": it needs an IndicatorDefined first`);
  };
  switch (event.type) {
    case 'YearOpened':
      if (state.opened) fail('type', 'the year is already opened: YearOpened is accepted once per stream');
      break;
    case 'UnitRegistered':
      if (state.units.has(event.data.unit)) fail('data.unit', `unit "${event.data.unit}" is already registered`);
      break;
    case 'BudgetAllocated':
      unit(event.data.unit);
      if (state.lines.has(event.data.line)) fail('data.line', `budget line "${event.data.line}" is already allocated`);
      project(event.data.task);
      break;
    case 'BudgetAdjusted': {
      const l = line(event.data.line);
      if (l) {
        if (l.source !== event.data.source) {
          fail('data.source', `line "${event.data.line}" is funded from "${l.source}", not "${event.data.source}"`);
        } else if (l.budget.plus(event.data.amount).isNeg()) {
          fail(
            'data.amount',
            `would take the budget of line "${event.data.line}" below zero (${l.budget.toFixed(2)} ${event.data.amount})`,
          );
        }
      }
      break;
    }
    case 'SpendingRecorded': {
      const l = line(event.data.line);
      if (l && l.source !== event.data.source) {
        fail('data.source', `line "${event.data.line}" is funded from "${l.source}", not "${event.data.source}"`);
      }
      break;
    }
    case 'SpendingCorrected': {
      const lineId = state.spending.get(event.data.corrects);
      if (lineId === undefined) {
        fail(
          'data.corrects',
          `"${event.data.corrects}" is not a SpendingRecorded event of stream ${event.department}/${event.year}`,
        );
        break;
      }
      const recordDay = state.spending.dayOf(event.data.corrects);
      const occurredOn = occurredOnDateMemo(event.occurredAt);
      if (recordDay !== undefined && occurredOn !== null && dayNumber(occurredOn) < recordDay) {
        fail(
          'occurredAt',
          `${occurredOn} is before the record it corrects ("${event.data.corrects}" occurred on ${dateOfDay(recordDay)}): ` +
            'a correction cannot be known before what it corrects',
        );
        break;
      }
      const l = entryOf(state.lines, lineId, 'budget line of the corrected spending');
      const after = l.spent.plus(event.data.amount);
      if (after.isNeg()) {
        fail(
          'data.amount',
          `would take the spending of line "${lineId}" below zero (${l.spent.toFixed(2)} ${event.data.amount})`,
        );
      }
      break;
    }
    case 'SpendingPlanned':
      unit(event.data.unit);
      break;
    case 'TaskPlanned':
      unit(event.data.unit);
      if (state.tasks.has(event.data.task)) fail('data.task', `task "${event.data.task}" is already planned`);
      break;
    case 'TaskCompleted': {
      const t = state.tasks.get(event.data.task);
      if (!t) fail('data.task', `unknown task "${event.data.task}": it needs a TaskPlanned first`);
      else if (t.completed) fail('data.task', `task "${event.data.task}" is already completed`);
      break;
    }
    case 'IndicatorDefined':
      if (state.indicators.has(event.data.indicator)) {
        fail('data.indicator', `indicator "${event.data.indicator}" is already defined`);
      }
      project(event.data.task);
      break;
    case 'IndicatorReported':
    case 'IndicatorProgressReported':
      indicator(event.data.indicator);
      break;
    case 'DeviationExplained': {
      const { kind, id } = event.data.subject;
      if (kind === 'unit') unit(id ?? '', 'data.subject.id');
      else if (kind === 'line') {
        if (!state.lines.has(id ?? ''))
          fail('data.subject.id', `unknown budget line "${id}": it needs a BudgetAllocated first`);
      } else if (kind === 'task' && !state.tasks.has(id ?? ''))
        fail('data.subject.id', `unknown task "${id}": it needs a TaskPlanned first`);
      break;
    }
    case 'CorrectiveActionReported':
      if (!state.measures.has(event.data.explanation))
        fail(
          'data.explanation',
          `"${event.data.explanation}" is not a DeviationExplained or IndicatorProgressReported with a measure in stream ${event.department}/${event.year}`,
        );
      break;
    case 'YearClosed':
      if (state.closed) fail('type', 'the year is already closed');
      break;
    default:
      break;
  }
  return errors;
}

/** Folds an accepted event into the write model (mutates and returns `state`). */
export function evolve(state: StreamState, event: EventInput): StreamState {
  state.version += 1;
  switch (event.type) {
    case 'YearOpened':
      state.opened = true;
      break;
    case 'UnitRegistered':
      state.units.add(event.data.unit);
      break;
    case 'BudgetAllocated':
      state.lines.set(event.data.line, {
        unit: event.data.unit,
        source: event.data.source,
        budget: new Decimal(event.data.amount),
        spent: ZERO,
      });
      if (event.data.task !== undefined)
        entryOf(state.projects, event.data.task, 'project').lines.push(event.data.line);
      break;
    case 'BudgetAdjusted': {
      const l = entryOf(state.lines, event.data.line, 'budget line');
      l.budget = l.budget.plus(event.data.amount);
      break;
    }
    case 'SpendingRecorded': {
      const l = entryOf(state.lines, event.data.line, 'budget line');
      l.spent = l.spent.plus(event.data.amount);
      state.spending.set(event.id, event.data.line, dayNumber(occurredOnDateMemo(event.occurredAt) ?? '1970-01-01'));
      break;
    }
    case 'SpendingCorrected': {
      const lineId = required(state.spending.get(event.data.corrects), 'line of the corrected SpendingRecorded');
      const l = entryOf(state.lines, lineId, 'budget line');
      l.spent = l.spent.plus(event.data.amount);
      break;
    }
    case 'TaskPlanned':
      state.tasks.set(event.data.task, { completed: false, kind: event.data.kind, unit: event.data.unit });
      if (event.data.kind === 'project') state.projects.set(event.data.task, { lines: [], indicators: [] });
      break;
    case 'TaskCompleted':
      entryOf(state.tasks, event.data.task, 'planned task').completed = true;
      break;
    case 'IndicatorDefined':
      state.indicators.add(event.data.indicator);
      if (event.data.task !== undefined)
        entryOf(state.projects, event.data.task, 'project').indicators.push(event.data.indicator);
      break;
    case 'DeviationExplained':
      state.measures.set(event.id, unitOf(state, event) ?? null);
      break;
    case 'IndicatorProgressReported':
      if (event.data.measure !== undefined) state.measures.set(event.id, unitOf(state, event) ?? null);
      break;
    case 'YearClosed':
      state.closed = true;
      break;
    default:
      break;
  }
  return state;
}
