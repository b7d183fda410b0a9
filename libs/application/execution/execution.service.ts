/**
 * Answers execution questions from the read model (no event replay on the request path): each
 * answer is the stream's projected facts through a pure function of the domain, asked of the
 * answer store at the projection's version of the stream (so a request costs one version lookup
 * while nothing new was projected, and a newly projected event makes a new answer).
 */
import { unitLimit, type Principal } from '#domain/access.js';
import { lastDayOfMonth } from '#domain/dates.js';
import { executionReport, knownBy, quarterRates, type SourceFilter } from '#domain/execution/execution.js';
import type { ExecutionFacts } from '#domain/execution/facts.js';
import { streamId } from '#domain/events.js';
import type { Precomputed } from '#persistence/answers.repository.js';
import type { ExecutionRepository } from '#persistence/execution.repository.js';
import type { CachedAnswer } from '../answers/answer-cache.js';
import { storedAnswer } from '../answers/answer-format.js';
import { AnswerStore, plainAnswer, type Question } from '../answers/answer-store.js';
import { AccessDeniedError, NotFoundError, yearNotOpened } from '../common/errors.js';
import { executionWire, quartersWire } from './execution.wire.js';

export interface ExecutionParams {
  asOf?: string;
  knownOn?: string;
  source?: SourceFilter;
  runRateMonths?: number;
}

