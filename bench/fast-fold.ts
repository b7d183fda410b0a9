/**
 * Bench-only evidence for a proposal: the same EvaluationState as
 * libs/domain/evaluation/evaluation-state.ts evaluationStateFromEvents(), folded with mutable maps
 * and arrays instead of copying `recordLines` / `lineEvents` on every spending event (the library
 * fold is O(n²) in SpendingRecorded events per stream). The scoring scenario checks that both
 * folds give identical states and evaluations before timing them.
 */
import type { EvaluationState, IndicatorState, LineEvents, TaskState } from '../libs/domain/evaluation/evaluation-state.js';
import { initialEvaluationState } from '../libs/domain/evaluation/evaluation-state.js';
import type { DatedEvent } from '../libs/domain/execution/facts.js';

export function evaluationStateLinear(events: Iterable<DatedEvent>): EvaluationState {
  const s = initialEvaluationState();
  const tasks = new Map<string, TaskState>();
  const indicators = new Map<string, IndicatorState>();
  const assessments = new Map<string, EvaluationState['assessments'] extends ReadonlyMap<string, infer V> ? V : never>();
  const lineEvents = new Map<string, { budget: string[]; spending: string[] }>();
  const recordLines = new Map<string, string>();
  let state: EvaluationState = s;
  const lineEvent = (line: string, kind: keyof LineEvents, id: string) => {
    let l = lineEvents.get(line);
    if (!l) lineEvents.set(line, (l = { budget: [], spending: [] }));
    l[kind].push(id);
  };
  for (const event of events) {
    const sourced = <T>(value: T) => ({ value, eventId: event.id, occurredOn: event.occurredOn });
    switch (event.type) {
      case 'YearOpened':
        state = { ...state, openedBy: event.id };
        break;
      case 'BudgetAllocated':
      case 'BudgetAdjusted':
        lineEvent(event.data.line, 'budget', event.id);
        break;
      case 'SpendingRecorded':
        lineEvent(event.data.line, 'spending', event.id);
        recordLines.set(event.id, event.data.line);
        break;
      case 'SpendingCorrected': {
        const line = recordLines.get(event.data.corrects);
        if (line !== undefined) lineEvent(line, 'spending', event.id);
        break;
      }
      case 'TaskPlanned': {
        const d = event.data;
        tasks.set(d.task, { task: d.task, unit: d.unit, kind: d.kind, title: d.title, due: d.due, plannedBy: event.id, completedOn: null, completedBy: null });
        break;
      }
      case 'TaskCompleted': {
        const task = tasks.get(event.data.task);
        if (task) tasks.set(task.task, { ...task, completedOn: event.data.completedOn, completedBy: event.id });
        break;
      }
      case 'IndicatorDefined': {
        const d = event.data;
        const previous = indicators.get(d.indicator);
        indicators.set(d.indicator, { indicator: d.indicator, level1: d.level1, level2: d.level2, name: d.name, target: d.target, definedBy: event.id, report: previous?.report ?? null });
        break;
      }
      case 'IndicatorReported': {
        const indicator = indicators.get(event.data.indicator);
        if (!indicator) break;
        const { actual, asOf, met } = event.data;
        indicators.set(indicator.indicator, { ...indicator, report: { actual, asOf, ...(met === undefined ? {} : { met }), eventId: event.id } });
        break;
      }
      case 'HeadcountReported':
        state = { ...state, headcount: sourced(event.data) };
        break;
      case 'AssetsReported':
        state = { ...state, assets: sourced(event.data) };
        break;
      case 'ProcurementReported':
        state = { ...state, procurement: sourced(event.data) };
        break;
      case 'SatisfactionMeasured':
        state = { ...state, satisfaction: sourced(event.data) };
        break;
      case 'PetitionsReported':
        state = { ...state, petitions: sourced(event.data) };
        break;
      case 'DisclosureReported':
        state = { ...state, disclosure: sourced(event.data) };
        break;
      case 'AssessmentRecorded': {
        const d = event.data;
        assessments.set(d.criterion, { criterion: d.criterion, score: d.score, evidence: d.evidence, eventId: event.id, occurredOn: event.occurredOn });
        break;
      }
      case 'SelfEvaluationSubmitted': {
        const d = event.data;
        state = { ...state, submission: { scores: d.scores, total: d.total, grade: d.grade, eventId: event.id, occurredOn: event.occurredOn } };
        break;
      }
      default:
        break;
    }
  }
  return { ...state, tasks, indicators, assessments, lineEvents, recordLines };
}

/** JSON with Maps as entry lists and Decimals as strings: to compare states and evaluations. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v));
}
