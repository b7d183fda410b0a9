/**
 * kill -9 during a projection rebuild. A log of ~54k generated events (16 department-years) is
 * partly projected, then rebuilt by the real CLI (`paceline rebuild`), which is frozen once its
 * progress bar passed 20% and SIGKILLed: the rebuild is one transaction, so readers kept seeing
 * the old read model while it ran and still see it afterwards, checkpoint included. The real worker
 * process then takes over from that checkpoint, is itself SIGKILLed mid catch-up, and is restarted
 * until the projection has caught up. Every projection row must equal a clean rebuild of the same
 * events in a second database, and the spending total must equal the generator's own sum (nothing
 * lost, nothing counted twice).
 */
import { sql } from 'kysely';
import pg from 'pg';
import { ExecutionProjector, EXECUTION_PROJECTION } from '#application/execution/execution.projector.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { migrate, openDatabase, type DatabaseHandle } from '#persistence/db.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { ensureBuilt } from './support/build.js';
import { ADMIN_URL, createPostgresDatabase } from './support/databases.js';
import { batches, generateEvents, type GeneratorOptions } from './support/event-generator.js';
import { CLI, killAll, NodeProcess, WORKER } from './support/processes.js';
import { waitFor } from './support/receiver.js';

const GEN: GeneratorOptions = {
  departments: 4,
  years: [2021, 2022, 2023, 2024],
  units: 4,
  linesPerUnit: 5,
  recordsPerLineMonth: 12,
  seed: 11,
};

const fen = (a: string) => {
  const neg = a.startsWith('-');
  const [i, f = ''] = (neg ? a.slice(1) : a).split('.');
  const v = BigInt(i!) * 100n + BigInt((f + '00').slice(0, 2));
  return neg ? -v : v;
};
const yuan = (f: bigint) =>
  `${f < 0n ? '-' : ''}${(f < 0n ? -f : f) / 100n}.${String((f < 0n ? -f : f) % 100n).padStart(2, '0')}`;

