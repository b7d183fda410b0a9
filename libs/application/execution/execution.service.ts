/**
 * Answers execution questions from the read model (no event replay on the request path), cached:
 * an answer is keyed by the stream, the projection's applied version of that stream and every
 * resolved parameter, so a request costs one version lookup while nothing new was projected, and
 * a newly projected event changes the key (an old answer is never served for a new version).
 */
import { lastDayOfMonth } from '#domain/dates.js';
import { executionReport, quarterRates, type SourceFilter } from '#domain/execution/execution.js';
import type { ExecutionFacts } from '#domain/execution/facts.js';
import { streamId } from '#domain/events.js';
import type { AnswersRepository, Precomputed } from '#persistence/answers.repository.js';
import type { ExecutionRepository } from '#persistence/execution.repository.js';
import {
  AnswerCache,
  GzipJson,
  gzipJsonValue,
  type AnswerCacheOptions,
  type CachedAnswer,
} from '../answers/answer-cache.js';
import { ANSWER_FORMAT, storedAnswer, storedBodies } from '../answers/answer-format.js';
import { NotFoundError } from '../common/errors.js';
import { executionWire, quartersWire } from './execution.wire.js';

export interface ExecutionParams {
  asOf?: string;
  knownOn?: string;
  source?: SourceFilter;
  runRateMonths?: number;
}

/** Today's date in Asia/Shanghai (UTC+8) for a given instant. */
export function shanghaiDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export type ExecutionAnswer = ReturnType<typeof executionWire>;
/**
 * A department's execution without its budget lines (the department total and every unit): what
 * the department list shows. About 6 kB where a 20 × 42 department's full answer is ~170 kB.
 */
export type ExecutionStanding = Omit<ExecutionAnswer, 'lines'>;
export type QuartersAnswer = {
  department: string;
  year: number;
  unit: string | null;
  source: SourceFilter;
  knownOn: string | null;
  quarters: ReturnType<typeof quartersWire>;
};

/** A department-year at the projected version a caller listed it with (the department list). */
export interface StreamAt {
  department: string;
  year: number;
  version: number;
}

type Query = { asOf: string; knownOn: string | null; source: SourceFilter; runRateMonths: number };

/** An answer's cache key: the stream, its projected version and the rest of the question. */
const cacheKey = (stream: string, version: number, key: unknown[]) => JSON.stringify([stream, version, ...key]);
const standingKey = (q: Query) => ['standing', q.asOf, q.knownOn, q.source, q.runRateMonths];

/** How a precomputed answer's parameters are keyed (exec_answers.params). */
const paramsKey = (q: Query) => JSON.stringify([q.asOf, q.knownOn, q.source, q.runRateMonths]);
/** Only answers with the default parameters but "as of" are ever precomputed. */
const mayBeStored = (q: Query) => q.knownOn === null && q.source === 'fiscal' && q.runRateMonths === 3;

export class ExecutionService {
  private readonly cache: AnswerCache<ExecutionAnswer | QuartersAnswer | ExecutionStanding>;

  /** `answers`: where precomputed answers are read (none: every answer is computed here). */
  constructor(
    private readonly repo: ExecutionRepository,
    cacheOptions: AnswerCacheOptions = {},
    private readonly answers: AnswersRepository | null = null,
  ) {
    this.cache = new AnswerCache(cacheOptions);
  }

  async facts(department: string, year: number): Promise<ExecutionFacts> {
    const facts = await this.repo.loadFacts(streamId(department, year));
    if (!facts)
      throw new NotFoundError(
        `no opened year ${year} for department "${department}" (has YearOpened been ingested, and the projection caught up?)`,
      );
    return facts;
  }

  /** Default "as of": the year's last day for past years, today for the current year. */
  defaultAsOf(year: number, today: string): string {
    const end = lastDayOfMonth(year, 12);
    if (today > end) return end;
    if (today < `${year}-01-01`) return `${year}-01-01`;
    return today;
  }

  /**
   * The cached answer for (stream, projected version, ...key), else computed. The version is read
   * before the answer: facts loaded after it hold at least that version, so an entry is never older
   * than its key says (a newer projected version makes a new key).
   */
  private async cached<T extends ExecutionAnswer | QuartersAnswer | ExecutionStanding>(
    department: string,
    year: number,
    key: unknown[],
    compute: (version: number) => Promise<T | GzipJson>,
  ): Promise<CachedAnswer<T>> {
    const stream = streamId(department, year);
    const version = await this.repo.projectedVersion(stream);
    const answer = await this.cache.get(cacheKey(stream, version, key), () => compute(version));
    return answer as CachedAnswer<T>;
  }

  /** The precomputed default answer (or standing) of this exact version and query (gzip-compressed JSON), or null. */
  private stored(
    kind: 'execution' | 'standing',
    department: string,
    year: number,
    version: number,
    q: Query,
  ): Promise<Buffer | null> {
    if (!this.answers || !mayBeStored(q)) return Promise.resolve(null);
    return this.answers.find(streamId(department, year), kind, paramsKey(q), version, ANSWER_FORMAT);
  }

  private query(year: number, p: ExecutionParams, today: string): Query {
    return {
      asOf: p.asOf ?? this.defaultAsOf(year, today),
      knownOn: p.knownOn ?? null,
      source: p.source ?? 'fiscal',
      runRateMonths: p.runRateMonths ?? 3,
    };
  }

