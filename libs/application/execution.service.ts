/** Answers execution questions from the read model (no event replay on the request path). */
import { lastDayOfMonth } from '../domain/dates.js';
import { executionReport, quarterRates, type SourceFilter } from '../domain/execution/execution.js';
import type { ExecutionFacts } from '../domain/execution/facts.js';
import { streamId } from '../domain/events.js';
import type { ExecutionRepository } from '../persistence/execution.repository.js';
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

export class ExecutionService {
  constructor(private readonly repo: ExecutionRepository) {}

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

  async execution(department: string, year: number, p: ExecutionParams, today: string) {
    const facts = await this.facts(department, year);
    const asOf = p.asOf ?? this.defaultAsOf(year, today);
    return executionWire(executionReport(facts, { asOf, knownOn: p.knownOn ?? null, source: p.source ?? 'fiscal', runRateMonths: p.runRateMonths }));
  }

  /** One unit's view: its own figures and lines, without the department total or other units. */
  async unitExecution(department: string, year: number, unit: string, p: ExecutionParams, today: string) {
    const wire = await this.execution(department, year, p, today);
    return { ...wire, total: null, units: wire.units.filter((u) => u.unit === unit), lines: wire.lines.filter((l) => l.unit === unit) };
  }

  /** Quarter-end rates of the department, or with `unit` of that unit's lines only. */
  async quarters(department: string, year: number, p: ExecutionParams, unit: string | null = null) {
    const facts = await this.facts(department, year);
    const source = p.source ?? 'fiscal';
    const lines = unit === null ? undefined : facts.lines.filter((l) => l.unit === unit).map((l) => l.line);
    return { department, year, unit, source, knownOn: p.knownOn ?? null, quarters: quartersWire(quarterRates(facts, { source, knownOn: p.knownOn ?? null, lines })) };
  }
}
