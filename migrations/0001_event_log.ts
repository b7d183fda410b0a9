import { sql, type Kysely } from 'kysely';

/**
 * The append-only event log: one stream per department-year, unique (stream, version),
 * unique event id (idempotency), a global position plus the writing transaction's xid8 so
 * catch-up readers never skip an event committed out of order. UPDATE, DELETE and TRUNCATE
 * are refused by triggers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table streams (
      stream_id text primary key,
      department text not null,
      year integer not null,
      version integer not null default 0 check (version >= 0),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table events (
      position bigint generated always as identity primary key,
      transaction_id xid8 not null default pg_current_xact_id(),
      event_id text not null,
      stream_id text not null references streams (stream_id),
      version integer not null check (version >= 1),
      department text not null,
      year integer not null,
      type text not null,
      occurred_at text not null,
      occurred_on date not null,
      data jsonb not null,
      content_hash text not null,
      recorded_at timestamptz not null default now(),
      constraint events_event_id_unique unique (event_id),
      constraint events_stream_version_unique unique (stream_id, version)
    )`.execute(db);
  await sql`create index events_transaction_position_idx on events (transaction_id, position)`.execute(db);
  await sql`
    create function events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the event log is append-only: % on events is not allowed', tg_op
        using errcode = 'restrict_violation';
    end
    $$`.execute(db);
  await sql`
    create trigger events_no_update_or_delete before update or delete on events
    for each row execute function events_append_only()`.execute(db);
  await sql`
    create trigger events_no_truncate before truncate on events
    for each statement execute function events_append_only()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the event log migration cannot be reverted: the log is append-only');
}
