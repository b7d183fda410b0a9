/**
 * The real API (createApp) in its own process, on an ephemeral port, so load generators do not
 * share its event loop. Driven over IPC by the http-ingest and query scenarios:
 *   → {cmd:'seed', gen, batch}  ingest generated events through the app's IngestService, wait for the projector
 *   → {cmd:'stats'}            peak RSS, CPU and garbage-collection pauses of this process
 *   → {cmd:'stop'}             close the app (projector, database) and exit
 * Started with argv[2] = JSON {databaseUrl?, dataDir, projector}.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../apps/api/src/app.js';
import { ExecutionProjector } from '../libs/application/execution.projector.js';
import { IngestService } from '../libs/application/ingest.service.js';
import { loadConfig, type AppConfig } from '../libs/config/config.js';
import { batches, generateEvents, type GenerateOptions } from './generate.js';

type Message = { id: number; cmd: 'seed'; gen: GenerateOptions; batch: number } | { id: number; cmd: 'stats' } | { id: number; cmd: 'stop' };

const send = (m: unknown) => process.send!(m);

/** Garbage-collection pauses (ms) of this process: the longest, and their sum. */
const gc = { maxPauseMs: 0, totalPauseMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.maxPauseMs = Math.max(gc.maxPauseMs, e.duration);
    gc.totalPauseMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

function stats() {
  const u = process.cpuUsage();
  return { maxRssMB: process.resourceUsage().maxRSS / 1024, rssMB: process.memoryUsage().rss / 1048576, cpuSeconds: (u.user + u.system) / 1e6, gcMaxPauseMs: gc.maxPauseMs, gcTotalPauseMs: gc.totalPauseMs };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as { databaseUrl?: string; dataDir?: string; projector?: boolean };
  // Embedded default and plain Postgres alike: no Redis (jobs in-process), no month-close schedule.
  // The ingest rate limit (INGEST_RATE_PER_MINUTE, default 600/min) would throttle the load generator: raised.
  const config: AppConfig = { ...loadConfig({ INGEST_RATE_PER_MINUTE: '100000000', ANSWER_CACHE_MB: process.env.ANSWER_CACHE_MB, OVERVIEW_WARM_MS: process.env.OVERVIEW_WARM_MS, PRECOMPUTE_MS: process.env.PRECOMPUTE_MS }), databaseUrl: args.databaseUrl, dataDir: args.dataDir ?? 'memory://', host: '127.0.0.1', port: 0, schedule: false, projector: args.projector ?? true };
  const app: NestExpressApplication = await createApp(config, { logger: ['error', 'warn'] });
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
          send({ id: m.id, ok: true, accepted: n, ingestSeconds: (ingested - started) / 1000, catchUpSeconds: (Date.now() - ingested) / 1000 });
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
