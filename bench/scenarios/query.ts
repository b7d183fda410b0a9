/**
 * (f) query: the real API in its own process, filled through its IngestService and projector
 * (not timed), then autocannon from this process:
 *   execution @ R rps   GET /api/v1/departments/{d}/years/{y}/execution, departments in rotation,
 *                       fixed rate R for D seconds (latencies corrected for coordinated omission),
 *                       twice: a first pass from an empty answer cache, then the steady state
 *   execution max       as many requests as 10 connections get answered in min(D, 5) s (capacity)
 *   evaluation @ R rps  GET …/evaluation, only when the route exists (a 404 "Cannot GET" means it does not)
 */
import autocannon from 'autocannon';
import { executionWire } from '#application/execution/execution.wire.js';
import { occurredOnDate } from '#domain/dates.js';
import { executionReport } from '#domain/execution/execution.js';
import { factsFromEvents, type DatedEvent } from '#domain/execution/facts.js';
import { startApi, type ApiProcess, type ApiStats } from '../api-process.js';
import { generateOptions, log, row, type BenchOptions, type ResultRow } from '../common.js';
import { waitForAnswers } from '../answers.js';
import { createBenchDatabase } from '../db.js';
import { departmentSlug, DEFAULT_YEAR, generateEvents } from '../generate.js';
import { cpuMark, cpuNote, cpuSince, latencyStats, now, type CpuSpent } from '../common.js';
import { request } from '../http.js';

/** A load pass's notes: rate achieved, failures, the API's CPU, its GC pauses and event-loop delay in the pass. */
export function passNotes(
  res: Awaited<ReturnType<typeof autocannon>>,
  before: ApiStats,
  after: ApiStats,
  spent: CpuSpent,
): string {
  const apiCpu = after.cpuSeconds - before.cpuSeconds;
  const bad = res.non2xx + res.errors + res.timeouts;
  return `${Math.round(res.requests.total / res.duration)} req/s achieved, ${res.requests.total} requests, ${bad} failed; max ${res.latency.max} ms; API CPU ${Math.round((100 * apiCpu) / res.duration)}%, ${cpuNote(spent, apiCpu, 'autocannon')}; API GC pauses: longest ${Math.round(after.gcRecentMaxPauseMs)} ms, ${Math.round(after.gcTotalPauseMs - before.gcTotalPauseMs)} ms in all; API event-loop delay p99 ${Math.round(after.loopDelayP99Ms)} ms, max ${Math.round(after.loopDelayMaxMs)} ms`;
}

/**
 * autocannon on one endpoint of every department in rotation, at a fixed rate (or as fast as it
 * can); 'health' is `GET /health/live` (no database, no answer: the floor this machine gives any
 * request at that rate). `encoding` 'gzip' sends `Accept-Encoding: gzip` as browsers and most
 * HTTP clients do (large answers then come compressed); 'identity' asks for plain JSON.
 */
export async function load(
  base: string,
  o: Pick<BenchOptions, 'departments'>,
  endpoint: 'execution' | 'evaluation' | 'health',
  rate: number | undefined,
  duration: number,
  encoding: 'gzip' | 'identity' = 'gzip',
) {
  let i = 0;
  const nextPath =
    endpoint === 'health'
      ? () => '/health/live'
      : () => `/api/v1/departments/${departmentSlug(i++ % o.departments)}/years/${DEFAULT_YEAR}/${endpoint}`;
  return autocannon({
    url: base,
    connections: 10,
    duration,
    ...(rate ? { overallRate: rate } : {}),
    headers: { 'accept-encoding': encoding },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath() }) }],
  });
}

/**
 * The request's CPU without HTTP and database: executionReport + executionWire + JSON.stringify
 * on facts folded in memory, per department, for the run's size and for one city-scale department.
 */
function computeOnly(o: BenchOptions, lines: number, departments: number, label: string): ResultRow {
  const samples: number[] = [];
  let events = 0;
  for (let d = 0; d < departments; d++) {
    const evs: DatedEvent[] = [];
    for (const e of generateEvents({ departments: d + 1, from: d, to: d + 1, units: o.units, lines, seed: o.seed })) {
      evs.push({ ...(e as unknown as DatedEvent), occurredOn: occurredOnDate(e.occurredAt)! });
    }
    events += evs.length;
    const facts = factsFromEvents(evs);
    if (d === 0)
      for (let i = 0; i < 30; i++)
        executionReport(facts, { asOf: `${DEFAULT_YEAR}-12-31`, knownOn: null, source: 'fiscal' }); // JIT warm-up
    for (let i = 0; i < 20; i++) {
      const t = now();
      JSON.stringify(
        executionWire(executionReport(facts, { asOf: `${DEFAULT_YEAR}-12-31`, knownOn: null, source: 'fiscal' })),
      );
      samples.push(now() - t);
    }
  }
  const { p50, p99 } = latencyStats(samples);
  return row({
    scenario: 'query',
    variant: `execution compute only, ${label}`,
    backend: o.backend,
    events,
    seconds: samples.reduce((a, b) => a + b, 0) / 1000,
    eventsPerSec: null,
    p50,
    p99,
    notes: `executionReport + executionWire + JSON.stringify in this process (no HTTP, no database), ${samples.length} calls; ${Math.round(1000 / p50!)} req/s per core at p50`,
  });
}

