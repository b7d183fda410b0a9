import { sql, type Kysely } from 'kysely';

/**
 * Every statement that appends events notifies channel `paceline_events` (delivered when its
 * transaction commits; one notification per transaction, identical ones are merged), so projectors
 * in other processes wake up at once instead of waiting for their next poll.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function events_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('paceline_events', '');
      return null;
    end
    $$`.execute(db);
  await sql`create trigger events_notify after insert on events for each statement execute function events_notify()`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists events_notify on events`.execute(db);
  await sql`drop function if exists events_notify()`.execute(db);
}
