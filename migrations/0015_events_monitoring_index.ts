import { sql, type Kysely } from 'kysely';

/**
 * The monitoring events of each stream by version (contract v1.1: what the monitoring answer and
 * the roll-up read of a stream, EventsRepository.readStreamTypes with MONITORING_EVENT_TYPES),
 * so that reading them no longer visits every event of the stream. Partial: only those seven types
 * are indexed, so spending events, most of the log, cost nothing more to append. The list is the
 * one MONITORING_EVENT_TYPES held when this was written; a query for exactly these types (or a
 * subset of them) uses the index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index events_monitoring_idx on events (stream_id, version)
    where type in ('YearOpened', 'TaskPlanned', 'BudgetAllocated', 'IndicatorDefined',
                   'IndicatorProgressReported', 'DeviationExplained', 'CorrectiveActionReported')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists events_monitoring_idx`.execute(db);
}
