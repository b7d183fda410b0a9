/**
 * The event log itself: append-only enforced by the database, and the catch-up reader that never
 * skips an event committed out of order.
 */
import { sql } from 'kysely';
import { contentHash } from '#application/ingest/ingest.service.js';
import type { EventInput } from '#domain/events.js';
import { EventsRepository, START, type Checkpoint } from '#persistence/events.repository.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';
import { waitFor } from './support/receiver.js';

const opened = (department: string, id: string): EventInput => ({
  id,
  type: 'YearOpened',
  department,
  year: 2024,
  occurredAt: '2024-01-02',
  data: { departmentName: department },
});

async function appendOne(repo: EventsRepository, e: EventInput, hold?: Promise<void>, appended?: () => void) {
  return repo.transaction(async (trx) => {
    const stream = `${e.department}/${e.year}`;
    await repo.lockStream(trx, stream, e.department, e.year);
    const [row] = await repo.append(trx, [
      { event: e, stream, version: 1, occurredOn: '2024-01-02', contentHash: contentHash(e) },
    ]);
    await repo.setStreamVersion(trx, stream, 1);
    appended?.();
    if (hold) await hold;
    return row!;
  });
}

describe.each(BACKENDS)('event log on %s', (backend) => {
  let t: TestDatabase;
  let repo: EventsRepository;

  beforeAll(async () => {
    t = await testDatabase(backend);
    repo = new EventsRepository(t.db);
    await appendOne(repo, opened('dept-a', 'e-1'));
    await appendOne(repo, opened('dept-b', 'e-2'));
  });
  afterAll(async () => t.dispose());

  test.each([
    ['UPDATE', sql`update events set type = 'YearClosed'`],
    ['DELETE', sql`delete from events`],
    ['TRUNCATE', sql`truncate events cascade`],
  ])('the database refuses %s on events', async (op, statement) => {
    const before = await logSnapshot(t.db);
    await expect(statement.execute(t.db)).rejects.toThrow(new RegExp(`append-only: ${op} on events is not allowed`));
    expect(await logSnapshot(t.db)).toEqual(before);
    expect(before.count).toBe(2);
  });

  test('an event of a stream that does not exist is refused, naming the stream; nothing is stored', async () => {
    const before = await logSnapshot(t.db);
    const insert = (streams: string[]) =>
      t.db.transaction().execute(async (trx) => {
        for (const [i, stream] of streams.entries()) {
          await sql`insert into events (event_id, stream_id, version, department, year, type, occurred_at, occurred_on, data, content_hash)
                    values (${`orphan-${i}`}, ${stream}, ${i + 2}, 'dept-a', 2024, 'YearClosed', '2024-12-31', '2024-12-31', '{}'::jsonb, 'x')`.execute(
            trx,
          );
        }
      });
    await expect(insert(['dept-zz/2024'])).rejects.toMatchObject({
      code: '23503',
      message: expect.stringContaining('stream "dept-zz/2024" does not exist'),
    });
    // One statement holding a known stream and an unknown one fails whole.
    await expect(
      sql`insert into events (event_id, stream_id, version, department, year, type, occurred_at, occurred_on, data, content_hash)
          values ('orphan-a', 'dept-a/2024', 7, 'dept-a', 2024, 'YearClosed', '2024-12-31', '2024-12-31', '{}'::jsonb, 'x'),
                 ('orphan-b', 'nowhere/2024', 1, 'nowhere', 2024, 'YearClosed', '2024-12-31', '2024-12-31', '{}'::jsonb, 'x')`.execute(
        t.db,
      ),
    ).rejects.toMatchObject({
      code: '23503',
      message: expect.stringContaining('stream "nowhere/2024" does not exist'),
    });
    expect(await logSnapshot(t.db)).toEqual(before);
  });

  test.each([
    ['DELETE', sql`delete from streams where stream_id = 'dept-a/2024'`, /DELETE of a stream is not allowed/],
    ['TRUNCATE', sql`truncate streams cascade`, /TRUNCATE of a stream is not allowed/],
    [
      'renaming',
      sql`update streams set stream_id = 'dept-q/2024' where stream_id = 'dept-a/2024'`,
      /renaming of a stream is not allowed/,
    ],
  ])('the database refuses %s on streams (events keep their stream)', async (_op, statement, message) => {
    const before = await logSnapshot(t.db);
    const streams = await sql<{
      stream_id: string;
      version: number;
    }>`select stream_id, version from streams order by stream_id`.execute(t.db);
    await expect(statement.execute(t.db)).rejects.toThrow(message);
    expect(await logSnapshot(t.db)).toEqual(before);
    expect(
      (
        await sql<{
          stream_id: string;
          version: number;
        }>`select stream_id, version from streams order by stream_id`.execute(t.db)
      ).rows,
    ).toEqual(streams.rows);
    expect(streams.rows.map((r) => r.stream_id)).toEqual(['dept-a/2024', 'dept-b/2024']);
  });

  test('the same event id cannot be stored twice (unique constraint)', async () => {
    await expect(appendOne(repo, opened('dept-c', 'e-1'))).rejects.toMatchObject({ code: '23505' });
    expect((await logSnapshot(t.db)).count).toBe(2);
  });

  test('readAll pages through the log in (transaction, position) order with a checkpoint', async () => {
    await waitFor('both events', async () => (await repo.readAll(START)).length === 2);
    const first = await repo.readAll(START, 1);
    expect(first.map((e) => e.id)).toEqual(['e-1']);
    const cp: Checkpoint = { transactionId: first[0]!.transactionId, position: first[0]!.position };
    const rest = await repo.readAll(cp, 10);
    expect(rest.map((e) => e.id)).toEqual(['e-2']);
    expect(BigInt(rest[0]!.transactionId) > BigInt(first[0]!.transactionId)).toBe(true);
  });
});

