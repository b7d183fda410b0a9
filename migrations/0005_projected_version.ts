import { sql, type Kysely } from 'kysely';

/** How far the execution projection has applied each stream (its highest projected version). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table exec_streams add column projected_version integer not null default 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table exec_streams drop column projected_version`.execute(db);
}
