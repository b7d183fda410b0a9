/**
 * Catch-up reads across a power of ten in transaction ids (999 → 1000, 9999 → 10000, …), on a
 * private PostgreSQL whose next xid is set just below 10000. Found by the PostgreSQL-restart test
 * (a fresh server crosses xid 1000 while it runs): the read ordered by the *text* of the xid, so a
 * batch spanning the boundary saved an earlier checkpoint than the events it applied, and the
 * projector then stopped for good on a duplicate key. Catch-up must order numerically.
 */
import { sql } from 'kysely';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { migrate, openDatabase, type DatabaseHandle } from '#persistence/db.js';
import { EventsRepository, START } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { PrivatePostgres } from './support/private-postgres.js';

describe('catch-up across a power of ten in transaction ids', () => {
  let server: PrivatePostgres;
  let h: DatabaseHandle;

  beforeAll(async () => {
    server = await new PrivatePostgres().init();
    await server.setNextXid(9_500);
    await server.start();
    h = await openDatabase({ url: server.url, poolSize: 2 });
    await migrate(h.db);
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await server?.dispose();
  }, 30_000);

  const xid = async () =>
    Number((await sql<{ x: string }>`select pg_current_xact_id()::text as x`.execute(h.db)).rows[0]!.x);

  test('events of xids 99xx and 100xx are read, applied and checkpointed in numeric order', async () => {
    const events = new EventsRepository(h.db);
    const ingest = new IngestService(events);
    const ev = (id: string, type: string, data: Record<string, unknown>) => ({
      id,
      type,
      department: 'xid-dept',
      year: 2024,
      occurredAt: '2024-03-01',
      data,
    });
    await ingest.ingest([
      ev('x-open', 'YearOpened', { departmentName: '事务号测试局' }),
      ev('x-unit', 'UnitRegistered', { unit: 'u1', name: '业务一科' }),
      ev('x-line', 'BudgetAllocated', {
        line: 'l1',
        unit: 'u1',
        name: '项目',
        category: 'project',
        economic: 'other',
        source: 'fiscal',
        amount: '1000000.00',
      }),
    ]);
    const first = await xid();
    expect(first).toBeLessThan(10_000);
    // One transaction per event until the xids have crossed 10000 by a margin.
    let n = 0;
    while ((await xid()) < 10_040 && n < 2_000) {
      await ingest.ingest([
        ev(`x-s${n}`, 'SpendingRecorded', {
          line: 'l1',
          source: 'fiscal',
          month: '2024-02',
          amount: `${(n % 90) + 1}.00`,
        }),
      ]);
      n++;
    }
    const txs = (
      await sql<{ tx: string }>`select transaction_id::text as tx from events order by position`.execute(h.db)
    ).rows.map((r) => Number(r.tx));
    expect(Math.min(...txs)).toBeLessThan(10_000);
    expect(Math.max(...txs)).toBeGreaterThanOrEqual(10_000);

    // The read returns the log in numeric (xid, position) order.
    const all = await events.readAll(START, 100_000);
    expect(all).toHaveLength(n + 3);
    const order = all.map((e) => [BigInt(e.transactionId), e.position] as const);
    for (let i = 1; i < order.length; i++) {
      const [t0, p0] = order[i - 1]!;
      const [t1, p1] = order[i]!;
      expect(t1 > t0 || (t1 === t0 && p1 > p0)).toBe(true);
    }

    // Small batches, so several span the boundary: the projector applies each event once.
    const repo = new ExecutionRepository(h.db);
    const projector = new ExecutionProjector(new ProjectionFeedRepository(h.db), repo, { batchSize: 7 });
    expect(await projector.catchUp()).toBe(n + 3);
    expect(await projector.catchUp()).toBe(0);
    // Every spending event once among the segments' sources, and its amount once in the sums.
    const facts = await sql<{ c: number; s: string }>`
      select (select coalesce(sum(json_array_length(x->2)), 0)::int from exec_segments, json_array_elements(sources) x) as c,
             (select sum((x->>4)::numeric)::text from exec_segments, json_array_elements(facts->'s') x) as s`.execute(
      h.db,
    );
    expect(facts.rows[0]!.c).toBe(n);
    const expected = Array.from({ length: n }, (_, i) => (i % 90) + 1).reduce((a, b) => a + b, 0);
    expect(facts.rows[0]!.s).toBe(`${expected}.00`);
    expect((await repo.checkpoint('execution'))!.processed).toBe(n + 3);
    console.log(`xid order: ${n + 3} events in transactions ${first}..${Math.max(...txs)}, projected once each`);
  }, 60_000);
});
