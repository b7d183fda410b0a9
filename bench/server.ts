/**
 * The real API (createApp) in its own process, on an ephemeral port, so load generators do not
 * share its event loop. Driven over IPC by the http-ingest and query scenarios:
 *   → {cmd:'seed', gen, batch}  ingest generated events through the app's IngestService, wait for the projector
 *   → {cmd:'stats'}            peak RSS, CPU and garbage-collection pauses of this process (the longest
 *                              also since the previous stats call: per measured pass), and the event
 *                              loop's delay since the previous stats call
 *   → {cmd:'stop'}             close the app (projector, database) and exit
 * Started with argv[2] = JSON {databaseUrl?, dataDir, projector}.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '#api/src/app.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { loadConfig, type AppConfig } from '#config/config.js';
import { batches, generateEvents, type GenerateOptions } from './generate.js';

type Message =
  | { id: number; cmd: 'seed'; gen: GenerateOptions; batch: number }
  | { id: number; cmd: 'stats' }
  | { id: number; cmd: 'stop' };

const send = (m: unknown) => process.send!(m);

/** Garbage-collection pauses (ms) of this process: the longest (ever, and since the last stats call), and their sum. */
const gc = { maxPauseMs: 0, recentMaxPauseMs: 0, totalPauseMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.maxPauseMs = Math.max(gc.maxPauseMs, e.duration);
    gc.recentMaxPauseMs = Math.max(gc.recentMaxPauseMs, e.duration);
    gc.totalPauseMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

/**
 * How late the event loop runs a timer due every 10 ms: anything that holds the loop (a
 * computation, a GC pause) shows here. The histogram holds the intervals, so the 10 ms are taken off.
 */
const LOOP_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();
const lateBy = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);

function stats() {
  const u = process.cpuUsage();
  const recent = gc.recentMaxPauseMs;
  gc.recentMaxPauseMs = 0;
  const loop = { loopDelayP99Ms: lateBy(loopDelay.percentile(99)), loopDelayMaxMs: lateBy(loopDelay.max) };
  loopDelay.reset();
  return {
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    rssMB: process.memoryUsage().rss / 1048576,
    cpuSeconds: (u.user + u.system) / 1e6,
    gcMaxPauseMs: gc.maxPauseMs,
    gcRecentMaxPauseMs: recent,
    gcTotalPauseMs: gc.totalPauseMs,
    ...loop,
  };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as { databaseUrl?: string; dataDir?: string; projector?: boolean };
  // Embedded default and plain Postgres alike: no Redis (jobs in-process), no month-close schedule.
  // The ingest rate limit (INGEST_RATE_PER_MINUTE, default 600/min) would throttle the load generator: raised.
  const config: AppConfig = {
    ...loadConfig({
      INGEST_RATE_PER_MINUTE: '100000000',
      ANSWER_CACHE_MB: process.env.ANSWER_CACHE_MB,
      OVERVIEW_WARM_MS: process.env.OVERVIEW_WARM_MS,
      PRECOMPUTE_MS: process.env.PRECOMPUTE_MS,
    }),
    databaseUrl: args.databaseUrl,
    dataDir: args.dataDir ?? 'memory://',
    host: '127.0.0.1',
    port: 0,
    schedule: false,
    projector: args.projector ?? true,
  };
  const app: NestExpressApplication = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };

  process.on('message', (m: Message) => {
    void (async () => {
      try {
        if (m.cmd === 'seed') {
          const ingest = app.get(IngestService);
          const projector = app.get(ExecutionProjector);
          const started = Date.now();
          let n = 0;
          for (const batch of batches(generateEvents(m.gen), m.batch)) {
            const r = await ingest.ingest(batch);
            n += r.accepted;
          }
          const ingested = Date.now();
          for (;;) {
            const s = await projector.status();
            if (s.behind === 0) break;
            await new Promise((r) => setTimeout(r, 50));
          }
          send({
            id: m.id,
            ok: true,
            accepted: n,
            ingestSeconds: (ingested - started) / 1000,
            catchUpSeconds: (Date.now() - ingested) / 1000,
          });
        } else if (m.cmd === 'stats') {
          send({ id: m.id, ok: true, ...stats() });
        } else if (m.cmd === 'stop') {
          const s = stats();
          await app.close();
          send({ id: m.id, ok: true, ...s });
          process.disconnect();
        }
      } catch (e) {
        send({ id: m.id, ok: false, error: (e as Error).stack ?? String(e) });
      }
    })();
  });
  send({ ready: true, port: address.port });
}

main().catch((e) => {
  process.stderr.write(`bench server failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
