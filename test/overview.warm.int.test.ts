/**
 * The department list (the finance bureau's overview) from small cached parts: each row comes from
 * the execution standing (the answer without lines) and the evaluation summary, and warm() computes
 * them in the background for department-years that stopped changing, so that listing a city's
 * departments loads no facts.
 */
import { EvaluationService } from '#application/evaluation/evaluation.service.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { ExecutionService } from '#application/execution/execution.service.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { OverviewService } from '#application/overview/overview.service.js';
import { loadConfig } from '#config/config.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { NoticesRepository } from '#persistence/notices.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import request from 'supertest';
import { startTestApp } from './support/app.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';
import { waitFor } from './support/receiver.js';
import { sampleEvents } from './support/sample.js';

const TODAY = '2026-11-29';
const STREAM = 'yantian-emergency/2023';
const sample = sampleEvents();
const cut = sample.findIndex((e) => e.occurredAt >= '2023-09');

describe.each(BACKENDS)('department list and its warming on %s', (backend) => {
  let t: TestDatabase;
  let ingest: IngestService;
  let projector: ExecutionProjector;
  let execution: ExecutionService;
  let overview: OverviewService;
  const loads = { facts: 0, evaluation: 0 };

  beforeAll(async () => {
    expect(cut).toBeGreaterThan(100);
    t = await testDatabase(backend);
    const events = new EventsRepository(t.db);
    const repo = new ExecutionRepository(t.db);
    // Counts how often the facts of a stream are loaded (what a computed answer costs).
    const counted = Object.create(repo) as ExecutionRepository;
    counted.loadFacts = (stream) => ((loads.facts += 1), repo.loadFacts(stream));
    counted.loadEvaluationInputs = (stream, withSources) => (
      (loads.evaluation += 1),
      repo.loadEvaluationInputs(stream, withSources)
    );
    const feed = new ProjectionFeedRepository(t.db);
    ingest = new IngestService(events);
    projector = new ExecutionProjector(feed, repo);
    execution = new ExecutionService(counted);
    overview = new OverviewService(
      counted,
      execution,
      new EvaluationService(events, counted, feed),
      new NoticesRepository(t.db),
    );
    await ingest.ingest(sample.slice(0, cut));
    await projector.catchUpStream(STREAM, cut);
  });
  afterAll(async () => t.dispose());

  const loaded = () => loads.facts + loads.evaluation;

  test('a row holds the figures of the full execution answer; its cache entry is the answer without lines', async () => {
    const before = execution.cacheStats();
    const list = await overview.departments({}, TODAY);
    const row = list.departments.find((d) => d.department === 'yantian-emergency')!;
    const full = await execution.execution('yantian-emergency', 2023, { source: 'fiscal' }, TODAY);
    expect(row).toMatchObject({
      asOf: full.asOf,
      throughMonth: full.throughMonth,
      budget: full.total.budget,
      spent: full.total.spent,
      rate: full.total.rate,
      lag: full.total.lag,
      level: full.total.level,
    });
    expect(row.units.total).toBe(full.units.length);
    expect(row.units.green + row.units.yellow + row.units.red).toBe(full.units.filter((u) => u.level !== null).length);
    // The forecast as of 2023-08-31 (the latest record): 预算执行率 Q1 0.834 + Q2 0.7984 + (20.85 + 39.92) / 200
    // = 1.93625 and 资金调整 1 so far; Q3 and Q4 (1.5 each) and every other criterion at its weight at
    // most: 100 − 6 + 1.93625 + 3. No grade: the range spans 差 to 优.
    expect(row.evaluation).toEqual({
      status: 'forecast',
      total: '2.94',
      range: { min: '2.94', max: '98.94' },
      grade: null,
      grades: ['差', '中', '良', '优'],
      missing: 6,
      notDue: 16,
      framework: '部门整体支出绩效评价共性指标体系',
    });
    // Two entries now: the standing (listed) and the full answer (asked above), the standing far smaller.
    const after = execution.cacheStats();
    expect(after.entries - before.entries).toBe(2);
    const standing = await execution.standing('yantian-emergency', 2023, { source: 'fiscal' }, TODAY);
    const { lines, ...withoutLines } = full;
    expect(lines.length).toBeGreaterThan(0);
    expect(standing).toEqual(withoutLines);
  });

  test('warm(): the first call only looks, the next computes each unchanged department-year once', async () => {
    const fresh = new OverviewService(
      new ExecutionRepository(t.db),
      execution,
      new EvaluationService(
        new EventsRepository(t.db),
        new ExecutionRepository(t.db),
        new ProjectionFeedRepository(t.db),
      ),
      new NoticesRepository(t.db),
    );
    expect(await fresh.warm(TODAY)).toBe(0);
    expect(await fresh.warm(TODAY)).toBe(1);
    expect(await fresh.warm(TODAY)).toBe(0);
    // A new day is a new default "as of": computed again once it has been seen.
    expect(await fresh.warm('2026-11-30')).toBe(0);
    expect(await fresh.warm('2026-11-30')).toBe(1);
  });

  test('after a load the list is computed in the background: listing then loads no facts', async () => {
    await overview.warm(TODAY);
    await ingest.ingest(sample.slice(cut));
    await projector.catchUpStream(STREAM, sample.length);
    // Moved since the previous call: left alone (a load may still be going on).
    const n0 = loaded();
    expect(await overview.warm(TODAY)).toBe(0);
    expect(loaded()).toBe(n0);
    // Unchanged since: computed once, in the background.
    expect(await overview.warm(TODAY)).toBe(1);
    expect(loaded()).toBeGreaterThan(n0);
    const n1 = loaded();
    const list = await overview.departments({}, TODAY);
    expect(loaded()).toBe(n1);
    expect(list.departments.find((d) => d.department === 'yantian-emergency')).toMatchObject({
      rate: '94.51',
      schedule: '100.00',
      lag: '5.49',
      level: 'yellow',
      evaluation: {
        total: '91.70',
        range: { min: '91.70', max: '91.70' },
        grade: '优',
        grades: ['优'],
        status: 'final',
        missing: 0,
        notDue: 0,
      },
    });
  });
});