describe('kill -9 during a projection rebuild', () => {
  let a: { url: string; drop: () => Promise<void> };
  let bUrl = '';
  let h: DatabaseHandle;
  let total = 0;
  let expectedSpent = 0n;

  beforeAll(async () => {
    ensureBuilt();
    a = await createPostgresDatabase();
    h = await openDatabase({ url: a.url, poolSize: 4 });
    await migrate(h.db);
    const ingest = new IngestService(new EventsRepository(h.db));
    for (const batch of batches(GEN, 2000)) total += (await ingest.ingest(batch)).accepted;
    for (const e of generateEvents(GEN))
      if (e.type === 'SpendingRecorded' || e.type === 'SpendingCorrected')
        expectedSpent += fen(e.data.amount as string);
  }, 90_000);

  afterAll(async () => {
    await killAll();
    await h?.close().catch(() => {});
    await a?.drop();
    if (bUrl) {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${new URL(bUrl).pathname.slice(1)} with (force)`);
      await admin.end();
    }
  }, 30_000);

  test('the CLI rebuild and the worker, each SIGKILLed mid-way, end with the rows of a clean rebuild', async () => {
    expect(total).toBeGreaterThan(50_000);

    // The reference: a second database with the very same events (a copy of database A), rebuilt
    // cleanly in this process.
    await h.close();
    const nameA = new URL(a.url).pathname.slice(1);
    const nameB = `${nameA}_ref`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${nameB} template ${nameA}`);
    await admin.end();
    const u = new URL(a.url);
    u.pathname = `/${nameB}`;
    bUrl = u.toString();
    const hb = await openDatabase({ url: bUrl, poolSize: 2 });
    let reference: Record<string, unknown[]>;
    try {
      const refRepo = new ExecutionRepository(hb.db);
      expect(
        await new ExecutionProjector(new ProjectionFeedRepository(hb.db), refRepo, { batchSize: 5000 }).rebuild(),
      ).toBe(total);
      reference = await refRepo.dump();
    } finally {
      await hb.close();
    }
    h = await openDatabase({ url: a.url, poolSize: 4 });
    const repo = new ExecutionRepository(h.db);
    const checkpoint = async () => (await repo.checkpoint(EXECUTION_PROJECTION))?.processed ?? 0;

    // 0. Part of the log projected live (three batches of 5000).
    const live = new ExecutionProjector(new ProjectionFeedRepository(h.db), repo, { batchSize: 5000 });
    for (let i = 0; i < 3; i++) expect(await live.step()).toBe(5000);
    const before = await repo.dump();
    const beforeCheckpoint = await repo.checkpoint(EXECUTION_PROJECTION);
    expect(beforeCheckpoint!.processed).toBe(15_000);

    // 1. The real CLI rebuild, frozen after its progress bar passed 20%: readers still see the old
    // read model; then SIGKILLed: its transaction is rolled back, the old read model stays.
    const cli = new NodeProcess('rebuild', CLI, ['rebuild'], { DATABASE_URL: a.url });
    const started = Date.now();
    await waitFor(
      'the rebuild progress bar past 20%',
      async () => {
        const seen = [...cli.stderr.matchAll(/(\d+)\/(\d+)/g)].map((m) => Number(m[1]) / Number(m[2]));
        if (seen.some((r) => r >= 0.2)) return true;
        if (!cli.running) throw new Error(`the rebuild ended before 20%:\n${cli.tail()}`);
        return false;
      },
      60_000,
      2,
    );
    cli.pause();
    const seen = [...cli.stderr.matchAll(/(\d+)\/(\d+)/g)].map((m) => Number(m[1]) / Number(m[2]));
    expect(Math.max(...seen)).toBeLessThan(1);
    expect(await repo.dump()).toEqual(before);
    await cli.kill9();
    expect(cli.signal).toBe('SIGKILL');
    expect(await repo.checkpoint(EXECUTION_PROJECTION)).toEqual(beforeCheckpoint);
    expect(await repo.dump()).toEqual(before);
    const afterCli = await checkpoint();
    const cliSeconds = (Date.now() - started) / 1000;

    // 2. The worker process resumes from the checkpoint; kill -9 it too while it catches up.
    const env = { DATABASE_URL: a.url, MONTH_CLOSE_SCHEDULE: 'off', LOG_LEVEL: 'silent' };
    const w1 = new NodeProcess('worker 1', WORKER, [], env);
    await waitFor(
      'the worker to advance the projection',
      async () => {
        if (!w1.running) throw new Error(`worker exited:\n${w1.tail()}`);
        return (await checkpoint()) > afterCli;
      },
      60_000,
      10,
    );
    await w1.kill9();
    const afterWorker = await checkpoint();
    expect(afterWorker).toBeGreaterThan(afterCli);

    // 3. Restarted, the worker catches up; then it is stopped gracefully.
    const w2 = new NodeProcess('worker 2', WORKER, [], env);
    await waitFor(
      'the projection to catch up',
      async () => {
        if (!w2.running) throw new Error(`worker exited:\n${w2.tail()}`);
        return (await checkpoint()) === total;
      },
      60_000,
      100,
    );
    await w2.stop();
    // Graceful: Nest's shutdown hooks ran and re-raised SIGTERM (not the SIGKILL fallback).
    expect(w2.exitCode === 0 || w2.signal === 'SIGTERM').toBe(true);

    const dump = await repo.dump();
    for (const table of Object.keys(reference!)) {
      expect(dump[table]!.length).toBe(reference![table]!.length);
      expect(dump[table]).toEqual(reference![table]);
    }
    expect(dump).toEqual(reference!);
    const spent = await sql<{
      s: string;
    }>`select sum((x->>4)::numeric)::text as s from exec_segments, json_array_elements(facts->'s') x`.execute(h.db);
    expect(spent.rows[0]!.s).toBe(yuan(expectedSpent));
    const facts = await sql<{
      n: number;
    }>`select coalesce(sum(json_array_length(x->2)), 0)::int as n from exec_segments, json_array_elements(sources) x`.execute(
      h.db,
    );
    // Every SpendingRecorded and SpendingCorrected once among the sources: no event applied twice.
    expect(facts.rows[0]!.n).toBe(
      [...generateEvents(GEN)].filter((e) => e.type === 'SpendingRecorded' || e.type === 'SpendingCorrected').length,
    );
    console.log(
      `rebuild fault: ${total} events; CLI frozen and killed after ${cliSeconds.toFixed(1)} s, ${afterCli} still projected; worker 1 killed at ${afterWorker}; worker 2 caught up; ` +
        `${Object.entries(dump)
          .map(([t, r]) => `${t}=${r.length}`)
          .join(' ')}`,
    );
  }, 110_000);
});
