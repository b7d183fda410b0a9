/**
 * A bounded, per-process cache of computed answers, each kept as the object and its JSON as UTF-8
 * bytes (an HTTP answer is sent as those bytes: neither serialized nor encoded again per request);
 * least recently used entries go first once there are more than `maxEntries` or their approximate
 * size passes `maxBytes`. Concurrent misses of the same key share one computation. Cached values
 * are frozen (deeply): every caller gets the same object, and none may change what the next one sees.
 */
export interface AnswerCacheOptions {
  /** Most entries kept (default 20,000: memory is bounded by `maxBytes`; small answers such as a department's standing take ~25 kB). */
  maxEntries?: number;
  /** Most approximate bytes kept (default 128 MiB). */
  maxBytes?: number;
}

/** An answer, its JSON text and that text as UTF-8 bytes. */
export interface CachedAnswer<V> {
  readonly value: V;
  readonly json: string;
  readonly body: Buffer;
}

/**
 * An answer that arrives as JSON text (a precomputed one): kept as its bytes only; its value is
 * parsed whenever a caller asks for it (and not kept), and sending it over HTTP never parses it.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * Approximate memory of a computed entry per character of its JSON besides the bytes themselves:
 * the object, many small strings and objects, as measured on execution answers (≈ 4 per character
 * in all with the bytes).
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

/** A kept answer: computed (the object and its bytes) or arrived as text (the bytes only). Frozen. */
class Entry<V> implements CachedAnswer<V> {
  private readonly kept: V | undefined;
  readonly body: Buffer;
  readonly bytes: number;

  constructor(from: { value: V } | { text: string }) {
    if ('value' in from) {
      this.kept = from.value;
      const json = JSON.stringify(from.value);
      this.body = Buffer.from(json, 'utf8');
      this.bytes = OBJECT_BYTES_PER_JSON_CHAR * json.length + this.body.length;
    } else {
      this.kept = undefined;
      this.body = Buffer.from(from.text, 'utf8');
      this.bytes = this.body.length;
    }
    Object.freeze(this);
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
   * `compute` may give the answer as JSON text (JsonText).
   */
  async get(key: string, compute: () => Promise<V | JsonText>): Promise<CachedAnswer<V>> {
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
    const computing = compute().then((got) => this.put(key, new Entry<V>(got instanceof JsonText ? { text: got.text } : { value: deepFreeze(got) })));
    this.pending.set(key, computing);
    try {
      return await computing;
    } finally {
      this.pending.delete(key);
    }
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
