/**
 * The only code that reads and writes the event log tables.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { EventInput, StoredEvent } from '#domain/events.js';
import type { Database } from './database.js';
import { intArrayLiteral, jsonArrayText, textArrayLiteral } from './pg-arrays.js';

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
  /** `event.data` as JSON text when the caller already has it (else JSON.stringify(event.data)). */
  data?: string;
}

/** A stream written by `appendBatch`: the version the batch was decided on and how many events it adds. */
export interface BatchStream {
  stream: string;
  department: string;
  year: number;
  baseVersion: number;
  count: number;
}

export interface AppendedBatch {
  /** Log position of each row, in the order of the rows given. */
  positions: number[];
  /** The writing transaction's xid8, as a decimal string. */
  transactionId: string;
}

/** SQLSTATE raised by paceline_append when a stream is no longer at its base version. */
const VERSION_MISMATCH = 'PV409';

/**
 * appendBatch refused: these streams are not at the base version the batch was decided on
 * (another writer appended first). Nothing was written.
 */
export class StreamVersionMismatchError extends Error {
  constructor(readonly actual: Map<string, number>) {
    super(`stream version mismatch: ${[...actual].map(([s, v]) => `${s} is at ${v}`).join(', ')}`);
    this.name = 'StreamVersionMismatchError';
  }
}

export interface ExistingEvent {
  eventId: string;
  stream: string;
  version: number;
  position: number;
  contentHash: string;
}

