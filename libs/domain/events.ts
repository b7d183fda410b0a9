/**
 * Wire contract v1.1 (docs/events.md) as TypeScript types: v1 plus the in-year performance
 * monitoring fields and events (checkpoints, divergence, projects, progress, explanations, measures).
 *
 * Amounts, rates and percents are decimal strings on the wire and in these types;
 * code that computes with them converts to Decimal (see decimal.ts).
 */

export type Amount = string;
export type Percent = string;
/** ISO date, YYYY-MM-DD. */
export type IsoDate = string;
/** YYYY-MM inside the stream's year. */
export type Month = string;

export type Category = 'basic' | 'project';
export type Economic = 'personnel' | 'routine_public' | 'three_public' | 'other';
export type FundSource = 'fiscal' | 'other';
export type TaskKind = 'key_work' | 'project';
export type DisclosureStatus = 'on_time' | 'late' | 'none' | 'exempt';
export type Grade = '优' | '良' | '中' | '差';

export interface Schedule {
  Q1: Percent;
  Q2: Percent;
  Q3: Percent;
  Q4: Percent;
}

export interface AlertThresholds {
  yellow: Percent;
  red: Percent;
  /** Percentage points between a project's spending rate and its targets' completion (v1.1; default 10). */
  divergence?: Percent;
}

/** A schedule checkpoint (v1.1): by `on` (MM-DD of the stream's year), `percent` of the budget spent. */
export interface CheckpointInput {
  on: string;
  percent: Percent;
}

/** 偏差原因 categories of the monitoring table. */
export type DeviationCause = 'funding' | 'policy' | 'staffing' | 'equipment' | 'other';
export const DEVIATION_CAUSES: readonly DeviationCause[] = ['funding', 'policy', 'staffing', 'equipment', 'other'];
/** 完成目标可能性: 确定能 / 有可能 / 完全不可能. */
export type Likelihood = 'certain' | 'possible' | 'impossible';
export const LIKELIHOODS: readonly Likelihood[] = ['certain', 'possible', 'impossible'];
export type SubjectKind = 'department' | 'unit' | 'line' | 'task';
export const SUBJECT_KINDS: readonly SubjectKind[] = ['department', 'unit', 'line', 'task'];
export type ActionStatus = 'in_progress' | 'done' | 'abandoned';
export const ACTION_STATUSES: readonly ActionStatus[] = ['in_progress', 'done', 'abandoned'];

/** What a deviation explanation is about; `id` is absent for the department. */
export interface Subject {
  kind: SubjectKind;
  id?: string;
}

export interface EventDataByType {
  YearOpened: {
    departmentName: string;
    schedule?: Schedule;
    /** v1.1: replaces `schedule` (both present is refused). */
    checkpoints?: CheckpointInput[];
    alertThresholds?: AlertThresholds;
  };
  UnitRegistered: { unit: string; name: string };
  BudgetAllocated: {
    line: string;
    unit: string;
    name: string;
    category: Category;
    economic: Economic;
    source: FundSource;
    amount: Amount;
    /** v1.1: the project (TaskPlanned of kind project) this line funds. */
    task?: string;
  };
  BudgetAdjusted: { line: string; source: FundSource; amount: Amount; effectiveOn: IsoDate; reason: string };
  SpendingRecorded: { line: string; source: FundSource; month: Month; amount: Amount };
  SpendingCorrected: { corrects: string; amount: Amount; reason: string };
  SpendingPlanned: { unit: string; month: Month; amount: Amount };
  TaskPlanned: { task: string; unit: string; kind: TaskKind; title: string; due: IsoDate };
  TaskCompleted: { task: string; completedOn: IsoDate };
  IndicatorDefined: {
    indicator: string;
    level1: string;
    level2: string;
    name: string;
    target: string;
    /** v1.1: the project (TaskPlanned of kind project) whose target this is; absent: the department's. */
    task?: string;
  };
  IndicatorReported: { indicator: string; actual: string; asOf: IsoDate; met?: boolean };
  HeadcountReported: {
    asOf: IsoDate;
    authorized: number;
    onStaff: number;
    directHires: number;
    dispatched: number;
    retired?: number;
  };
  AssetsReported: { asOf: IsoDate; inUse: Amount; total: Amount };
  ProcurementReported: { planned: Amount; actual: Amount; policyCompliant: boolean };
  SatisfactionMeasured: { rate: Percent; method: string };
  PetitionsReported: { channel: boolean; received: number; replied: number; repliedOnTime: number };
  DisclosureReported: { budget: DisclosureStatus; finalAccounts: DisclosureStatus };
  AssessmentRecorded: { criterion: string; score: string; evidence: string };
  SelfEvaluationSubmitted: { scores: Record<string, string>; total: string; grade: Grade };
  YearClosed: Record<string, never>;
  /** v1.1: in-year progress of a target (does not replace the year-end IndicatorReported). */
  IndicatorProgressReported: {
    indicator: string;
    asOf: IsoDate;
    actual: string;
    expectedYearEnd?: string;
    likelihood: Likelihood;
    deviation?: { cause: DeviationCause; reason: string };
    measure?: string;
  };
  /** v1.1: why spending lags (or runs ahead) and what will be done. */
  DeviationExplained: {
    subject: Subject;
    asOf: IsoDate;
    cause: DeviationCause;
    reason: string;
    measure: string;
    due?: IsoDate;
  };
  /** v1.1: follow-up of a measure (整改) of a DeviationExplained or IndicatorProgressReported. */
  CorrectiveActionReported: { explanation: string; on: IsoDate; status: ActionStatus; note: string };
}

export type EventType = keyof EventDataByType;

export const EVENT_TYPES: readonly EventType[] = [
  'YearOpened',
  'UnitRegistered',
  'BudgetAllocated',
  'BudgetAdjusted',
  'SpendingRecorded',
  'SpendingCorrected',
  'SpendingPlanned',
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
  'YearClosed',
  'IndicatorProgressReported',
  'DeviationExplained',
  'CorrectiveActionReported',
];

/** The envelope as submitted by a client, after field validation. */
export type EventInput = {
  [T in EventType]: {
    id: string;
    type: T;
    department: string;
    year: number;
    occurredAt: string;
    expectedVersion?: number;
    data: EventDataByType[T];
  };
}[EventType];

export type EventOf<T extends EventType> = Extract<EventInput, { type: T }>;

/** An event as stored in the log. */
export type StoredEvent = EventInput & {
  /** Stream id `{department}/{year}`. */
  stream: string;
  /** 1-based position of the event in its stream. */
  version: number;
  /** Global position in the log. */
  position: number;
  /** The writing transaction's xid8, as a decimal string. */
  transactionId: string;
  /** occurredAt reduced to a calendar date in Asia/Shanghai: the record date for "as known on". */
  occurredOn: IsoDate;
  /** Server ingest time, ISO 8601. */
  recordedAt: string;
};

export function streamId(department: string, year: number): string {
  return `${department}/${year}`;
}

/** Types accepted after YearClosed. */
export const AFTER_CLOSE_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'SelfEvaluationSubmitted',
  'AssessmentRecorded',
]);