export type ExecutionAnswer = ReturnType<typeof executionWire>;
/** A department's execution without its budget lines (its total and every unit): what the department list shows. */
export type ExecutionStanding = Omit<ExecutionAnswer, 'lines'>;
export type QuartersAnswer = {
  department: string;
  year: number;
  unit: string | null;
  line: string | null;
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

/** Every parameter of an execution question, resolved. */
type Query = { asOf: string; knownOn: string | null; source: SourceFilter; runRateMonths: number };

/** How a precomputed answer's parameters are keyed (exec_answers.params). */
const paramsKey = (q: Query) => JSON.stringify([q.asOf, q.knownOn, q.source, q.runRateMonths]);
/** Only answers with the default parameters but "as of" are ever precomputed. */
const mayBeStored = (q: Query) => q.knownOn === null && q.source === 'fiscal' && q.runRateMonths === 3;

const question = (kind: 'execution' | 'standing', stream: string, q: Query): Question => ({
  family: 'execution',
  stream,
  key: [kind, q.asOf, q.knownOn, q.source, q.runRateMonths],
  stored: mayBeStored(q) ? { kind, params: paramsKey(q) } : null,
});

/** Default "as of": the year's last day for past years, today for the current year. */
export function defaultAsOf(year: number, today: string): string {
  const end = lastDayOfMonth(year, 12);
  if (today > end) return end;
  if (today < `${year}-01-01`) return `${year}-01-01`;
  return today;
}

export class ExecutionService {
  constructor(
    private readonly repo: ExecutionRepository,
    private readonly answers: AnswerStore = new AnswerStore(),
  ) {}

  /**
   * The stream's projected facts; a 404 when its YearOpened is not projected, or (with `knownOn`)
   * was recorded after that date: as known then, the year did not exist.
   */
  async facts(department: string, year: number, knownOn?: string | null): Promise<ExecutionFacts> {
    const facts = await this.repo.loadFacts(streamId(department, year));
    if (!facts?.meta || (knownOn && facts.meta.openedOn > knownOn)) throw yearNotOpened(department, year, knownOn);
    return facts;
  }

  /** Default "as of": the year's last day for past years, today for the current year. */
  defaultAsOf(year: number, today: string): string {
    return defaultAsOf(year, today);
  }

  private query(year: number, p: ExecutionParams, today: string): Query {
    return {
      asOf: p.asOf ?? defaultAsOf(year, today),
      knownOn: p.knownOn ?? null,
      source: p.source ?? 'fiscal',
      runRateMonths: p.runRateMonths ?? 3,
    };
  }

  /** The answer with its bytes (the HTTP response: nothing serialized, encoded or compressed per request). */
  async executionCached(
    department: string,
    year: number,
    p: ExecutionParams,
    today: string,
  ): Promise<CachedAnswer<ExecutionAnswer>> {
    const q = this.query(year, p, today);
    const stream = streamId(department, year);
    const version = await this.repo.projectedVersion(stream);
    return this.answers.get(question('execution', stream, q), version, async () =>
      executionWire(executionReport(await this.facts(department, year, q.knownOn), q)),
    );
  }

  async execution(department: string, year: number, p: ExecutionParams, today: string): Promise<ExecutionAnswer> {
    return (await this.executionCached(department, year, p, today)).value;
  }

  /**
   * What a principal may see of the execution answer: the whole department, or for a unit reader
   * its own unit's figures and lines only (without the department total or other units).
   */
  async executionFor(
    principal: Principal,
    department: string,
    year: number,
    p: ExecutionParams,
    today: string,
  ): Promise<CachedAnswer<unknown>> {
    const own = unitLimit(principal);
    if (own === null) return this.executionCached(department, year, p, today);
    const wire = await this.execution(department, year, p, today);
    return plainAnswer({
      ...wire,
      total: null,
      units: wire.units.filter((u) => u.unit === own),
      lines: wire.lines.filter((l) => l.unit === own),
    });
  }

  /** The department total and units of the execution answer, without lines (one department of the list). */
  async standing(department: string, year: number, p: ExecutionParams, today: string): Promise<ExecutionStanding> {
    const version = await this.repo.projectedVersion(streamId(department, year));
    const [standing] = await this.standings([{ department, year, version }], p, today);
    if (standing === undefined || standing instanceof Error) throw standing ?? new Error('no standing');
    return standing;
  }

  /**
   * The standings of many department-years, each at the projected version given (what the
   * department list shows), `concurrency` computed at a time; no version lookup per department.
   * A department that cannot be answered (gone since it was listed: a rebuild) gets its error.
   */
  standings(
    items: readonly StreamAt[],
    p: ExecutionParams,
    today: string,
    concurrency = 4,
  ): Promise<(ExecutionStanding | Error)[]> {
    const queries = items.map((i) => this.query(i.year, p, today));
    return this.answers.getMany(
      items.map((i, n) => question('standing', streamId(i.department, i.year), queries[n] as Query)),
      items.map((i) => i.version),
      async (n) => {
        const { department, year } = items[n] as StreamAt;
        const { lines: _lines, ...standing } = executionWire({
          ...executionReport(await this.facts(department, year, (queries[n] as Query).knownOn), queries[n] as Query),
          lines: [],
        });
        return standing;
      },
      concurrency,
    );
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

  /**
   * Quarter-end rates, lags and levels of the department, or of one unit's lines (`unit`), or of
   * one line (`line`), with their bytes. A unit or line not registered (as known on the date) is a
   * 404; a line of another unit than the one asked is a 404 too.
   */
  async quartersCached(
    department: string,
    year: number,
    p: ExecutionParams,
    unit: string | null = null,
    line: string | null = null,
  ): Promise<CachedAnswer<QuartersAnswer>> {
    const source = p.source ?? 'fiscal';
    const knownOn = p.knownOn ?? null;
    const stream = streamId(department, year);
    const version = await this.repo.projectedVersion(stream);
    const q: Question = { family: 'execution', stream, key: ['quarters', knownOn, source, unit, line], stored: null };
    return this.answers.get(q, version, async (): Promise<QuartersAnswer> => {
      const facts = await this.facts(department, year, knownOn);
      const when = knownOn ? ` as known on ${knownOn}` : '';
      if (unit !== null && !facts.units.some((u) => u.unit === unit && knownBy(u, knownOn)))
        throw new NotFoundError(`no unit "${unit}" in ${stream}${when}`);
      const known = facts.lines.filter((l) => knownBy(l, knownOn));
      if (line !== null && !known.some((l) => l.line === line && (unit === null || l.unit === unit)))
        throw new NotFoundError(
          `no budget line "${line}"${unit === null ? '' : ` of unit "${unit}"`} in ${stream}${when}`,
        );
      const lines =
        line !== null ? [line] : unit === null ? undefined : known.filter((l) => l.unit === unit).map((l) => l.line);
      return {
        department,
        year,
        unit,
        line,
        source,
        knownOn,
        quarters: quartersWire(quarterRates(facts, { source, knownOn, lines })),
      };
    });
  }

  /** Quarter-end rates as a principal may see them: a unit reader only its own unit's (and lines). */
  quartersFor(
    principal: Principal,
    department: string,
    year: number,
    p: ExecutionParams,
    asked: { unit?: string; line?: string } = {},
  ): Promise<CachedAnswer<QuartersAnswer>> {
    const own = unitLimit(principal);
    if (own !== null && asked.unit !== undefined && asked.unit !== own)
      throw new AccessDeniedError(403, `a unit reader sees only the figures of unit "${own}"`);
    return this.quartersCached(department, year, p, own ?? asked.unit ?? null, asked.line ?? null);
  }

  async quarters(
    department: string,
    year: number,
    p: ExecutionParams,
    unit: string | null = null,
    line: string | null = null,
  ): Promise<QuartersAnswer> {
    return (await this.quartersCached(department, year, p, unit, line)).value;
  }

  /** Entries, approximate bytes, hits and misses of the execution answers' cache. */
  cacheStats() {
    return this.answers.stats('execution');
  }
}
