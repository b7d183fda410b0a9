import { sql, type Kysely } from 'kysely';

/**
 * The schedule's checkpoints of each projected stream (contract v1.1, YearOpened.checkpoints; for a
 * quarterly schedule the four quarter ends). Rows projected before have none stored (null): their
 * streams could only have a quarterly schedule, and reading them derives its checkpoints from the
 * stored `schedule`, which is what a rebuild stores; their `thresholds` lack `divergence`, which
 * reading fills with its default. So no re-projection is needed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table exec_streams add column checkpoints jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table exec_streams drop column checkpoints`.execute(db);
}
