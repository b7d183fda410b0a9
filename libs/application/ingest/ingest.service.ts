/**
 * Ingest: validates a batch against the wire contract and the cross-event rules, then appends it
 * atomically. All-or-nothing: any invalid event rejects the batch (400), any version or id
 * conflict rejects it (409). Re-sent events (same id, same content) are no-ops that return their
 * original positions.
 *
 * Two paths give the same results:
 *
 * - fast (one database statement): the batch is decided in memory against the cached write model
 *   of each stream (a stream not in the cache is taken to be new, at version 0) and appended by
 *   EventsRepository.appendBatch, which checks under the stream locks that every stream is still
 *   at the version the decision was made on. It assumes no event id is stored yet.
 * - slow (today's checks, in one transaction under the stream locks): idempotency lookup,
 *   duplicates and id conflicts, stream versions read under the locks, write models folded from
 *   the log when the cache is not current, expectedVersion, cross-event rules, append.
 *
 * A batch goes the slow way when it repeats an id, when the fast decision refuses an event (the
 * refusal must come from current state), when a stream moved (StreamVersionMismatchError) or when
 * an id turns out to be stored already (unique violation). Batches of the same stream are
 * serialized in this process (StreamLocks), so none decides on another's uncommitted events; after
 * any failure the write models of the batch's streams are dropped (they may hold such events).
 */
import type { EventInput } from '#domain/events.js';
import { decide, evolve, initialStreamState, type StreamState } from '#domain/stream.js';
import {
  StreamVersionMismatchError,
  type BatchStream,
  type EventsRepository,
  type NewEventRow,
} from '#persistence/events.repository.js';
import { ConflictError, InvalidInputError, summarize, type EventError } from '../common/errors.js';
import { prepareEvent, type Prepared, type PreparedEvent } from './ingest-prepare.js';
import { StreamLocks } from './stream-locks.js';
import { WriteModelCache, type WriteModelCacheLimits } from './write-model-cache.js';

export { contentHash } from './ingest-prepare.js';

/** A unit key's ingest: only its own unit's monitoring reports are accepted (stream.ts, unitScopeErrors). */
export interface IngestScope {
  unit: string;
}

export interface IngestedEvent {
  index: number;
  id: string;
  stream: string;
  version: number;
  position: number;
  duplicate: boolean;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  events: IngestedEvent[];
}

const UNIQUE_VIOLATION = '23505';
const MAX_ATTEMPTS = 3;

type Executor = Parameters<EventsRepository['readStream']>[0];

/** Which way the last batches went (for tests and diagnostics). */
export interface IngestCounters {
  fast: number;
  slow: number;
}

export class IngestService {
  private readonly cache: WriteModelCache;
  private readonly locks = new StreamLocks();
  private readonly listeners: ((result: IngestResult) => void)[] = [];
  readonly counters: IngestCounters = { fast: 0, slow: 0 };

  /** `limits`: a number is the most streams cached (the earlier signature). */
  constructor(
    private readonly events: EventsRepository,
    limits: number | WriteModelCacheLimits = {},
  ) {
    this.cache = new WriteModelCache(typeof limits === 'number' ? { maxStreams: limits } : limits);
  }

  /** Called after every committed batch that appended something (projector wake-up). */
  onAppended(listener: (result: IngestResult) => void): void {
    this.listeners.push(listener);
  }

  /** Cached write models (streams and entries), for tests and diagnostics. */
  get cached(): { streams: number; entries: number } {
    return { streams: this.cache.size, entries: this.cache.totalEntries };
  }

  /** Field-validates every event; throws a 400 listing every problem (index, field path, reason). */
  validate(raw: unknown[]): EventInput[] {
    return this.checked(raw.map(prepareEvent)).map((p) => p.event);
  }

  async ingest(raw: unknown[], scope?: IngestScope): Promise<IngestResult> {
    return this.ingestPrepared(raw.map(prepareEvent), scope);
  }

  /** Ingests events already passed through prepareEvent (same results as `ingest` of the raw events). */
  async ingestPrepared(items: Prepared[], scope?: IngestScope): Promise<IngestResult> {
    const events = this.checked(items);
    if (events.length === 0) return { accepted: 0, duplicates: 0, events: [] };
    const release = await this.locks.acquire(events.map((e) => e.stream));
    let result: IngestResult;
    try {
      result =
        (hasRepeatedId(events) ? undefined : await this.appendFast(events, scope)) ??
        (await this.appendSlowWithRetry(events, scope));
    } finally {
      release();
    }
    if (result.accepted > 0) for (const l of this.listeners) l(result);
    return result;
  }

  /** The prepared events, or a 400 listing every field error (index, id, path, reason). */
  private checked(items: Prepared[]): PreparedEvent[] {
    const errors: EventError[] = [];
    const events: PreparedEvent[] = [];
    items.forEach((item, index) => {
      if (item.ok) events.push(item.prepared);
      else
        for (const e of item.errors)
          errors.push({ index, ...(item.id !== undefined ? { id: item.id } : {}), path: e.path, reason: e.reason });
    });
    if (errors.length > 0) throw new InvalidInputError(`batch rejected, nothing stored: ${summarize(errors)}`, errors);
    return events;
  }

