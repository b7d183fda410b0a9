/**
 * A bounded, per-process cache of computed answers, each kept as the object, its JSON as UTF-8
 * bytes and (for answers of some size) those bytes gzip-compressed: an HTTP answer is sent as kept
 * bytes, neither serialized nor encoded nor compressed again per request. Least recently used
 * entries go first once there are more than `maxEntries` or their approximate size passes
 * `maxBytes`. Concurrent misses of the same key share one computation. Cached values are frozen
 * (deeply): every caller gets the same object, and none may change what the next one sees.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { mapLimit } from '../common/map-limit.js';

export interface AnswerCacheOptions {
  /** Most entries kept (default 20,000: memory is bounded by `maxBytes`, not by the number of entries). */
  maxEntries?: number;
  /** Most approximate bytes kept (default 128 MiB). */
  maxBytes?: number;
}

/** An answer, its JSON text, that text as UTF-8 bytes, and those bytes gzip-compressed (null for small answers). */
export interface CachedAnswer<V> {
  readonly value: V;
  readonly json: string;
  readonly body: Buffer;
  readonly gzip: Buffer | null;
}

/**
 * An answer that arrives as gzip-compressed UTF-8 JSON (a precomputed one): kept compressed only;
 * its bytes and value are made whenever a caller asks for them (and not kept), and sending it to a
 * client that accepts gzip never decompresses it.
 */
export class GzipJson {
  constructor(readonly gzip: Buffer) {}
}

/** The value of a gzip-compressed UTF-8 JSON body (how answers are stored and kept). */
export function gzipJsonValue<T>(gzip: Buffer): T {
  return JSON.parse(gunzipSync(gzip).toString('utf8')) as T;
}

/** Answers at least this large (UTF-8 bytes) are kept compressed too. */
export const GZIP_MIN_BYTES = 8 * 1024;

/**
 * Approximate memory of a computed entry per character of its JSON besides the bytes themselves:
 * the object, many small strings and objects (an estimate from measuring execution answers).
 */
const OBJECT_BYTES_PER_JSON_CHAR = 3;

export interface AnswerCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * A kept answer: computed (the object, its bytes, compressed when large) or arrived compressed (kept
 * so only). Frozen.
 */
class Entry<V> implements CachedAnswer<V> {
  private readonly kept: V | undefined;
  private readonly bytesKept: Buffer | null;
  readonly gzip: Buffer | null;
  readonly bytes: number;

  constructor(from: { value: V } | { gzip: Buffer }) {
    if ('value' in from) {
      this.kept = from.value;
      const json = JSON.stringify(from.value);
      this.bytesKept = Buffer.from(json, 'utf8');
      this.gzip = this.bytesKept.length >= GZIP_MIN_BYTES ? gzipSync(this.bytesKept, { level: 1 }) : null;
      this.bytes = OBJECT_BYTES_PER_JSON_CHAR * json.length + this.bytesKept.length + (this.gzip?.length ?? 0);
    } else {
      this.kept = undefined;
      this.bytesKept = null;
      this.gzip = from.gzip;
      this.bytes = from.gzip.length;
    }
    Object.freeze(this);
  }

  get body(): Buffer {
    if (this.bytesKept !== null) return this.bytesKept;
    if (this.gzip === null) throw new Error('a cached answer holds neither its bytes nor their gzip');
    return gunzipSync(this.gzip);
  }

  get json(): string {
    return this.body.toString('utf8');
  }

  get value(): V {
    return this.kept ?? deepFreeze(JSON.parse(this.json) as V);
  }
}

export class AnswerCache<V> {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry<V>>();
  private readonly pending = new Map<string, Promise<CachedAnswer<V>>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(options: AnswerCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 20_000;
    this.maxBytes = options.maxBytes ?? 128 * 1024 * 1024;
  }

  /**
   * The cached answer of `key`, or `compute()`'s (kept unless it throws or is too big to keep);
   * `compute` may give the answer compressed (GzipJson).
   */
  async get(key: string, compute: () => Promise<V | GzipJson>): Promise<CachedAnswer<V>> {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits += 1;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const running = this.pending.get(key);
    if (running) return running;
    this.misses += 1;
    const computing = compute().then((got) =>
      this.put(key, new Entry<V>(got instanceof GzipJson ? { gzip: got.gzip } : { value: deepFreeze(got) })),
    );
    this.pending.set(key, computing);
    try {
      return await computing;
    } finally {
      this.pending.delete(key);
    }
  }

  /**
   * The answers of many keys (a list of departments): cached ones as they are; for the others,
   * `prefetch` first reads in one go what it can (by index: a body, or null when there is none),
   * then each is computed with what was read for it (undefined: not read), `concurrency` at a
   * time. A failing key gets its Error in its place (and nothing is cached for it).
   */
  async getMany(
    keys: readonly string[],
    prefetch: (missing: number[]) => Promise<Map<number, Buffer | null>>,
    compute: (index: number, prefetched: Buffer | null | undefined) => Promise<V | GzipJson>,
    concurrency: number,
  ): Promise<(V | Error)[]> {
    const missing = keys.flatMap((key, n) => (this.entries.has(key) ? [] : [n]));
    const read = missing.length ? await prefetch(missing) : new Map<number, Buffer | null>();
    return mapLimit(keys, concurrency, async (key, n) => {
      try {
        return (await this.get(key, () => compute(n, read.get(n)))).value;
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
    });
  }

  stats(): AnswerCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses };
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private put(key: string, entry: Entry<V>): CachedAnswer<V> {
    if (entry.bytes > this.maxBytes || this.maxEntries < 1) return entry;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
    return entry;
  }
}
