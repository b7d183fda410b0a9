/**
 * The only code that reads and writes the event log tables.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { EventInput, StoredEvent } from '../domain/events.js';
import type { Database } from './database.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** A catch-up reader's position: the pair (transaction id, position) of the last event it processed. */
export interface Checkpoint {
  transactionId: string;
  position: number;
}

export const START: Checkpoint = { transactionId: '0', position: 0 };

export interface NewEventRow {
  event: EventInput;
  stream: string;
  version: number;
  occurredOn: string;
  contentHash: string;
}

export interface ExistingEvent {
  eventId: string;
  stream: string;
  version: number;
  position: number;
  contentHash: string;
}

/** Rows per INSERT statement (13 parameters a row stays far below Postgres' 65,535). */
const INSERT_CHUNK = 2000;

const STORED_COLUMNS = [
  'position',
  'transaction_id',
  'event_id',
  'stream_id',
  'version',
  'department',
  'year',
  'type',
  'occurred_at',
  'occurred_on',
  'data',
  'recorded_at',
] as const;

type StoredRow = {
  position: number;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  version: number;
  department: string;
  year: number;
  type: string;
  occurred_at: string;
  occurred_on: string;
  data: unknown;
  recorded_at: string;
};

export function toStoredEvent(r: StoredRow): StoredEvent {
  return {
    id: r.event_id,
    type: r.type,
    department: r.department,
    year: r.year,
    occurredAt: r.occurred_at,
    data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as never,
    stream: r.stream_id,
    version: r.version,
    position: Number(r.position),
    transactionId: String(r.transaction_id),
    occurredOn: r.occurred_on,
    recordedAt: new Date(r.recorded_at).toISOString(),
  } as StoredEvent;
}

export class EventsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  async findByIds(trx: Executor, ids: string[]): Promise<Map<string, ExistingEvent>> {
    const out = new Map<string, ExistingEvent>();
    for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
      const rows = await trx
        .selectFrom('events')
        .select(['event_id', 'stream_id', 'version', 'position', 'content_hash'])
        .where('event_id', 'in', ids.slice(i, i + INSERT_CHUNK))
        .execute();
      for (const r of rows) {
        out.set(r.event_id, {
          eventId: r.event_id,
          stream: r.stream_id,
          version: r.version,
          position: Number(r.position),
          contentHash: r.content_hash,
        });
      }
    }
    return out;
  }

  /**
   * Takes the writer locks of streams (transaction-scoped advisory locks), in a fixed order so
   * concurrent batches cannot deadlock. Call it before the transaction writes anything: the
   * transaction then gets its xid only once it holds every lock, so for each stream the order of
   * writing transactions' xids is the order of its versions, and catch-up readers (which read in
   * xid order) see every stream's events in version order.
   */
  async lockStreams(trx: Transaction<Database>, streams: string[]): Promise<void> {
    for (const stream of [...new Set(streams)].sort()) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${stream}, 0))`.execute(trx);
    }
  }

  /** Creates the stream row if needed (call after lockStreams) and returns its version. */
  async lockStream(trx: Transaction<Database>, stream: string, department: string, year: number): Promise<number> {
    await trx
      .insertInto('streams')
      .values({ stream_id: stream, department, year, version: 0 })
      .onConflict((oc) => oc.column('stream_id').doNothing())
      .execute();
    const row = await trx
      .selectFrom('streams')
      .select('version')
      .where('stream_id', '=', stream)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return row.version;
  }

  /** A page of one stream, outside any transaction. */
  page(stream: string, fromVersion: number, limit: number): Promise<StoredEvent[]> {
    return this.readStream(this.db, stream, fromVersion, limit);
  }

  async streamVersion(stream: string): Promise<number> {
    const row = await this.db.selectFrom('streams').select('version').where('stream_id', '=', stream).executeTakeFirst();
    return row?.version ?? 0;
  }

  async setStreamVersion(trx: Transaction<Database>, stream: string, version: number): Promise<void> {
    await trx
      .updateTable('streams')
      .set({ version, updated_at: sql`now()` as never })
      .where('stream_id', '=', stream)
      .execute();
  }

  /** Appends rows with multi-row INSERTs; returns position and transaction id per row, in order. */
  async append(trx: Transaction<Database>, rows: NewEventRow[]): Promise<{ position: number; transactionId: string }[]> {
    const out: { position: number; transactionId: string }[] = [];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const inserted = await trx
        .insertInto('events')
        .values(
          chunk.map((r) => ({
            event_id: r.event.id,
            stream_id: r.stream,
            version: r.version,
            department: r.event.department,
            year: r.event.year,
            type: r.event.type,
            occurred_at: r.event.occurredAt,
            occurred_on: r.occurredOn,
            data: JSON.stringify(r.event.data),
            content_hash: r.contentHash,
          })),
        )
        .returning(['position', sql<string>`transaction_id::text`.as('transaction_id')])
        .execute();
      for (const r of inserted) out.push({ position: Number(r.position), transactionId: r.transaction_id });
    }
    return out;
  }

  /** One stream's events from a version on (1-based, inclusive), in stream order. */
  async readStream(executor: Executor, stream: string, fromVersion = 1, limit = 1000): Promise<StoredEvent[]> {
    const rows = await executor
      .selectFrom('events')
      .select(STORED_COLUMNS.map((c) => (c === 'transaction_id' ? sql<string>`transaction_id::text`.as('transaction_id') : c)) as never)
      .where('stream_id', '=', stream)
      .where('version', '>=', fromVersion)
      .orderBy('version')
      .limit(limit)
      .execute();
    return (rows as unknown as StoredRow[]).map(toStoredEvent);
  }

  /**
   * Events after a checkpoint in commit-safe order: only rows whose writing transaction is older
   * than every transaction still running (transaction_id < xmin of the current snapshot), ordered
   * by (transaction_id, position). A transaction that took a lower position but commits later is
   * therefore never skipped: nothing past it is returned until it has committed or rolled back.
   */
  async readAll(after: Checkpoint, limit = 1000, executor: Executor = this.db): Promise<StoredEvent[]> {
    const rows = await executor
      .selectFrom('events')
      .select(STORED_COLUMNS.map((c) => (c === 'transaction_id' ? sql<string>`transaction_id::text`.as('transaction_id') : c)) as never)
      .where(sql<boolean>`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`)
      .where(sql<boolean>`(transaction_id, position) > (${after.transactionId}::xid8, ${after.position}::bigint)`)
      // Qualified: a bare "transaction_id" here would name the text output column above, and
      // text order ('1000' < '999') breaks the checkpoint whenever xids cross a power of ten.
      .orderBy('events.transaction_id')
      .orderBy('events.position')
      .limit(limit)
      .execute();
    return (rows as unknown as StoredRow[]).map(toStoredEvent);
  }

  async count(stream?: string): Promise<number> {
    let q = this.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n'));
    if (stream) q = q.where('stream_id', '=', stream);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async lastPosition(): Promise<number> {
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.max<number>('position').as('p'))
      .executeTakeFirst();
    return Number(row?.p ?? 0);
  }

  async listStreams(): Promise<{ stream: string; department: string; year: number; version: number }[]> {
    const rows = await this.db.selectFrom('streams').selectAll().where('version', '>', 0).orderBy('stream_id').execute();
    return rows.map((r) => ({ stream: r.stream_id, department: r.department, year: r.year, version: r.version }));
  }
}