  /** The answer with its bytes, cached (the HTTP response: nothing serialized, encoded or compressed per request). */
  executionCached(
    department: string,
    year: number,
    p: ExecutionParams,
    today: string,
  ): Promise<CachedAnswer<ExecutionAnswer>> {
    const q = this.query(year, p, today);
    return this.cached(
      department,
      year,
      ['execution', q.asOf, q.knownOn, q.source, q.runRateMonths],
      async (version) => {
        const body = await this.stored('execution', department, year, version, q);
        return body !== null
          ? new GzipJson(body)
          : executionWire(executionReport(await this.facts(department, year), q));
      },
    );
  }

  /**
   * The department total and units of the execution answer, without lines, cached apart: a list of
   * every department keeps one small entry each instead of pushing full answers through the cache.
   * The precomputed standing when there is one (7 kB of JSON to parse, against a 178 kB answer or ~30 ms
   * of loading and computing for a city department).
   */
  async standing(department: string, year: number, p: ExecutionParams, today: string): Promise<ExecutionStanding> {
    const version = await this.repo.projectedVersion(streamId(department, year));
    const [standing] = await this.standings([{ department, year, version }], p, today);
    if (standing instanceof Error) throw standing;
    return standing!;
  }

  /**
   * The standings of many department-years, each at the projected version given (what the
   * department list shows): cached ones as they are, the stored standings of the others read in
   * one query, the rest computed (`concurrency` at a time). No version lookup per department. A
   * department that cannot be answered (gone since it was listed: a rebuild) gets its error.
   */
  async standings(
    items: readonly StreamAt[],
    p: ExecutionParams,
    today: string,
    concurrency = 4,
  ): Promise<(ExecutionStanding | Error)[]> {
    const queries = items.map((i) => this.query(i.year, p, today));
    const streams = items.map((i) => streamId(i.department, i.year));
    const keys = items.map((i, n) => cacheKey(streams[n]!, i.version, standingKey(queries[n]!)));
    const prefetch = (missing: number[]) =>
      storedBodies(
        this.answers,
        'standing',
        missing
          .filter((n) => mayBeStored(queries[n]!))
          .map((n) => ({ index: n, stream: streams[n]!, params: paramsKey(queries[n]!), version: items[n]!.version })),
      );
    const got = await this.cache.getMany(
      keys,
      prefetch,
      (n, body) => this.computeStanding(items[n]!.department, items[n]!.year, items[n]!.version, queries[n]!, body),
      concurrency,
    );
    return got as (ExecutionStanding | Error)[];
  }

  /** A standing: the stored one of this version (`prefetched`: already read, null when there is none), else computed. */
  private async computeStanding(
    department: string,
    year: number,
    version: number,
    q: Query,
    prefetched?: Buffer | null,
  ): Promise<ExecutionStanding> {
    const body = prefetched !== undefined ? prefetched : await this.stored('standing', department, year, version, q);
    if (body !== null) return gzipJsonValue<ExecutionStanding>(body);
    const { lines: _lines, ...standing } = executionWire({
      ...executionReport(await this.facts(department, year), q),
      lines: [],
    });
    return standing;
  }

  async execution(department: string, year: number, p: ExecutionParams, today: string): Promise<ExecutionAnswer> {
    return (await this.executionCached(department, year, p, today)).value;
  }

  /**
   * The stream's default answer (as of `today`'s default date) and its standing (the answer without
   * lines) computed from one snapshot of the read model, as they would be sent (gzip-compressed),
   * with the version they hold: what the worker stores (AnswerPrecomputer). Null when the stream is
   * not projected.
   */
  async precompute(department: string, year: number, today: string): Promise<Precomputed | null> {
    const stream = streamId(department, year);
    const loaded = await this.repo.loadVersionedFacts(stream);
    if (!loaded) return null;
    const q = this.query(year, {}, today);
    const answer = executionWire(executionReport(loaded.facts, q));
    const { lines: _lines, ...standing } = answer;
    const params = paramsKey(q);
    return {
      answers: [
        storedAnswer(stream, 'execution', params, loaded.version, answer),
        storedAnswer(stream, 'standing', params, loaded.version, standing),
      ],
      token: loaded.token,
    };
  }

  /** The parameters the default answer of this year is stored under on `today`. */
  defaultParamsKey(year: number, today: string): string {
    return paramsKey(this.query(year, {}, today));
  }

  /** One unit's view: its own figures and lines, without the department total or other units (from the department's answer). */
  async unitExecution(department: string, year: number, unit: string, p: ExecutionParams, today: string) {
    const wire = await this.execution(department, year, p, today);
    return {
      ...wire,
      total: null,
      units: wire.units.filter((u) => u.unit === unit),
      lines: wire.lines.filter((l) => l.unit === unit),
    };
  }

  /** Quarter-end rates with their bytes, cached (the HTTP response). */
  quartersCached(
    department: string,
    year: number,
    p: ExecutionParams,
    unit: string | null = null,
  ): Promise<CachedAnswer<QuartersAnswer>> {
    const source = p.source ?? 'fiscal';
    const knownOn = p.knownOn ?? null;
    return this.cached(department, year, ['quarters', knownOn, source, unit], async () => {
      const facts = await this.facts(department, year);
      const lines = unit === null ? undefined : facts.lines.filter((l) => l.unit === unit).map((l) => l.line);
      return {
        department,
        year,
        unit,
        source,
        knownOn,
        quarters: quartersWire(quarterRates(facts, { source, knownOn, lines })),
      };
    });
  }

  /** Quarter-end rates of the department, or with `unit` of that unit's lines only. */
  async quarters(
    department: string,
    year: number,
    p: ExecutionParams,
    unit: string | null = null,
  ): Promise<QuartersAnswer> {
    return (await this.quartersCached(department, year, p, unit)).value;
  }

  /** Entries, approximate bytes, hits and misses of the answer cache. */
  cacheStats() {
    return this.cache.stats();
  }
}
