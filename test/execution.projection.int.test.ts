/**
 * The execution projection on real databases: live processing equals a rebuild from zero, a crash
 * mid-batch resumes without double counting, and the figures of FRAMEWORK.md.
 */
import { Decimal } from 'decimal.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { ExecutionService } from '#application/execution/execution.service.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { sql } from 'kysely';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';
import { batches, generateEvents, type GeneratorOptions } from './support/event-generator.js';
import { independentFigures } from './support/independent.js';
import { sampleEvents } from './support/sample.js';

const TODAY = '2026-11-24';

describe.each(BACKENDS)('execution projection on %s', (backend) => {
  let t: TestDatabase;
  let events: EventsRepository;
  let feed: ProjectionFeedRepository;
  let repo: ExecutionRepository;
  let projector: ExecutionProjector;
  let service: ExecutionService;

  beforeAll(async () => {
    t = await testDatabase(backend);
    events = new EventsRepository(t.db);
    feed = new ProjectionFeedRepository(t.db);
    repo = new ExecutionRepository(t.db);
    projector = new ExecutionProjector(feed, repo, { batchSize: 7 });
    service = new ExecutionService(repo);
    const ingest = new IngestService(events);
    const sample = sampleEvents();
    // Live: small batches, the projector following after each.
    for (let i = 0; i < sample.length; i += 20) {
      await ingest.ingest(sample.slice(i, i + 20));
      await projector.catchUp();
    }
    // Catch-up reads wait for transactions still open anywhere on the server: make sure all is in.
    await projector.catchUpStream('yantian-emergency/2023', 241);
  });
  afterAll(async () => t.dispose());

  /** Spending in the read model: the sum of every stored spending fact and the spending events behind them. */
  async function projectedSpending() {
    const sum = await sql<{
      s: string;
    }>`select coalesce(sum((x->>4)::numeric), 0)::text as s from exec_segments, json_array_elements(facts->'s') x`.execute(
      t.db,
    );
    const n = await sql<{
      n: number;
    }>`select coalesce(sum(json_array_length(x->2)), 0)::int as n from exec_segments, json_array_elements(sources) x`.execute(
      t.db,
    );
    return { spent: sum.rows[0]!.s, events: n.rows[0]!.n };
  }

  test('a rebuild from zero gives the same rows as live processing', async () => {
    const live = await repo.dump();
    const sample = sampleEvents();
    const spending = sample.filter((e) => e.type === 'SpendingRecorded' || e.type === 'SpendingCorrected');
    // One head, one segment per record month of the sample; every spending event counted once.
    expect(live.exec_streams).toHaveLength(1);
    const months = new Set(sample.map((e) => e.occurredAt.slice(0, 7)));
    expect(live.exec_segments).toHaveLength(months.size);
    expect(live.exec_segments.reduce<number>((n, s) => n + Number((s as { events: number }).events), 0)).toBe(241);
    const fen = spending.reduce((a, e) => a.plus((e.data as { amount: string }).amount), new Decimal(0));
    expect(await projectedSpending()).toEqual({ spent: fen.toFixed(2), events: spending.length });
    const progress: number[] = [];
    const n = await new ExecutionProjector(feed, repo, { batchSize: 50 }).rebuild((p) => progress.push(p));
    expect(n).toBe(241);
    expect(progress).toEqual([241]);
    expect(await repo.dump()).toEqual(live);
    expect((await projector.status()).behind).toBe(0);
    expect((await repo.checkpoint('execution'))!.processed).toBe(241);
  });

  test('a crash between writing rows and saving the checkpoint rolls back; resuming does not double count', async () => {
    const live = await repo.dump();
    class CrashingRepo extends ExecutionRepository {
      calls = 0;
      override async saveStep(
        trx: Parameters<ExecutionRepository['saveStep']>[0],
        step: Parameters<ExecutionRepository['saveStep']>[1],
      ) {
        await super.saveStep(trx, step);
        if (++this.calls === 3) throw new Error('simulated crash');
      }
    }
    await repo.transaction((trx) => repo.reset(trx, 'execution'));
    const crashing = new CrashingRepo(t.db);
    const p1 = new ExecutionProjector(feed, crashing, { batchSize: 40 });
    await p1.catchUp().then(
      () => {
        throw new Error('expected the crash');
      },
      (e: Error) => expect(e.message).toBe('simulated crash'),
    );
    const cp = await repo.checkpoint('execution');
    expect(cp?.processed).toBe(80);
    const resumed = await new ExecutionProjector(feed, repo, { batchSize: 40 }).catchUp();
    expect(resumed).toBe(161);
    expect(await repo.dump()).toEqual(live);
  });

  test('a rebuild that fails half-way leaves the read model and checkpoint as they were', async () => {
    const before = await repo.dump();
    const cp = await repo.checkpoint('execution');
    class FailingRepo extends ExecutionRepository {
      override async saveHeads(
        trx: Parameters<ExecutionRepository['saveHeads']>[0],
        heads: Parameters<ExecutionRepository['saveHeads']>[1],
      ) {
        await super.saveHeads(trx, heads);
        throw new Error('disk full');
      }
    }
    await expect(new ExecutionProjector(feed, new FailingRepo(t.db)).rebuild()).rejects.toThrow('disk full');
    expect(await repo.dump()).toEqual(before);
    expect(await repo.checkpoint('execution')).toEqual(cp);
  });

  test('fiscal quarter-end rates as corrected are 20.85, 39.92, 73.61, 94.51', async () => {
    const q = await service.quarters('yantian-emergency', 2023, { source: 'fiscal' });
    expect(q.quarters.map((x) => x.rate)).toEqual(['20.85', '39.92', '73.61', '94.51']);
    expect(q.quarters.map((x) => x.schedule)).toEqual(['25.00', '50.00', '75.00', '100.00']);
    for (const x of q.quarters) {
      const ind = independentFigures({ unit: null, date: x.date, month: x.quarter * 3, source: 'fiscal' });
      expect({ budget: x.budget, spent: x.spent, rate: x.rate }).toEqual(ind);
    }
  });

  test('Q1 as known on 2023-04-30 is 21.04 (the March overstatement was corrected in May)', async () => {
    const q = await service.quarters('yantian-emergency', 2023, { source: 'fiscal', knownOn: '2023-04-30' });
    expect(q.quarters[0]!.rate).toBe('21.04');
    const ind = independentFigures({
      unit: null,
      date: '2023-03-31',
      month: 3,
      source: 'fiscal',
      knownOn: '2023-04-30',
    });
    expect(q.quarters[0]!.spent).toBe(ind.spent);
    const asCorrected = await service.execution('yantian-emergency', 2023, { asOf: '2023-03-31' }, TODAY);
    const asKnown = await service.execution(
      'yantian-emergency',
      2023,
      { asOf: '2023-03-31', knownOn: '2023-04-30' },
      TODAY,
    );
    expect(asCorrected.total.rate).toBe('20.85');
    expect(asKnown.total.rate).toBe('21.04');
    expect(asKnown.units.find((u) => u.unit === 'safety')!.spent).not.toBe(
      asCorrected.units.find((u) => u.unit === 'safety')!.spent,
    );
  });

  test('at the end of Q2 units command and emergency are red; every unit and line matches an independent computation', async () => {
    const r = await service.execution('yantian-emergency', 2023, { asOf: '2023-06-30', source: 'fiscal' }, TODAY);
    expect(r.throughMonth).toBe(6);
    expect(r.total.schedule).toBe('50.00');
    expect(r.units.filter((u) => u.level === 'red').map((u) => u.unit)).toEqual(['command', 'emergency']);
    for (const u of r.units) {
      const ind = independentFigures({ unit: u.unit, date: '2023-06-30', month: 6, source: 'fiscal' });
      expect({ unit: u.unit, budget: u.budget, spent: u.spent, rate: u.rate }).toEqual({ unit: u.unit, ...ind });
      expect(u.lag).toBe(new Decimal(50).minus(ind.rate).toFixed(2));
    }
    const command = r.units.find((u) => u.unit === 'command')!;
    expect(command).toMatchObject({ rate: '16.75', lag: '33.25', level: 'red' });
    expect(command.forecast.nextCheckpoint).toMatchObject({
      quarter: 3,
      date: '2023-09-30',
      schedule: '75.00',
      neededToReach: '5726615.10',
    });
    expect(r.lines.map((l) => l.line)).not.toContain('safety-other');
  });

  test('all funds include the other-source line', async () => {
    const r = await service.execution('yantian-emergency', 2023, { asOf: '2023-12-31', source: 'all' }, TODAY);
    const ind = independentFigures({ unit: null, date: '2023-12-31', month: 12, source: 'all' });
    expect({ budget: r.total.budget, spent: r.total.spent, rate: r.total.rate }).toEqual(ind);
    expect(r.lines.map((l) => l.line)).toContain('safety-other');
  });

  test('the month-linear schedule between checkpoints and the yellow band', async () => {
    const may = await service.execution('yantian-emergency', 2023, { asOf: '2023-05-31' }, TODAY);
    expect(may.throughMonth).toBe(5);
    expect(may.total.schedule).toBe('41.67');
    const mid = await service.execution('yantian-emergency', 2023, { asOf: '2023-05-15' }, TODAY);
    expect(mid.throughMonth).toBe(4);
    expect(mid.total.schedule).toBe('33.33');
    for (const u of may.units) {
      const ind = independentFigures({ unit: u.unit, date: '2023-05-31', month: 5, source: 'fiscal' });
      const lag = new Decimal('41.67').minus(ind.rate);
      expect({ unit: u.unit, lag: u.lag, level: u.level }).toEqual({
        unit: u.unit,
        lag: lag.toFixed(2),
        level: lag.gte(10) ? 'red' : lag.gte(5) ? 'yellow' : 'green',
      });
    }
    expect(may.units.map((u) => u.level)).toEqual(['green', 'green', 'green', 'red', 'red']);
  });
});

