/**
 * Bench-only evidence for a proposal (and a bug): EventsRepository.readAll() selects
 * `transaction_id::text AS transaction_id` and then orders by "transaction_id" — which PostgreSQL
 * resolves to the *output* column, the text. So the catch-up order is textual ('1000' < '757'):
 *   - correctness: once pending events span a power of ten in xids (999 → 1000, 99999 → 100000 …)
 *     and more than one batch is pending, the checkpoint jumps and the projector re-reads applied
 *     events (duplicate key on exec_*_facts: the projection stops);
 *   - speed: no index order, so every page is a bitmap scan + top-N sort of *all* remaining rows,
 *     O(remaining) per page, O(N²) per catch-up.
 * This is the same query ordered by the table's xid8 column. The rebuild scenario measures it and
 * checks it yields the same read model; BENCH_FIXED_READALL=1 patches it into the API process.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { StoredEvent } from '../libs/domain/events.js';
import type { Database } from '../libs/persistence/database.js';
import { EventsRepository, toStoredEvent, type Checkpoint } from '../libs/persistence/events.repository.js';

type Executor = Kysely<Database> | Transaction<Database>;

export async function readAllInXidOrder(executor: Executor, after: Checkpoint, limit: number): Promise<StoredEvent[]> {
  const rows = await sql<Parameters<typeof toStoredEvent>[0]>`
    select position, transaction_id::text as transaction_id, event_id, stream_id, version, department, year, type,
           occurred_at, occurred_on, data, recorded_at
    from events
    where events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      and (events.transaction_id, events.position) > (${after.transactionId}::xid8, ${after.position}::bigint)
    order by events.transaction_id, events.position
    limit ${limit}`.execute(executor);
  return rows.rows.map(toStoredEvent);
}

/** An EventsRepository whose readAll() orders by the xid8 column. */
export class XidOrderedEventsRepository extends EventsRepository {
  constructor(private readonly database: Kysely<Database>) {
    super(database);
  }

  override readAll(after: Checkpoint, limit = 1000, executor: Executor = this.database): Promise<StoredEvent[]> {
    return readAllInXidOrder(executor, after, limit);
  }
}

/** Replaces EventsRepository.prototype.readAll in this process (bench API process, diagnostic). */
export function patchReadAllInXidOrder(): void {
  const proto = EventsRepository.prototype as unknown as {
    readAll: (after: Checkpoint, limit?: number, executor?: Executor) => Promise<StoredEvent[]>;
  };
  proto.readAll = function (this: { db: Kysely<Database> }, after: Checkpoint, limit = 1000, executor?: Executor) {
    return readAllInXidOrder(executor ?? this.db, after, limit);
  };
}
