/**
 * Ingest: validates a batch against the wire contract and the cross-event rules, then appends it
 * in one transaction. All-or-nothing: any invalid event rejects the batch (400), any version or
 * id conflict rejects it (409). Re-sent events (same id, same content) are no-ops that return
 * their original positions.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical.js';
import { occurredOnDate } from '../domain/dates.js';
import { streamId, type EventInput } from '../domain/events.js';
import { decide, evolve, initialStreamState, type StreamState } from '../domain/stream.js';
import { validateEvent } from '../domain/validation.js';
import type { EventsRepository, NewEventRow } from '../persistence/events.repository.js';
import { ConflictError, InvalidInputError, summarize, type EventError } from './errors.js';

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

/** Content that makes two events with the same id "the same": everything but expectedVersion. */
export function contentHash(e: EventInput): string {
  const { expectedVersion: _ignored, ...content } = e;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

const UNIQUE_VIOLATION = '23505';
const MAX_ATTEMPTS = 3;

interface CachedStream {
  state: StreamState;
}

export class IngestService {
  /** Write models of recently written streams, valid while their version matches the stream row. */
  private readonly cache = new Map<string, CachedStream>();
  private readonly listeners: ((result: IngestResult) => void)[] = [];

  constructor(
    private readonly events: EventsRepository,
    private readonly cacheLimit = 2000,
  ) {}

  /** Called after every committed batch that appended something (projector wake-up). */
  onAppended(listener: (result: IngestResult) => void): void {
    this.listeners.push(listener);
  }

  /** Field-validates every event; throws a 400 listing every problem (index, field path, reason). */
  validate(raw: unknown[]): EventInput[] {
    const errors: EventError[] = [];
    const events: EventInput[] = [];
    raw.forEach((item, index) => {
      const r = validateEvent(item);
      if (r.ok) events.push(r.event);
      else {
        const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id : undefined;
        for (const e of r.errors) errors.push({ index, ...(id ? { id } : {}), path: e.path, reason: e.reason });
      }
    });
    if (errors.length > 0) throw new InvalidInputError(`batch rejected, nothing stored: ${summarize(errors)}`, errors);
    return events;
  }

  async ingest(raw: unknown[]): Promise<IngestResult> {
    const events = this.validate(raw);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.appendBatch(events);
        if (result.accepted > 0) for (const l of this.listeners) l(result);
        return result;
      } catch (e) {
        // A concurrent writer stored one of these ids first: run again, it is now a duplicate or a conflict.
        if ((e as { code?: string }).code === UNIQUE_VIOLATION && attempt < MAX_ATTEMPTS) continue;
        throw e;
      }
    }
  }

  private async appendBatch(events: EventInput[]): Promise<IngestResult> {
    const hashes = events.map(contentHash);
    const touched = new Set<string>();
    try {
      return await this.events.transaction(async (trx) => {
        const existing = await this.events.findByIds(trx, [...new Set(events.map((e) => e.id))]);
        const results: (IngestedEvent | undefined)[] = new Array(events.length);
        const conflicts: EventError[] = [];
        const firstInBatch = new Map<string, number>();
        const fresh: number[] = [];
        events.forEach((e, index) => {
          const prior = existing.get(e.id);
          if (prior) {
            if (prior.contentHash === hashes[index]) {
              results[index] = { index, id: e.id, stream: prior.stream, version: prior.version, position: prior.position, duplicate: true };
            } else {
              conflicts.push({ index, id: e.id, path: 'id', reason: `id "${e.id}" is already used by an event with different content (position ${prior.position})` });
            }
            return;
          }
          const first = firstInBatch.get(e.id);
          if (first !== undefined) {
            if (hashes[first] !== hashes[index]) {
              conflicts.push({ index, id: e.id, path: 'id', reason: `id "${e.id}" appears earlier in this batch (event ${first}) with different content` });
            }
            return; // resolved to the first occurrence's result below
          }
          firstInBatch.set(e.id, index);
          fresh.push(index);
        });

        // Group new events by stream, keeping batch order inside each stream.
        const byStream = new Map<string, number[]>();
        for (const index of fresh) {
          const s = streamId(events[index]!.department, events[index]!.year);
          (byStream.get(s) ?? byStream.set(s, []).get(s)!).push(index);
        }
        const errors: EventError[] = [];
        const rows: NewEventRow[] = [];
        const rowIndex: number[] = [];
        const newVersions = new Map<string, number>();
        // Every stream lock before the first write (see EventsRepository.lockStreams).
        await this.events.lockStreams(trx, [...byStream.keys()]);
        for (const stream of [...byStream.keys()].sort()) {
          const indexes = byStream.get(stream)!;
          const first = events[indexes[0]!]!;
          touched.add(stream);
          const version = await this.events.lockStream(trx, stream, first.department, first.year);
          const state = await this.stateAt(trx, stream, version);
          for (const index of indexes) {
            const e = events[index]!;
            if (e.expectedVersion !== undefined && e.expectedVersion !== state.version) {
              conflicts.push({
                index,
                id: e.id,
                path: 'expectedVersion',
                reason: `stream ${stream} is at version ${state.version}, expected ${e.expectedVersion}`,
              });
              continue;
            }
            const problems = decide(state, e);
            if (problems.length > 0) {
              for (const p of problems) errors.push({ index, id: e.id, path: p.path, reason: p.reason });
              continue;
            }
            evolve(state, e);
            rows.push({ event: e, stream, version: state.version, occurredOn: occurredOnDate(e.occurredAt)!, contentHash: hashes[index]! });
            rowIndex.push(index);
          }
          newVersions.set(stream, state.version);
        }
        if (conflicts.length > 0) {
          throw new ConflictError(`batch rejected, nothing stored: ${summarize(conflicts)}`, conflicts);
        }
        if (errors.length > 0) {
          errors.sort((a, b) => a.index - b.index);
          throw new InvalidInputError(`batch rejected, nothing stored: ${summarize(errors)}`, errors);
        }
        const appended = await this.events.append(trx, rows);
        appended.forEach((a, i) => {
          const index = rowIndex[i]!;
          const row = rows[i]!;
          results[index] = { index, id: row.event.id, stream: row.stream, version: row.version, position: a.position, duplicate: false };
        });
        for (const [stream, version] of newVersions) await this.events.setStreamVersion(trx, stream, version);
        // Repeats inside the batch share the first occurrence's result.
        events.forEach((e, index) => {
          if (!results[index]) {
            const first = results[firstInBatch.get(e.id)!]!;
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
      for (const s of touched) this.cache.delete(s);
      throw e;
    }
  }

  /** The stream's write model at `version`: from the cache when current, else folded from the log. */
  private async stateAt(trx: Parameters<Parameters<EventsRepository['transaction']>[0]>[0], stream: string, version: number): Promise<StreamState> {
    const cached = this.cache.get(stream);
    if (cached && cached.state.version === version) {
      // Refresh its place in the LRU order.
      this.cache.delete(stream);
      this.cache.set(stream, cached);
      return cached.state;
    }
    const state = initialStreamState();
    let from = 1;
    for (;;) {
      const page = await this.events.readStream(trx, stream, from, 5000);
      for (const e of page) evolve(state, e);
      if (page.length < 5000) break;
      from = page[page.length - 1]!.version + 1;
    }
    if (state.version !== version) throw new Error(`stream ${stream}: folded ${state.version} events, stream row says ${version}`);
    this.cache.set(stream, { state });
    if (this.cache.size > this.cacheLimit) this.cache.delete(this.cache.keys().next().value!);
    return state;
  }
}
