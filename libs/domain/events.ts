/**
 * Wire contract v1 (docs/events.md) as TypeScript types.
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
}

export interface EventDataByType {
  YearOpened: { departmentName: string; schedule?: Schedule; alertThresholds?: AlertThresholds };
  UnitRegistered: { unit: string; name: string };
  BudgetAllocated: {
    line: string;
    unit: string;
    name: string;
    category: Category;
    economic: Economic;
    source: FundSource;
    amount: Amount;
  };
  BudgetAdjusted: { line: string; source: FundSource; amount: Amount; effectiveOn: IsoDate; reason: string };
  SpendingRecorded: { line: string; source: FundSource; month: Month; amount: Amount };
  SpendingCorrected: { corrects: string; amount: Amount; reason: string };
  SpendingPlanned: { unit: string; month: Month; amount: Amount };
  TaskPlanned: { task: string; unit: string; kind: TaskKind; title: string; due: IsoDate };
  TaskCompleted: { task: string; completedOn: IsoDate };
  IndicatorDefined: { indicator: string; level1: string; level2: string; name: string; target: string };
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
