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
}
