/**
 * (g) scoring: year-end self-evaluation of every department: read the stream's events, fold
 * them (factsFromEvents + evaluationStateFromEvents) and evaluate({framework, facts, state}).
 *   library        the domain functions as they are
 *   linear fold    the same with bench/fast-fold.ts (mutable fold; checked identical first)
 *   city dept      one department at city scale (U units × --city-lines lines, ~10k spending events),
 *                  folded and evaluated in memory, library vs linear fold: the per-department cost
 *                  that 1,000 departments multiply
 */
import { DEFAULT_FRAMEWORK } from '../../libs/domain/evaluation/framework.js';
import { evaluate } from '../../libs/domain/evaluation/evaluate.js';
import { evaluationStateFromEvents, type EvaluationState } from '../../libs/domain/evaluation/evaluation-state.js';
import { factsFromEvents, type DatedEvent } from '../../libs/domain/execution/facts.js';
import { occurredOnDate } from '../../libs/domain/dates.js';
import type { StoredEvent } from '../../libs/domain/events.js';
import type { DatabaseHandle } from '../../libs/persistence/db.js';
import { EventsRepository } from '../../libs/persistence/events.repository.js';
import { cpuMark, cpuNote, cpuSince, log, now, row, type BenchOptions, type ResultRow } from '../common.js';
import { createBenchDatabase, openPaceline } from '../db.js';
import { evaluationStateLinear, stableJson } from '../fast-fold.js';
import { eventsPerDepartment, generateEvents } from '../generate.js';
import { seed } from '../seed.js';

type Fold = (events: DatedEvent[]) => EvaluationState;

async function readAllOf(repo: EventsRepository, stream: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let from = 1;
  for (;;) {
    const page = await repo.page(stream, from, 5000);
    out.push(...page);
    if (page.length < 5000) break;
    from = page[page.length - 1]!.version + 1;
  }
  return out;
}

async function scoreAll(handle: DatabaseHandle, fold: Fold, label: string, o: BenchOptions): Promise<ResultRow> {
  const repo = new EventsRepository(handle.db);
  const streams = await repo.listStreams();
  let readMs = 0;
  let foldMs = 0;
  let evalMs = 0;
  let events = 0;
  const mark = cpuMark();
  const started = now();
  for (const s of streams) {
    const t0 = now();
    const list = await readAllOf(repo, s.stream);
    const t1 = now();
    const facts = factsFromEvents(list);
    const state = fold(list);
    const t2 = now();
    const ev = evaluate({ framework: DEFAULT_FRAMEWORK, facts, state });
    if (!ev.grade) throw new Error(`no grade for ${s.stream}`);
    const t3 = now();
    readMs += t1 - t0;
    foldMs += t2 - t1;
    evalMs += t3 - t2;
    events += list.length;
  }
  const wall = (now() - started) / 1000;
  const cpu = cpuSince(mark);
  const pct = (ms: number) => `${Math.round((100 * ms) / (wall * 1000))}%`;
  const perDept = wall / Math.max(1, streams.length);
  return row({
    scenario: 'scoring',
    variant: `${label}, ${streams.length} depts`,
    backend: o.backend,
    events,
    seconds: wall,
    notes: `read ${pct(readMs)}, fold ${pct(foldMs)}, evaluate ${pct(evalMs)}; ${(perDept * 1000).toFixed(1)} ms/dept → ${Math.round(perDept * 1000)} s per 1,000 such depts; ${cpuNote(cpu)}`,
    extra: { departments: streams.length, readSeconds: readMs / 1000, foldSeconds: foldMs / 1000, evaluateSeconds: evalMs / 1000, secondsPerDepartment: perDept },
  });
}

/** One city-scale department generated in memory (no database): fold + evaluate. */
function cityDepartment(o: BenchOptions, fold: Fold, label: string): ResultRow {
  const gen = { departments: 1, units: o.units, lines: o.cityLines, seed: o.seed };
  const events: DatedEvent[] = [];
  for (const e of generateEvents(gen)) events.push({ ...(e as unknown as DatedEvent), occurredOn: occurredOnDate(e.occurredAt)! });
  const started = now();
  const facts = factsFromEvents(events);
  const t1 = now();
  const state = fold(events);
  const t2 = now();
  evaluate({ framework: DEFAULT_FRAMEWORK, facts, state });
  const t3 = now();
  const wall = (t3 - started) / 1000;
  return row({
    scenario: 'scoring',
    variant: `${label}, 1 city dept ${o.units}×${o.cityLines}`,
    backend: o.backend,
    events: events.length,
    seconds: wall,
    notes: `facts ${(t1 - started).toFixed(0)} ms, evaluation state ${(t2 - t1).toFixed(0)} ms, evaluate ${(t3 - t2).toFixed(0)} ms (in memory, no database) → ×1,000 depts ≈ ${Math.round(wall * 1000)} s`,
    extra: { eventsPerDepartment: eventsPerDepartment({ units: o.units, lines: o.cityLines }), foldSeconds: (t2 - t1) / 1000 },
  });
}

function checkSameResults(events: DatedEvent[]): void {
  const a = evaluationStateFromEvents(events);
  const b = evaluationStateLinear(events);
  if (stableJson(a) !== stableJson(b)) throw new Error('bench linear fold differs from evaluationStateFromEvents');
  const facts = factsFromEvents(events);
  const ea = evaluate({ framework: DEFAULT_FRAMEWORK, facts, state: a });
  const eb = evaluate({ framework: DEFAULT_FRAMEWORK, facts, state: b });
  if (stableJson(ea) !== stableJson(eb)) throw new Error('bench linear fold gives a different evaluation');
}

export async function scoring(o: BenchOptions): Promise<ResultRow[]> {
  const db = await createBenchDatabase(o, 'scoring');
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openPaceline(db);
    log(`scoring ${o.backend}: seeding`);
    await seed(handle, o);
    const repo = new EventsRepository(handle.db);
    const first = (await repo.listStreams())[0]!;
    checkSameResults(await readAllOf(repo, first.stream));
    const out: ResultRow[] = [];
    out.push(await scoreAll(handle, evaluationStateFromEvents, 'library', o));
    out.push(await scoreAll(handle, evaluationStateLinear, 'linear fold', o));
    log(`scoring: one city-scale department (${o.units}×${o.cityLines})`);
    out.push(cityDepartment(o, evaluationStateLinear, 'linear fold'));
    out.push(cityDepartment(o, evaluationStateFromEvents, 'library'));
    return out;
  } finally {
    await handle?.close();
    await db.drop();
  }
}