/** Ids per lookup statement (one array parameter; bounded to keep each statement small). */
const LOOKUP_CHUNK = 10_000;

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

  /** Stored events among `ids` (one array parameter: `event_id = any($1)`, planned once whatever the count). */
  async findByIds(trx: Executor, ids: string[]): Promise<Map<string, ExistingEvent>> {
    const out = new Map<string, ExistingEvent>();
    for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
      const chunk = ids.length <= LOOKUP_CHUNK ? ids : ids.slice(i, i + LOOKUP_CHUNK);
      const rows = await trx
        .selectFrom('events')
        .select(['event_id', 'stream_id', 'version', 'position', 'content_hash'])
        .where(sql<boolean>`event_id = any(${chunk}::text[])`)
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
    // Stream ids are ASCII (slug/year), so this order is paceline_append's byte order too.
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
    const row = await this.db
      .selectFrom('streams')
      .select('version')
      .where('stream_id', '=', stream)
      .executeTakeFirst();
    return row?.version ?? 0;
  }

  /** Versions of existing streams (a stream without a row is absent: version 0). */
  async streamVersions(executor: Executor, streams: string[]): Promise<Map<string, number>> {
    const rows = await executor
      .selectFrom('streams')
      .select(['stream_id', 'version'])
      .where(sql<boolean>`stream_id = any(${streams}::text[])`)
      .execute();
    return new Map(rows.map((r) => [r.stream_id, r.version]));
  }

  async setStreamVersion(trx: Transaction<Database>, stream: string, version: number): Promise<void> {
    await trx
      .updateTable('streams')
      .set({ version, updated_at: sql`now()` as never })
      .where('stream_id', '=', stream)
      .execute();
  }

  /**
   * Inserts rows (no stream locking or versioning: see appendBatch for that) with one
   * `INSERT … SELECT FROM unnest(…)` of ten array parameters (data as one JSON array), whatever
   * the row count; returns position and transaction id per row, in order (ROWS FROM yields the
   * arrays in order, and positions are drawn in insertion order).
   */
  async append(
    trx: Transaction<Database>,
    rows: NewEventRow[],
  ): Promise<{ position: number; transactionId: string }[]> {
    if (rows.length === 0) return [];
    const c = columnsOf(rows);
    const result = await sql<{ position: number; transaction_id: string }>`
      insert into events (event_id, stream_id, version, department, year, type, occurred_at, occurred_on, data, content_hash)
      select r.event_id, r.stream_id, r.version, r.department, r.year, r.type, r.occurred_at, r.occurred_on, r.data, r.content_hash
      from rows from (
        unnest(${textArrayLiteral(c.ids)}::text[]), unnest(${textArrayLiteral(c.streams)}::text[]), unnest(${intArrayLiteral(c.versions)}::int4[]),
        unnest(${textArrayLiteral(c.departments)}::text[]), unnest(${intArrayLiteral(c.years)}::int4[]), unnest(${textArrayLiteral(c.types)}::text[]),
        unnest(${textArrayLiteral(c.occurredAt)}::text[]), unnest(${textArrayLiteral(c.occurredOn)}::date[]),
        jsonb_array_elements(${jsonArrayText(c.data)}::text::jsonb), unnest(${textArrayLiteral(c.hashes)}::text[])
      ) as r(event_id, stream_id, version, department, year, type, occurred_at, occurred_on, data, content_hash)
      returning position, transaction_id::text as transaction_id`.execute(trx);
    return result.rows.map((r) => ({ position: Number(r.position), transactionId: r.transaction_id }));
  }

  /**
   * Appends a decided batch in one statement (paceline_append, migration 0006): takes every
   * stream's writer lock, checks each stream is still at `baseVersion` (else throws
   * StreamVersionMismatchError, nothing written), sets the stream versions and inserts the rows.
   * Rows must be grouped by stream in the order of `streams`, versions ascending. Outside a
   * transaction the statement commits on its own; inside one (`executor` = a transaction) it
   * joins it. A reused event id fails with the unique violation (23505) of events_event_id_unique.
   */
  async appendBatch(streams: BatchStream[], rows: NewEventRow[], executor: Executor = this.db): Promise<AppendedBatch> {
    const c = columnsOf(rows);
    const streamIndex = batchLayout(streams, rows);
    let result;
    try {
      result = await sql<{ stream_id: string; version: number; position: number; transaction_id: string }>`
        select * from paceline_append(
          ${textArrayLiteral(streams.map((s) => s.stream))}::text[], ${textArrayLiteral(streams.map((s) => s.department))}::text[],
          ${intArrayLiteral(streams.map((s) => s.year))}::int4[], ${intArrayLiteral(streams.map((s) => s.baseVersion))}::int4[],
          ${intArrayLiteral(streams.map((s) => s.count))}::int4[], ${textArrayLiteral(c.ids)}::text[], ${intArrayLiteral(streamIndex)}::int4[],
          ${intArrayLiteral(c.versions)}::int4[], ${textArrayLiteral(c.types)}::text[], ${textArrayLiteral(c.occurredAt)}::text[],
          ${textArrayLiteral(c.occurredOn)}::date[], ${jsonArrayText(c.data)}::text, ${textArrayLiteral(c.hashes)}::text[])`.execute(
        executor,
      );
    } catch (e) {
      const err = e as { code?: string; detail?: string };
      if (err.code === VERSION_MISMATCH) {
        const actual = JSON.parse(err.detail ?? '{}') as Record<string, number>;
        throw new StreamVersionMismatchError(new Map(Object.entries(actual)));
      }
      throw e;
    }
    if (result.rows.length !== rows.length)
      throw new Error(`appendBatch: ${result.rows.length} rows stored for ${rows.length} given`);
    // Each returned row back to its input row by (stream, version), not by the order of RETURNING:
    // a stream's rows are contiguous from version baseVersion + 1 (checked by batchLayout).
    const firstRow = new Map<string, { row: number; version: number }>();
    let row = 0;
    for (const s of streams) {
      firstRow.set(s.stream, { row, version: s.baseVersion + 1 });
      row += s.count;
    }
    const positions: number[] = new Array(rows.length);
    for (const r of result.rows) {
      const f = firstRow.get(r.stream_id);
      if (f === undefined)
        throw new Error(`appendBatch: a row of stream ${r.stream_id}, which the batch does not add to`);
      positions[f.row + r.version - f.version] = Number(r.position);
    }
    return { positions, transactionId: result.rows[0]?.transaction_id ?? '' };
  }

  /** One stream's events from a version on (1-based, inclusive), in stream order. */
  async readStream(executor: Executor, stream: string, fromVersion = 1, limit = 1000): Promise<StoredEvent[]> {
    const rows = await executor
      .selectFrom('events')
      .select(
        STORED_COLUMNS.map((c) =>
          c === 'transaction_id' ? sql<string>`transaction_id::text`.as('transaction_id') : c,
        ) as never,
      )
      .where('stream_id', '=', stream)
      .where('version', '>=', fromVersion)
      .orderBy('version')
      .limit(limit)
      .execute();
    return (rows as unknown as StoredRow[]).map(toStoredEvent);
  }

  /**
   * One stream's events of the given types, up to `toVersion` (inclusive) when given, in stream
   * order, in one statement (`type = any($types)`): what a reader that needs only a few types (the
   * monitoring answer) loads, instead of the whole stream. Given several streams, their events in
   * one statement, by stream then version (`toVersion` then bounds every stream). With exactly the
   * monitoring types the statement reads the partial index of migration 0015.
   */
  async readStreamTypes(
    stream: string | readonly string[],
    types: readonly string[],
    toVersion?: number,
    executor: Executor = this.db,
  ): Promise<StoredEvent[]> {
    let query = executor
      .selectFrom('events')
      .select(
        STORED_COLUMNS.map((c) =>
          c === 'transaction_id' ? sql<string>`transaction_id::text`.as('transaction_id') : c,
        ) as never,
      )
      .where(sql<boolean>`type = any(${[...types]}::text[])`);
    query =
      typeof stream === 'string'
        ? query.where('stream_id', '=', stream)
        : query.where(sql<boolean>`stream_id = any(${[...stream]}::text[])`);
    if (toVersion !== undefined) query = query.where('version', '<=', toVersion);
    const rows = await (typeof stream === 'string' ? query : query.orderBy('stream_id')).orderBy('version').execute();
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
      .select(
        STORED_COLUMNS.map((c) =>
          c === 'transaction_id' ? sql<string>`transaction_id::text`.as('transaction_id') : c,
        ) as never,
      )
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
    const rows = await this.db
      .selectFrom('streams')
      .selectAll()
      .where('version', '>', 0)
      .orderBy('stream_id')
      .execute();
    return rows.map((r) => ({ stream: r.stream_id, department: r.department, year: r.year, version: r.version }));
  }
}

