/**
 * city: a whole city on one PostgreSQL database, the way a finance bureau would run it (the issue's
 * scale is 1,000 departments × 20 units, ~10 million spending events: --departments 1000 --lines 42).
 * Every step on the same database, in order:
 *   1. ingest    `clients` HTTP clients post NDJSON batches to the API (its projector off) while the
 *                real worker process projects (woken by notifications) and precomputes answers;
 *                ingest rate, per-batch latency, the time from the last batch until the projection
 *                held every event, then until the worker had stored every department's answers;
 *                then GET /api/v1/departments (the department list) right after the load,
 *                65 s later, once the API has computed the list's parts in the background, and
 *                from a second API process started then (nothing computed yet)
 *   2. query     GET …/execution and GET …/evaluation at `rate` req/s, departments in rotation,
 *                asking for gzip as browsers do: a first pass (the API's answer caches empty) and a
 *                second one (steady state); execution once more asking for plain JSON
 *   3. rebuild   ExecutionProjector.rebuild() of the whole log (two snapshot readers), which empties
 *                the precomputed answers; then the time until the worker has stored them again
 *   4. scoring   the year-end evaluation summary of every department from the projection (4 at a time)
 */
import { EvaluationService } from '#application/evaluation/evaluation.service.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { mapLimit } from '#application/common/map-limit.js';
import { openDatabase } from '#persistence/db.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { startApi, type ApiProcess } from '../api-process.js';
import {
  cpuMark,
  cpuNote,
  cpuSince,
  generateOptions,
  latencyStats,
  log,
  now,
  row,
  type BenchOptions,
  type ResultRow,
} from '../common.js';
import { answerCoverage, waitForAnswers, type AnswerCoverage } from '../answers.js';
import { createBenchDatabase } from '../db.js';
import { countEvents, ndjsonBodies, splitDepartments } from '../generate.js';
import { getJson, postPrepared } from '../http.js';
import { startWorker, type WorkerProcess } from '../worker-process.js';
import { load, passNotes } from './query.js';

/**
 * Waits until the worker has stored every department's execution answer and standing, evaluation
 * summary and evaluation report (at most 15 min), polling GET /api/v1/projections: the row's seconds run from `since`.
 */
async function answersStored(
  api: ApiProcess,
  worker: WorkerProcess,
  o: BenchOptions,
  events: number,
  label: string,
  since: number,
  atLastBatch: AnswerCoverage | null,
): Promise<ResultRow> {
  const cpu0 = worker.cpuSeconds();
  const mark = cpuMark();
  const { coverage: last, complete, seconds } = await waitForAnswers(api.base, since);
  const cpu = cpuSince(mark);
  const workerCpu = worker.cpuSeconds() - cpu0;
  log(
    `  answers stored ${label}: ${last.execution}/${last.streams} execution, ${last.standing}/${last.streams} standing, ${last.summary}/${last.streams} summary, ${last.evaluation}/${last.streams} evaluation, ${seconds.toFixed(1)} s`,
  );
  return row({
    scenario: 'city',
    variant: `precomputed answers stored, ${label}`,
    backend: o.backend,
    events,
    seconds,
    eventsPerSec: null,
    notes: `${complete ? 'every' : 'NOT every'} department: execution ${last.execution}/${last.streams}, standing ${last.standing}/${last.streams}, summary ${last.summary}/${last.streams}, evaluation ${last.evaluation}/${last.streams}${atLastBatch ? ` (${atLastBatch.execution}, ${atLastBatch.summary} and ${atLastBatch.evaluation} stored at the last batch)` : ''}; seconds from ${atLastBatch ? 'the end of catch-up' : 'the end of the rebuild'}; worker CPU ${Math.round((100 * workerCpu) / Math.max(cpu.wall, 1e-9))}%, ${cpuNote(cpu, workerCpu, 'bench')}`,
    extra: { workerCpuSeconds: workerCpu, complete: complete ? 1 : 0 },
  });
}

