/** Kysely table types. Amounts are `numeric` columns read as decimal strings. */
import type { ColumnType, Generated } from 'kysely';

export interface EventsTable {
  position: Generated<number>;
  transaction_id: Generated<string>;
  event_id: string;
  stream_id: string;
  version: number;
  department: string;
  year: number;
  type: string;
  occurred_at: string;
  occurred_on: string;
  data: ColumnType<unknown, string, never>;
  content_hash: string;
  recorded_at: Generated<string>;
}

export interface StreamsTable {
  stream_id: string;
  department: string;
  year: number;
  version: number;
  updated_at: Generated<string>;
}

export interface Database {
  events: EventsTable;
  streams: StreamsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  exec_streams: ExecStreamsTable;
  exec_units: ExecUnitsTable;
  exec_lines: ExecLinesTable;
  exec_budget_facts: ExecBudgetFactsTable;
  exec_spending_facts: ExecSpendingFactsTable;
  exec_plan_facts: ExecPlanFactsTable;
}

export interface ProjectionCheckpointsTable {
  name: string;
  transaction_id: ColumnType<string, string | undefined, string>;
  position: ColumnType<number, number | undefined, number>;
  processed: ColumnType<number, number | undefined, number>;
  updated_at: Generated<string>;
}

export interface ExecStreamsTable {
  stream_id: string;
  department: string;
  year: number;
  department_name: string;
  schedule: ColumnType<Record<string, string>, string, string>;
  thresholds: ColumnType<Record<string, string>, string, string>;
  opened_on: string;
  closed_on: string | null;
  position: number;
}

export interface ExecUnitsTable {
  stream_id: string;
  unit: string;
  name: string;
  position: number;
}

export interface ExecLinesTable {
  stream_id: string;
  line: string;
  unit: string;
  name: string;
  category: string;
  economic: string;
  source: string;
  position: number;
}

export interface ExecBudgetFactsTable {
  position: number;
  stream_id: string;
  line: string;
  kind: string;
  effective_on: string;
  known_on: string;
  amount: string;
}

export interface ExecSpendingFactsTable {
  position: number;
  stream_id: string;
  line: string;
  month: number;
  known_on: string;
  amount: string;
  kind: string;
  record_id: string | null;
}

export interface ExecPlanFactsTable {
  position: number;
  stream_id: string;
  unit: string;
  month: number;
  known_on: string;
  amount: string;
}
