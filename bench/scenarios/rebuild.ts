/**
 * (e) rebuild: ExecutionProjector.rebuild() over the whole log (empties the read model, replays
 * every event), with the projector's default batch (2000, as in the API) and the CLI rebuild's 5000.
 * The log is filled first through IngestService (not timed). Diagnostic rows follow:
 *   read only        EventsRepository.readAll() pages of 5000 over the whole log, nothing written: the
 *                    floor of the projector's loop
 *   readAll page     latency of one 2000-event page from checkpoints at 5%, 50% and 95% of the log
 *   set-based (bench) bench/sql-rebuild.ts: one INSERT … SELECT per read-model table; its dump()
 *                    and checkpoint must equal the projector's, else the scenario fails
 */
import { ExecutionProjector } from '../../libs/application/execution.projector.js';
import type { DatabaseHandle } from '../../libs/persistence/db.js';
import { EventsRepository } from '../../libs/persistence/events.repository.js';
import { ExecutionRepository } from '../../libs/persistence/execution.repository.js';
import { sql } from 'kysely';
import { cpuMark, cpuNote, cpuSince, log, now, row, type BenchOptions, type ResultRow } from '../common.js';
import { createBenchDatabase, formatStats, isProfiled, openPaceline, openProfiled, type ProfiledHandle } from '../db.js';
import { seed } from '../seed.js';
import { sqlRebuild } from '../sql-rebuild.js';
import { START } from '../../libs/persistence/events.repository.js';
import { stableJson } from '../fast-fold.js';

async function checkpointOf(repo: ExecutionRepository) {
  const cp = await repo.checkpoint('execution');
  return cp ? { transactionId: cp.transactionId, position: cp.position, processed: cp.processed } : null;
}

export async function rebuild(o: BenchOptions): Promise<ResultRow[]> {
  const db = await createBenchDatabase(o, 'rebuild');
  let handle: DatabaseHandle | ProfiledHandle | undefined;
  try {
    handle = o.profile ? await openProfiled(db) : await openPaceline(db);
    log(`rebuild ${o.backend}: seeding`);
    const { events } = await seed(handle, o);
    const out: ResultRow[] = [];
    for (const batchSize of [2000, 5000]) {
      const projector = new ExecutionProjector(new EventsRepository(handle.db), new ExecutionRepository(handle.db), { batchSize });
      if (isProfiled(handle)) handle.resetStats();
      const mark = cpuMark();
      const started = now();
      const n = await projector.rebuild();
      const wall = (now() - started) / 1000;
      const cpu = cpuSince(mark);
      if (n !== events) throw new Error(`rebuild applied ${n} events, the log holds ${events}`);
      out.push(
        row({
          scenario: 'rebuild',
          variant: `batch ${batchSize}`,
          backend: o.backend,
          events: n,
          seconds: wall,
          notes: `${cpuNote(cpu)}${isProfiled(handle) ? `; ${formatStats(handle.stats(), wall * 1000)}` : ''}`,
          extra: { nodeCpuSeconds: cpu.nodeCpu, pgCpuSeconds: cpu.pgCpu },
        }),
      );
      log(`  batch ${batchSize}: ${Math.round(n / wall)} events/s`);
    }
    const execRepo = new ExecutionRepository(handle.db);
    const reference = stableJson({ dump: await execRepo.dump(), cp: await checkpointOf(execRepo) });

    // Read only: the catch-up reads without projecting.
    const eventsRepo = new EventsRepository(handle.db);
    let mark = cpuMark();
    let started = now();
    let read = 0;
    for (let cp = START; ; ) {
      const page = await eventsRepo.readAll(cp, 5000);
      if (page.length === 0) break;
      read += page.length;
      const last = page[page.length - 1]!;
      cp = { transactionId: last.transactionId, position: last.position };
    }
    let wall = (now() - started) / 1000;
    out.push(row({ scenario: 'rebuild', variant: 'read only (readAll × 5000)', backend: o.backend, events: read, seconds: wall, notes: `${cpuNote(cpuSince(mark))}; reads and decodes every event, writes nothing` }));

    // One catch-up page (2000 events) from checkpoints early, midway and late in the log, median of 5:
    // flat when readAll() walks the (transaction_id, position) index; it grew with the rows after the
    // checkpoint while readAll() ordered by the text alias of transaction_id (fixed in d45adba).
    {
      const ordered = await sql<{ transaction_id: string; position: number }>`
        select transaction_id::text as transaction_id, position from events order by events.transaction_id, events.position`.execute(handle.db);
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
          await eventsRepo.readAll(cp, 2000);
          ms.push(now() - t);
        }
        parts.push(`at ${Math.round(f * 100)}% ${median(ms).toFixed(1)} ms`);
      }
      out.push(row({ scenario: 'rebuild', variant: 'readAll page of 2000 events', backend: o.backend, events: ordered.rows.length, seconds: 0, eventsPerSec: null, notes: `median of 5: ${parts.join(', ')} of the log` }));
    }

    // Set-based rebuild (bench prototype), checked against the projector's result.
    if (isProfiled(handle)) handle.resetStats();
    mark = cpuMark();
    started = now();
    const n = await sqlRebuild(handle.db);
    wall = (now() - started) / 1000;
    const cpu = cpuSince(mark);
    const same = stableJson({ dump: await execRepo.dump(), cp: await checkpointOf(execRepo) }) === reference;
    if (!same) throw new Error('set-based rebuild differs from ExecutionProjector.rebuild()');
    out.push(row({ scenario: 'rebuild', variant: 'set-based SQL (bench)', backend: o.backend, events: n, seconds: wall, notes: `${cpuNote(cpu)}; same read model and checkpoint as the projector (dump compared)${isProfiled(handle) ? `; ${formatStats(handle.stats(), wall * 1000)}` : ''}` }));
    return out;
  } finally {
    await handle?.close();
    await db.drop();
  }
}
