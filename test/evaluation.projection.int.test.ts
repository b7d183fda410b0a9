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
import type { StoredEvent } from '#domain/events.js';
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
      grade: '优',
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
