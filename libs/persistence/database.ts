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
  exec_segments: ExecSegmentsTable;
  exec_answers: ExecAnswersTable;
  month_closes: MonthClosesTable;
  notices: NoticesTable;
  alerts: AlertsTable;
  subscriptions: SubscriptionsTable;
  outbox: OutboxTable;
  deliveries: DeliveriesTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
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
  /** The schedule's checkpoints (migration 0014); null in rows projected before it (quarterly). */
  checkpoints: ColumnType<unknown, string | null | undefined, string | null>;
  opened_on: string;
  closed_on: string | null;
  /** Log position of the YearOpened event. */
  position: number;
  projected_version: ColumnType<number, number | undefined, number>;
  /** Stream-level evaluation inputs (libs/domain/evaluation/evaluation-doc.ts). */
  evaluation: ColumnType<unknown, string, string>;
  known_through: string | null;
  last_position: ColumnType<number, number | undefined, number>;
}

/** One per stream and record month (yyyymm): see libs/domain/execution/stream-projection.ts. */
export interface ExecSegmentsTable {
  stream_id: string;
  bucket: number;
  facts: ColumnType<unknown, string, string>;
  sources: ColumnType<unknown, string, string>;
  events: number;
  position: number;
}

/** A precomputed default answer of a stream (migration 0009). */
export interface ExecAnswersTable {
  stream_id: string;
  kind: string;
  params: string;
  format: number;
  version: number;
  /** gzip-compressed UTF-8 JSON. */
  body: Buffer;
  computed_at: Generated<string>;
}

export interface MonthClosesTable {
  stream_id: string;
  month: number;
  known_on: string | null;
  stream_version: number;
  projection_position: number;
  alerts_evaluated: ColumnType<boolean, boolean | undefined, boolean>;
  closed_at: Generated<string>;
  closed_by: string;
}

export interface NoticesTable {
  notice_id: string;
  revision: number;
  stream_id: string;
  department: string;
  year: number;
  subject: string;
  month: number;
  title: string;
  markdown: string;
  html: string;
  content: ColumnType<unknown, string, string>;
  recipients: ColumnType<unknown, string, string>;
  computed_from: ColumnType<unknown, string, string>;
  reason: string | null;
  issued_at: Generated<string>;
}

export interface AlertsTable {
  alert_id: string;
  stream_id: string;
  department: string;
  year: number;
  subject: string;
  subject_name: string;
  kind: string;
  level: string;
  month: number;
  raised_on: string;
  figures: ColumnType<unknown, string, string>;
  message: string;
  replaces: string | null;
  status: ColumnType<string, string | undefined, string>;
  cleared_month: number | null;
  cleared_on: string | null;
  cleared_reason: string | null;
  cleared_figures: ColumnType<unknown, string | null, string | null>;
  cleared_message: string | null;
  replaced_by: string | null;
  created_at: Generated<string>;
}

export interface SubscriptionsTable {
  id: Generated<number>;
  department: string;
  subject: string;
  channel: string;
  url: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Generated<string>;
  /** A DingTalk robot's 加签 secret, encrypted (migration 0011); null without one. */
  secret_enc: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OutboxTable {
  id: Generated<number>;
  job_id: string;
  channel: string;
  subscription_id: number | null;
  stream_id: string;
  kind: string;
  item_id: string;
  url: string | null;
  payload: ColumnType<unknown, string, string>;
  status: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  created_at: Generated<string>;
  enqueued_at: string | null;
  finished_at: string | null;
}

export interface DeliveriesTable {
  job_id: string;
  channel: string;
  status_code: number | null;
  delivered_at: Generated<string>;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  secret_hash: string;
  role: string;
  departments: string[];
  unit: string | null;
  created_at: Generated<string>;
  revoked_at: string | null;
}

export interface SessionsTable {
  token_hash: string;
  key_id: string;
  created_at: Generated<string>;
  expires_at: string;
  revoked_at: string | null;
}
