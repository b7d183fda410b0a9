/**
 * Follows the event log and keeps the execution read model (stream heads and record-month
 * segments, libs/domain/execution/stream-projection.ts). Each batch of events is applied and the
 * checkpoint saved in one transaction, so a crash resumes exactly after the last committed batch
 * (no double counting); several projector processes serialize on the checkpoint row.
 *
 * A batch rewrites only the heads and segments its events touch. The decoded heads and segments
 * stay cached between batches while this process is the only one moving the checkpoint (the
 * checkpoint it locks is the one it saved last), so following a busy log does not re-read and
 * re-decode the same segments batch after batch.
 *
 * `rebuild()` replaces the whole read model in one REPEATABLE READ transaction: it folds every
 * event below the snapshot's xmin stream by stream (each stream is independent), writes each
 * segment once, and sets the checkpoint to the last of those events; readers see the old model
 * until it commits, a crash leaves the old model, and catch-up takes over from the checkpoint.
 */
import {
  applyEvent,
  bucketOf,
  foldStream,
  newHead,
  newSegment,
  type Segment,
  type StreamHead,
} from '#domain/execution/stream-projection.js';
import type { Checkpoint } from '#persistence/events.repository.js';
import type { ExecutionRepository, StreamSegment } from '#persistence/execution.repository.js';
import type { FeedEvent, ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { BackgroundLoop } from '../common/background-loop.js';
import { UnavailableError } from '../common/errors.js';
import { serialQueue } from '../common/serial-queue.js';
import { elementAt, entryOf, required } from '#domain/required.js';

export const EXECUTION_PROJECTION = 'execution';
/** Notified when events are appended (migration 0008): projectors in other processes listen on it. */
export const EVENTS_CHANNEL = 'paceline_events';

export interface ProjectorStatus {
  name: string;
  position: number;
  processed: number;
  headPosition: number;
  /** Committed events not yet applied (counted after the checkpoint; 0 when caught up). */
  behind: number;
  running: boolean;
}

interface CachedStream {
  head: StreamHead;
  segments: Map<number, Segment>;
}

type Trx = Parameters<Parameters<ExecutionRepository['transaction']>[0]>[0];

const SERIALIZATION_FAILURE = '40001';
const REBUILD_ATTEMPTS = 3;

/**
 * Events per batch. Large: a batch costs a few round trips whatever its size, and a projector
 * sharing its process with a busy ingest waits behind the ingest's work at every round trip, so it
 * only keeps up when each round trip carries many events (docs/benchmarks/ has the measurements).
 * A caught-up projector reads what there is.
 */
export const DEFAULT_BATCH = 10_000;
/**
 * Events whose decoded segments are kept across batches: bounds the projector's heap (the figure
 * per folded event is in docs/benchmarks/); a 20 × 42 department holds ~11,400 events.
 */
export const CACHE_EVENTS_BUDGET = 200_000;
/** Segments written per statement group while rebuilding. */
const REBUILD_FLUSH_SEGMENTS = 100;
/** Streams read ahead of the one being folded while rebuilding. */
const REBUILD_READ_AHEAD = 3;

const eventsIn = (c: CachedStream) => {
  let n = 0;
  for (const s of c.segments.values()) n += s.events;
  return n;
};

const sameCheckpoint = (a: Checkpoint | null, b: Checkpoint) =>
  !!a && a.transactionId === b.transactionId && a.position === b.position;

export class ExecutionProjector {
  private readonly loop: BackgroundLoop;
  private readonly cache = new Map<string, CachedStream>();
  /** Events folded into the cached segments (an upper bound between trims). */
  private cachedEvents = 0;
  /** The checkpoint this process saved last: the cache is valid while the stored one equals it. */
  private cacheValidAt: Checkpoint | null = null;

  constructor(
    private readonly feed: ProjectionFeedRepository,
    private readonly repo: ExecutionRepository,
    private readonly options: {
      batchSize?: number;
      pollMs?: number;
      /** Least time between two background runs while events keep arriving (BackgroundLoop). */
      minIntervalMs?: number;
      /** Extra connections a rebuild reads with (PostgreSQL; 0 on PGlite, which has one). */
      rebuildReaders?: number;
      /** Events whose decoded segments stay cached between batches (default CACHE_EVENTS_BUDGET). */
      cacheEvents?: number;
    } = {},
  ) {
    this.loop = new BackgroundLoop(() => this.catchUp(), {
      pollMs: options.pollMs ?? 1000,
      minIntervalMs: options.minIntervalMs ?? 0,
    });
  }

  get lastError(): Error | null {
    return this.loop.lastError;
  }

  /** Applies the next batch; returns how many events it applied (0: caught up). */
  async step(): Promise<number> {
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH;
    let saved: Checkpoint | null = null;
    try {
      const n = await this.repo.transaction(async (trx) => {
        const cp = await this.repo.lockCheckpoint(trx, EXECUTION_PROJECTION);
        if (!sameCheckpoint(this.cacheValidAt, cp)) this.dropCache();
        const { events: batch, placements } = await this.feed.readAfter(trx, cp, batchSize);
        if (batch.length === 0) {
          saved = cp;
          return 0;
        }
        const touched = await this.load(trx, batch);
        const lookup = (id: string) => placements.get(id);
        const heads = new Map<string, StreamHead>();
        const segments = new Map<string, StreamSegment>();
        for (const e of batch) {
          const s = entryOf(touched, e.stream, 'loaded streams');
          const bucket = bucketOf(e.occurredOn);
          const seg = entryOf(s.segments, bucket, `${e.stream}'s loaded segments`);
          applyEvent(s.head, seg, e, lookup);
          heads.set(e.stream, s.head);
          segments.set(`${e.stream}\u0000${bucket}`, { stream: e.stream, segment: seg });
        }
        const last = elementAt(batch, batch.length - 1, 'the batch');
        saved = { transactionId: last.transactionId, position: last.position };
        await this.repo.saveStep(trx, {
          segments: [...segments.values()],
          heads: [...heads.values()],
          name: EXECUTION_PROJECTION,
          checkpoint: saved,
          processed: cp.processed + batch.length,
        });
        return batch.length;
      });
      this.cacheValidAt = saved;
      this.cachedEvents += n; // each applied event was folded into one cached segment
      this.trimCache();
      return n;
    } catch (e) {
      // Cached heads and segments may hold events of the rolled-back batch.
      this.dropCache();
      throw e;
    }
  }

  /** The heads and segments a batch touches: from the cache, else the database, else new. */
  private async load(trx: Trx, batch: FeedEvent[]): Promise<Map<string, CachedStream>> {
    const streams = new Map<string, FeedEvent>();
    const needed = new Map<string, { stream: string; bucket: number }>();
    for (const e of batch) {
      if (!streams.has(e.stream)) streams.set(e.stream, e);
      const bucket = bucketOf(e.occurredOn);
      if (!this.cache.get(e.stream)?.segments.has(bucket))
        needed.set(`${e.stream}\u0000${bucket}`, { stream: e.stream, bucket });
    }
    const missingHeads = [...streams.keys()].filter((s) => !this.cache.has(s));
    // One after the other: both run on the batch's connection.
    const heads = await this.repo.loadHeads(trx, missingHeads);
    const segments = await this.repo.loadSegments(trx, [...needed.values()]);
    for (const [stream, first] of streams) {
      let c = this.cache.get(stream);
      if (!c) {
        c = { head: heads.get(stream) ?? newHead(stream, first.department, first.year), segments: new Map() };
        this.cache.set(stream, c);
      } else {
        // Most recently used last (eviction takes the oldest first).
        this.cache.delete(stream);
        this.cache.set(stream, c);
      }
    }
    for (const { stream, bucket } of needed.values()) {
      const seg = segments.get(stream)?.get(bucket) ?? newSegment(bucket);
      entryOf(this.cache, stream, 'cached streams').segments.set(bucket, seg);
      this.cachedEvents += seg.events;
    }
    return this.cache;
  }

  private dropCache(): void {
    this.cache.clear();
    this.cachedEvents = 0;
    this.cacheValidAt = null;
  }

  private trimCache(): void {
    const budget = this.options.cacheEvents ?? CACHE_EVENTS_BUDGET;
    if (this.cachedEvents <= budget) return;
    // Recount, then evict least recently used streams down to half the budget.
    this.cachedEvents = 0;
    for (const c of this.cache.values()) this.cachedEvents += eventsIn(c);
    for (const [stream, c] of this.cache) {
      if (this.cachedEvents <= budget / 2) break;
      this.cachedEvents -= eventsIn(c);
      this.cache.delete(stream);
    }
  }

  /** Streams and events held by the segment cache (for tests and diagnostics). */
  cacheStats(): { streams: number; events: number } {
    let events = 0;
    for (const c of this.cache.values()) events += eventsIn(c);
    return { streams: this.cache.size, events };
  }

  /**
   * Catches up until the projection holds `version` of `stream` (every event committed before the
   * caller looked). Catch-up reads wait for older transactions anywhere on the server, so this
   * retries briefly; past `timeoutMs` it fails with a retryable error.
   */
  async catchUpStream(stream: string, version: number, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      await this.catchUp();
      if ((await this.repo.projectedVersion(stream)) >= version) return;
      if (Date.now() > until)
        throw new UnavailableError(
          `the execution projection has not caught up with ${stream} version ${version} within ${timeoutMs} ms; retry shortly`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async catchUp(onProgress?: (processed: number) => void): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.step();
      if (n === 0) return total;
      total += n;
      onProgress?.(total);
    }
  }

  /**
   * Replaces the read model with a fold of the whole log (see the file comment), then catches up
   * with what was committed meanwhile. Returns the number of events applied.
   */
  async rebuild(onProgress?: (processed: number) => void): Promise<number> {
    this.dropCache();
    let rebuilt = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        rebuilt = await this.repo.snapshotTransaction((trx) => this.rebuildIn(trx, onProgress));
        break;
      } catch (e) {
        // Another projector moved the checkpoint after this snapshot was taken: start again.
        if ((e as { code?: string }).code === SERIALIZATION_FAILURE && attempt < REBUILD_ATTEMPTS) continue;
        throw e;
      }
    }
    const after = await this.catchUp((n) => onProgress?.(rebuilt + n));
    return rebuilt + after;
  }

  private async rebuildIn(trx: Trx, onProgress?: (processed: number) => void): Promise<number> {
    await this.repo.lockCheckpoint(trx, EXECUTION_PROJECTION);
    const horizon = await this.feed.horizon(trx);
    await this.repo.clear(trx);
    let processed = 0;
    let segments: StreamSegment[] = [];
    let heads: StreamHead[] = [];
    // Writes go out without waiting (queued on the connection, before the next read): the database
    // stores one group of segments while Node folds the next streams. At most two groups are in
    // flight, which bounds the memory held for them.
    const onTrx = serialQueue();
    const writes: Promise<void>[] = [];
    const flush = async () => {
      const [s, h] = [segments, heads];
      segments = [];
      heads = [];
      const write = onTrx(async () => {
        await this.repo.saveSegments(trx, s);
        await this.repo.saveHeads(trx, h);
      });
      write.catch(() => {}); // awaited below; an early failure must not be an unhandled rejection meanwhile
      writes.push(write);
      if (writes.length > 2) await writes.shift();
    };
    // The next streams are read while this one is folded, on connections of their own that see this
    // transaction's snapshot when there are (PostgreSQL): the database reads, the database writes and
    // Node folds side by side.
    const snapshot = await this.feed.snapshotReaders(trx, this.options.rebuildReaders ?? 0);
    try {
      const lanes = snapshot.readers.length
        ? snapshot.readers.map((reader) => ({ reader, queue: serialQueue() }))
        : [{ reader: trx, queue: onTrx }];
      const depth = REBUILD_READ_AHEAD * lanes.length;
      const readAhead = (i: number) => {
        const lane = elementAt(lanes, i % lanes.length, 'read lanes');
        const stream = elementAt(horizon.streams, i, 'streams to rebuild');
        const read = lane.queue(() => this.feed.readStreamBelow(lane.reader, stream, horizon.xmin));
        read.catch(() => {}); // awaited in turn; a failure must not be an unhandled rejection meanwhile
        return read;
      };
      const reads = horizon.streams.slice(0, depth).map((_s, i) => readAhead(i));
      for (let i = 0; i < horizon.streams.length; i++) {
        const { events, placements } = await required(reads.shift(), 'the next stream read');
        if (i + depth < horizon.streams.length) reads.push(readAhead(i + depth));
        if (events.length === 0) continue;
        const folded = foldStream(elementAt(horizon.streams, i, 'streams to rebuild'), events, (id) =>
          placements.get(id),
        );
        heads.push(folded.head);
        for (const segment of folded.segments.values()) segments.push({ stream: folded.head.stream, segment });
        processed += events.length;
        if (segments.length >= REBUILD_FLUSH_SEGMENTS) await flush();
        onProgress?.(processed);
      }
      await flush();
      await Promise.all(writes);
    } finally {
      await snapshot.close();
    }
    await this.repo.saveCheckpoint(
      trx,
      EXECUTION_PROJECTION,
      horizon.last ?? { transactionId: '0', position: 0 },
      processed,
    );
    return processed;
  }

  async status(): Promise<ProjectorStatus> {
    const cp = await this.repo.checkpoint(EXECUTION_PROJECTION);
    const at = cp ?? { transactionId: '0', position: 0 };
    const [behind, head] = await Promise.all([this.feed.countAfter(at), this.feed.lastPosition()]);
    return {
      name: EXECUTION_PROJECTION,
      position: cp?.position ?? 0,
      processed: cp?.processed ?? 0,
      headPosition: head,
      behind,
      running: this.loop.isRunning,
    };
  }

  /** Signals new events (called after ingest commits). */
  wake(): void {
    this.loop.wake();
  }

  /** Runs in the background until stop(): catches up, then waits for wake() or the poll interval. */
  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
