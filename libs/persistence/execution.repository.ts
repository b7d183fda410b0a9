/**
 * The execution read model (exec_streams: one head per stream; exec_segments: one row per stream and
 * record month, see libs/domain/execution/stream-projection.ts) and projector checkpoints.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { EvaluationDoc } from '#domain/evaluation/evaluation-doc.js';
import { thresholdsOf, type ExecutionFacts, type StreamMeta } from '#domain/execution/facts.js';
import { quarterCheckpoints } from '#domain/execution/schedule.js';
import {
  decodeSegment,
  encodeSegmentFacts,
  encodeSegmentSources,
  factsFromSegments,
  type Segment,
  type SegmentFactsJson,
  type SegmentSourcesJson,
  type StreamHead,
} from '#domain/execution/stream-projection.js';
import { required } from '#domain/required.js';
import type { Database } from './database.js';
import { intArrayLiteral, jsonArrayText, nullableTextArrayLiteral, textArrayLiteral } from './pg-arrays.js';
import type { Checkpoint } from './events.repository.js';

type Trx = Transaction<Database>;
type Executor = Kysely<Database> | Trx;

/** A segment to store, with its stream. */
export interface StreamSegment {
  stream: string;
  segment: Segment;
}

/** What the year-end evaluation reads from the projection. */
export interface EvaluationInputs {
  head: StreamHead;
  facts: ExecutionFacts;
  /** Each segment's per-line event positions (empty unless asked for). */
  sources: SegmentSourcesJson[];
  /** The head row's token as read (see loadVersionedFacts). */
  token: string;
}

/** The read model, precomputed answers first (they are derived from the rest). */
const TABLES = ['exec_answers', 'exec_segments', 'exec_streams'] as const;
/** Rows per INSERT statement (segments are large: keep statements a few MB at most). */
const HEAD_CHUNK = 500;
const SEGMENT_CHUNK = 100;

