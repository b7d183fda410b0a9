/**
 * (b) cli-ingest: the CLI's path in-process: the generated NDJSON lines stream through
 * ingestLines() with the CLI's prepare step (validation and hashing of the next batch while the
 * current one is stored) into IngestService.ingestPrepared, on the service's own database factory.
 * Afterwards the projector catches up once (the CLI does not project; the API or worker would).
 */
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { ingestLines } from '#application/ingest/file-ingest.js';
import { foldGenerated } from '../fold.js';
import { prepareEvent, type Prepared } from '#application/ingest/ingest-prepare.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import type { DatabaseHandle } from '#persistence/db.js';
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
import {
  createBenchDatabase,
  formatStats,
  isProfiled,
  openPaceline,
  openProfiled,
  type ProfiledHandle,
} from '../db.js';
import { countEvents, generateNdjson } from '../generate.js';

/**
 * The CPU part of IngestService without the database: JSON.parse, validateEvent, contentHash,
 * decide + evolve on each stream's write model, for the same lines.
 */
function domainOnly(o: BenchOptions): ResultRow {
  const started = now();
  const { events: n } = foldGenerated(o, true);
  const seconds = (now() - started) / 1000;
  return row({
    scenario: 'cli-ingest',
    variant: 'domain only (no database)',
    backend: o.backend,
    events: n,
    seconds,
    notes: 'generate + JSON.parse + validateEvent + contentHash + decide/evolve: the Node CPU floor of ingest per core',
  });
}

export async function cliIngest(o: BenchOptions): Promise<ResultRow[]> {
  const db = await createBenchDatabase(o, 'cli');
  let handle: DatabaseHandle | ProfiledHandle | undefined;
  try {
    handle = o.profile ? await openProfiled(db) : await openPaceline(db);
    const service = new IngestService(new EventsRepository(handle.db));
    const expected = countEvents(generateOptions(o));
    log(`cli-ingest ${o.backend}: ${expected} events, batches of ${o.batch}`);
    const latencies: number[] = [];
    let submitMs = 0;
    const mark = cpuMark();
    const started = now();
    let lastReport = started;
    const summary = await ingestLines<Prepared>(
      generateNdjson(generateOptions(o)),
      async (batch) => {
        const t = now();
        const r = await service.ingestPrepared(batch);
        const ms = now() - t;
        latencies.push(ms);
        submitMs += ms;
        return r;
      },
      {
        batchSize: o.batch,
        prepare: (value) => prepareEvent(value),
        onProgress: (done) => {
          if (now() - lastReport > 10_000) {
            lastReport = now();
            log(`  ${done}/${expected} events (${Math.round(done / ((now() - started) / 1000))}/s)`);
          }
        },
      },
    );
    const accepted = summary.accepted;
    const rejected = summary.rejected.length;
    const wall = (now() - started) / 1000;
    const cpu = cpuSince(mark);
    if (accepted !== expected || rejected > 0)
      throw new Error(`accepted ${accepted} (expected ${expected}), rejected ${rejected}`);
    const dbNote = isProfiled(handle) ? `; ${formatStats(handle.stats(), wall * 1000)}` : '';
    if (isProfiled(handle)) handle.resetStats();

    // Projection of everything ingested (what a projector would then have to do).
    const projector = new ExecutionProjector(
      new ProjectionFeedRepository(handle.db),
      new ExecutionRepository(handle.db),
    );
    const p0 = now();
    const projected = await projector.catchUp();
    const catchUp = (now() - p0) / 1000;
    const { p50, p99 } = latencyStats(latencies);
    return [
      row({
        scenario: 'cli-ingest',
        variant: `ingestLines × ${o.batch}/batch`,
        backend: o.backend,
        events: accepted,
        seconds: wall,
        p50,
        p99,
        catchUp,
        notes: `${cpuNote(cpu)}; outside submit ${Math.round((100 * (wall * 1000 - submitMs)) / (wall * 1000))}%${dbNote}; projector afterwards ${Math.round(projected / catchUp)} ev/s`,
        extra: { nodeCpuSeconds: cpu.nodeCpu, pgCpuSeconds: cpu.pgCpu, projectedPerSec: projected / catchUp },
      }),
      domainOnly(o),
    ];
  } finally {
    await handle?.close();
    await db.drop();
  }
}
