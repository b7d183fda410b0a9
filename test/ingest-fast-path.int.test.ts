/**
 * The two ways a batch is stored (IngestService): the fast path (decided on the cached write
 * model, one paceline_append statement) and the slow path (idempotency lookup and write models
 * read under the stream locks). Both must store the same rows and answer the same; the fast path
 * must hand every case it cannot settle to the slow one: stored ids, stale write models (another
 * service wrote), refusals. On embedded PGlite and PostgreSQL.
 */
import { sql, type Kysely } from 'kysely';
import { ConflictError, InvalidInputError } from '#application/common/errors.js';
import { IngestService, type IngestResult } from '#application/ingest/ingest.service.js';
import type { Database } from '#persistence/database.js';
import { EventsRepository, StreamVersionMismatchError, type NewEventRow } from '#persistence/events.repository.js';
import { contentHash } from '#application/ingest/ingest-prepare.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';
import { sampleEvents } from './support/sample.js';

const YEAR = 2024;
let seq = 0;
const ev = (dep: string, type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: `fp-${++seq}`,
  type,
  department: dep,
  year: YEAR,
  occurredAt: '2024-03-01',
  data,
  ...extra,
});
const setup = (dep: string, lines = ['l1']) => [
  ev(dep, 'YearOpened', { departmentName: '快速路径测试局' }),
  ev(dep, 'UnitRegistered', { unit: 'u1', name: '业务一科' }),
  ...lines.map((l) =>
    ev(dep, 'BudgetAllocated', {
      line: l,
      unit: 'u1',
      name: '项目',
      category: 'project',
      economic: 'other',
      source: 'fiscal',
      amount: '1000000.00',
    }),
  ),
];
const spend = (dep: string, line = 'l1', amount = '1.00') =>
  ev(dep, 'SpendingRecorded', { line, source: 'fiscal', month: '2024-03', amount });

/** Every stored column but recorded_at (and the xid, which differs between databases). */
async function storedRows(db: Kysely<Database>) {
  const r = await sql<Record<string, unknown>>`
    select position, event_id, stream_id, version, department, year, type, occurred_at, occurred_on::text as occurred_on, data::text as data, content_hash
    from events order by position`.execute(db);
  return r.rows;
}

async function streamRows(db: Kysely<Database>) {
  return (
    await sql<
      Record<string, unknown>
    >`select stream_id, department, year, version from streams order by stream_id`.execute(db)
  ).rows;
}

async function refusal(p: Promise<unknown>): Promise<InvalidInputError | ConflictError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof InvalidInputError || e instanceof ConflictError))
    throw new Error(`expected a refusal, got ${String(e)}`);
  return e;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

