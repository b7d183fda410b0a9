/**
 * The event log as projectors read it: only what a projection needs (no content hash, no server
 * timestamps), in commit-safe catch-up order or one stream at a time below a snapshot horizon (for
 * rebuilds). Writes nothing.
 *
 * A read comes back as one JSON text built by PostgreSQL: Node parses one document with V8's
 * native JSON parser instead of decoding thousands of protocol rows field by field, and spending
 * events come as a few fields instead of the whole event (see EVENT_JSON). Reading and decoding is
 * most of what a projector following a busy log, or rebuilding from it, spends its time on.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { RecordPlacement } from '#domain/execution/facts.js';
import type { FeedItem, ProjectedEvent, RecordedSpendingTuple } from '#domain/execution/stream-projection.js';
import { required } from '#domain/required.js';
import type { Database } from './database.js';
import type { Checkpoint } from './events.repository.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** A projected event plus the writing transaction's xid8 (for the checkpoint). */
export type FeedEvent = ProjectedEvent & { transactionId: string };

/** Where the SpendingRecorded events named by corrections went: id → line and valid month. */
export type Placements = Map<string, RecordPlacement>;

/** Events read from the log, and the placement of the records their corrections name. */
export interface FeedPage<E> {
  events: E[];
  placements: Placements;
}

/**
 * One event as JSON text, built by PostgreSQL. The two kinds of nearly every event come as a few
 * fields taken out of the jsonb instead of the whole event (less text to build, send and parse, and
 * no object per event):
 *   SpendingRecorded  [position, version, 0, occurredOn, line, month, amount]
 *   SpendingPlanned   [position, version, 1, occurredOn, unit, month, amount]
 * Those values are written between quotes unescaped: line and unit ids, months and amounts were
 * validated at ingest and contain no quote or backslash. Every other event comes whole as
 * [position, version, type, occurredOn, id, data, placement], placement being [line, month, occurredOn]
 * of the record a SpendingCorrected names. Dates go through to_json (ISO whatever the DateStyle); `||`
 * rather than concat(), which costs more per row.
 */
const EVENT_JSON = sql`
  case e.type
    when 'SpendingRecorded' then '[' || e.position || ',' || e.version || ',0,' || to_json(e.occurred_on)::text
         || ',"' || (e.data->>'line') || '","' || (e.data->>'month') || '","' || (e.data->>'amount') || '"]'
    when 'SpendingPlanned' then '[' || e.position || ',' || e.version || ',1,' || to_json(e.occurred_on)::text
         || ',"' || (e.data->>'unit') || '","' || (e.data->>'month') || '","' || (e.data->>'amount') || '"]'
    else '[' || e.position || ',' || e.version || ',"' || e.type || '",' || to_json(e.occurred_on)::text || ',' || to_json(e.event_id)::text
         || ',' || e.data::text || ','
         || case when e.type = 'SpendingCorrected'
              then coalesce((select json_build_array(r.data->'line', r.data->'month', r.occurred_on)::text from events r
                             where r.event_id = e.data->>'corrects' and r.type = 'SpendingRecorded'), 'null')
              else 'null' end
         || ']'
  end`;

type EventTuple =
  | [number, number, 0 | 1, string, string, string, string]
  | [number, number, string, string, string, unknown, [string, string, string] | null];

function decodeEvent(
  t: EventTuple,
  stream: string,
  department: string,
  year: number,
  placements: Placements,
): ProjectedEvent {
  const [position, version, type, occurredOn] = t;
  if (type === 0) {
    const [, , , , line, month, amount] = t as [number, number, 0, string, string, string, string];
    return {
      id: '',
      type: 'SpendingRecorded',
      department,
      year,
      occurredAt: occurredOn,
      occurredOn,
      data: { line, month, amount },
      stream,
      version,
      position,
    } as unknown as ProjectedEvent;
  }
  if (type === 1) {
    const [, , , , unit, month, amount] = t as [number, number, 1, string, string, string, string];
    return {
      id: '',
      type: 'SpendingPlanned',
      department,
      year,
      occurredAt: occurredOn,
      occurredOn,
      data: { unit, month, amount },
      stream,
      version,
      position,
    } as unknown as ProjectedEvent;
  }
  const [, , , , id, data, placement] = t as [
    number,
    number,
    string,
    string,
    string,
    { corrects?: string },
    [string, string, string] | null,
  ];
  if (placement && data.corrects)
    placements.set(data.corrects, {
      line: placement[0],
      month: Number(placement[1].slice(5, 7)),
      knownOn: placement[2],
    });
  // The projection reads the record date only (occurredOn).
  return {
    id,
    type,
    department,
    year,
    occurredAt: occurredOn,
    occurredOn,
    data,
    stream,
    version,
    position,
  } as ProjectedEvent;
}