  /**
   * Decides the batch on the cached write models and appends it in one statement. Undefined when
   * the batch must take the slow path (nothing stored, touched write models dropped).
   */
  private async appendFast(events: PreparedEvent[], scope?: IngestScope): Promise<IngestResult | undefined> {
    const byStream = groupByStream(
      events,
      events.map((_, i) => i),
    );
    const states = new Map<string, StreamState>();
    const streams: BatchStream[] = [];
    const rows: NewEventRow[] = [];
    const rowIndex: number[] = [];
    /** Streams whose write model took events of this batch (not committed yet). */
    const evolved: string[] = [];
    try {
      for (const [stream, indexes] of byStream) {
        const state = this.cache.get(stream) ?? initialStreamState();
        states.set(stream, state);
        const first = eventAt(events, firstOf(indexes)).event;
        streams.push({
          stream,
          department: first.department,
          year: first.year,
          baseVersion: state.version,
          count: indexes.length,
        });
        for (const index of indexes) {
          const p = eventAt(events, index);
          const e = p.event;
          if (
            (e.expectedVersion !== undefined && e.expectedVersion !== state.version) ||
            decide(state, e, scope).length > 0
          ) {
            // Refusals are reported from current state by the slow path (this state may be stale:
            // another process may have written). Write models that took the batch's earlier
            // events are dropped; the others are still exact.
            this.dropAll(evolved);
            return undefined;
          }
          if (index === indexes[0]) evolved.push(stream);
          evolve(state, e);
          rows.push(rowOf(p, state.version));
          rowIndex.push(index);
        }
      }
    } catch (e) {
      this.dropAll(evolved);
      throw e;
    }
    let positions: number[];
    try {
      ({ positions } = await this.events.appendBatch(streams, rows));
    } catch (e) {
      this.dropAll(states.keys());
      if (e instanceof StreamVersionMismatchError || (e as { code?: string }).code === UNIQUE_VIOLATION)
        return undefined;
      throw e;
    }
    for (const [stream, state] of states) this.cache.set(stream, state);
    this.counters.fast++;
    const results: IngestedEvent[] = new Array(events.length);
    rows.forEach((row, i) => {
      const index = rowIndex[i];
      const position = positions[i];
      if (index === undefined || position === undefined)
        throw new Error(`appendBatch gave ${positions.length} positions for ${rows.length} rows`);
      results[index] = {
        index,
        id: row.event.id,
        stream: row.stream,
        version: row.version,
        position,
        duplicate: false,
      };
    });
    return { accepted: events.length, duplicates: 0, events: results };
  }

