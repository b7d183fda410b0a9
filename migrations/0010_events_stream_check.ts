import { sql, type Kysely } from 'kysely';

/**
 * Every event's stream exists, checked once per statement instead of once per row.
 *
 * The foreign key events.stream_id → streams ran PostgreSQL's referential check for every inserted
 * event (a lookup and a row lock on the stream's row per event): measured 2.9 µs of PostgreSQL's
 * CPU per event, more than half again the cost of the insert itself, on a 2-core machine where
 * PostgreSQL's CPU bounds ingest. The same rule now holds through triggers:
 *
 *   events_stream_check   after each INSERT (and COPY) statement on events, every stream id among
 *                         the new rows has a streams row, else the statement fails with SQLSTATE
 *                         23503 (foreign_key_violation, as before) naming the stream; the new rows
 *                         are read from the statement's transition table, one query per statement;
 *   streams_keep          a streams row is never deleted, truncated or renamed (what the foreign
 *                         key's NO ACTION refused while events referenced it; a stream with no
 *                         events yet is not a case: paceline_append writes both in one statement).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table events drop constraint events_stream_id_fkey`.execute(db);
  await sql`
    create function events_stream_check() returns trigger language plpgsql as $$
    declare
      v_missing text;
    begin
      select n.stream_id into v_missing
      from (select distinct stream_id from new_events) n
      where not exists (select 1 from streams s where s.stream_id = n.stream_id)
      limit 1;
      if v_missing is not null then
        raise exception 'insert into events: stream "%" does not exist in streams', v_missing
          using errcode = 'foreign_key_violation', column = 'stream_id', table = 'events';
      end if;
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger events_stream_check after insert on events
    referencing new table as new_events
    for each statement execute function events_stream_check()`.execute(db);
  await sql`
    create function streams_keep() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        if new.stream_id = old.stream_id then
          return new;
        end if;
      end if;
      raise exception 'streams are kept with their events: % of a stream is not allowed', case when tg_op = 'UPDATE' then 'renaming' else tg_op end
        using errcode = 'restrict_violation';
    end
    $$`.execute(db);
  await sql`create trigger streams_keep before delete or update of stream_id on streams for each row execute function streams_keep()`.execute(
    db,
  );
  await sql`create trigger streams_keep_truncate before truncate on streams for each statement execute function streams_keep()`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger streams_keep_truncate on streams`.execute(db);
  await sql`drop trigger streams_keep on streams`.execute(db);
  await sql`drop function streams_keep()`.execute(db);
  await sql`drop trigger events_stream_check on events`.execute(db);
  await sql`drop function events_stream_check()`.execute(db);
  await sql`alter table events add constraint events_stream_id_fkey foreign key (stream_id) references streams (stream_id)`.execute(
    db,
  );
}
