/**
 * (e) rebuild: ExecutionProjector.rebuild() over the whole log: one REPEATABLE READ transaction
 * that folds every stream below its snapshot's xmin (one JSON document per stream from
 * PostgreSQL, the next one read while this one is folded) and writes each record-month segment
 * once. The log is filled first through IngestService (not timed). Further rows:
 *   catch-up from zero  the live projector's path (ExecutionProjector.catchUp after a reset) with
 *                       batches of 2000 (API) and 5000 (worker); it must store exactly the rows of
 *                       the rebuild (dump compared), else the scenario fails
 *   read only           ProjectionFeedRepository.readStreamBelow for every stream, nothing folded
 *                       or written: the floor of the rebuild's loop
 *   readAfter page      latency of one 2000-event catch-up page from checkpoints at 5%, 50% and
 *                       95% of the log
 */
import { sql } from 'kysely';
import { EXECUTION_PROJECTION, ExecutionProjector } from '#application/execution/execution.projector.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { cpuMark, cpuNote, cpuSince, log, now, row, stableJson, type BenchOptions, type ResultRow } from '../common.js';
import {
  createBenchDatabase,
  formatStats,
  isProfiled,
  openPaceline,
  openProfiled,
  type ProfiledHandle,
} from '../db.js';

import { seed } from '../seed.js';

async function checkpointOf(repo: ExecutionRepository) {
  const cp = await repo.checkpoint(EXECUTION_PROJECTION);
  return cp ? { transactionId: cp.transactionId, position: cp.position, processed: cp.processed } : null;
}

export async function rebuild(o: BenchOptions): Promise<ResultRow[]> {
  const db = await createBenchDatabase(o, 'rebuild');
  let handle: DatabaseHandle | ProfiledHandle | undefined;
  try {
    handle = o.profile ? await openProfiled(db) : await openPaceline(db);
    log(`rebuild ${o.backend}: seeding`);
    const { events } = await seed(handle, o);
    const feed = new ProjectionFeedRepository(handle.db);
    const repo = new ExecutionRepository(handle.db);
    const out: ResultRow[] = [];

    // The rebuild, twice (the second one replaces a full read model, as an operator's would).
    let reference = '';
    for (const label of ['rebuild (empty read model)', 'rebuild (replacing a full one)']) {
      if (isProfiled(handle)) handle.resetStats();
      const mark = cpuMark();
      const started = now();
      const n = await new ExecutionProjector(feed, repo, {
        rebuildReaders: o.backend === 'postgres' ? 2 : 0,
      }).rebuild();
      const wall = (now() - started) / 1000;
      const cpu = cpuSince(mark);
      if (n !== events) throw new Error(`rebuild applied ${n} events, the log holds ${events}`);
      out.push(
        row({
          scenario: 'rebuild',
          variant: label,
          backend: o.backend,
          events: n,
          seconds: wall,
          notes: `${cpuNote(cpu)}${isProfiled(handle) ? `; ${formatStats(handle.stats(), wall * 1000)}` : ''}`,
          extra: { nodeCpuSeconds: cpu.nodeCpu, pgCpuSeconds: cpu.pgCpu },
        }),
      );
      log(`  ${label}: ${Math.round(n / wall)} events/s`);
      reference = stableJson({ dump: await repo.dump(), cp: await checkpointOf(repo) });
    }

    // The live projector's path from an empty read model: same rows as the rebuild.
    for (const batchSize of [2000, 5000]) {
      await repo.transaction((trx) => repo.reset(trx, EXECUTION_PROJECTION));
      if (isProfiled(handle)) handle.resetStats();
      const mark = cpuMark();
      const started = now();
      const n = await new ExecutionProjector(feed, repo, { batchSize }).catchUp();
      const wall = (now() - started) / 1000;
      const cpu = cpuSince(mark);
      if (n !== events) throw new Error(`catch-up applied ${n} events, the log holds ${events}`);
      const same = stableJson({ dump: await repo.dump(), cp: await checkpointOf(repo) }) === reference;
      if (!same) throw new Error(`catch-up with batches of ${batchSize} stored other rows than the rebuild`);
      out.push(
        row({
          scenario: 'rebuild',
          variant: `catch-up from zero, batch ${batchSize}`,
          backend: o.backend,
          events: n,
          seconds: wall,
          notes: `${cpuNote(cpu)}; same rows and checkpoint as the rebuild (dump compared)${isProfiled(handle) ? `; ${formatStats(handle.stats(), wall * 1000)}` : ''}`,
        }),
      );
      log(`  catch-up, batch ${batchSize}: ${Math.round(n / wall)} events/s`);
    }

    // Read only: every stream's events as the rebuild reads them, nothing folded or written.
    {
      const mark = cpuMark();
      const started = now();
      let read = 0;
      await repo.snapshotTransaction(async (trx) => {
        const horizon = await feed.horizon(trx);
        for (const s of horizon.streams) read += (await feed.readStreamBelow(trx, s, horizon.xmin)).events.length;
      });
      const wall = (now() - started) / 1000;
      out.push(
        row({
          scenario: 'rebuild',
          variant: 'read only (readStreamBelow)',
          backend: o.backend,
          events: read,
          seconds: wall,
          notes: `${cpuNote(cpuSince(mark))}; reads and decodes every event, folds and writes nothing`,
        }),
      );
    }

    // One catch-up page (2000 events) from checkpoints early, midway and late in the log, median of 5.
    {
      const ordered = await sql<{ transaction_id: string; position: number }>`
        select transaction_id::text as transaction_id, position from events order by events.transaction_id, events.position`.execute(
        handle.db,
      );
      const at = (f: number) => {
        const r = ordered.rows[Math.min(ordered.rows.length - 1, Math.floor(f * ordered.rows.length))]!;
        return { transactionId: r.transaction_id, position: Number(r.position) };
      };
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const parts: string[] = [];
      for (const f of [0.05, 0.5, 0.95]) {
        const cp = at(f);
        const ms: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t = now();
          await feed.readAfter(handle.db, cp, 2000);
          ms.push(now() - t);
        }
        parts.push(`at ${Math.round(f * 100)}% ${median(ms).toFixed(1)} ms`);
      }
      out.push(
        row({
          scenario: 'rebuild',
          variant: 'readAfter page of 2000 events',
          backend: o.backend,
          events: ordered.rows.length,
          seconds: 0,
          eventsPerSec: null,
          notes: `median of 5: ${parts.join(', ')} of the log`,
        }),
      );
    }
    return out;
  } finally {
    await handle?.close();
    await db.drop();
  }
}