  private async appendSlowWithRetry(events: PreparedEvent[], scope?: IngestScope): Promise<IngestResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.appendSlow(events, scope);
      } catch (e) {
        // A concurrent writer stored one of these ids first: run again, it is now a duplicate or a conflict.
        if ((e as { code?: string }).code === UNIQUE_VIOLATION && attempt < MAX_ATTEMPTS) continue;
        throw e;
      }
    }
  }

  private async appendSlow(events: PreparedEvent[], scope?: IngestScope): Promise<IngestResult> {
    this.counters.slow++;
    const states = new Map<string, StreamState>();
    let result: IngestResult;
    try {
      result = await this.events.transaction(async (trx) => {
        const existing = await this.events.findByIds(trx, [...new Set(events.map((p) => p.event.id))]);
        const results: (IngestedEvent | undefined)[] = new Array(events.length);
        const conflicts: EventError[] = [];
        const firstInBatch = new Map<string, number>();
        const fresh: number[] = [];
        events.forEach((p, index) => {
          const e = p.event;
          const prior = existing.get(e.id);
          if (prior) {
            if (prior.contentHash === p.contentHash) {
              results[index] = {
                index,
                id: e.id,
                stream: prior.stream,
                version: prior.version,
                position: prior.position,
                duplicate: true,
              };
            } else {
              conflicts.push({
                index,
                id: e.id,
                path: 'id',
                reason: `id "${e.id}" is already used by an event with different content (position ${prior.position})`,
              });
            }
            return;
          }
          const first = firstInBatch.get(e.id);
          if (first !== undefined) {
            if (eventAt(events, first).contentHash !== p.contentHash) {
              conflicts.push({
                index,
                id: e.id,
                path: 'id',
                reason: `id "${e.id}" appears earlier in this batch (event ${first}) with different content`,
              });
            }
            return; // resolved to the first occurrence's result below
          }
          firstInBatch.set(e.id, index);
          fresh.push(index);
        });

        // New events by stream, keeping batch order inside each stream.
        const byStream = groupByStream(events, fresh);
        const errors: EventError[] = [];
        const streams: BatchStream[] = [];
        const rows: NewEventRow[] = [];
        const rowIndex: number[] = [];
        // Every stream lock before the first write (see EventsRepository.lockStreams); versions read under them.
        await this.events.lockStreams(trx, [...byStream.keys()]);
        const versions =
          byStream.size > 0 ? await this.events.streamVersions(trx, [...byStream.keys()]) : new Map<string, number>();
        for (const [stream, indexes] of byStream) {
          const first = eventAt(events, firstOf(indexes)).event;
          const state = await this.stateAt(trx, stream, versions.get(stream) ?? 0);
          states.set(stream, state);
          const base = state.version;
          let count = 0;
          for (const index of indexes) {
            const p = eventAt(events, index);
            const e = p.event;
            if (e.expectedVersion !== undefined && e.expectedVersion !== state.version) {
              conflicts.push({
                index,
                id: e.id,
                path: 'expectedVersion',
                reason: `stream ${stream} is at version ${state.version}, expected ${e.expectedVersion}`,
              });
              continue;
            }
            const problems = decide(state, e, scope);
            if (problems.length > 0) {
              for (const x of problems) errors.push({ index, id: e.id, path: x.path, reason: x.reason });
              continue;
            }
            evolve(state, e);
            rows.push(rowOf(p, state.version));
            rowIndex.push(index);
            count++;
          }
          streams.push({ stream, department: first.department, year: first.year, baseVersion: base, count });
        }
        if (conflicts.length > 0) {
          throw new ConflictError(`batch rejected, nothing stored: ${summarize(conflicts)}`, conflicts);
        }
        if (errors.length > 0) {
          errors.sort((a, b) => a.index - b.index);
          throw new InvalidInputError(`batch rejected, nothing stored: ${summarize(errors)}`, errors);
        }
        const appended = rows.length > 0 ? (await this.events.appendBatch(streams, rows, trx)).positions : [];
        appended.forEach((position, i) => {
          const index = rowIndex[i];
          const row = rows[i];
          if (index === undefined || row === undefined)
            throw new Error(`appendBatch gave ${appended.length} positions for ${rows.length} rows`);
          results[index] = {
            index,
            id: row.event.id,
            stream: row.stream,
            version: row.version,
            position,
            duplicate: false,
          };
        });
        // Repeats inside the batch share the first occurrence's result.
        events.forEach((p, index) => {
          if (!results[index]) {
            const firstIndex = firstInBatch.get(p.event.id);
            const first = firstIndex === undefined ? undefined : results[firstIndex];
            if (!first) throw new Error(`event ${index} (id ${p.event.id}) has no result of its first occurrence`);
            results[index] = { ...first, index, duplicate: true };
          }
        });
        const out = results as IngestedEvent[];
        return {
          accepted: out.filter((r) => !r.duplicate).length,
          duplicates: out.filter((r) => r.duplicate).length,
          events: out,
        };
      });
    } catch (e) {
      // The write models of touched streams may hold events that were not committed.
      this.dropAll(states.keys());
      throw e;
    }
    // Committed: the evolved write models are current (stored again: their sizes changed).
    for (const [stream, state] of states) this.cache.set(stream, state);
    return result;
  }

  private dropAll(streams: Iterable<string>): void {
    for (const s of streams) this.cache.delete(s);
  }

  /** The stream's write model at `version`: from the cache when current, else folded from the log. */
  private async stateAt(trx: Executor, stream: string, version: number): Promise<StreamState> {
    const cached = this.cache.get(stream);
    if (cached && cached.version === version) return cached;
    const state = initialStreamState();
    let from = 1;
    for (;;) {
      const page = await this.events.readStream(trx, stream, from, 5000);
      for (const e of page) evolve(state, e);
      const last = page.at(-1);
      if (page.length < 5000 || last === undefined) break;
      from = last.version + 1;
    }
    if (state.version !== version)
      throw new Error(`stream ${stream}: folded ${state.version} events, stream row says ${version}`);
    this.cache.set(stream, state);
    return state;
  }
}

/** The batch's event at `index` (indexes are made from the batch itself, so this only fails on a bug). */
function eventAt(events: readonly PreparedEvent[], index: number): PreparedEvent {
  const p = events[index];
  if (p === undefined) throw new RangeError(`no event at batch index ${index} (batch of ${events.length})`);
  return p;
}

/** The first index of a stream's group (groupByStream makes no empty group). */
function firstOf(indexes: readonly number[]): number {
  const index = indexes[0];
  if (index === undefined) throw new Error('an empty stream group');
  return index;
}

function rowOf(p: PreparedEvent, version: number): NewEventRow {
  return {
    event: p.event,
    stream: p.stream,
    version,
    occurredOn: p.occurredOn,
    contentHash: p.contentHash,
    data: p.data,
  };
}

/** Indexes of `events` grouped by stream, streams in sorted order, batch order inside each. */
function groupByStream(events: PreparedEvent[], indexes: number[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const index of indexes) {
    const s = eventAt(events, index).stream;
    const g = groups.get(s);
    if (g) g.push(index);
    else groups.set(s, [index]);
  }
  if (groups.size <= 1) return groups;
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function hasRepeatedId(events: PreparedEvent[]): boolean {
  const ids = new Set<string>();
  for (const p of events) {
    if (ids.has(p.event.id)) return true;
    ids.add(p.event.id);
  }
  return false;
}
