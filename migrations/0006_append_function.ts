import { sql, type Kysely } from 'kysely';

/**
 * paceline_append: a whole ingest batch in one statement (one round trip, and in autocommit its
 * own transaction, so no BEGIN/COMMIT round trips either). The caller has decided the batch
 * against its write model of each stream at `p_base_versions`; the function
 *
 *   (a) takes every stream's writer lock (transaction-scoped advisory lock on
 *       hashtextextended(stream, 0), the lock EventsRepository.lockStreams takes), distinct and in
 *       byte order, before writing anything: the transaction gets its xid only once it holds every
 *       lock, so per stream the order of writers' xids is the order of their versions, which is
 *       what catch-up readers (xid order) rely on;
 *   (b) checks that each stream is still at its base version (no stream row = 0), else raises
 *       SQLSTATE PV409 with DETAIL = {"stream": actual version, …} of the streams that moved, and
 *       nothing is written;
 *   (c) writes the stream rows at their new versions (base + count; created when new);
 *   (d) inserts the events from the parallel arrays (the data of all events as one JSON array
 *       text: no per-element quoting for the client to do) in array order, so positions follow
 *       the order the caller gives (stream by stream, versions ascending);
 *   (e) returns (stream_id, version, position, transaction_id as text) per inserted event.
 *
 * A statement in a VOLATILE plpgsql function runs on a fresh snapshot (READ COMMITTED), so the
 * version check after the locks sees every writer that held them before. A reused event id fails
 * on events_event_id_unique (23505) and rolls the whole statement back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function paceline_append(
      p_streams text[],
      p_departments text[],
      p_years integer[],
      p_base_versions integer[],
      p_counts integer[],
      p_event_ids text[],
      p_stream_index integer[],
      p_versions integer[],
      p_types text[],
      p_occurred_at text[],
      p_occurred_on date[],
      p_data text,
      p_content_hashes text[]
    ) returns table (stream_id text, version integer, "position" bigint, transaction_id text)
    language plpgsql volatile as $$
    #variable_conflict use_column
    declare
      v_stream text;
      v_moved text;
    begin
      for v_stream in select distinct s collate "C" as k from unnest(p_streams) as s order by k loop
        perform pg_advisory_xact_lock(hashtextextended(v_stream, 0));
      end loop;

      select json_object_agg(b.stream_id, coalesce(st.version, 0))::text into v_moved
      from unnest(p_streams, p_base_versions) as b(stream_id, base)
      left join streams st on st.stream_id = b.stream_id
      where coalesce(st.version, 0) <> b.base;
      if v_moved is not null then
        raise exception 'stream version mismatch: %', v_moved using errcode = 'PV409', detail = v_moved;
      end if;

      insert into streams as st (stream_id, department, year, version)
      select n.stream_id, n.department, n.year, n.base + n.added
      from unnest(p_streams, p_departments, p_years, p_base_versions, p_counts) as n(stream_id, department, year, base, added)
      on conflict (stream_id) do update set version = excluded.version, updated_at = now();

      return query
      insert into events as e (event_id, stream_id, version, department, year, type, occurred_at, occurred_on, data, content_hash)
      select r.event_id, p_streams[r.si], r.version, p_departments[r.si], p_years[r.si], r.type, r.occurred_at, r.occurred_on, r.data, r.content_hash
      from rows from (
        unnest(p_event_ids), unnest(p_stream_index), unnest(p_versions), unnest(p_types), unnest(p_occurred_at),
        unnest(p_occurred_on), jsonb_array_elements(p_data::jsonb), unnest(p_content_hashes)
      ) as r(event_id, si, version, type, occurred_at, occurred_on, data, content_hash)
      returning e.stream_id, e.version, e.position, e.transaction_id::text;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function paceline_append`.execute(db);
}
