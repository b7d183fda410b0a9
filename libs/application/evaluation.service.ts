/**
 * The year-end self-evaluation of one department-year, replayed from its stream (optionally only
 * the events known on a date) and scored with a framework: final once YearClosed is in the
 * stream, else a running forecast from the figures so far.
 */
import { DEFAULT_FRAMEWORK, FRAMEWORKS, type FrameworkDef } from '../domain/evaluation/framework.js';
import { streamId, type StoredEvent } from '../domain/events.js';
import type { EventsRepository } from '../persistence/events.repository.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { evaluationReport, type EvaluationReport } from './evaluation.wire.js';

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

export class EvaluationService {
  constructor(
    private readonly events: EventsRepository,
    private readonly pageSize = 1000,
  ) {}

  /** Every event of the stream, page by page, in stream order. */
  async streamEvents(department: string, year: number): Promise<StoredEvent[]> {
    const stream = streamId(department, year);
    const out: StoredEvent[] = [];
    for (let from = 1; ; ) {
      const page = await this.events.page(stream, from, this.pageSize);
      out.push(...page);
      if (page.length < this.pageSize) return out;
      from = page[page.length - 1]!.version + 1;
    }
  }

  async evaluation(department: string, year: number, p: EvaluationParams = {}): Promise<EvaluationReport> {
    const framework = frameworkById(p.framework);
    const knownOn = p.knownOn ?? null;
    const all = await this.streamEvents(department, year);
    const events = knownOn ? all.filter((e) => e.occurredOn <= knownOn) : all;
    if (!events.some((e) => e.type === 'YearOpened')) {
      const when = knownOn && all.length ? ` as known on ${knownOn} (the year was opened later)` : '';
      throw new NotFoundError(`no opened year ${year} for department "${department}"${when}: ingest its YearOpened first`);
    }
    return evaluationReport({ department, year, events, framework, knownOn });
  }
}