describe('catch-up reader on postgres with concurrent writers', () => {
  let t: TestDatabase;
  let repo: EventsRepository;

  beforeAll(async () => {
    t = await testDatabase('postgres');
    repo = new EventsRepository(t.db);
  });
  afterAll(async () => t.dispose());

  test('an event that takes a lower position but commits later is not skipped', async () => {
    await appendOne(repo, opened('dept-0', 'before'));
    // Catch-up reads also wait for transactions of other databases on the server: let them end.
    const seen = await waitFor('the first event to be readable', async () => {
      const r = await repo.readAll(START);
      return r.length > 0 && r;
    });
    expect(seen.map((e) => e.id)).toEqual(['before']);
    const checkpoint: Checkpoint = { transactionId: seen[0]!.transactionId, position: seen[0]!.position };

    let releaseA!: () => void;
    const holdA = new Promise<void>((r) => (releaseA = r));
    let markA!: () => void;
    const aAppended = new Promise<void>((r) => (markA = r));
    const slow = appendOne(repo, opened('dept-slow', 'slow'), holdA, markA);
    await aAppended; // A holds the lower position, uncommitted
    const fast = await appendOne(repo, opened('dept-fast', 'fast')); // B takes a higher position and commits

    // B is committed but A is still running: the reader must not move past A.
    const whileAOpen = await repo.readAll(checkpoint);
    expect(whileAOpen).toEqual([]);

    releaseA();
    const a = await slow;
    expect(a.position).toBeLessThan(fast.position);
    const after = await waitFor('both events', async () => {
      const r = await repo.readAll(checkpoint);
      return r.length >= 2 && r;
    });
    expect(after.map((e) => e.id)).toEqual(['slow', 'fast']);
  });

  test('a rolled-back transaction leaves a gap that the reader passes over', async () => {
    const all = await waitFor('the earlier events', async () => {
      const r = await repo.readAll(START);
      return r.length >= 3 && r;
    });
    const last = all[all.length - 1]!;
    const cp: Checkpoint = { transactionId: last.transactionId, position: last.position };
    await expect(
      repo.transaction(async (trx) => {
        await repo.lockStream(trx, 'dept-x/2024', 'dept-x', 2024);
        await repo.append(trx, [
          {
            event: opened('dept-x', 'rolled-back'),
            stream: 'dept-x/2024',
            version: 1,
            occurredOn: '2024-01-02',
            contentHash: 'x',
          },
        ]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await appendOne(repo, opened('dept-y', 'after-gap'));
    const after = await waitFor('the event after the gap', async () => {
      const r = await repo.readAll(cp);
      return r.length > 0 && r;
    });
    expect(after.map((e) => e.id)).toEqual(['after-gap']);
  });
});

describe('concurrent writers on postgres keep each stream in version order for catch-up readers', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase('postgres');
  });
  afterAll(async () => t.dispose());

  test('reading in (transaction id, position) order gives every stream its versions in order', async () => {
    const { IngestService } = await import('#application/ingest/ingest.service.js');
    const repo = new EventsRepository(t.db);
    const unit = (dep: string, id: string) => ({
      id,
      type: 'UnitRegistered',
      department: dep,
      year: 2024,
      occurredAt: '2024-01-03',
      data: { unit: id, name: id },
    });
    await new IngestService(repo).ingest([opened('dept-a1', 'a1-open'), opened('dept-b2', 'b2-open')]);
    // A long first stream makes a writer that locks it first spend time before it reaches the second.
    await new IngestService(repo).ingest(Array.from({ length: 3000 }, (_, i) => unit('dept-a1', `a1-u${i}`)));
    let stop = false;
    // Writer X: batches over both streams, each with a fresh write model (folded from the log).
    const x = (async () => {
      for (let i = 0; i < 15; i++)
        await new IngestService(repo).ingest([unit('dept-a1', `x-a-${i}`), unit('dept-b2', `x-b-${i}`)]);
      stop = true;
    })();
    // Writer Y: small batches on the second stream only, as fast as it can.
    const y = (async () => {
      const w = new IngestService(repo);
      for (let i = 0; !stop && i < 2000; i++) await w.ingest([unit('dept-b2', `y-${i}`)]);
    })();
    await Promise.all([x, y]);
    const total = await repo.count();
    const all: { stream: string; version: number }[] = [];
    let cp = START;
    await waitFor('every event', async () => {
      const page = await repo.readAll(cp, 5000);
      all.push(...page);
      if (page.length > 0)
        cp = { transactionId: page[page.length - 1]!.transactionId, position: page[page.length - 1]!.position };
      return all.length === total;
    });
    for (const stream of ['dept-a1/2024', 'dept-b2/2024']) {
      const versions = all.filter((e) => e.stream === stream).map((e) => e.version);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    }
    expect(all.filter((e) => e.stream === 'dept-b2/2024').length).toBeGreaterThan(16);
  });
});
