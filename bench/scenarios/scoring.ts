/**
 * (g) scoring: the year-end self-evaluation of every department.
 *   projection        EvaluationService.summary for every department-year: the scores from the
 *                     execution projection (facts and evaluation inputs, no per-line event ids),
 *                     4 at a time as the dashboard's department list does; the projection is built
 *                     first (ExecutionProjector.rebuild, its time shown in the notes)
 *   full report       EvaluationService.evaluation (the scoring table with every source id) for
 *                     the first 20 departments, from the projection
 *   replay            reading every event of the stream and folding it (factsFromEvents +
 *                     evaluationStateFromEvents) before evaluate: what "as known on" a date costs
 *   city dept         one department at city scale (U units × --city-lines lines, ~10k spending
 *                     events) folded and evaluated in memory (no database)
 * Every variant's total and grade are checked equal for the departments they share.
 */
import { EvaluationService, type EvaluationSummary } from '#application/evaluation/evaluation.service.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { mapLimit } from '#application/common/map-limit.js';
import { occurredOnDate } from '#domain/dates.js';
import { fixed2 } from '#domain/decimal.js';
import { evaluate } from '#domain/evaluation/evaluate.js';
import { evaluationStateFromEvents } from '#domain/evaluation/evaluation-state.js';
import { DEFAULT_FRAMEWORK } from '#domain/evaluation/framework.js';
import { factsFromEvents, type DatedEvent } from '#domain/execution/facts.js';
import type { StoredEvent } from '#domain/events.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { cpuMark, cpuNote, cpuSince, log, now, row, type BenchOptions, type ResultRow } from '../common.js';
import { createBenchDatabase, openPaceline } from '../db.js';
import { eventsPerDepartment, generateEvents } from '../generate.js';
import { seed } from '../seed.js';

async function readAllOf(repo: EventsRepository, stream: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let from = 1; ;) {
    const page = await repo.page(stream, from, 5000);
    for (const e of page) out.push(e);
    if (page.length < 5000) return out;
    from = page[page.length - 1]!.version + 1;
  }
}

export async function scoring(o: BenchOptions): Promise<ResultRow[]> {
  const db = await createBenchDatabase(o, 'scoring');
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openPaceline(db);
    log(`scoring ${o.backend}: seeding`);
    await seed(handle, o);
    const events = new EventsRepository(handle.db);
    const execution = new ExecutionRepository(handle.db);
    const feed = new ProjectionFeedRepository(handle.db);
    const service = new EvaluationService(events, execution, feed);
    let t = now();
    const projected = await new ExecutionProjector(feed, execution, {
      rebuildReaders: o.backend === 'postgres' ? 2 : 0,
    }).rebuild();
    const rebuildSeconds = (now() - t) / 1000;
    const streams = await events.listStreams();
    const out: ResultRow[] = [];

    // From the projection: every department.
    let mark = cpuMark();
    t = now();
    const summaries = await mapLimit(streams, 4, (s) => service.summary(s.department, s.year));
    let wall = (now() - t) / 1000;
    const perDept = wall / streams.length;
    out.push(
      row({
        scenario: 'scoring',
        variant: `projection, ${streams.length} depts`,
        backend: o.backend,
        events: projected,
        seconds: wall,
        notes: `${(perDept * 1000).toFixed(1)} ms/dept → ${(perDept * 1000).toFixed(1)} s per 1,000 such depts; ${cpuNote(cpuSince(mark))}; projection rebuilt before in ${rebuildSeconds.toFixed(1)} s`,
        extra: { departments: streams.length, secondsPerDepartment: perDept, rebuildSeconds },
      }),
    );

    // The full report (every source id) for up to 20 departments, from the projection.
    const some = streams.slice(0, 20);
    mark = cpuMark();
    t = now();
    const reports = await mapLimit(some, 4, (s) => service.evaluation(s.department, s.year));
    wall = (now() - t) / 1000;
    reports.forEach((r, i) => {
      if (r.total.score !== summaries[i]!.total || r.grade !== summaries[i]!.grade)
        throw new Error(`${some[i]!.stream}: the full report and the summary differ`);
    });
    out.push(
      row({
        scenario: 'scoring',
        variant: `full report from the projection, ${some.length} depts`,
        backend: o.backend,
        events: reports.reduce((n, r) => n + r.eventsConsidered, 0),
        seconds: wall,
        notes: `${((wall / some.length) * 1000).toFixed(1)} ms/dept incl. ${reports.reduce((n, r) => n + r.criteria.reduce((m, c) => m + c.sources.length + (c.items ?? []).reduce((k, x) => k + x.sources.length, 0), 0), 0) / some.length} source ids per dept; ${cpuNote(cpuSince(mark))}`,
      }),
    );

    // Replaying the log (what "as known on" costs), same departments.
    mark = cpuMark();
    t = now();
    let replayed = 0;
    for (const [i, s] of some.entries()) {
      const list = await readAllOf(events, s.stream);
      replayed += list.length;
      const e = evaluate({
        framework: DEFAULT_FRAMEWORK,
        facts: factsFromEvents(list),
        state: evaluationStateFromEvents(list),
      });
      const summary = summaries[i] as EvaluationSummary;
      if (fixed2(e.total) !== summary.total || e.grade !== summary.grade)
        throw new Error(
          `${s.stream}: replay ${fixed2(e.total)} ${e.grade}, projection ${summary.total} ${summary.grade}`,
        );
    }
    wall = (now() - t) / 1000;
    out.push(
      row({
        scenario: 'scoring',
        variant: `replay (read + fold + evaluate), ${some.length} depts`,
        backend: o.backend,
        events: replayed,
        seconds: wall,
        notes: `${((wall / some.length) * 1000).toFixed(1)} ms/dept; ${cpuNote(cpuSince(mark))}`,
      }),
    );

    // One city-scale department, in memory.
    log(`scoring: one city-scale department (${o.units}×${o.cityLines})`);
    const city: DatedEvent[] = [];
    for (const e of generateEvents({ departments: 1, units: o.units, lines: o.cityLines, seed: o.seed }))
      city.push({ ...(e as unknown as DatedEvent), occurredOn: occurredOnDate(e.occurredAt)! });
    t = now();
    const facts = factsFromEvents(city);
    const t1 = now();
    const state = evaluationStateFromEvents(city);
    const t2 = now();
    evaluate({ framework: DEFAULT_FRAMEWORK, facts, state });
    const t3 = now();
    out.push(
      row({
        scenario: 'scoring',
        variant: `1 city dept ${o.units}×${o.cityLines} in memory`,
        backend: o.backend,
        events: city.length,
        seconds: (t3 - t) / 1000,
        notes: `facts ${(t1 - t).toFixed(0)} ms, evaluation state ${(t2 - t1).toFixed(0)} ms, evaluate ${(t3 - t2).toFixed(0)} ms (no database)`,
        extra: { eventsPerDepartment: eventsPerDepartment({ units: o.units, lines: o.cityLines }) },
      }),
    );
    return out;
  } finally {
    await handle?.close();
    await db.drop();
  }
}
