import { sql, type Kysely } from 'kysely';

/**
 * Precomputed answers: one row per stream and kind ('execution', 'evaluation') holding the JSON
 * text of that stream's default answer, the parameters it was computed with, the stream version it
 * answers and the answer format (the code's). The worker fills it for streams that stopped
 * changing; the API sends a row as it is when the version, parameters and format match its
 * request, and computes the answer otherwise. Derived data: a rebuild empties it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table exec_answers (
      stream_id text not null,
      kind text not null,
      params text not null,
      format integer not null,
      version integer not null,
      body text not null,
      computed_at timestamptz not null default now(),
      primary key (stream_id, kind)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists exec_answers`.execute(db);
}
