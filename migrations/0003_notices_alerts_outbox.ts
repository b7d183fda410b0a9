import { sql, type Kysely } from 'kysely';

/**
 * Monthly notices, early alerts, channel subscriptions and the delivery outbox. Notices, alerts
 * and their outbox rows are written in one transaction, so nothing issued is lost if Redis is
 * down; the deliveries table records each job id delivered once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table month_closes (
      stream_id text not null,
      month smallint not null check (month between 1 and 12),
      known_on date,
      stream_version integer not null,
      projection_position bigint not null,
      alerts_evaluated boolean not null default false,
      closed_at timestamptz not null default now(),
      closed_by text not null,
      primary key (stream_id, month)
    )`.execute(db);
  await sql`
    create table notices (
      notice_id text not null,
      revision integer not null default 1,
      stream_id text not null,
      department text not null,
      year integer not null,
      subject text not null,
      month smallint not null,
      title text not null,
      markdown text not null,
      html text not null,
      content jsonb not null,
      recipients jsonb not null,
      computed_from jsonb not null,
      reason text,
      issued_at timestamptz not null default now(),
      primary key (notice_id, revision)
    )`.execute(db);
  await sql`create index notices_stream_month_idx on notices (stream_id, month)`.execute(db);
  await sql`
    create table alerts (
      alert_id text primary key,
      stream_id text not null,
      department text not null,
      year integer not null,
      subject text not null,
      subject_name text not null,
      kind text not null,
      level text not null,
      month smallint not null,
      raised_on date not null,
      figures jsonb not null,
      message text not null,
      replaces text,
      status text not null default 'open' check (status in ('open', 'cleared')),
      cleared_month smallint,
      cleared_on date,
      cleared_reason text,
      cleared_figures jsonb,
      cleared_message text,
      replaced_by text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index alerts_stream_idx on alerts (stream_id, status)`.execute(db);
  await sql`
    create table subscriptions (
      id integer generated always as identity primary key,
      department text not null,
      subject text not null,
      channel text not null check (channel in ('webhook', 'wecom', 'dingtalk', 'log')),
      url text,
      active boolean not null default true,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index subscriptions_department_idx on subscriptions (department) where active`.execute(db);
  await sql`
    create table outbox (
      id bigint generated always as identity primary key,
      job_id text not null unique,
      channel text not null,
      subscription_id integer,
      stream_id text not null,
      kind text not null,
      item_id text not null,
      url text,
      payload jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'enqueued', 'delivered', 'failed')),
      attempts integer not null default 0,
      last_error text,
      created_at timestamptz not null default now(),
      enqueued_at timestamptz,
      finished_at timestamptz
    )`.execute(db);
  await sql`create index outbox_pending_idx on outbox (id) where status = 'pending'`.execute(db);
  await sql`
    create table deliveries (
      job_id text primary key,
      channel text not null,
      status_code integer,
      delivered_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['deliveries', 'outbox', 'subscriptions', 'alerts', 'notices', 'month_closes']) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
}
