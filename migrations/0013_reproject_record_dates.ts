import { sql, type Kysely } from 'kysely';

/**
 * The execution projection now keeps the record date of every unit and line, and counts a
 * correction from the later of its own and its record's record date ("as known on" an earlier
 * date it does not exist). Rows projected before lack both, so the read model is emptied and its
 * checkpoint reset: the projector folds the whole log again at start-up (the same rows a rebuild
 * would write). The event log is not touched; stored answers are recomputed by the worker.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`delete from exec_answers`.execute(db);
  await sql`delete from exec_segments`.execute(db);
  await sql`delete from exec_streams`.execute(db);
  await sql`delete from projection_checkpoints where name = 'execution'`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to undo: the read model is derived from the log.
}
