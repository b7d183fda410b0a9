/**
 * The year-end evaluation read from the execution projection equals the one replayed from the log
 * (every criterion, source id, subtotal and the reconciliation), and the log is replayed while the
 * projection has not applied the whole stream.
 */
import { EvaluationService } from '#application/evaluation/evaluation.service.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { evaluationReport } from '#application/evaluation/evaluation.wire.js';
import { DEFAULT_FRAMEWORK } from '#domain/evaluation/framework.js';
import type { EventInput, StoredEvent } from '#domain/events.js';
import {
  almostEmptyYear,
  asDepartment,
  dated,
  sampleWithMidYearReports,
  sampleWithout,
} from '#domain/testing/evaluation.fixture.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';
import { sampleEvents } from './support/sample.js';

class CountingEvents extends EventsRepository {
  pages = 0;
  override page(stream: string, fromVersion: number, limit: number): Promise<StoredEvent[]> {
    this.pages++;
    return super.page(stream, fromVersion, limit);
  }
}

describe.each(BACKENDS)('evaluation from the projection on %s', (backend) => {
  let t: TestDatabase;
  let events: CountingEvents;
  let service: EvaluationService;
  let projector: ExecutionProjector;
  const sample = sampleEvents();

  beforeAll(async () => {
    t = await testDatabase(backend);
    events = new CountingEvents(t.db);
    const execution = new ExecutionRepository(t.db);
    const feed = new ProjectionFeedRepository(t.db);
    service = new EvaluationService(events, execution, feed);
    projector = new ExecutionProjector(feed, execution);
    // The sample without its last 10 events first (a running forecast), projected.
    await new IngestService(events).ingest(sample.slice(0, -10));
    await projector.catchUpStream('yantian-emergency/2023', sample.length - 10);
  });
  afterAll(async () => t.dispose());

  async function replayed() {
    const all = await events.readStream(t.db, 'yantian-emergency/2023', 1, 10_000);
    return evaluationReport({
      department: 'yantian-emergency',
      year: 2023,
      events: all,
      framework: DEFAULT_FRAMEWORK,
      knownOn: null,
    });
  }

  test('a forecast from the projection equals the replay, without reading the log', async () => {
    events.pages = 0;
    const fromProjection = await service.evaluation('yantian-emergency', 2023);
    expect(events.pages).toBe(0);
    expect(fromProjection.status).toBe('forecast');
    expect(fromProjection.eventsConsidered).toBe(sample.length - 10);
    expect(fromProjection).toEqual(await replayed());
  });

  test('while the projection is behind the log, the log is replayed (no stored event is missed)', async () => {
    await new IngestService(events).ingest(sample.slice(-10));
    events.pages = 0;
    const behind = await service.evaluation('yantian-emergency', 2023);
    expect(events.pages).toBeGreaterThan(0);
    expect(behind.eventsConsidered).toBe(sample.length);
    expect(behind.status).toBe('final');
    expect(behind.total.score).toBe('91.70');

    await projector.catchUpStream('yantian-emergency/2023', sample.length);
    // The same stream version: this service answers from its cache, a fresh one from the projection.
    events.pages = 0;
    expect(await service.evaluation('yantian-emergency', 2023)).toBe(behind);
    const fresh = new EvaluationService(events, new ExecutionRepository(t.db), new ProjectionFeedRepository(t.db));
    const projected = await fresh.evaluation('yantian-emergency', 2023);
    expect(events.pages).toBe(0);
    expect(projected).toEqual(behind);
    expect(projected).toMatchObject({
      status: 'final',
      grade: '优',
      total: { score: '91.70' },
      eventsConsidered: sample.length,
    });
    expect(projected.level1.map((l) => [l.name, l.score])).toEqual([
      ['部门决策', '18.00'],
      ['部门管理', '19.00'],
      ['部门绩效', '54.70'],
    ]);
    // The summary (lists, batch scoring) from the projection without source ids: the same total and grade.
    events.pages = 0;
    expect(await service.summary('yantian-emergency', 2023)).toEqual({
      department: 'yantian-emergency',
      year: 2023,
      status: 'final',
      total: '91.70',
      exact: projected.total.exact,
      range: projected.range,
      grade: '优',
      grades: ['优'],
      missing: 0,
      notDue: 0,
      framework: projected.framework.name,
      eventsConsidered: sample.length,
    });
    expect(events.pages).toBe(0);
    // Source ids of the line-based criteria come back from the projection's positions.
    const execution = projected.criteria.flatMap((c) => c.items ?? [c]).find((c) => c.sources.length > 100)!;
    expect(new Set(execution.sources).size).toBe(execution.sources.length);
    for (const id of execution.sources) expect(sample.some((e) => e.id === id)).toBe(true);
  });

  test('"as known on" a date replays the log', async () => {
    events.pages = 0;
    const known = await service.evaluation('yantian-emergency', 2023, { knownOn: '2023-06-30' });
    expect(events.pages).toBeGreaterThan(0);
    expect(known.status).toBe('forecast');
    expect(known.knownOn).toBe('2023-06-30');
  });
});

