import { sql, type Kysely } from 'kysely';

/**
 * Read model of execution: the bitemporal facts of libs/domain/execution/facts.ts, one row per
 * contributing event (keyed by its log position), plus projector checkpoints.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table projection_checkpoints (
      name text primary key,
      transaction_id xid8 not null default '0'::xid8,
      position bigint not null default 0,
      processed bigint not null default 0,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table exec_streams (
      stream_id text primary key,
      department text not null,
      year integer not null,
      department_name text not null,
      schedule jsonb not null,
      thresholds jsonb not null,
      opened_on date not null,
      closed_on date,
      position bigint not null
    )`.execute(db);
  await sql`
    create table exec_units (
      stream_id text not null,
      unit text not null,
      name text not null,
      position bigint not null,
      primary key (stream_id, unit)
    )`.execute(db);
  await sql`
    create table exec_lines (
      stream_id text not null,
      line text not null,
      unit text not null,
      name text not null,
      category text not null,
      economic text not null,
      source text not null,
      position bigint not null,
      primary key (stream_id, line)
    )`.execute(db);
  await sql`
    create table exec_budget_facts (
      position bigint primary key,
      stream_id text not null,
      line text not null,
      kind text not null,
      effective_on date not null,
      known_on date not null,
      amount numeric(16, 2) not null
    )`.execute(db);
  await sql`create index exec_budget_facts_stream_idx on exec_budget_facts (stream_id)`.execute(db);
  await sql`
    create table exec_spending_facts (
      position bigint primary key,
      stream_id text not null,
      line text not null,
      month smallint not null check (month between 1 and 12),
      known_on date not null,
      amount numeric(16, 2) not null,
      kind text not null,
      record_id text
    )`.execute(db);
  await sql`create index exec_spending_facts_stream_idx on exec_spending_facts (stream_id)`.execute(db);
  await sql`create unique index exec_spending_facts_record_idx on exec_spending_facts (record_id) where record_id is not null`.execute(
    db,
  );
  await sql`
    create table exec_plan_facts (
      position bigint primary key,
      stream_id text not null,
      unit text not null,
      month smallint not null check (month between 1 and 12),
      known_on date not null,
      amount numeric(16, 2) not null
    )`.execute(db);
  await sql`create index exec_plan_facts_stream_idx on exec_plan_facts (stream_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'exec_plan_facts',
    'exec_spending_facts',
    'exec_budget_facts',
    'exec_lines',
    'exec_units',
    'exec_streams',
    'projection_checkpoints',
  ]) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
}
