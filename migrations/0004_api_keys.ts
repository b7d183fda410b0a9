import { sql, type Kysely } from 'kysely';

/** API keys: only a SHA-256 hash of each secret is stored; the key is shown once at creation. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table api_keys (
      id text primary key,
      name text not null,
      secret_hash text not null,
      role text not null check (role in ('admin', 'writer', 'finance', 'unit')),
      departments text[] not null default '{}',
      unit text,
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      check (role <> 'unit' or (unit is not null and cardinality(departments) = 1))
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists api_keys`.execute(db);
}
