/**
 * The year-end self-evaluation of one department-year, scored with a framework: final once
 * YearClosed is in the stream, else a running forecast from the figures so far.
 *
 * Read from the execution projection (the stream's facts, its evaluation inputs and the ids of the
 * events behind each budget line), so scoring a whole city needs no replay of the log. The log is
 * replayed instead when the projection has not applied every event of the stream yet (an answer
 * never misses an event already stored), and for "as known on" a date (the projection keeps the
 * latest evaluation inputs only).
 */
import { fixed2 } from '#domain/decimal.js';
import { fromEvaluationDoc } from '#domain/evaluation/evaluation-doc.js';
import { evaluate, type EvaluationStatus } from '#domain/evaluation/evaluate.js';
import { DEFAULT_FRAMEWORK, FRAMEWORKS, type FrameworkDef } from '#domain/evaluation/framework.js';
import { lineEventsFromSources, sourcePositions } from '#domain/execution/stream-projection.js';
import { streamId, type StoredEvent } from '#domain/events.js';
import type { Precomputed } from '#persistence/answers.repository.js';
import type { EventsRepository } from '#persistence/events.repository.js';
import type { ExecutionRepository } from '#persistence/execution.repository.js';
import type { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import type { CachedAnswer } from '../answers/answer-cache.js';
import { storedAnswer } from '../answers/answer-format.js';
import { AnswerStore, type Question } from '../answers/answer-store.js';
import { InvalidInputError, NotFoundError } from '../common/errors.js';
import {
  dueAsOf,
  evaluationReport,
  rangeWire,
  scoredReport,
  type EvaluationReport,
  type RangeWire,
} from './evaluation.wire.js';
import type { StreamAt } from '../execution/execution.service.js';
import { elementAt, required } from '#domain/required.js';

export interface EvaluationParams {
  /** Only events recorded (occurredOn) on or before this date. */
  knownOn?: string;
  /** Framework id (FRAMEWORKS); default DEFAULT_FRAMEWORK. */
  framework?: string;
}

/** The framework with this id; a 400 naming the known ids when there is none. */
export function frameworkById(id: string | undefined): FrameworkDef {
  if (id === undefined || id === '') return DEFAULT_FRAMEWORK;
  const found = FRAMEWORKS.find((f) => f.id === id);
  if (!found) {
    const reason = `unknown framework "${id}"; known: ${FRAMEWORKS.map((f) => `${f.id} (${f.name} ${f.version})`).join(', ')}`;
    throw new InvalidInputError(`framework: ${reason}`, [{ index: 0, path: 'framework', reason }]);
  }
  return found;
}

/** Total, range and grade of a self-evaluation, without the scoring table (lists of departments, batch scoring). */
export interface EvaluationSummary {
  department: string;
  year: number;
  status: EvaluationStatus;
  /** The score so far, shown to 2 decimals, and exact (the total when final). */
  total: string;
  exact: string;
  /** The score so far and the most it can still reach. */
  range: RangeWire;
  /** The grade when the range decides it, else null; the grades still possible, lowest first. */
  grade: string | null;
  grades: string[];
  /** How many criteria and sub-items miss an input or a judgement, and (during the year) are not yet due. */
  missing: number;
  notDue: number;
  framework: string;
  eventsConsidered: number;
}

export class EvaluationService {
  constructor(
    private readonly events: EventsRepository,
    private readonly execution: ExecutionRepository,
    private readonly feed: ProjectionFeedRepository,
    private readonly answers: AnswerStore = new AnswerStore(),
    private readonly pageSize = 5000,
  ) {}

  /** Every event of the stream, page by page, in stream order. */
  async streamEvents(department: string, year: number): Promise<StoredEvent[]> {
    const stream = streamId(department, year);
    const out: StoredEvent[] = [];
    for (let from = 1; ;) {
      const page = await this.events.page(stream, from, this.pageSize);
      for (const e of page) out.push(e);
      if (page.length < this.pageSize) return out;
      from = elementAt(page, page.length - 1, "the page's last event").version + 1;
    }
  }

  async evaluation(department: string, year: number, p: EvaluationParams = {}): Promise<EvaluationReport> {
    return (await this.evaluationCached(department, year, p)).value;
  }

  /**
   * Reports are asked at the stream's version in the log (and the parameters): the log only grows,
   * so a report stays right until an event is appended to the stream. A request costs one version
   * lookup while nothing was appended.
   */
  async evaluationCached(
    department: string,
    year: number,
    p: EvaluationParams = {},
  ): Promise<CachedAnswer<EvaluationReport>> {
    const framework = frameworkById(p.framework);
    const stream = streamId(department, year);
    const version = await this.events.streamVersion(stream);
    const knownOn = p.knownOn ?? null;
    const q: Question = {
      family: 'evaluation',
      stream,
      key: ['report', knownOn, framework.id],
      stored: knownOn ? null : { kind: 'evaluation', params: paramsKey(framework) },
    };
    return this.answers.get(q, version, () => this.compute(department, year, framework, knownOn, version));
  }

  /** The parameters the default report is stored under. */
  defaultParamsKey(): string {
    return paramsKey(DEFAULT_FRAMEWORK);
  }

  /**
   * The default report (the default framework, as known now) from one snapshot of the projection,
   * as it would be sent (gzip-compressed), with the stream version it holds: what the worker stores
   * (AnswerPrecomputer). Null when the stream is not projected.
   */
  async precompute(department: string, year: number): Promise<Precomputed | null> {
    const projected = await this.projectedReport(department, year, DEFAULT_FRAMEWORK, 0);
    return projected && precomputed('evaluation', projected.report, projected.token);
  }

  /** `stored`: the stream's version in the log, read by the caller (the cache key's version). */
  private async compute(
    department: string,
    year: number,
    framework: FrameworkDef,
    knownOn: string | null,
    stored: number,
  ): Promise<EvaluationReport> {
    if (!knownOn) {
      const projected = await this.fromProjection(department, year, framework, stored);
      if (projected) return projected;
    }
    const all = await this.streamEvents(department, year);
    const events = knownOn ? all.filter((e) => e.occurredOn <= knownOn) : all;
    if (!events.some((e) => e.type === 'YearOpened')) {
      const when = knownOn && all.length ? ` as known on ${knownOn} (the year was opened later)` : '';
      throw new NotFoundError(
        `no opened year ${year} for department "${department}"${when}: ingest its YearOpened first`,
      );
    }
    return evaluationReport({ department, year, events, framework, knownOn });
  }

  /**
   * Total and grade only: the stored summary of this version (precomputed), else from the
   * projection without the per-line event ids, else from the full report (replayed).
   */
  async summary(department: string, year: number, p: EvaluationParams = {}): Promise<EvaluationSummary> {
    const version = await this.events.streamVersion(streamId(department, year));
    const [summary] = await this.summaries([{ department, year, version }], p, 1);
    if (summary === undefined || summary instanceof Error) throw summary ?? new Error('no summary');
    return summary;
  }

  /**
   * The summaries of many department-years, each at the version given (the department list passes
   * the projection's), `concurrency` scored at a time; no version lookup per department. A
   * department that cannot be scored gets its error.
   */
  summaries(
    items: readonly StreamAt[],
    p: EvaluationParams = {},
    concurrency = 4,
  ): Promise<(EvaluationSummary | Error)[]> {
    const framework = frameworkById(p.framework);
    const knownOn = p.knownOn ?? null;
    const questions = items.map((i): Question => ({
      family: 'evaluation',
      stream: streamId(i.department, i.year),
      key: ['summary', knownOn, framework.id],
      stored: knownOn ? null : { kind: 'summary', params: paramsKey(framework) },
    }));
    return this.answers.getMany(
      questions,
      items.map((i) => i.version),
      async (n) => {
        const { department, year, version } = items[n] as StreamAt;
        const projected = knownOn ? null : await this.projectedSummary(department, year, framework, version);
        return projected?.summary ?? summaryOf(await this.compute(department, year, framework, knownOn, version));
      },
      concurrency,
    );
  }

  /**
   * The default summary (the default framework, as known now) from one snapshot of the projection,
   * gzip-compressed, with the stream version it holds: what the worker stores (AnswerPrecomputer)
   * for the department list. Null when the stream is not projected.
   */
  async precomputeSummary(department: string, year: number): Promise<Precomputed | null> {
    const projected = await this.projectedSummary(department, year, DEFAULT_FRAMEWORK, 0);
    return projected && precomputed('summary', projected.summary, projected.token);
  }

  /**
   * Total and grade from the projection, without the per-line event ids (the scores do not depend
   * on them), with the read-model row's token; null when the projection has not applied the stream
   * up to `stored`.
   */
  private async projectedSummary(
    department: string,
    year: number,
    framework: FrameworkDef,
    stored: number,
  ): Promise<{ summary: EvaluationSummary; token: string } | null> {
    const inputs = await this.execution.loadEvaluationInputs(streamId(department, year), false);
    if (!inputs || inputs.head.version < stored) return null;
    const stream = streamId(department, year);
    const e = evaluate({
      framework,
      facts: inputs.facts,
      state: fromEvaluationDoc(inputs.head.evaluation),
      closed: required(inputs.head.meta, `${stream}'s YearOpened`).closedOn !== null,
      asOf: dueAsOf(null, required(inputs.head.knownThrough, `${stream}'s last known date`)),
    });
    const summary: EvaluationSummary = {
      department,
      year,
      status: e.status,
      total: fixed2(e.total),
      exact: e.total.toFixed(),
      range: rangeWire(e),
      grade: e.grade,
      grades: e.grades,
      missing: e.missing.length,
      notDue: e.notDue.length,
      framework: framework.name,
      eventsConsidered: inputs.head.version,
    };
    return { summary, token: inputs.token };
  }

  /** The report from the projection, or null when the projection has not applied the whole stream. */
  private async fromProjection(
    department: string,
    year: number,
    framework: FrameworkDef,
    stored: number,
  ): Promise<EvaluationReport | null> {
    return (await this.projectedReport(department, year, framework, stored))?.report ?? null;
  }

  /** The report from the projection with the read-model row's token; null as fromProjection. */
  private async projectedReport(
    department: string,
    year: number,
    framework: FrameworkDef,
    stored: number,
  ): Promise<{ report: EvaluationReport; token: string } | null> {
    const stream = streamId(department, year);
    const inputs = await this.execution.loadEvaluationInputs(stream, true);
    if (!inputs || inputs.head.version < stored) return null;
    const ids = await this.feed.eventIdsAt(sourcePositions(inputs.sources));
    const lineEvents = lineEventsFromSources(inputs.sources, (position) => {
      const id = ids.get(position);
      if (id === undefined) throw new Error(`stream ${stream}: no event at position ${position}`);
      return id;
    });
    const { head, facts } = inputs;
    const report = scoredReport({
      department,
      year,
      facts,
      state: fromEvaluationDoc(head.evaluation, lineEvents),
      framework,
      knownOn: null,
      asOf: required(head.knownThrough, `${stream}'s last known date`),
      eventsConsidered: head.version,
      closed: required(head.meta, `${stream}'s YearOpened`).closedOn !== null,
    });
    return { report, token: inputs.token };
  }
}

function summaryOf(r: EvaluationReport): EvaluationSummary {
  return {
    department: r.department,
    year: r.year,
    status: r.status,
    total: r.total.score,
    exact: r.total.exact,
    range: r.range,
    grade: r.grade,
    grades: r.grades,
    missing: r.missing.length,
    notDue: r.notDue.length,
    framework: r.framework.name,
    eventsConsidered: r.eventsConsidered,
  };
}

/** How a precomputed report's parameters are keyed (exec_answers.params): the framework, as known now. */
const paramsKey = (framework: FrameworkDef) => JSON.stringify([null, framework.id]);

/** A default report or summary as stored, for the stream version it holds. */
function precomputed(
  kind: 'evaluation' | 'summary',
  value: EvaluationReport | EvaluationSummary,
  token: string,
): Precomputed {
  return {
    answers: [
      storedAnswer(
        streamId(value.department, value.year),
        kind,
        paramsKey(DEFAULT_FRAMEWORK),
        value.eventsConsidered,
        value,
      ),
    ],
    token,
  };
}
