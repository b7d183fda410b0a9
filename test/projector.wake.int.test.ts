/**
 * Appending events notifies `paceline_events` (migration 0008): a projector in another process
 * wakes at once instead of at its next poll, and a dropped listening connection comes back.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { EVENTS_CHANNEL } from '#application/execution/execution.projector.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { ADMIN_URL, BACKENDS, testDatabase } from './support/databases.js';
import { waitFor } from './support/receiver.js';
import { sampleEvents } from './support/sample.js';

describe.each(BACKENDS)('event notifications on %s', (backend) => {
  test('a committed append notifies; a rolled-back one does not', async () => {
    const t = await testDatabase(backend);
    try {
      let notified = 0;
      const stop = await t.listen(EVENTS_CHANNEL, () => notified++);
      // A PostgreSQL listener wakes once when it has (re)connected, for what was written meanwhile.
      await waitFor('the first wake-up', async () => notified >= (backend === 'postgres' ? 1 : 0), 5000, 10);
      const before = notified;
      await new IngestService(new EventsRepository(t.db)).ingest(sampleEvents().slice(0, 30));
      await waitFor('a notification', async () => notified > before, 5000, 10);
      const afterIngest = notified;
      await expect(
        t.db.transaction().execute(async (trx) => {
          await sql`insert into streams (stream_id, department, year) values ('x/2023', 'x', 2023)`.execute(trx);
          await sql`insert into events (event_id, stream_id, version, department, year, type, occurred_at, occurred_on, data, content_hash)
                    values ('rolled-back', 'x/2023', 1, 'x', 2023, 'YearOpened', '2023-01-01', '2023-01-01', '{}', 'h')`.execute(
            trx,
          );
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      await new Promise((r) => setTimeout(r, 300));
      expect(notified).toBe(afterIngest);
      await stop();
    } finally {
      await t.dispose();
    }
  });
});

describe('a projector in another process', () => {
  let writer: TestApp;
  let reader: TestApp;

  beforeAll(async () => {
    writer = await startTestApp('postgres', { projector: false });
    // Polls once a minute: only the notification can wake it within the test.
    reader = await startTestApp('postgres', {
      databaseUrl: writer.config.databaseUrl,
      projector: true,
      projectorPollMs: 60_000,
    });
  });
  afterAll(async () => {
    await reader?.close();
    await writer?.close();
  });

  test('catches up within a second of another process appending, also after its listening connection was dropped', async () => {
    const repo = new ExecutionRepository(writer.db.db);
    const ingest = new IngestService(new EventsRepository(writer.db.db));
    const sample = sampleEvents();
    const processed = async () => (await repo.checkpoint('execution'))?.processed ?? 0;
    await waitFor('the reader to start', async () => (await repo.checkpoint('execution')) !== null, 10_000, 20);

    let t = Date.now();
    await ingest.ingest(sample.slice(0, 100));
    await waitFor('the reader to project 100 events', async () => (await processed()) === 100, 5000, 10);
    expect(Date.now() - t).toBeLessThan(1000);

    // Drop the reader's listening connection from the server side: it reconnects by itself.
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    const database = new URL(writer.config.databaseUrl!).pathname.slice(1);
    const killed = await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query ilike 'listen %'`,
      [database],
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1500));

    t = Date.now();
    await ingest.ingest(sample.slice(100));
    await waitFor('the reader to project the rest', async () => (await processed()) === sample.length, 5000, 10);
    expect(Date.now() - t).toBeLessThan(1000);
  }, 30_000);
});
