/**
 * The stream-level part of the evaluation state (everything but the per-line event ids, which the
 * execution projection keeps with its line facts) as a JSON document, so the projection can store
 * it with the stream and the year-end evaluation needs no replay of the log.
 */
import type { DatedEvent } from '../execution/facts.js';
import {
  evolveEvaluation,
  initialEvaluationState,
  type AssessmentState,
  type EvaluationState,
  type IndicatorState,
  type LineEvents,
  type TaskState,
} from './evaluation-state.js';

/** JSON form of an EvaluationState without lineEvents and recordLines (Maps as [key, value] lists). */
export interface EvaluationDoc {
  openedBy: string | null;
  tasks: [string, TaskState][];
  indicators: [string, IndicatorState][];
  headcount: EvaluationState['headcount'];
  assets: EvaluationState['assets'];
  procurement: EvaluationState['procurement'];
  satisfaction: EvaluationState['satisfaction'];
  petitions: EvaluationState['petitions'];
  disclosure: EvaluationState['disclosure'];
  assessments: [string, AssessmentState][];
  submission: EvaluationState['submission'];
}

/**
 * Event types that change the stream-level evaluation state. Budget and spending events change
 * only lineEvents/recordLines, which the projection derives from its line facts instead.
 */
export const EVALUATION_DOC_TYPES: ReadonlySet<string> = new Set([
  'YearOpened',
  'TaskPlanned',
  'TaskCompleted',
  'IndicatorDefined',
  'IndicatorReported',
  'HeadcountReported',
  'AssetsReported',
  'ProcurementReported',
  'SatisfactionMeasured',
  'PetitionsReported',
  'DisclosureReported',
  'AssessmentRecorded',
  'SelfEvaluationSubmitted',
]);

export function emptyEvaluationDoc(): EvaluationDoc {
  return toEvaluationDoc(initialEvaluationState());
}

export function toEvaluationDoc(s: EvaluationState): EvaluationDoc {
  return {
    openedBy: s.openedBy,
    tasks: [...s.tasks],
    indicators: [...s.indicators],
    headcount: s.headcount,
    assets: s.assets,
    procurement: s.procurement,
    satisfaction: s.satisfaction,
    petitions: s.petitions,
    disclosure: s.disclosure,
    assessments: [...s.assessments],
    submission: s.submission,
  };
}

/** The evaluation state of a document plus the per-line event ids kept elsewhere. */
export function fromEvaluationDoc(
  doc: EvaluationDoc,
  lineEvents: ReadonlyMap<string, LineEvents> = new Map(),
): EvaluationState {
  return {
    openedBy: doc.openedBy,
    tasks: new Map(doc.tasks),
    indicators: new Map(doc.indicators),
    headcount: doc.headcount,
    assets: doc.assets,
    procurement: doc.procurement,
    satisfaction: doc.satisfaction,
    petitions: doc.petitions,
    disclosure: doc.disclosure,
    assessments: new Map(doc.assessments),
    submission: doc.submission,
    lineEvents,
    recordLines: new Map(),
  };
}

/** Folds one event into the document (a new document when the event matters, else the same one). */
export function evolveEvaluationDoc(doc: EvaluationDoc, event: DatedEvent): EvaluationDoc {
  if (!EVALUATION_DOC_TYPES.has(event.type)) return doc;
  return toEvaluationDoc(evolveEvaluation(fromEvaluationDoc(doc), event));
}