export async function query(o: BenchOptions): Promise<ResultRow[]> {
  const db = await createBenchDatabase(o, 'query');
  let running: ApiProcess | undefined;
  try {
    const api = (running = await startApi(db));
    log(`query ${o.backend}: seeding through the API process`);
    const seeded = await api.seed(generateOptions(o), Math.max(o.batch, 1000));
    log(
      `  seeded ${seeded.accepted} events in ${seeded.ingestSeconds.toFixed(1)} s, projection caught up ${seeded.catchUpSeconds.toFixed(1)} s later`,
    );
    const probe = await request(
      api.base,
      'GET',
      `/api/v1/departments/${departmentSlug(0)}/years/${DEFAULT_YEAR}/execution`,
    );
    if (probe.status !== 200)
      throw new Error(`execution endpoint answered ${probe.status}: ${probe.body.slice(0, 300)}`);
    const evalProbe = await request(
      api.base,
      'GET',
      `/api/v1/departments/${departmentSlug(0)}/years/${DEFAULT_YEAR}/evaluation`,
    );
    const evaluationMissing = evalProbe.status === 404 && /Cannot GET/i.test(evalProbe.body);

    const out: ResultRow[] = [];
    // The API process runs the projector, so it also stores each department's answers once its
    // stream settles (AnswerPrecomputer, PRECOMPUTE_MS): the passes start once every one is stored.
    const stored = await waitForAnswers(api.base, now());
    out.push(
      row({
        scenario: 'query',
        variant: 'precomputed answers stored',
        backend: o.backend,
        events: seeded.accepted,
        seconds: stored.seconds,
        eventsPerSec: null,
        notes: `${stored.complete ? 'every' : 'NOT every'} department: execution ${stored.coverage.execution}/${stored.coverage.streams}, standing ${stored.coverage.standing}/${stored.coverage.streams}, summary ${stored.coverage.summary}/${stored.coverage.streams}, evaluation ${stored.coverage.evaluation}/${stored.coverage.streams}; seconds after the catch-up (passes every PRECOMPUTE_MS, a department once unchanged for one pass)`,
      }),
    );
    log(`  answers stored ${stored.seconds.toFixed(1)} s after the catch-up`);
    // Each endpoint twice at the fixed rate, asking for gzip as browsers do: the first pass starts
    // with the API's answer cache empty (every department's first request reads its stored answer),
    // the second one is the steady state; then execution once more asking for plain JSON.
    const runs: {
      label: string;
      endpoint: 'execution' | 'evaluation' | 'health';
      rate?: number;
      duration: number;
      encoding?: 'identity';
    }[] = [
      { label: `execution @ ${o.rate} rps, first pass`, endpoint: 'execution', rate: o.rate, duration: o.duration },
      { label: `execution @ ${o.rate} rps, second pass`, endpoint: 'execution', rate: o.rate, duration: o.duration },
      { label: `/health/live @ ${o.rate} rps (the floor)`, endpoint: 'health', rate: o.rate, duration: o.duration },
      {
        label: `execution @ ${o.rate} rps, no gzip`,
        endpoint: 'execution',
        rate: o.rate,
        duration: o.duration,
        encoding: 'identity',
      },
      { label: 'execution max', endpoint: 'execution', duration: Math.min(o.duration, 5) },
    ];
    if (!evaluationMissing) {
      runs.push({
        label: `evaluation @ ${o.rate} rps, first pass`,
        endpoint: 'evaluation',
        rate: o.rate,
        duration: o.duration,
      });
      runs.push({
        label: `evaluation @ ${o.rate} rps, second pass`,
        endpoint: 'evaluation',
        rate: o.rate,
        duration: o.duration,
      });
    }
    for (const r of runs) {
      log(`  ${r.label} for ${r.duration} s`);
      const before = await api.stats();
      const mark = cpuMark();
      const res = await load(api.base, o, r.endpoint, r.rate, r.duration, r.encoding);
      const spent = cpuSince(mark);
      const after = await api.stats();
      const rps = res.requests.total / res.duration;
      const bad = res.non2xx + res.errors + res.timeouts;
      out.push(
        row({
          scenario: 'query',
          variant: r.label,
          backend: o.backend,
          events: seeded.accepted,
          seconds: res.duration,
          eventsPerSec: null,
          p50: res.latency.p50,
          p99: res.latency.p99,
          rssMB: after.maxRssMB,
          notes: `${passNotes(res, before, after, spent)}; ${r.endpoint === 'health' ? 'no database, no answer' : `${o.departments} depts in rotation`}`,
          extra: { requestsPerSec: rps, failed: bad, apiCpuSeconds: after.cpuSeconds - before.cpuSeconds },
        }),
      );
    }
    if (evaluationMissing) {
      out.push(
        row({
          scenario: 'query',
          variant: 'evaluation',
          backend: o.backend,
          events: seeded.accepted,
          seconds: 0,
          eventsPerSec: null,
          notes:
            'not measured: GET …/evaluation answers 404 "Cannot GET" (the route does not exist yet); execution only',
        }),
      );
    }
    await api.stop();
    out.push(computeOnly(o, o.lines, Math.min(o.departments, 10), `${o.units}×${o.lines} per dept`));
    out.push(computeOnly(o, o.cityLines, 1, `1 city dept ${o.units}×${o.cityLines}`));
    return out;
  } finally {
    await running?.stop().catch(() => undefined);
    await db.drop();
  }
}