describe('the projector segment cache on postgres', () => {
  // 3 departments × 2 years × (3 units × 4 lines × 12 months × 3 records + …) ≈ 6 × 470 events.
  const GEN: GeneratorOptions = {
    departments: 3,
    years: [2022, 2023],
    units: 3,
    linesPerUnit: 4,
    recordsPerLineMonth: 3,
    seed: 5,
  };
  let t: TestDatabase;

  beforeAll(async () => {
    t = await testDatabase('postgres');
    const ingest = new IngestService(new EventsRepository(t.db));
    for (const batch of batches(GEN, 500)) await ingest.ingest(batch);
  });
  afterAll(async () => t.dispose());

  test('stays within its event budget while following a log of many streams, and evicting changes nothing', async () => {
    const feed = new ProjectionFeedRepository(t.db);
    const repo = new ExecutionRepository(t.db);
    const total = [...generateEvents(GEN)].length;
    const perStream = total / 6;
    const budget = Math.round(perStream * 1.5);
    const bounded = new ExecutionProjector(feed, repo, { batchSize: 97, cacheEvents: budget });
    let applied = 0;
    let most = 0;
    for (let n = await bounded.step(); n > 0; n = await bounded.step()) {
      applied += n;
      const s = bounded.cacheStats();
      most = Math.max(most, s.events);
      // Trimmed after every batch: at most the budget (what is left after a trim is ≤ half of it).
      expect(s.events).toBeLessThanOrEqual(budget);
    }
    expect(applied).toBe(total);
    // Streams were evicted (the log holds 6 streams, the budget about 1.5) and reloaded later.
    expect(most).toBeGreaterThan(budget / 2);
    expect(bounded.cacheStats().streams).toBeLessThan(6);
    const live = await repo.dump();
    await new ExecutionProjector(feed, repo, { batchSize: 500 }).rebuild();
    expect(await repo.dump()).toEqual(live);
  });
});

