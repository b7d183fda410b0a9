/**
 * Schedule checkpoints in the execution read model (migration 0014), on both backends: the meta
 * the projection stores reads back as the in-memory fold gives it, a rebuild from zero writes the
 * same rows as live processing, and a head stored before checkpoints existed (no checkpoints, no
 * divergence threshold) reads as the same meta and answers the same figures. Stream:
 * test/fixtures/sichuan-checkpoints.ts (and the same year opened with the quarterly default).
 */
import { sql } from 'kysely';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { ExecutionService } from '#application/execution/execution.service.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { occurredOnDate } from '#domain/dates.js';
import type { EventInput } from '#domain/events.js';
import { factsFromEvents } from '#domain/execution/facts.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { SICHUAN, SICHUAN_CHECKPOINTS, sichuanCheckpointEvents } from './fixtures/sichuan-checkpoints.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';

const TODAY = '2025-03-01';
const QUARTERLY = 'sichuan-quarterly';
const sichuan = sichuanCheckpointEvents();
const quarterly = sichuanCheckpointEvents({ department: QUARTERLY, checkpoints: false });
const foldedMeta = (events: EventInput[]) =>
  factsFromEvents(events.map((e) => ({ ...e, occurredOn: occurredOnDate(e.occurredAt)! }))).meta;

describe.each(BACKENDS)('schedule checkpoints in the read model on %s', (backend) => {
  let t: TestDatabase;
  let feed: ProjectionFeedRepository;
  let repo: ExecutionRepository;
  let projector: ExecutionProjector;

  beforeAll(async () => {
    t = await testDatabase(backend);
    feed = new ProjectionFeedRepository(t.db);
    repo = new ExecutionRepository(t.db);
    projector = new ExecutionProjector(feed, repo, { batchSize: 5 });
    const ingest = new IngestService(new EventsRepository(t.db));
    // Live: small batches of both streams, the projector following after each.
    for (let i = 0; i < sichuan.length; i += 6) {
      await ingest.ingest(sichuan.slice(i, i + 6));
      await ingest.ingest(quarterly.slice(i, i + 6));
      await projector.catchUp();
    }
    await projector.catchUpStream(`${SICHUAN}/2024`, sichuan.length);
    await projector.catchUpStream(`${QUARTERLY}/2024`, quarterly.length);
  });
  afterAll(async () => t.dispose());

  test('the stored meta is the fold of the events: checkpoints, quarter-end schedule, divergence', async () => {
    const stored = (await repo.loadFacts(`${SICHUAN}/2024`))!.meta!;
    expect(stored).toEqual(foldedMeta(sichuan));
    expect(stored.checkpoints).toEqual(SICHUAN_CHECKPOINTS);
    expect(stored.schedule).toEqual({ Q1: '18.75', Q2: '40', Q3: '70', Q4: '80' });
    expect(stored.thresholds).toEqual({ yellow: '5', red: '10', divergence: '10' });
    const q = (await repo.loadFacts(`${QUARTERLY}/2024`))!.meta!;
    expect(q).toEqual(foldedMeta(quarterly));
    expect(q.schedule).toEqual({ Q1: '25', Q2: '50', Q3: '75', Q4: '100' });
    expect(q.checkpoints.map((c) => c.on)).toEqual(['03-31', '06-30', '09-30', '12-31']);
  });

  test('a rebuild from zero gives the same rows as live processing', async () => {
    const live = await repo.dump();
    expect(live.exec_streams).toHaveLength(2);
    const row = live.exec_streams.find((r) => (r as { stream_id: string }).stream_id === `${SICHUAN}/2024`) as {
      checkpoints: string;
    };
    expect(JSON.parse(row.checkpoints)).toEqual(SICHUAN_CHECKPOINTS);
    const n = await new ExecutionProjector(feed, repo, { batchSize: 50 }).rebuild();
    expect(n).toBe(sichuan.length + quarterly.length);
    expect(await repo.dump()).toEqual(live);
  });

  test('a head stored before migration 0014 (no checkpoints, no divergence) reads as the same meta', async () => {
    const service = new ExecutionService(repo);
    const before = await service.execution(QUARTERLY, 2024, { asOf: '2024-03-31' }, TODAY);
    const meta = (await repo.loadFacts(`${QUARTERLY}/2024`))!.meta;
    await sql`update exec_streams set checkpoints = null, thresholds = '{"yellow": "5", "red": "10"}'::jsonb
              where stream_id = ${`${QUARTERLY}/2024`}`.execute(t.db);
    const old = await sql<{
      c: unknown;
    }>`select checkpoints as c from exec_streams where stream_id = ${`${QUARTERLY}/2024`}`.execute(t.db);
    expect(old.rows[0]!.c).toBeNull();
    expect((await repo.loadFacts(`${QUARTERLY}/2024`))!.meta).toEqual(meta);
    // A fresh service (no cached answer): the same figures from the old row.
    const after = await new ExecutionService(repo).execution(QUARTERLY, 2024, { asOf: '2024-03-31' }, TODAY);
    expect(after).toEqual(before);
    // Q1 of the quarterly default: 25 at March's end; 110,000 / 1,000,000 = 11.00%, lag 14.00 → red.
    expect(after.total).toMatchObject({ rate: '11.00', schedule: '25.00', lag: '14.00', level: 'red' });
    expect(after.nextCheckpoint).toEqual({ quarter: 2, date: '2024-06-30', schedule: '50.00' });
    expect('checkpoints' in after).toBe(false);
  });
});
