import { sql, type Kysely } from 'kysely';

/**
 * Precomputed answers: one row per stream and kind ('execution', 'evaluation') holding that
 * stream's default answer as gzip-compressed UTF-8 JSON, the parameters it was computed with, the
 * stream version it answers and the answer format (the code's). The worker fills it for streams
 * that stopped changing; the API sends a row as it is (compressed to clients that accept gzip)
 * when the version, parameters and format match its request, and computes the answer otherwise.
 * Derived data: a rebuild empties it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table exec_answers (
      stream_id text not null,
      kind text not null,
      params text not null,
      format integer not null,
      version integer not null,
      body bytea not null,
      computed_at timestamptz not null default now(),
      primary key (stream_id, kind)
    )`.execute(db);
  // Already compressed: stored out of line as it is.
  await sql`alter table exec_answers alter column body set storage external`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists exec_answers`.execute(db);
}