export async function city(o: BenchOptions): Promise<ResultRow[]> {
  if (o.backend !== 'postgres')
    return [
      row({
        scenario: 'city',
        variant: 'n/a',
        backend: o.backend,
        events: 0,
        seconds: 0,
        eventsPerSec: null,
        notes: 'not run: the city runs on PostgreSQL (API and worker processes)',
      }),
    ];
  const db = await createBenchDatabase(o, 'city');
  let api: ApiProcess | undefined;
  let worker: WorkerProcess | undefined;
  const out: ResultRow[] = [];
  const shape = `${o.departments} depts × ${o.units} × ${o.lines}`;
  try {
    // 1. Ingest with the worker projecting.
    api = await startApi(db, { projector: false });
    worker = await startWorker(db.url!);
    const expected = countEvents(generateOptions(o));
    const ranges = splitDepartments(o.departments, o.clients);
    log(
      `city: generating ${expected} events (${shape}) as request bodies for ${ranges.length} clients, batches of ${o.batch}`,
    );
    const bodies = await Promise.all(ranges.map((range) => ndjsonBodies(generateOptions(o, range), o.batch)));
    log(`city: ingesting ${expected} events (${shape}) with ${ranges.length} clients, batches of ${o.batch}`);
    const apiCpu0 = (await api.stats()).cpuSeconds;
    const workerCpu0 = worker.cpuSeconds();
    let mark = cpuMark();
    let started = now();
    const posted = await postPrepared(api.base, bodies, started, {
      everyMs: 30_000,
      call: (accepted, ms) => log(`  ${accepted}/${expected} events (${Math.round(accepted / (ms / 1000))}/s)`),
    });
    const { accepted, latencies, lastBatch } = posted;
    const tenMillion = posted.reachedAt(10_000_000);
    const atLastBatch = await answerCoverage(api.base);
    let behindAtLast: number | null = null;
    let firstPollMs: number | null = null;
    for (;;) {
      const pollStart = now();
      const p = await getJson<{ projections: { behind: number }[] }>(api.base, '/api/v1/projections');
      firstPollMs ??= now() - pollStart;
      behindAtLast ??= p.projections.reduce((n, x) => n + x.behind, 0);
      if (p.projections.every((x) => x.behind === 0)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const caughtUp = now();
    let cpu = cpuSince(mark);
    const apiAfter = await api.stats();
    const apiCpu = apiAfter.cpuSeconds - apiCpu0;
    const workerCpu = worker.cpuSeconds() - workerCpu0;
    if (accepted !== expected) throw new Error(`accepted ${accepted} events, expected ${expected}`);
    const ingestSeconds = (lastBatch - started) / 1000;
    const pct = (x: number) => `${Math.round((100 * x) / cpu.wall)}%`;
    const { p50, p99 } = latencyStats(latencies);
    out.push(
      row({
        scenario: 'city',
        variant: `ingest, ${ranges.length} HTTP clients × ${o.batch}, projector in the worker`,
        backend: o.backend,
        events: accepted,
        seconds: ingestSeconds,
        p50,
        p99,
        catchUp: (caughtUp - lastBatch) / 1000,
        notes: `${shape}; API CPU ${pct(apiCpu)}, worker CPU ${pct(workerCpu)}, ${cpuNote(cpu, apiCpu + workerCpu, 'clients')}; ${behindAtLast} events behind at the last batch (first status poll ${firstPollMs === null ? '—' : Math.round(firstPollMs)} ms); API GC pauses: longest ${Math.round(apiAfter.gcMaxPauseMs)} ms, ${(apiAfter.gcTotalPauseMs / 1000).toFixed(1)} s in all; ${(ingestSeconds / 60).toFixed(1)} min for ${accepted.toLocaleString('en-US')} events${tenMillion === null ? '' : `, the first 10,000,000 in ${(tenMillion / 1000).toFixed(0)} s`}`,
        extra: {
          apiCpuSeconds: apiCpu,
          workerCpuSeconds: workerCpu,
          pgCpuSeconds: cpu.pgCpu,
          clientCpuSeconds: cpu.nodeCpu,
          ...(tenMillion === null ? {} : { tenMillionSeconds: tenMillion / 1000 }),
        },
      }),
    );
    log(
      `  ingested in ${ingestSeconds.toFixed(0)} s (${Math.round(accepted / ingestSeconds)}/s), caught up ${((caughtUp - lastBatch) / 1000).toFixed(2)} s later`,
    );
    out.push(await answersStored(api, worker, o, accepted, 'after the load', caughtUp, atLastBatch));

    // The department list (the finance bureau's home page) right after the load, then once the
    // API's background computation (OVERVIEW_WARM_MS, 30 s) has seen every department-year settle.
    for (const [label, waitMs] of [
      ['right after the load', 0],
      ['65 s later (computed in the background)', 65_000],
    ] as const) {
      await new Promise((r) => setTimeout(r, waitMs));
      const t = now();
      const list = await getJson<{ departments: unknown[] }>(api.base, '/api/v1/departments');
      const seconds = (now() - t) / 1000;
      out.push(
        row({
          scenario: 'city',
          variant: `department list, ${label}`,
          backend: o.backend,
          events: accepted,
          seconds,
          eventsPerSec: null,
          notes: `GET /api/v1/departments: ${list.departments.length} department-years`,
        }),
      );
      log(`  department list ${label}: ${seconds.toFixed(2)} s`);
    }
    // The department list from an API process started after the load (a deploy, a second
    // instance): nothing computed yet, every row from the stored answers.
    const fresh = await startApi(db, { projector: false });
    try {
      const cpu0 = (await fresh.stats()).cpuSeconds;
      const t = now();
      const list = await getJson<{ departments: unknown[] }>(fresh.base, '/api/v1/departments');
      const seconds = (now() - t) / 1000;
      const freshCpu = (await fresh.stats()).cpuSeconds - cpu0;
      out.push(
        row({
          scenario: 'city',
          variant: 'department list, a freshly started API',
          backend: o.backend,
          events: accepted,
          seconds,
          eventsPerSec: null,
          notes: `GET /api/v1/departments: ${list.departments.length} department-years; that API's CPU ${freshCpu.toFixed(2)} s`,
        }),
      );
      log(`  department list from a freshly started API: ${seconds.toFixed(2)} s`);
    } finally {
      await fresh.stop();
    }

    // 2.–4. Queries, rebuild (in this process) and scoring.
    const handle = await openDatabase({ url: db.url, poolSize: 4 });
    try {
      const feed = new ProjectionFeedRepository(handle.db);
      const execution = new ExecutionRepository(handle.db);
      // 2. Queries against the API (its answer caches are empty; the worker has stored every department's answers).
      const passes = [
        ['execution', 'first pass', 'gzip'],
        ['execution', 'second pass', 'gzip'],
        ['health', 'the floor', 'gzip'],
        ['execution', 'no gzip', 'identity'],
        ['evaluation', 'first pass', 'gzip'],
        ['evaluation', 'second pass', 'gzip'],
      ] as const;
      for (const [endpoint, pass, encoding] of passes) {
        const before = await api.stats();
        mark = cpuMark();
        const res = await load(api.base, o, endpoint, o.rate, o.duration, encoding);
        const spent = cpuSince(mark);
        const after = await api.stats();
        out.push(
          row({
            scenario: 'city',
            variant: `${endpoint === 'health' ? '/health/live' : endpoint} @ ${o.rate} rps, ${pass}`,
            backend: o.backend,
            events: accepted,
            seconds: res.duration,
            eventsPerSec: null,
            p50: res.latency.p50,
            p99: res.latency.p99,
            rssMB: after.maxRssMB,
            notes: passNotes(res, before, after, spent),
          }),
        );
        log(`  ${endpoint} ${pass}: p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms`);
      }

      // 3. Rebuild, in this process.
      mark = cpuMark();
      started = now();
      const rebuilt = await new ExecutionProjector(feed, execution, { rebuildReaders: 2 }).rebuild();
      cpu = cpuSince(mark);
      out.push(
        row({
          scenario: 'city',
          variant: 'rebuild (2 snapshot readers)',
          backend: o.backend,
          events: rebuilt,
          seconds: cpu.wall,
          notes: `${shape}; ${cpuNote(cpu)}`,
        }),
      );
      log(`  rebuilt ${rebuilt} events in ${cpu.wall.toFixed(1)} s`);
      // The rebuild emptied the precomputed answers: the worker stores them again.
      out.push(await answersStored(api, worker, o, accepted, 'after the rebuild', now(), null));

      // 4. Year-end scoring of every department from the projection.
      const events = new EventsRepository(handle.db);
      const service = new EvaluationService(events, execution, feed);
      const streams = await events.listStreams();
      mark = cpuMark();
      started = now();
      const grades = new Map<string, number>();
      await mapLimit(streams, 4, async (s) => {
        const r = await service.summary(s.department, s.year);
        const g = r.grade ?? `未定（${r.grades.join('—')}）`;
        grades.set(g, (grades.get(g) ?? 0) + 1);
      });
      cpu = cpuSince(mark);
      out.push(
        row({
          scenario: 'city',
          variant: `scoring ${streams.length} depts (projection)`,
          backend: o.backend,
          events: accepted,
          seconds: cpu.wall,
          eventsPerSec: null,
          notes: `${((cpu.wall / streams.length) * 1000).toFixed(1)} ms/dept; grades ${[...grades].map(([g, n]) => `${g} ${n}`).join(', ')}; ${cpuNote(cpu)}`,
        }),
      );
      log(`  scored ${streams.length} departments in ${cpu.wall.toFixed(1)} s`);
    } finally {
      await handle.close();
    }
    return out;
  } finally {
    await worker?.stop().catch(() => undefined);
    await api?.stop().catch(() => undefined);
    await db.drop();
  }
}