describe.each(BACKENDS)('ingest fast and slow paths on %s', (backend) => {
  let t: TestDatabase;
  let repo: EventsRepository;

  beforeAll(async () => {
    t = await testDatabase(backend);
    repo = new EventsRepository(t.db);
  });
  afterAll(async () => t.dispose());

  test('fast and slow path store the same rows and give the same answers', async () => {
    const other = await testDatabase(backend);
    try {
      const batches = chunks(sampleEvents(), 40);
      // One service: its write model stays cached, every batch takes the fast path.
      const fast = new IngestService(new EventsRepository(other.db));
      const fastResults: IngestResult[] = [];
      for (const b of batches) fastResults.push(await fast.ingest(b));
      expect(fast.counters).toEqual({ fast: batches.length, slow: 0 });
      // A fresh service per batch: nothing cached, so the fast decision (on an empty stream)
      // refuses every batch after the first and the slow path stores it.
      const slowResults: IngestResult[] = [];
      let slow = 0;
      for (const b of batches) {
        const s = new IngestService(repo);
        slowResults.push(await s.ingest(b));
        slow += s.counters.slow;
      }
      expect(slow).toBe(batches.length - 1);
      expect(slowResults).toEqual(fastResults);
      expect(slowResults.flatMap((r) => r.events.map((e) => e.version))).toEqual(
        Array.from({ length: 241 }, (_, i) => i + 1),
      );
      const [a, b] = [await storedRows(other.db), await storedRows(t.db)];
      expect(b).toHaveLength(241);
      expect(b).toEqual(a);
      expect(await streamRows(t.db)).toEqual(await streamRows(other.db));
      // Re-sent, both answer with the original positions.
      expect(await new IngestService(repo).ingest(sampleEvents())).toEqual(await fast.ingest(sampleEvents()));
    } finally {
      await other.dispose();
    }
  });

  test('a batch mixing stored events and new ones: duplicates keep their positions, new ones follow', async () => {
    const dep = 'fp-mixed';
    const svc = new IngestService(repo);
    const first = await svc.ingest([...setup(dep), spend(dep), spend(dep)]);
    const [s1, s2] = [first.events[3]!, first.events[4]!];
    const before = { ...svc.counters };
    const stored = await repo.page(`${dep}/${YEAR}`, 1, 100);
    const again = (v: number) => {
      const e = stored[v - 1]!;
      return { id: e.id, type: e.type, department: e.department, year: e.year, occurredAt: e.occurredAt, data: e.data };
    };
    const n1 = spend(dep, 'l1', '2.00');
    const n2 = spend(dep, 'l1', '3.00');
    const r = await svc.ingest([again(4), n1, again(5), n2]);
    expect(r.accepted).toBe(2);
    expect(r.duplicates).toBe(2);
    expect(r.events[0]).toEqual({ ...s1, index: 0, duplicate: true });
    expect(r.events[2]).toEqual({ ...s2, index: 2, duplicate: true });
    expect(r.events[1]).toMatchObject({ id: n1.id, version: 6, duplicate: false });
    expect(r.events[3]).toMatchObject({ id: n2.id, version: 7, duplicate: false });
    expect(r.events[3]!.position).toBeGreaterThan(r.events[1]!.position);
    // The fast attempt met the stored ids (unique violation) and the slow path settled the batch.
    expect(svc.counters.slow).toBe(before.slow + 1);
    // Nothing stored twice, the stream is at 7, and the next batch takes the fast path again.
    expect(await repo.count(`${dep}/${YEAR}`)).toBe(7);
    expect(await repo.streamVersion(`${dep}/${YEAR}`)).toBe(7);
    const next = await svc.ingest([spend(dep)]);
    expect(next.events[0]!.version).toBe(8);
    expect(svc.counters.fast).toBe(before.fast + 1);
  });

  test('an id reused with different content next to new events: 409, nothing stored, and the write model is still right', async () => {
    const dep = 'fp-conflict';
    const svc = new IngestService(repo);
    const base = await svc.ingest([...setup(dep), spend(dep, 'l1', '5.00')]);
    const stored = (await repo.page(`${dep}/${YEAR}`, 4, 1))[0]!;
    const changed = {
      id: stored.id,
      type: stored.type,
      department: dep,
      year: YEAR,
      occurredAt: stored.occurredAt,
      data: { ...stored.data, amount: '6.00' },
    };
    const fresh = spend(dep, 'l1', '7.00');
    const snap = await logSnapshot(t.db);
    const e = await refusal(svc.ingest([fresh, changed]));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.errors).toEqual([
      {
        index: 1,
        id: stored.id,
        path: 'id',
        reason: `id "${stored.id}" is already used by an event with different content (position ${base.events[3]!.position})`,
      },
    ]);
    expect(await logSnapshot(t.db)).toEqual(snap);
    // The refused batch's events left no trace in the cached write model.
    const ok = await svc.ingest([fresh]);
    expect(ok.events[0]).toMatchObject({ version: 5, duplicate: false });
    // The same id twice in one batch with different content (decided by the slow path).
    const twice = spend(dep, 'l1', '8.00');
    const e2 = await refusal(svc.ingest([twice, { ...twice, data: { ...twice.data, amount: '8.01' } }]));
    expect(e2).toBeInstanceOf(ConflictError);
    expect(e2.errors[0]).toMatchObject({
      index: 1,
      path: 'id',
      reason: expect.stringMatching(/earlier in this batch/),
    });
    expect(await repo.count(`${dep}/${YEAR}`)).toBe(5);
  });

  test('a stale write model (another service wrote the stream) never decides: the slow path does, on current state', async () => {
    const dep = 'fp-stale';
    const a = new IngestService(repo);
    const b = new IngestService(repo);
    await a.ingest(setup(dep)); // a caches version 3
    await b.ingest([
      ev(dep, 'UnitRegistered', { unit: 'u2', name: '业务二科' }),
      ev(dep, 'BudgetAllocated', {
        line: 'l2',
        unit: 'u2',
        name: '项目二',
        category: 'project',
        economic: 'other',
        source: 'fiscal',
        amount: '500.00',
      }),
    ]);
    // Line l2 is unknown to a's stale model: the fast decision refuses, the slow path (current state) accepts.
    const r1 = await a.ingest([spend(dep, 'l2', '10.00')]);
    expect(r1.events[0]).toMatchObject({ version: 6, duplicate: false });
    await b.ingest([spend(dep, 'l1', '1.00'), spend(dep, 'l1', '1.00')]);
    // Accepted by a's stale model too: the version check in the statement sends it to the slow path.
    const slowBefore = a.counters.slow;
    const r2 = await a.ingest([spend(dep, 'l1', '2.00')]);
    expect(r2.events[0]).toMatchObject({ version: 9, duplicate: false });
    expect(a.counters.slow).toBe(slowBefore + 1);
    // b closes the year; a's model still has it open, the current state refuses.
    await b.ingest([ev(dep, 'YearClosed', {})]);
    const snap = await logSnapshot(t.db);
    const e = await refusal(a.ingest([spend(dep, 'l1', '3.00')]));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.errors[0]).toMatchObject({ index: 0, path: 'type', reason: expect.stringMatching(/year is closed/) });
    expect(await logSnapshot(t.db)).toEqual(snap);
    // A stale expectedVersion is a conflict with the real version.
    const e2 = await refusal(
      b.ingest([
        ev(
          dep,
          'AssessmentRecorded',
          { criterion: 'management.rules', score: '2', evidence: '制度' },
          { expectedVersion: 9 },
        ),
      ]),
    );
    expect(e2).toBeInstanceOf(ConflictError);
    expect(e2.errors[0]).toMatchObject({
      path: 'expectedVersion',
      reason: `stream ${dep}/${YEAR} is at version 10, expected 9`,
    });
    const versions = (await repo.page(`${dep}/${YEAR}`, 1, 100)).map((x) => x.version);
    expect(versions).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  test('a service that starts on an existing stream (nothing cached) folds it once, then goes fast', async () => {
    const dep = 'fp-restart';
    await new IngestService(repo).ingest([...setup(dep), spend(dep)]);
    const svc = new IngestService(repo);
    const r1 = await svc.ingest([spend(dep)]);
    expect(r1.events[0]!.version).toBe(5);
    expect(svc.counters).toEqual({ fast: 0, slow: 1 });
    const r2 = await svc.ingest([spend(dep), spend(dep)]);
    expect(r2.events.map((e) => e.version)).toEqual([6, 7]);
    expect(svc.counters).toEqual({ fast: 1, slow: 1 });
  });

  test('concurrent batches of one stream in one process: each decides on committed state only', async () => {
    const dep = 'fp-concurrent';
    const svc = new IngestService(repo);
    await svc.ingest(setup(dep));
    // Batch 1 decides fine on the write model, then fails in the database (an id stored with
    // other content). Batch 2, sent at the same time, corrects a SpendingRecorded of batch 1: it
    // must not be decided on batch 1's uncommitted events.
    const taken = (await repo.page(`${dep}/${YEAR}`, 1, 1))[0]!;
    const record = spend(dep, 'l1', '50.00');
    const batch1 = [record, { ...spend(dep), id: taken.id }];
    const batch2 = [ev(dep, 'SpendingCorrected', { corrects: record.id, amount: '-10.00', reason: '冲回' })];
    const [r1, r2] = await Promise.allSettled([svc.ingest(batch1), svc.ingest(batch2)]);
    expect(r1.status === 'rejected' && r1.reason).toBeInstanceOf(ConflictError);
    expect(r2.status === 'rejected' && r2.reason).toBeInstanceOf(InvalidInputError);
    expect((r2 as PromiseRejectedResult).reason.errors[0]).toMatchObject({
      path: 'data.corrects',
      reason: expect.stringMatching(/not a SpendingRecorded/),
    });
    expect(await repo.count(`${dep}/${YEAR}`)).toBe(3);

    // Many good batches at once (and one bad one among them): all good ones stored, versions
    // contiguous per batch and over the stream, the bad one refused alone.
    const good = Array.from({ length: 12 }, () => Array.from({ length: 25 }, () => spend(dep)));
    const bad = [spend(dep), spend(dep, 'no-such-line')];
    const settled = await Promise.allSettled([...good.slice(0, 6), bad, ...good.slice(6)].map((b) => svc.ingest(b)));
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidInputError);
    const accepted = settled
      .filter((s): s is PromiseFulfilledResult<IngestResult> => s.status === 'fulfilled')
      .map((s) => s.value);
    for (const r of accepted) {
      const v = r.events.map((e) => e.version);
      expect(v).toEqual(Array.from({ length: 25 }, (_, i) => v[0]! + i));
    }
    expect(accepted.flatMap((r) => r.events.map((e) => e.version)).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 300 }, (_, i) => 4 + i),
    );
    const log = await repo.page(`${dep}/${YEAR}`, 1, 1000);
    expect(log.map((e) => e.version)).toEqual(Array.from({ length: 303 }, (_, i) => i + 1));
    expect(log.some((e) => bad.some((b) => b.id === e.id))).toBe(false);
    // Two batches with the same expectedVersion at once: one stored, one 409 naming the real version.
    const both = await Promise.allSettled(
      [0, 1].map(() => svc.ingest([{ ...spend(dep), expectedVersion: 303 }, spend(dep)])),
    );
    expect(both.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = both.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConflictError);
    expect(lost.reason.errors[0]).toMatchObject({
      index: 0,
      path: 'expectedVersion',
      reason: `stream ${dep}/${YEAR} is at version 305, expected 303`,
    });
  });

  test('a batch waits for the batch of the same stream before it to finish; other streams do not wait', async () => {
    const [d1, d2] = ['fp-wait-1', 'fp-wait-2'];
    // A repository whose appends wait for the test's go-ahead, recording what each was decided on.
    const calls: { streams: string[]; base: number[] }[] = [];
    const gates: (() => void)[] = [];
    let gated = false;
    class GatedRepository extends EventsRepository {
      override async appendBatch(...args: Parameters<EventsRepository['appendBatch']>) {
        if (gated) {
          calls.push({ streams: args[0].map((s) => s.stream), base: args[0].map((s) => s.baseVersion) });
          await new Promise<void>((go) => gates.push(go));
        }
        return super.appendBatch(...args);
      }
    }
    const svc = new IngestService(new GatedRepository(t.db));
    await svc.ingest([...setup(d1), ...setup(d2)]);
    gated = true;
    const first = svc.ingest([spend(d1), spend(d1)]);
    const second = svc.ingest([spend(d1)]);
    const other = svc.ingest([spend(d2)]);
    await new Promise((r) => setTimeout(r, 100));
    // The first batch of d1 and the one of d2 are in the database; the second of d1 has not even been decided.
    expect(calls).toEqual([
      { streams: [`${d1}/${YEAR}`], base: [3] },
      { streams: [`${d2}/${YEAR}`], base: [3] },
    ]);
    gates.shift()!();
    expect((await first).events.map((e) => e.version)).toEqual([4, 5]);
    await new Promise((r) => setTimeout(r, 50));
    // Now decided, on the committed state.
    expect(calls[2]).toEqual({ streams: [`${d1}/${YEAR}`], base: [5] });
    while (gates.length > 0) gates.shift()!();
    expect((await second).events[0]!.version).toBe(6);
    expect((await other).events[0]!.version).toBe(4);
  });

  test('the write-model cache stays within its size bound and evicted streams are folded again', async () => {
    const svc = new IngestService(repo, { maxStreams: 1000, maxEntries: 250 });
    const deps = ['fp-size-a', 'fp-size-b', 'fp-size-c', 'fp-size-d'];
    for (const dep of deps) {
      await svc.ingest([...setup(dep), ...Array.from({ length: 100 }, () => spend(dep))]);
      // 1 + 100 spending ids + 1 unit + 1 line = 103 entries a stream: two fit under 250.
      expect(svc.cached.entries).toBeLessThanOrEqual(250);
    }
    expect(svc.cached).toEqual({ streams: 2, entries: 206 });
    // The first stream was evicted: its next batch is folded from the log (slow path), correctly.
    const slow = svc.counters.slow;
    const r = await svc.ingest([
      ev(deps[0]!, 'SpendingCorrected', {
        corrects: (await repo.page(`${deps[0]}/${YEAR}`, 4, 1))[0]!.id,
        amount: '-0.50',
        reason: '冲回',
      }),
    ]);
    expect(r.events[0]!.version).toBe(104);
    expect(svc.counters.slow).toBe(slow + 1);
    expect(svc.cached.entries).toBeLessThanOrEqual(250);
    // Bounded by count as well.
    const few = new IngestService(repo, { maxStreams: 2 });
    for (const dep of deps) await few.ingest([spend(dep)]);
    expect(few.cached.streams).toBe(2);
  });

  test('ids and texts with quotes, backslashes, braces, commas, NULL and spaces are stored exactly', async () => {
    const dep = 'null';
    const weird = [
      '"quoted"',
      'back\\slash\\',
      '{braces}',
      'a,b',
      'NULL',
      'null',
      ' padded ',
      '应急\u2028"\\,{}',
      "it's",
    ];
    const events = [
      ev(dep, 'YearOpened', { departmentName: 'NULL "局" \\ {,}' }, { id: weird[0] }),
      ...weird.slice(1).map((id, i) => ev(dep, 'UnitRegistered', { unit: `u${i}`, name: id }, { id })),
    ];
    const r = await new IngestService(repo).ingest(events);
    expect(r.accepted).toBe(weird.length);
    const stored = await repo.page(`${dep}/${YEAR}`, 1, 100);
    expect(stored.map((e) => e.id)).toEqual(weird);
    expect(stored.map((e) => e.data)).toEqual(events.map((e) => e.data));
    expect(stored.map((e) => e.department)).toEqual(weird.map(() => 'null'));
    // And found again by id (the slow path's lookup): all duplicates.
    const again = await new IngestService(repo).ingest(events);
    expect(again).toMatchObject({ accepted: 0, duplicates: weird.length });
  });

  test('paceline_append: a moved stream is refused with the actual versions, nothing written', async () => {
    const dep = 'fp-repo';
    await new IngestService(repo).ingest(setup(dep));
    const e1 = spend(dep);
    const row = (e: ReturnType<typeof spend>, stream: string, version: number): NewEventRow => ({
      event: e as never,
      stream,
      version,
      occurredOn: '2024-03-01',
      contentHash: contentHash(e as never),
    });
    const snap = await logSnapshot(t.db);
    const err = await repo
      .appendBatch(
        [
          { stream: `${dep}/${YEAR}`, department: dep, year: YEAR, baseVersion: 2, count: 1 },
          { stream: `fp-none/${YEAR}`, department: 'fp-none', year: YEAR, baseVersion: 4, count: 1 },
        ],
        [row(e1, `${dep}/${YEAR}`, 3), row({ ...spend('fp-none'), department: 'fp-none' }, `fp-none/${YEAR}`, 5)],
      )
      .then(
        () => null,
        (x: unknown) => x,
      );
    expect(err).toBeInstanceOf(StreamVersionMismatchError);
    expect((err as StreamVersionMismatchError).actual).toEqual(
      new Map([
        [`${dep}/${YEAR}`, 3],
        [`fp-none/${YEAR}`, 0],
      ]),
    );
    expect(await logSnapshot(t.db)).toEqual(snap);
    // A reused id: the unique violation, nothing written either (not even the stream version).
    const reused = { ...spend(dep), id: (await repo.page(`${dep}/${YEAR}`, 1, 1))[0]!.id };
    await expect(
      repo.appendBatch(
        [{ stream: `${dep}/${YEAR}`, department: dep, year: YEAR, baseVersion: 3, count: 2 }],
        [row(e1, `${dep}/${YEAR}`, 4), row(reused, `${dep}/${YEAR}`, 5)],
      ),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await logSnapshot(t.db)).toEqual(snap);
    // Rows out of stream order are a caller error, caught before the database.
    await expect(
      repo.appendBatch(
        [{ stream: `${dep}/${YEAR}`, department: dep, year: YEAR, baseVersion: 3, count: 1 }],
        [row(e1, `${dep}/${YEAR}`, 5)],
      ),
    ).rejects.toThrow(/should be version 4/);
    // The right base: stored, positions map back to their rows.
    const e2 = spend(dep);
    const ok = await repo.appendBatch(
      [{ stream: `${dep}/${YEAR}`, department: dep, year: YEAR, baseVersion: 3, count: 2 }],
      [row(e1, `${dep}/${YEAR}`, 4), row(e2, `${dep}/${YEAR}`, 5)],
    );
    const back = await sql<{
      event_id: string;
      position: number;
    }>`select event_id, position from events where position = any(${ok.positions}::bigint[]) order by position`.execute(
      t.db,
    );
    expect(back.rows.map((r) => [r.event_id, Number(r.position)])).toEqual([
      [e1.id, ok.positions[0]],
      [e2.id, ok.positions[1]],
    ]);
    expect(ok.transactionId).toMatch(/^\d+$/);
    expect(await repo.streamVersion(`${dep}/${YEAR}`)).toBe(5);
  });
});
