/**
 * Answers execution questions from the read model (no event replay on the request path), cached:
 * an answer is keyed by the stream, the projection's applied version of that stream and every
 * resolved parameter, so a request costs one version lookup while nothing new was projected, and
 * a newly projected event changes the key (an old answer is never served for a new version).
 */
import { lastDayOfMonth } from '../domain/dates.js';
import { executionReport, quarterRates, type SourceFilter } from '../domain/execution/execution.js';
import type { ExecutionFacts } from '../domain/execution/facts.js';
import { streamId } from '../domain/events.js';
import type { ExecutionRepository } from '../persistence/execution.repository.js';
import { AnswerCache, type AnswerCacheOptions, type CachedAnswer } from './answer-cache.js';
import { NotFoundError } from './errors.js';
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
export type QuartersAnswer = { department: string; year: number; unit: string | null; source: SourceFilter; knownOn: string | null; quarters: ReturnType<typeof quartersWire> };

export class ExecutionService {
  private readonly cache: AnswerCache<ExecutionAnswer | QuartersAnswer | ExecutionStanding>;

  constructor(
    private readonly repo: ExecutionRepository,
    cacheOptions: AnswerCacheOptions = {},
  ) {
    this.cache = new AnswerCache(cacheOptions);
  }

  async facts(department: string, year: number): Promise<ExecutionFacts> {
    const facts = await this.repo.loadFacts(streamId(department, year));
    if (!facts) throw new NotFoundError(`no opened year ${year} for department "${department}" (has YearOpened been ingested, and the projection caught up?)`);
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
   * The cached answer for (stream, projected version, ...key), else computed from the facts. The
   * version is read before the facts: facts loaded after it hold at least that version, so an
   * entry is never older than its key says (a newer projected version makes a new key).
   */
  private async cached<T extends ExecutionAnswer | QuartersAnswer | ExecutionStanding>(department: string, year: number, key: unknown[], compute: (facts: ExecutionFacts) => T): Promise<CachedAnswer<T>> {
    const stream = streamId(department, year);
    const version = await this.repo.projectedVersion(stream);
    const answer = await this.cache.get(JSON.stringify([stream, version, ...key]), async () => compute(await this.facts(department, year)));
    return answer as CachedAnswer<T>;
  }

  private query(year: number, p: ExecutionParams, today: string) {
    return { asOf: p.asOf ?? this.defaultAsOf(year, today), knownOn: p.knownOn ?? null, source: p.source ?? 'fiscal', runRateMonths: p.runRateMonths ?? 3 } as const;
  }

  private executionAnswer(department: string, year: number, p: ExecutionParams, today: string): Promise<CachedAnswer<ExecutionAnswer>> {
    const q = this.query(year, p, today);
    return this.cached(department, year, ['execution', q.asOf, q.knownOn, q.source, q.runRateMonths], (facts) => executionWire(executionReport(facts, q)));
  }

  /**
   * The department total and units of the execution answer, without lines, cached apart: a list of
   * every department keeps one small entry each instead of pushing full answers through the cache.
   */
  async standing(department: string, year: number, p: ExecutionParams, today: string): Promise<ExecutionStanding> {
    const q = this.query(year, p, today);
    const answer = await this.cached(department, year, ['standing', q.asOf, q.knownOn, q.source, q.runRateMonths], (facts): ExecutionStanding => {
      const { lines: _lines, ...standing } = executionWire({ ...executionReport(facts, q), lines: [] });
      return standing;
    });
    return answer.value;
  }

  async execution(department: string, year: number, p: ExecutionParams, today: string): Promise<ExecutionAnswer> {
    return (await this.executionAnswer(department, year, p, today)).value;
  }

  /** The same answer as JSON text, serialized once per cached answer (for the HTTP response). */
  async executionJson(department: string, year: number, p: ExecutionParams, today: string): Promise<string> {
    return (await this.executionAnswer(department, year, p, today)).json;
  }

  /** One unit's view: its own figures and lines, without the department total or other units (from the department's answer). */
  async unitExecution(department: string, year: number, unit: string, p: ExecutionParams, today: string) {
    const wire = await this.execution(department, year, p, today);
    return { ...wire, total: null, units: wire.units.filter((u) => u.unit === unit), lines: wire.lines.filter((l) => l.unit === unit) };
  }

  private quartersAnswer(department: string, year: number, p: ExecutionParams, unit: string | null): Promise<CachedAnswer<QuartersAnswer>> {
    const source = p.source ?? 'fiscal';
    const knownOn = p.knownOn ?? null;
    return this.cached(department, year, ['quarters', knownOn, source, unit], (facts) => {
      const lines = unit === null ? undefined : facts.lines.filter((l) => l.unit === unit).map((l) => l.line);
      return { department, year, unit, source, knownOn, quarters: quartersWire(quarterRates(facts, { source, knownOn, lines })) };
    });
  }

  /** Quarter-end rates of the department, or with `unit` of that unit's lines only. */
  async quarters(department: string, year: number, p: ExecutionParams, unit: string | null = null): Promise<QuartersAnswer> {
    return (await this.quartersAnswer(department, year, p, unit)).value;
  }

  /** The same as JSON text. */
  async quartersJson(department: string, year: number, p: ExecutionParams, unit: string | null = null): Promise<string> {
    return (await this.quartersAnswer(department, year, p, unit)).json;
  }

  /** Entries, approximate bytes, hits and misses of the answer cache. */
  cacheStats() {
    return this.cache.stats();
  }
}