/**
 * Checks that rows come stream by stream in the order of `streams`, each stream's `count` rows at
 * versions baseVersion + 1, + 2, … (what paceline_append and the position mapping rely on), and
 * returns each row's 1-based index into the stream arrays.
 */
function batchLayout(streams: BatchStream[], rows: NewEventRow[]): number[] {
  const out: number[] = new Array(rows.length);
  let row = 0;
  streams.forEach((s, i) => {
    for (let k = 1; k <= s.count; k++, row++) {
      const r = rows[row];
      if (!r || r.stream !== s.stream || r.version !== s.baseVersion + k) {
        throw new Error(
          `appendBatch: row ${row} should be version ${s.baseVersion + k} of ${s.stream}, got ${r ? `${r.version} of ${r.stream}` : 'nothing'}`,
        );
      }
      out[row] = i + 1;
    }
  });
  if (row !== rows.length) throw new Error(`appendBatch: ${rows.length} rows for streams adding ${row}`);
  return out;
}

/** The rows as one array per events column (the parameters of the unnest inserts). */
function columnsOf(rows: NewEventRow[]) {
  const n = rows.length;
  const ids: string[] = new Array(n);
  const streams: string[] = new Array(n);
  const versions: number[] = new Array(n);
  const departments: string[] = new Array(n);
  const years: number[] = new Array(n);
  const types: string[] = new Array(n);
  const occurredAt: string[] = new Array(n);
  const occurredOn: string[] = new Array(n);
  const data: string[] = new Array(n);
  const hashes: string[] = new Array(n);
  rows.forEach((r, i) => {
    ids[i] = r.event.id;
    streams[i] = r.stream;
    versions[i] = r.version;
    departments[i] = r.event.department;
    years[i] = r.event.year;
    types[i] = r.event.type;
    occurredAt[i] = r.event.occurredAt;
    occurredOn[i] = r.occurredOn;
    data[i] = r.data ?? JSON.stringify(r.event.data);
    hashes[i] = r.contentHash;
  });
  return { ids, streams, versions, departments, years, types, occurredAt, occurredOn, data, hashes };
}
