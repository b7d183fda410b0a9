/**
 * Where every answer the API serves is found: the process's caches (kept as objects and bytes),
 * the answers the worker precomputed (exec_answers), or the service's own computation, in that
 * order. Services say what an answer is (a Question at a stream version) and how to compute it;
 * they never look at caches or stored rows themselves. The precomputer and the warmers write
 * through here too.
 *
 * An answer is keyed by its stream, the version it holds at least, and the rest of its question,
 * so a new version makes a new key and an answer of an older version is never served for it.
 */
import type { AnswerKind, AnswersRepository, AnswerState, Precomputed } from '#persistence/answers.repository.js';
import {
  AnswerCache,
  GzipJson,
  gzipJsonValue,
  type AnswerCacheOptions,
  type AnswerCacheStats,
  type CachedAnswer,
} from './answer-cache.js';
import { ANSWER_FORMAT, storedBodies } from './answer-format.js';

/** Answers are cached per family, each with its own memory budget (ANSWER_CACHE_MB each). */
export type AnswerFamily = 'execution' | 'evaluation';

export interface Question {
  family: AnswerFamily;
  stream: string;
  /** The rest of the question, its kind first: with the stream and version, the cache key. */
  key: readonly unknown[];
  /** Where a precomputed answer to it would be stored; null when it is never precomputed. */
  stored: { kind: AnswerKind; params: string } | null;
}

const cacheKey = (q: Question, version: number) => JSON.stringify([q.stream, version, ...q.key]);

/** An answer computed for one request and not kept (a unit reader's slice of a department answer). */
export function plainAnswer<T>(value: T): CachedAnswer<T> {
  const json = JSON.stringify(value);
  return { value, json, body: Buffer.from(json, 'utf8'), gzip: null };
}

export class AnswerStore {
  private readonly caches: Record<AnswerFamily, AnswerCache<unknown>>;

  /** `stored`: where precomputed answers are kept (none: every answer is computed in this process). */
  constructor(
    private readonly stored: AnswersRepository | null = null,
    cacheOptions: AnswerCacheOptions = {},
  ) {
    this.caches = { execution: new AnswerCache(cacheOptions), evaluation: new AnswerCache(cacheOptions) };
  }

  /**
   * The answer to `q` at `version` with its bytes: cached, else the precomputed one of exactly this
   * version (kept compressed, as stored), else computed. The caller reads the version before
   * asking, so whatever is computed holds at least that version.
   */
  get<T>(q: Question, version: number, compute: () => Promise<T>): Promise<CachedAnswer<T>> {
    const answer = this.caches[q.family].get(cacheKey(q, version), async () => {
      const body = await this.find(q, version);
      return body !== null ? new GzipJson(body) : compute();
    });
    return answer as Promise<CachedAnswer<T>>;
  }

  /**
   * The answers to many questions of one kind (a list of departments), each at its version: cached
   * ones as they are, the precomputed ones of the others read in one query (and parsed), the rest
   * computed `concurrency` at a time. A question that cannot be answered gets its Error in place.
   */
  async getMany<T>(
    questions: readonly Question[],
    versions: readonly number[],
    compute: (index: number) => Promise<T>,
    concurrency: number,
  ): Promise<(T | Error)[]> {
    const first = questions[0];
    if (!first) return [];
    const keys = questions.map((q, n) => cacheKey(q, versions[n] ?? 0));
    const prefetch = (missing: number[]) =>
      storedBodies(
        this.stored,
        first.stored?.kind ?? 'execution',
        missing.flatMap((n) => {
          const q = questions[n];
          return q?.stored ? [{ index: n, stream: q.stream, params: q.stored.params, version: versions[n] ?? 0 }] : [];
        }),
      );
    const answers = await this.caches[first.family].getMany(
      keys,
      prefetch,
      async (n, prefetched) => {
        const q = questions[n];
        const body = prefetched !== undefined || !q ? (prefetched ?? null) : await this.find(q, versions[n] ?? 0);
        return body !== null ? gzipJsonValue<T>(body) : compute(n);
      },
      concurrency,
    );
    return answers as (T | Error)[];
  }

  /** Stores precomputed answers unless the read model moved since they were computed (their token). */
  save(p: Precomputed): Promise<boolean> {
    if (!this.stored) throw new Error('this answer store keeps no precomputed answers');
    return this.stored.save(p.answers, p.token);
  }

  /** Every projected stream and what is stored for it (the precomputer's worklist). */
  states(): Promise<AnswerState[]> {
    if (!this.stored) throw new Error('this answer store keeps no precomputed answers');
    return this.stored.states();
  }

  /** How many projected streams have each kind stored for their current version, in this format. */
  async coverage(): Promise<{ format: number; streams: number } & Record<AnswerKind, number>> {
    if (!this.stored)
      return { format: ANSWER_FORMAT, streams: 0, execution: 0, standing: 0, summary: 0, evaluation: 0 };
    return { format: ANSWER_FORMAT, ...(await this.stored.coverage(ANSWER_FORMAT)) };
  }

  /** Entries, approximate bytes, hits and misses of one family's cache. */
  stats(family: AnswerFamily): AnswerCacheStats {
    return this.caches[family].stats();
  }

  /** The precomputed body of exactly this question and version (gzip), or null. */
  private find(q: Question, version: number): Promise<Buffer | null> {
    if (!this.stored || !q.stored) return Promise.resolve(null);
    return this.stored.find(q.stream, q.stored.kind, q.stored.params, version, ANSWER_FORMAT);
  }
}
