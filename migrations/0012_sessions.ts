import { sql, type Kysely } from 'kysely';

/**
 * Browser sessions: the dashboard's cookie carries a random token, never the API key; only the
 * token's SHA-256 is stored, with the key it was opened with, when it ends, and when it was closed
 * (sign-out). A session is good only while its key is not revoked.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sessions (
      token_hash text primary key,
      key_id text not null references api_keys (id),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index sessions_key_id on sessions (key_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists sessions`.execute(db);
}