/** The events of a stream recorded on or before `date` (what "as known on" the date considers). */
const recordedBy = (list: EventInput[], date: string) => list.filter((e) => dated([e])[0]!.occurredOn <= date);

describe.each(BACKENDS)('incomplete and forecast years from the projection on %s', (backend) => {
  let t: TestDatabase;
  let events: CountingEvents;
  let service: EvaluationService;

  beforeAll(async () => {
    t = await testDatabase(backend);
    events = new CountingEvents(t.db);
    const execution = new ExecutionRepository(t.db);
    const feed = new ProjectionFeedRepository(t.db);
    service = new EvaluationService(events, execution, feed);
    const ingest = new IngestService(events);
    await ingest.ingest(
      asDepartment(sampleWithout({ types: ['AssetsReported'], assessments: ['decision.goals.clarity'] }), 'inc'),
    );
    await ingest.ingest(almostEmptyYear());
    // The sample with mid-year reports as far as it was recorded by 2023-09-30 (the year still open).
    await ingest.ingest(recordedBy(asDepartment(sampleWithMidYearReports(), 'mid'), '2023-09-30'));
    await new ExecutionProjector(feed, execution).catchUp();
  });
  afterAll(async () => t.dispose());

  async function replayed(department: string, year: number, knownOn: string | null = null) {
    const all = await events.readStream(t.db, `${department}/${year}`, 1, 10_000);
    return evaluationReport({
      department,
      year,
      events: knownOn ? all.filter((e) => e.occurredOn <= knownOn) : all,
      framework: DEFAULT_FRAMEWORK,
      knownOn,
    });
  }

  test('an incomplete year from the projection equals the replay; its summary carries the range', async () => {
    events.pages = 0;
    const projected = await service.evaluation('inc', 2023);
    expect(events.pages).toBe(0);
    expect(projected).toEqual(await replayed('inc', 2023));
    expect(projected).toMatchObject({
      status: 'incomplete',
      range: { min: { score: '85.70' }, max: { score: '93.70' } },
      grade: null,
      grades: ['良', '优'],
    });
    events.pages = 0;
    expect(await service.summary('inc', 2023)).toEqual({
      department: 'inc',
      year: 2023,
      status: 'incomplete',
      total: '85.70',
      exact: '85.70341666666666666666666666666666666667',
      range: projected.range,
      grade: null,
      grades: ['良', '优'],
      missing: 2,
      notDue: 0,
      framework: projected.framework.name,
      eventsConsidered: projected.eventsConsidered,
    });
    expect(events.pages).toBe(0);
  });

  test('a closed year with almost nothing: the same from the projection and the replay', async () => {
    const projected = await service.evaluation('almost-empty', 2024);
    expect(projected).toEqual(await replayed('almost-empty', 2024));
    expect(projected.range).toMatchObject({ min: { score: '5.61' }, max: { score: '98.61' } });
    expect(await service.summary('almost-empty', 2024)).toMatchObject({
      status: 'incomplete',
      grade: null,
      missing: 21,
      notDue: 0,
    });
  });

  test('a forecast from the projection is as of its latest record date: the replay as known on that date', async () => {
    events.pages = 0;
    const projected = await service.evaluation('mid', 2023);
    expect(events.pages).toBe(0);
    expect(projected).toEqual(await replayed('mid', 2023));
    expect(projected).toMatchObject({ status: 'forecast', asOf: '2023-09-30', dueAsOf: '2023-09-30', knownOn: null });
    const known = await service.evaluation('mid', 2023, { knownOn: '2023-09-30' });
    expect(known.dueAsOf).toBe('2023-09-30');
    expect(projected.criteria).toEqual(known.criteria);
    // 预算执行率 3.01975 + 资金调整 1 + 财政供养 1 + 编外 0 + 政府采购 1.5; at most 100 − 6 + 4.51975 − 1 − 0.5.
    expect(projected.range).toEqual({
      min: { score: '6.52', exact: '6.51975' },
      max: { score: '97.02', exact: '97.01975' },
    });
    expect(await service.summary('mid', 2023)).toMatchObject({
      status: 'forecast',
      total: '6.52',
      range: projected.range,
      grade: null,
      grades: ['差', '中', '良', '优'],
      missing: 1,
      notDue: 18,
    });
  });
});