test('OVERVIEW_WARM_MS: every 30 s by default, "off" turns it off, a bad value names the variable', () => {
  expect(loadConfig({}).overviewWarmMs).toBe(30_000);
  expect(loadConfig({ OVERVIEW_WARM_MS: '5000' }).overviewWarmMs).toBe(5000);
  expect(loadConfig({ OVERVIEW_WARM_MS: 'off' }).overviewWarmMs).toBe(0);
  expect(() => loadConfig({ OVERVIEW_WARM_MS: 'soon' })).toThrow(/OVERVIEW_WARM_MS/);
});

test('the API computes the department list in the background (OVERVIEW_WARM_MS) and the list is then answered from the caches', async () => {
  const app = await startTestApp('pglite', { overviewWarmMs: 50, projectorPollMs: 50 });
  try {
    const ndjson = sample.map((e) => JSON.stringify(e)).join('\n');
    expect(
      (await request(app.http).post('/api/v1/events').set('Content-Type', 'application/x-ndjson').send(ndjson)).status,
    ).toBe(201);
    const stats = () => app.app.get(ExecutionService).cacheStats();
    // Nothing was asked; the warmer computes the standing once the stream stops moving.
    await waitFor('the department list to be computed in the background', async () => stats().entries === 1);
    const before = stats();
    const list = await request(app.http).get('/api/v1/departments');
    expect(list.status).toBe(200);
    expect(list.body.departments[0]).toMatchObject({
      department: 'yantian-emergency',
      rate: '94.51',
      evaluation: { total: '91.70', grade: '优' },
    });
    expect(stats()).toMatchObject({ entries: 1, misses: before.misses, hits: before.hits + 1 });
  } finally {
    await app.close();
  }
});
