/**
 * Write models of recently written streams, least recently used first out. Bounded by stream
 * count and by size: a write model keeps every SpendingRecorded id of its stream (a city
 * department has ~10k), so a count bound alone would let 2,000 city streams hold ~20M entries.
 * Size is counted in entries (spending ids, lines, units, tasks, indicators, measures, projects, plus one per stream).
 *
 * An entry's size is taken when it is stored (`set`), so a caller that evolves a cached state
 * stores it again afterwards (IngestService does, once the batch is committed).
 */
import type { StreamState } from '#domain/stream.js';

export interface WriteModelCacheLimits {
  /** Most streams kept (default 2,000). */
  maxStreams?: number;
  /** Most entries kept over all streams (default 2,000,000). */
  maxEntries?: number;
}

export const DEFAULT_CACHE_LIMITS: Required<WriteModelCacheLimits> = { maxStreams: 2000, maxEntries: 2_000_000 };

export function writeModelSize(state: StreamState): number {
  return (
    1 +
    state.spending.size +
    state.lines.size +
    state.units.size +
    state.tasks.size +
    state.indicators.size +
    state.measures.size +
    state.projects.size
  );
}

export class WriteModelCache {
  /** Map order is the LRU order: first = least recently used. */
  private readonly entries = new Map<string, { state: StreamState; size: number }>();
  private total = 0;
  private readonly limits: Required<WriteModelCacheLimits>;

  constructor(limits: WriteModelCacheLimits = {}) {
    this.limits = { ...DEFAULT_CACHE_LIMITS, ...limits };
  }

  /** The cached write model (now the most recently used), or undefined. */
  get(stream: string): StreamState | undefined {
    const entry = this.entries.get(stream);
    if (!entry) return undefined;
    this.entries.delete(stream);
    this.entries.set(stream, entry);
    return entry.state;
  }

  /** Stores (or re-stores after evolving) a write model and evicts until within the limits. */
  set(stream: string, state: StreamState): void {
    this.delete(stream);
    const size = writeModelSize(state);
    this.entries.set(stream, { state, size });
    this.total += size;
    // The entry just stored stays even when it alone exceeds maxEntries: the next batch of that
    // stream needs it more than anything else does.
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxStreams && this.total <= this.limits.maxEntries) break;
      if (oldest === stream) break;
      this.entries.delete(oldest);
      this.total -= entry.size;
    }
  }

  delete(stream: string): void {
    const entry = this.entries.get(stream);
    if (!entry) return;
    this.entries.delete(stream);
    this.total -= entry.size;
  }

  /** Streams cached. */
  get size(): number {
    return this.entries.size;
  }

  /** Entries held over all cached streams (as counted when each was stored). */
  get totalEntries(): number {
    return this.total;
  }

  has(stream: string): boolean {
    return this.entries.has(stream);
  }
}