/** Events per row of a stream read. */
const READ_CHUNK = 1000;

const parsed = <T>(v: unknown): T[] =>
  (v === null || v === undefined ? [] : typeof v === 'string' ? JSON.parse(v) : v) as T[];

/** A stream to rebuild. */
export interface HorizonStream {
  stream: string;
  department: string;
  year: number;
}

/** The part of the log a rebuild takes: every event whose transaction is older than `xmin`. */
export interface Horizon {
  /** xmin of the rebuild's snapshot: every transaction below it has ended. */
  xmin: string;
  /** The last event below the horizon in catch-up order (the checkpoint after the rebuild). */
  last: Checkpoint | null;
  /** Streams with at least one event below the horizon, in stream order. */
  streams: HorizonStream[];
}

/** Read-only transactions that see one snapshot; close() ends them. */
export interface SnapshotReaders {
  readers: Executor[];
  close(): Promise<void>;
}

export class ProjectionFeedRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * `count` more connections that see exactly the snapshot of `trx` (exported with
   * pg_export_snapshot, imported with SET TRANSACTION SNAPSHOT), so a rebuild reads several streams
   * at once while `trx` writes. PostgreSQL only (PGlite has one connection).
   */
  async snapshotReaders(trx: Transaction<Database>, count: number): Promise<SnapshotReaders> {
    if (count <= 0) return { readers: [], close: async () => {} };
    const { rows } = await sql<{ id: string }>`select pg_export_snapshot() as id`.execute(trx);
    const snapshot = required(rows[0], 'the row of pg_export_snapshot()').id;
    const opened = await Promise.allSettled(Array.from({ length: count }, () => this.snapshotReader(snapshot)));
    const lanes = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const close = async () => {
      await Promise.allSettled(lanes.map((l) => l.close()));
    };
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) {
      await close();
      throw (failed as PromiseRejectedResult).reason;
    }
    return { readers: lanes.map((l) => l.trx), close };
  }

  private snapshotReader(snapshot: string): Promise<{ trx: Transaction<Database>; close: () => Promise<void> }> {
    return new Promise((resolve, reject) => {
      let finish!: () => void;
      const finished = new Promise<void>((r) => (finish = r));
      const done = this.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .setAccessMode('read only')
        .execute(async (trx) => {
          await sql`set transaction snapshot ${sql.lit(snapshot)}`.execute(trx);
          await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
          resolve({
            trx,
            close: async () => {
              finish();
              await done;
            },
          });
          await finished;
        });
      done.catch(reject);
    });
  }

  /**
   * Events after a checkpoint in commit-safe order (see EventsRepository.readAll): only rows whose
   * transaction is older than every running one, ordered by (transaction_id, position).
   *
   * The transaction and stream are written once per run of events sharing them — a header
   * [xid, stream, department, year] before the run's event tuples — rather than with every event:
   * an ingest batch is one transaction holding a few streams' runs of events, so a page of
   * thousands of events has a few headers (Node makes the four strings once per run instead of per
   * event, which shortens reading a city-shaped log markedly). Headers are the only tuples that
   * start with a string.
   */
  async readAfter(executor: Executor, after: Checkpoint, limit: number): Promise<FeedPage<FeedEvent>> {
    const r = await sql<{ page: string | null }>`
      select '[' || string_agg(
               case when e.transaction_id = e.prev_tx and e.stream_id = e.prev_stream then ''
                    else '["' || e.transaction_id::text || '",' || to_json(e.stream_id)::text || ',' || to_json(e.department)::text || ',' || e.year || '],' end
               || ${EVENT_JSON}, ',' order by e.transaction_id, e.position) || ']' as page
      from (
        select position, transaction_id, event_id, stream_id, version, type, department, year, occurred_on, data,
               lag(transaction_id) over w as prev_tx, lag(stream_id) over w as prev_stream
        from events
        where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          and (transaction_id, position) > (${after.transactionId}::xid8, ${after.position}::bigint)
        window w as (order by events.transaction_id, events.position)
        order by events.transaction_id, events.position
        limit ${limit}
      ) e`.execute(executor);
    const placements: Placements = new Map();
    const events: FeedEvent[] = [];
    let group: [string, string, string, number] = ['', '', '', 0];
    for (const t of parsed<EventTuple | [string, string, string, number]>(r.rows[0]?.page)) {
      if (typeof t[0] === 'string') {
        group = t as [string, string, string, number];
        continue;
      }
      const [xid, stream, department, year] = group;
      const e = decodeEvent(t as EventTuple, stream, department, year, placements) as FeedEvent;
      e.transactionId = xid;
      events.push(e);
    }
    return { events, placements };
  }

  /**
   * Events after a checkpoint not applied yet, counted along the (transaction_id, position) index:
   * cheap when caught up, whatever the size of the log. The planner is told not to scan the table:
   * during and after a bulk load its statistics are missing or older than the newest events, and
   * it counted with a (parallel) scan of the whole log instead, growing with the log, on every
   * GET /projections and readiness probe.
   */
  async countAfter(after: Checkpoint): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local enable_bitmapscan = off`.execute(trx);
      const r = await sql<{ n: number }>`
        select count(*)::int as n from events
        where transaction_id >= ${after.transactionId}::xid8
          and (transaction_id, position) > (${after.transactionId}::xid8, ${after.position}::bigint)`.execute(trx);
      return r.rows[0]?.n ?? 0;
    });
  }

  /** The highest position in the log (0 when empty). */
  async lastPosition(): Promise<number> {
    const r = await sql<{ p: number | null }>`select max(position) as p from events`.execute(this.db);
    return Number(r.rows[0]?.p ?? 0);
  }

  /** The rebuild horizon of the executor's snapshot (call inside a REPEATABLE READ transaction). */
  async horizon(executor: Executor): Promise<Horizon> {
    const x = await sql<{ xmin: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(
      executor,
    );
    const xmin = required(x.rows[0], 'the row of pg_snapshot_xmin()').xmin;
    const last = await sql<{ xid: string; position: number }>`
      select transaction_id::text as xid, position from events
      where transaction_id < ${xmin}::xid8
      order by events.transaction_id desc, events.position desc
      limit 1`.execute(executor);
    const streams = await sql<{ stream_id: string; department: string; year: number }>`
      select s.stream_id, s.department, s.year from streams s
      where exists (select 1 from events e where e.stream_id = s.stream_id and e.version = 1 and e.transaction_id < ${xmin}::xid8)
      order by s.stream_id`.execute(executor);
    const l = last.rows[0];
    return {
      xmin,
      last: l ? { transactionId: l.xid, position: Number(l.position) } : null,
      streams: streams.rows.map((s) => ({ stream: s.stream_id, department: s.department, year: s.year })),
    };
  }

  /**
   * One stream's events below the horizon, in version order, with only what the execution
   * projection reads (a rebuild reads the whole log: every column left out is parsing saved).
   */
  async readStreamBelow(executor: Executor, s: HorizonStream, xmin: string): Promise<FeedPage<FeedItem>> {
    // One row per 1,000 events: large enough to keep rows few, small enough that the driver does
    // not copy a city department's megabyte-sized message chunk by chunk.
    const r = await sql<{ events: string }>`
      select '[' || string_agg(${EVENT_JSON}, ',' order by e.version) || ']' as events
      from (
        select position, transaction_id, event_id, version, type, occurred_on, data, (version - 1) / ${sql.lit(READ_CHUNK)} as chunk
        from events where stream_id = ${s.stream}
        order by version
        -- A fence: without it the planner ANDs the stream's index with a scan of the whole
        -- (transaction_id, position) index for the xid condition.
        offset 0
      ) e
      where e.transaction_id < ${xmin}::xid8
      group by e.chunk
      order by e.chunk`.execute(executor);
    const placements: Placements = new Map();
    const events: FeedItem[] = [];
    for (const row of r.rows) {
      // SpendingRecorded tuples go to the fold as they are (applyRecordedSpending); the rest as events.
      for (const t of JSON.parse(row.events) as EventTuple[])
        events.push(
          t[2] === 0 ? (t as RecordedSpendingTuple) : decodeEvent(t, s.stream, s.department, s.year, placements),
        );
    }
    return { events, placements };
  }

  /** Event ids at these log positions. */
  async eventIdsAt(positions: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (positions.length === 0) return out;
    const r = await sql<{
      position: number;
      event_id: string;
    }>`select position, event_id from events where position = any(${positions}::bigint[])`.execute(this.db);
    for (const row of r.rows) out.set(Number(row.position), row.event_id);
    return out;
  }
}