describe.each(BACKENDS)('reading a stream while the projector writes it, on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase(backend);
    await new IngestService(new EventsRepository(t.db)).ingest(sampleEvents());
  });
  afterAll(async () => t.dispose());

  test('head and segments come from one snapshot: the facts always hold exactly the spending of the head version', async () => {
    const repo = new ExecutionRepository(t.db);
    const projector = new ExecutionProjector(new ProjectionFeedRepository(t.db), repo, { batchSize: 3 });
    const sample = sampleEvents();
    // Spending (in fen) of the first v events of the stream: what a head at version v must come with.
    const fen = (a: string) => BigInt(new Decimal(a).times(100).toFixed(0));
    const spentAt = [0n];
    for (const e of sample)
      spentAt.push(
        spentAt[spentAt.length - 1]! +
          (e.type === 'SpendingRecorded' || e.type === 'SpendingCorrected'
            ? fen((e.data as { amount: string }).amount)
            : 0n),
      );
    let projecting = true;
    const writer = (async () => {
      while ((await projector.step()) > 0);
      projecting = false;
    })();
    let reads = 0;
    const versions = new Set<number>();
    while (projecting || reads === 0) {
      const inputs = await repo.loadEvaluationInputs('yantian-emergency/2023', false);
      if (!inputs) continue;
      const spent = inputs.facts.spending.reduce((n, s) => n + fen(s.amount), 0n);
      expect({ version: inputs.head.version, spent }).toEqual({
        version: inputs.head.version,
        spent: spentAt[inputs.head.version],
      });
      versions.add(inputs.head.version);
      reads += 1;
    }
    await writer;
    // The reads saw the stream at many versions while it was being written.
    expect(versions.size).toBeGreaterThan(5);
  });
});