interface HeadRow {
  stream_id: string;
  department: string;
  year: number;
  department_name: string;
  schedule: unknown;
  thresholds: unknown;
  /** Null in rows projected before migration 0014. */
  checkpoints: unknown;
  opened_on: string;
  closed_on: string | null;
  position: number;
  projected_version: number;
  evaluation: unknown;
  known_through: string | null;
  last_position: number;
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/**
 * A stored head's meta. Rows projected before migration 0014 have no checkpoints (their streams
 * had a quarterly schedule: the quarter ends of `schedule`) and no `divergence` threshold (its
 * default): the meta a rebuild gives.
 */
function metaOf(r: HeadRow): StreamMeta {
  const schedule = json<StreamMeta['schedule']>(r.schedule);
  const stored =
    r.checkpoints === null || r.checkpoints === undefined ? null : json<StreamMeta['checkpoints']>(r.checkpoints);
  return {
    department: r.department,
    year: r.year,
    departmentName: r.department_name,
    schedule,
    checkpoints: stored ?? quarterCheckpoints(schedule),
    thresholds: thresholdsOf(json<Partial<StreamMeta['thresholds']>>(r.thresholds)),
    openedOn: r.opened_on,
    closedOn: r.closed_on,
  };
}

function headOf(r: HeadRow): StreamHead {
  return {
    stream: r.stream_id,
    department: r.department,
    year: r.year,
    meta: metaOf(r),
    openedPosition: Number(r.position),
    evaluation: json<EvaluationDoc>(r.evaluation),
    version: r.projected_version,
    position: Number(r.last_position),
    knownThrough: r.known_through,
  };
}

function headValues(h: StreamHead) {
  const m = h.meta;
  if (!m) throw new Error(`stream ${h.stream}: events before its YearOpened cannot be projected`);
  return {
    stream_id: h.stream,
    department: h.department,
    year: h.year,
    department_name: m.departmentName,
    schedule: JSON.stringify(m.schedule),
    thresholds: JSON.stringify(m.thresholds),
    checkpoints: JSON.stringify(m.checkpoints),
    opened_on: m.openedOn,
    closed_on: m.closedOn,
    position: h.openedPosition,
    projected_version: h.version,
    evaluation: JSON.stringify(h.evaluation),
    known_through: h.knownThrough,
    last_position: h.position,
  };
}

export class ExecutionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /**
   * A REPEATABLE READ transaction: every statement sees one snapshot (rebuilds). Parallel query is
   * off inside: a rebuild runs thousands of small per-stream reads, and the planner (misjudging a
   * stream's size) would start parallel workers for each, which costs far more than it saves.
   */
  snapshotTransaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
        return fn(trx);
      });
  }

  /** Locks and returns a projector's checkpoint (created at the start of the log when missing). */
  async lockCheckpoint(trx: Trx, name: string): Promise<Checkpoint & { processed: number }> {
    const select = () =>
      trx
        .selectFrom('projection_checkpoints')
        .select([sql<string>`transaction_id::text`.as('transaction_id'), 'position', 'processed'])
        .where('name', '=', name)
        .forUpdate()
        .executeTakeFirst();
    // One round trip when the row exists (every batch but the first).
    let row = await select();
    if (!row) {
      await trx
        .insertInto('projection_checkpoints')
        .values({ name })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      row = await select();
    }
    if (!row) throw new Error(`projection checkpoint ${name}: neither found nor inserted`);
    return { transactionId: row.transaction_id, position: Number(row.position), processed: Number(row.processed) };
  }

  async saveCheckpoint(trx: Trx, name: string, cp: Checkpoint, processed: number): Promise<void> {
    await trx
      .updateTable('projection_checkpoints')
      .set({
        transaction_id: sql`${cp.transactionId}::xid8` as never,
        position: cp.position,
        processed,
        updated_at: sql`now()` as never,
      })
      .where('name', '=', name)
      .execute();
  }

  async checkpoint(name: string): Promise<(Checkpoint & { processed: number; updatedAt: string }) | null> {
    const row = await this.db
      .selectFrom('projection_checkpoints')
      .select([sql<string>`transaction_id::text`.as('transaction_id'), 'position', 'processed', 'updated_at'])
      .where('name', '=', name)
      .executeTakeFirst();
    return row
      ? {
          transactionId: row.transaction_id,
          position: Number(row.position),
          processed: Number(row.processed),
          updatedAt: new Date(row.updated_at).toISOString(),
        }
      : null;
  }

  /** Empties the read model (in the caller's transaction; readers keep the old rows until it commits). */
  async clear(trx: Trx): Promise<void> {
    for (const t of TABLES) await sql`delete from ${sql.table(t)}`.execute(trx);
  }

  /** Empties the read model and resets the checkpoint, in the caller's transaction. */
  async reset(trx: Trx, name: string): Promise<void> {
    await this.clear(trx);
    await trx.deleteFrom('projection_checkpoints').where('name', '=', name).execute();
  }

  /** The heads of these streams (streams without one are absent). */
  async loadHeads(trx: Executor, streams: string[]): Promise<Map<string, StreamHead>> {
    const out = new Map<string, StreamHead>();
    if (streams.length === 0) return out;
    const rows = await trx
      .selectFrom('exec_streams')
      .selectAll()
      .where('stream_id', '=', sql<string>`any(${streams}::text[])`)
      .execute();
    for (const r of rows as unknown as HeadRow[]) out.set(r.stream_id, headOf(r));
    return out;
  }

  /** These segments, decoded (with their sources), by stream and bucket; missing ones are absent. */
  async loadSegments(
    trx: Executor,
    keys: { stream: string; bucket: number }[],
  ): Promise<Map<string, Map<number, Segment>>> {
    const out = new Map<string, Map<number, Segment>>();
    if (keys.length === 0) return out;
    const rows = await sql<{
      stream_id: string;
      bucket: number;
      facts: unknown;
      sources: unknown;
      events: number;
      position: number;
    }>`
      select s.stream_id, s.bucket, s.facts, s.sources, s.events, s.position
      from exec_segments s
      join unnest(${keys.map((k) => k.stream)}::text[], ${keys.map((k) => k.bucket)}::int[]) as k(stream_id, bucket)
        on s.stream_id = k.stream_id and s.bucket = k.bucket`.execute(trx);
    for (const r of rows.rows) {
      const seg = decodeSegment(
        r.bucket,
        json<SegmentFactsJson>(r.facts),
        json<SegmentSourcesJson>(r.sources),
        r.events,
        Number(r.position),
      );
      let segments = out.get(r.stream_id);
      if (!segments) out.set(r.stream_id, (segments = new Map()));
      segments.set(r.bucket, seg);
    }
    return out;
  }

  /** Inserts or replaces heads. */
  async saveHeads(trx: Trx, heads: StreamHead[]): Promise<void> {
    for (let i = 0; i < heads.length; i += HEAD_CHUNK) {
      await trx
        .insertInto('exec_streams')
        .values(heads.slice(i, i + HEAD_CHUNK).map(headValues))
        .onConflict((oc) =>
          oc.column('stream_id').doUpdateSet((eb) => ({
            department_name: eb.ref('excluded.department_name'),
            schedule: eb.ref('excluded.schedule'),
            thresholds: eb.ref('excluded.thresholds'),
            checkpoints: eb.ref('excluded.checkpoints'),
            opened_on: eb.ref('excluded.opened_on'),
            closed_on: eb.ref('excluded.closed_on'),
            position: eb.ref('excluded.position'),
            projected_version: eb.ref('excluded.projected_version'),
            evaluation: eb.ref('excluded.evaluation'),
            known_through: eb.ref('excluded.known_through'),
            last_position: eb.ref('excluded.last_position'),
          })),
        )
        .execute();
    }
  }

  /** Inserts or replaces segments (facts and sources rewritten whole). */
  async saveSegments(trx: Trx, segments: StreamSegment[]): Promise<void> {
    for (let i = 0; i < segments.length; i += SEGMENT_CHUNK) {
      await trx
        .insertInto('exec_segments')
        .values(
          segments.slice(i, i + SEGMENT_CHUNK).map(({ stream, segment }) => ({
            stream_id: stream,
            bucket: segment.bucket,
            facts: JSON.stringify(encodeSegmentFacts(segment)),
            sources: JSON.stringify(encodeSegmentSources(segment)),
            events: segment.events,
            position: segment.position,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['stream_id', 'bucket']).doUpdateSet((eb) => ({
            facts: eb.ref('excluded.facts'),
            sources: eb.ref('excluded.sources'),
            events: eb.ref('excluded.events'),
            position: eb.ref('excluded.position'),
          })),
        )
        .execute();
    }
  }

  /**
   * What one projector batch changed, in one statement: its segments and heads inserted or replaced,
   * and the checkpoint moved (the batch's round trips are what a projector sharing its process with
   * a busy ingest waits on).
   */
  async saveStep(
    trx: Trx,
    step: { segments: StreamSegment[]; heads: StreamHead[]; name: string; checkpoint: Checkpoint; processed: number },
  ): Promise<void> {
    const segs = step.segments;
    const heads = step.heads.map(headValues);
    await sql`
      with segments as (
        insert into exec_segments (stream_id, bucket, facts, sources, events, position)
        select s.stream_id, s.bucket, f.value, src.value, s.events, s.position
        from unnest(${textArrayLiteral(segs.map((x) => x.stream))}::text[], ${intArrayLiteral(segs.map((x) => x.segment.bucket))}::int[],
                    ${intArrayLiteral(segs.map((x) => x.segment.events))}::int[], ${intArrayLiteral(segs.map((x) => x.segment.position))}::bigint[])
               with ordinality as s(stream_id, bucket, events, position, i)
        join json_array_elements(${jsonArrayText(segs.map((x) => JSON.stringify(encodeSegmentFacts(x.segment))))}::json) with ordinality as f(value, i) using (i)
        join json_array_elements(${jsonArrayText(segs.map((x) => JSON.stringify(encodeSegmentSources(x.segment))))}::json) with ordinality as src(value, i) using (i)
        on conflict (stream_id, bucket) do update
          set facts = excluded.facts, sources = excluded.sources, events = excluded.events, position = excluded.position
      ), heads as (
        insert into exec_streams (stream_id, department, year, department_name, schedule, thresholds, checkpoints, opened_on, closed_on,
                                  position, projected_version, evaluation, known_through, last_position)
        select h.stream_id, h.department, h.year, h.department_name, sc.value::jsonb, th.value::jsonb, cp.value::jsonb, h.opened_on,
               h.closed_on, h.position, h.projected_version, ev.value, h.known_through, h.last_position
        from unnest(${textArrayLiteral(heads.map((h) => h.stream_id))}::text[], ${textArrayLiteral(heads.map((h) => h.department))}::text[],
                    ${intArrayLiteral(heads.map((h) => h.year))}::int[], ${textArrayLiteral(heads.map((h) => h.department_name))}::text[],
                    ${textArrayLiteral(heads.map((h) => h.opened_on))}::date[], ${nullableTextArrayLiteral(heads.map((h) => h.closed_on))}::date[],
                    ${intArrayLiteral(heads.map((h) => h.position))}::bigint[], ${intArrayLiteral(heads.map((h) => h.projected_version))}::int[],
                    ${nullableTextArrayLiteral(heads.map((h) => h.known_through))}::date[], ${intArrayLiteral(heads.map((h) => h.last_position))}::bigint[])
               with ordinality as h(stream_id, department, year, department_name, opened_on, closed_on, position, projected_version, known_through, last_position, i)
        join json_array_elements(${jsonArrayText(heads.map((h) => h.schedule))}::json) with ordinality as sc(value, i) using (i)
        join json_array_elements(${jsonArrayText(heads.map((h) => h.thresholds))}::json) with ordinality as th(value, i) using (i)
        join json_array_elements(${jsonArrayText(heads.map((h) => h.checkpoints))}::json) with ordinality as cp(value, i) using (i)
        join json_array_elements(${jsonArrayText(heads.map((h) => h.evaluation))}::json) with ordinality as ev(value, i) using (i)
        on conflict (stream_id) do update
          set department_name = excluded.department_name, schedule = excluded.schedule, thresholds = excluded.thresholds,
              checkpoints = excluded.checkpoints,
              opened_on = excluded.opened_on, closed_on = excluded.closed_on, position = excluded.position,
              projected_version = excluded.projected_version, evaluation = excluded.evaluation,
              known_through = excluded.known_through, last_position = excluded.last_position
      )
      update projection_checkpoints
      set transaction_id = ${step.checkpoint.transactionId}::xid8, position = ${step.checkpoint.position}, processed = ${step.processed}, updated_at = now()
      where name = ${step.name}`.execute(trx);
  }

  /** The highest version of a stream the projection has applied (0 when none). */
  async projectedVersion(stream: string): Promise<number> {
    const r = await this.db
      .selectFrom('exec_streams')
      .select('projected_version')
      .where('stream_id', '=', stream)
      .executeTakeFirst();
    return Number(r?.projected_version ?? 0);
  }

  /**
   * A stream's head and segments as of one snapshot: read on two connections (or two statements
   * at READ COMMITTED), a projector batch committed in between gave a head of the new version
   * with the segments of the old one (a year-end report scored on missing spending).
   */
  private headAndSegments<S extends 'facts' | 'sources'>(stream: string, columns: readonly S[]) {
    return this.snapshotTransaction(async (trx) => {
      const head = await trx
        .selectFrom('exec_streams')
        .selectAll()
        .select(sql<string>`xmin::text`.as('row_token'))
        .where('stream_id', '=', stream)
        .executeTakeFirst();
      const segments = head
        ? await trx.selectFrom('exec_segments').select(columns).where('stream_id', '=', stream).execute()
        : [];
      return { head, segments };
    });
  }

  /** Every fact of one stream as the domain's ExecutionFacts (null when the stream is unknown). */
  async loadFacts(stream: string): Promise<ExecutionFacts | null> {
    return (await this.loadVersionedFacts(stream))?.facts ?? null;
  }

  /**
   * The facts with the projected version they hold and a token of the head row as read (it changes
   * whenever the projector or a rebuild rewrites the row): what a precomputed answer is saved with.
   */
  async loadVersionedFacts(stream: string): Promise<{ facts: ExecutionFacts; version: number; token: string } | null> {
    const { head, segments } = await this.headAndSegments(stream, ['facts']);
    if (!head) return null;
    const facts = factsFromSegments(
      metaOf(head as unknown as HeadRow),
      segments.map((s) => json<SegmentFactsJson>(s.facts)),
    );
    return { facts, version: Number(head.projected_version), token: head.row_token };
  }

  /** Head, facts and (when asked) the per-line event ids of one stream; null when unknown. */
  async loadEvaluationInputs(stream: string, withSources: boolean): Promise<EvaluationInputs | null> {
    const { head, segments } = await this.headAndSegments(stream, withSources ? ['facts', 'sources'] : ['facts']);
    if (!head) return null;
    const h = headOf(head as unknown as HeadRow);
    const facts = factsFromSegments(
      required(h.meta, 'the meta of a stored head'),
      segments.map((s) => json<SegmentFactsJson>(s.facts)),
    );
    const sources = withSources
      ? segments.map((s) => json<SegmentSourcesJson>((s as unknown as { sources: unknown }).sources))
      : [];
    return { head: h, facts, sources, token: head.row_token };
  }

  /** Every projected stream with its projected version (the events of it the projection holds). */
  async listStreams(): Promise<
    {
      stream: string;
      department: string;
      year: number;
      departmentName: string;
      closedOn: string | null;
      version: number;
    }[]
  > {
    const rows = await this.db
      .selectFrom('exec_streams')
      .select(['stream_id', 'department', 'year', 'department_name', 'closed_on', 'projected_version'])
      .orderBy('department')
      .orderBy('year')
      .execute();
    return rows.map((r) => ({
      stream: r.stream_id,
      department: r.department,
      year: r.year,
      departmentName: r.department_name,
      closedOn: r.closed_on,
      version: Number(r.projected_version),
    }));
  }

  /** All projection rows in a canonical order (json as text): used to compare a rebuild with live processing. */
  async dump(): Promise<Record<string, unknown[]>> {
    const streams = await sql<Record<string, unknown>>`
      select stream_id, department, year, department_name, schedule::text as schedule, thresholds::text as thresholds,
             checkpoints::text as checkpoints, opened_on, closed_on,
             position, projected_version, evaluation::text as evaluation, known_through, last_position
      from exec_streams order by stream_id`.execute(this.db);
    const segments = await sql<Record<string, unknown>>`
      select stream_id, bucket, facts::text as facts, sources::text as sources, events, position
      from exec_segments order by stream_id, bucket`.execute(this.db);
    return { exec_streams: streams.rows, exec_segments: segments.rows };
  }
}
