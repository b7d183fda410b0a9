/**
 * (a) http-ingest: the real API in its own process; `clients` concurrent clients POST NDJSON
 * batches (each client owns a contiguous range of departments), then the time until the
 * projector has caught up is measured by polling GET /api/v1/projections until behind = 0. The
 * projector runs in the API process (--projector api), or in the real worker process next to an API
 * without one (--projector worker, PostgreSQL: the production setup).
 */
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
import { createBenchDatabase } from '../db.js';
import { countEvents, ndjsonBodies, splitDepartments } from '../generate.js';
import { getJson, postPrepared } from '../http.js';
import { startWorker, type WorkerProcess } from '../worker-process.js';

interface ProjectionsBody {
  projections: { name: string; behind: number; processed: number }[];
}

export async function httpIngest(o: BenchOptions): Promise<ResultRow[]> {
  const db = await createBenchDatabase(o, 'http');
  let running: ApiProcess | undefined;
  let worker: WorkerProcess | undefined;
  try {
    if (o.projector === 'worker' && !db.url)
      throw new Error('--projector worker needs PostgreSQL (PGlite is one process)');
    const api = (running = await startApi(db, { projector: o.projector === 'api' }));
    if (o.projector === 'worker') worker = await startWorker(db.url!);
    const workerCpu0 = worker?.cpuSeconds() ?? 0;
    const expected = countEvents(generateOptions(o));
    const ranges = splitDepartments(o.departments, o.clients);
    log(`http-ingest ${o.backend}: ${expected} events, ${ranges.length} clients, batches of ${o.batch}`);
    const bodies = await Promise.all(ranges.map((range) => ndjsonBodies(generateOptions(o, range), o.batch)));
    const before = await api.stats();
    const mark = cpuMark();
    const started = now();
    const { accepted, latencies, lastBatch } = await postPrepared(api.base, bodies, started, {
      everyMs: 10_000,
      call: (sent, ms) => log(`  ${sent}/${expected} events sent (${Math.round(sent / (ms / 1000))}/s)`),
    });
    let polls = 0;
    let behindAtLast = 0;
    const pollMs: number[] = [];
    while (o.projector !== 'off') {
      const t = now();
      const p = await getJson<ProjectionsBody>(api.base, '/api/v1/projections');
      pollMs.push(now() - t);
      if (polls === 0) behindAtLast = p.projections.reduce((n, x) => n + x.behind, 0);
      polls++;
      if (p.projections.every((x) => x.behind === 0)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const caughtUp = now();
    const total = cpuSince(mark);
    // The same status call a few more times once caught up: its own latency, apart from the catch-up.
    const laterPollMs: number[] = [];
    for (let i = 0; i < 5 && o.projector !== 'off'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const t = now();
      await getJson<ProjectionsBody>(api.base, '/api/v1/projections');
      laterPollMs.push(now() - t);
    }
    const workerCpu = (worker?.cpuSeconds() ?? 0) - workerCpu0;
    await worker?.stop();
    worker = undefined;
    const after = await api.stop();
    if (accepted !== expected) throw new Error(`accepted ${accepted} events, expected ${expected}`);
    const ingestSeconds = (lastBatch - started) / 1000;
    const serverCpu = after.cpuSeconds - before.cpuSeconds;
    const { p50, p99 } = latencyStats(latencies);
    const pct = (x: number, wall: number) => `${Math.round((100 * x) / wall)}%`;
    return [
      row({
        scenario: 'http-ingest',
        variant: `${ranges.length} clients × ${o.batch}/batch, ${o.projector === 'api' ? 'projector in the API' : o.projector === 'worker' ? 'projector in the worker' : 'no projector'}`,
        backend: o.backend,
        events: accepted,
        seconds: ingestSeconds,
        p50,
        p99,
        catchUp: o.projector !== 'off' ? (caughtUp - lastBatch) / 1000 : null,
        rssMB: after.maxRssMB,
        notes: `API CPU ${pct(serverCpu, total.wall)}, ${worker || o.projector === 'worker' ? `worker CPU ${pct(workerCpu, total.wall)}, ` : ''}${cpuNote(total, serverCpu + workerCpu, 'client')}; ${Math.round(accepted / ((caughtUp - started) / 1000))} ev/s incl. catch-up; ${behindAtLast} events behind at the last batch; ${polls} status polls (${pollMs.map((x) => Math.round(x)).join(', ')} ms, then ${laterPollMs.map((x) => Math.round(x)).join(', ')} ms); API GC pauses: longest ${Math.round(after.gcMaxPauseMs)} ms, ${(after.gcTotalPauseMs / 1000).toFixed(1)} s in all`,
        extra: {
          apiCpuSeconds: serverCpu,
          pgCpuSeconds: total.pgCpu,
          clientCpuSeconds: total.nodeCpu,
          wallWithCatchUp: (caughtUp - started) / 1000,
        },
      }),
    ];
  } finally {
    await worker?.stop().catch(() => undefined);
    await running?.stop().catch(() => undefined);
    await db.drop();
  }
}
