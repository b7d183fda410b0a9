import { sql, type Kysely } from 'kysely';

/**
 * Execution read model v2: instead of one row per contributing event (exec_*_facts, exec_units,
 * exec_lines), one segment row per stream and record month holding that month's facts, spending
 * summed per (line, valid month, record date, kind); see libs/domain/execution/stream-projection.ts.
 * exec_streams gains the stream-level evaluation inputs, so the year-end evaluation is read from
 * the projection instead of replaying the log.
 *
 * The read model is derived data: this migration empties it and resets the projector's checkpoint,
 * so the projector (or `paceline rebuild`) builds it again from the log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const t of ['exec_plan_facts', 'exec_spending_facts', 'exec_budget_facts', 'exec_lines', 'exec_units']) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
  await sql`delete from exec_streams`.execute(db);
  await sql`delete from projection_checkpoints where name = 'execution'`.execute(db);
  await sql`alter table exec_streams add column evaluation json not null default '{}'`.execute(db);
  await sql`alter table exec_streams add column known_through date`.execute(db);
  await sql`alter table exec_streams add column last_position bigint not null default 0`.execute(db);
  await sql`
    create table exec_segments (
      stream_id text not null,
      bucket integer not null,
      facts json not null,
      sources json not null,
      events integer not null,
      position bigint not null,
      primary key (stream_id, bucket)
    )`.execute(db);
  // Segments are rewritten whole and read whole: keep them uncompressed out of line (compressing
  // tens of kilobytes of JSON on every projector batch costs more CPU than the disk it saves).
  await sql`alter table exec_segments alter column facts set storage external`.execute(db);
  await sql`alter table exec_segments alter column sources set storage external`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error(
    '0007_execution_segments cannot be reverted: rebuild the projection with the earlier release instead',
  );
}
