/**
 * The execution answer cache on real databases: a repeated question costs one version lookup and
 * gives the same answer; once the projector applies more events of the stream the answer is
 * computed afresh (never the old one), and equals what an uncached service computes.
 */
import request from 'supertest';
import { ExecutionService } from '#application/execution/execution.service.js';
import { createServices, type Services } from '#application/services.js';
import { loadConfig } from '#config/config.js';
import type { ExecutionRepository } from '#persistence/execution.repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';
import { waitFor } from './support/receiver.js';
import { sampleEvents } from './support/sample.js';

const TODAY = '2026-11-24';
const STREAM = 'yantian-emergency/2023';
/** The sample up to the end of August (YearOpened, units, budget, spending of months 1..8, ...), then the rest. */
const sample = sampleEvents();
const cut = sample.findIndex((e) => e.occurredAt >= '2023-09');

/** Counts the repository calls a service makes. */
function counting(repo: ExecutionRepository) {
  const calls = { version: 0, facts: 0 };
  const counted = Object.create(repo) as ExecutionRepository;
  counted.projectedVersion = (stream) => ((calls.version += 1), repo.projectedVersion(stream));
  counted.loadFacts = (stream) => ((calls.facts += 1), repo.loadFacts(stream));
  return { repo: counted, calls };
}

describe.each(BACKENDS)('execution answer cache on %s', (backend) => {
  let t: TestDatabase;
  let s: Services;

  beforeAll(async () => {
    expect(cut).toBeGreaterThan(100);
    t = await testDatabase(backend);
    s = createServices(t.db);
    await s.ingest.ingest(sample.slice(0, cut));
    await s.projector.catchUpStream(STREAM, cut);
  });
  afterAll(async () => t.dispose());

  test('a repeated question is answered from the cache: one version lookup, no facts loaded', async () => {
    const { repo, calls } = counting(s.executionRepo);
    const service = new ExecutionService(repo);
    const first = await service.execution('yantian-emergency', 2023, { asOf: '2023-06-30' }, TODAY);
    expect(calls).toEqual({ version: 1, facts: 1 });
    expect(first.total).toMatchObject({ rate: '39.92', level: 'red' });
    const again = await service.execution(
      'yantian-emergency',
      2023,
      { asOf: '2023-06-30', source: 'fiscal', runRateMonths: 3 },
      TODAY,
    );
    expect(again).toBe(first);
    expect(calls).toEqual({ version: 2, facts: 1 });
    // Another parameter is another answer.
    const known = await service.execution(
      'yantian-emergency',
      2023,
      { asOf: '2023-03-31', knownOn: '2023-04-30' },
      TODAY,
    );
    expect(known.total.rate).toBe('21.04');
    expect(calls).toEqual({ version: 3, facts: 2 });
    // The unit view comes from the department's cached answer.
    const reader = {
      keyId: 'k',
      name: 'command reader',
      role: 'unit' as const,
      departments: ['yantian-emergency'],
      unit: 'command',
    };
    const unit = (await service.executionFor(reader, 'yantian-emergency', 2023, { asOf: '2023-06-30' }, TODAY)).value;
    expect(calls).toEqual({ version: 4, facts: 2 });
    expect(unit).toEqual({
      ...first,
      total: null,
      units: first.units.filter((u) => u.unit === 'command'),
      lines: first.lines.filter((l) => l.unit === 'command'),
    });
    expect(service.cacheStats()).toMatchObject({ entries: 2, hits: 2, misses: 2 });
  });

  test('a cached answer cannot be changed by a caller', async () => {
    const service = new ExecutionService(s.executionRepo);
    const a = await service.execution('yantian-emergency', 2023, { asOf: '2023-06-30' }, TODAY);
    expect(() => {
      (a.total as { rate: string | null }).rate = '100.00';
    }).toThrow(TypeError);
    expect(() => (a.units as unknown[]).pop()).toThrow(TypeError);
    expect((await service.execution('yantian-emergency', 2023, { asOf: '2023-06-30' }, TODAY)).total.rate).toBe(
      '39.92',
    );
  });

  test('the default "as of" (today) is part of the key', async () => {
    const service = new ExecutionService(s.executionRepo);
    const june = await service.execution('yantian-emergency', 2023, {}, '2023-06-30');
    const july = await service.execution('yantian-emergency', 2023, {}, '2023-07-31');
    expect([june.asOf, july.asOf]).toEqual(['2023-06-30', '2023-07-31']);
    expect(june.total.spent).not.toBe(july.total.spent);
  });

  test('newly projected events change the answer; until the projector applies them the answer stays', async () => {
    const { repo, calls } = counting(s.executionRepo);
    const service = new ExecutionService(repo);
    const q = { asOf: '2023-12-31', source: 'all' as const };
    const before = await service.execution('yantian-emergency', 2023, q, TODAY);
    const quartersBefore = await service.quarters('yantian-emergency', 2023, { source: 'fiscal' });
    const unitQuartersBefore = await service.quarters('yantian-emergency', 2023, { source: 'fiscal' }, 'command');
    expect(calls.facts).toBe(3);

    await s.ingest.ingest(sample.slice(cut));
    // Not projected yet: the projection still holds the earlier version, and so does the answer.
    const versionBefore = await s.executionRepo.projectedVersion(STREAM);
    expect(versionBefore).toBe(cut);
    expect(await service.execution('yantian-emergency', 2023, q, TODAY)).toBe(before);

    await s.projector.catchUpStream(STREAM, sample.length);
    const after = await service.execution('yantian-emergency', 2023, q, TODAY);
    const quartersAfter = await service.quarters('yantian-emergency', 2023, { source: 'fiscal' });
    const unitQuartersAfter = await service.quarters('yantian-emergency', 2023, { source: 'fiscal' }, 'command');
    expect(calls.facts).toBe(6);
    expect(after).not.toEqual(before);
    expect(after.total.spent).not.toBe(before.total.spent);
    expect(quartersAfter.quarters.map((x) => x.rate)).toEqual(['20.85', '39.92', '73.61', '94.51']);
    expect(quartersAfter).not.toEqual(quartersBefore);
    expect(unitQuartersAfter).not.toEqual(unitQuartersBefore);

    // What a service with an empty cache computes from the projection now.
    const fresh = new ExecutionService(s.executionRepo);
    expect(after).toEqual(await fresh.execution('yantian-emergency', 2023, q, TODAY));
    expect(quartersAfter).toEqual(await fresh.quarters('yantian-emergency', 2023, { source: 'fiscal' }));
    expect(unitQuartersAfter).toEqual(await fresh.quarters('yantian-emergency', 2023, { source: 'fiscal' }, 'command'));
  });

  test('an unknown stream is a 404 every time (not cached)', async () => {
    const service = new ExecutionService(s.executionRepo);
    for (let i = 0; i < 2; i++)
      await expect(service.execution('nobody', 2023, {}, TODAY)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(service.cacheStats().entries).toBe(0);
  });
});

describe('execution answers over HTTP follow the projection', () => {
  let app: TestApp;
  const base = '/api/v1/departments/yantian-emergency/years/2023/execution';
  const ndjson = (events: Record<string, unknown>[]) => events.map((e) => JSON.stringify(e)).join('\n');
  const projected = (n: number) => async () => {
    const r = await request(app.http).get('/api/v1/projections');
    return r.body.projections[0].behind === 0 && r.body.projections[0].processed === n;
  };

  beforeAll(async () => {
    app = await startTestApp('pglite', { projectorPollMs: 50 });
    expect(
      (
        await request(app.http)
          .post('/api/v1/events')
          .set('Content-Type', 'application/x-ndjson')
          .send(ndjson(sample.slice(0, cut)))
      ).status,
    ).toBe(201);
    await waitFor('the projection to catch up', projected(cut));
  });
  afterAll(async () => app.close());

  test('the same answer while nothing new is projected, the new figures once it is', async () => {
    const first = await request(app.http).get(`${base}?asOf=2023-12-31`);
    const again = await request(app.http).get(`${base}?asOf=2023-12-31`);
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.text).toBe(first.text);
    const quarters = await request(app.http).get(`${base}/quarters`);
    expect(
      (
        await request(app.http)
          .post('/api/v1/events')
          .set('Content-Type', 'application/x-ndjson')
          .send(ndjson(sample.slice(cut)))
      ).status,
    ).toBe(201);
    await waitFor('the projection to catch up', projected(sample.length));
    const after = await request(app.http).get(`${base}?asOf=2023-12-31`);
    expect(after.body.total.rate).toBe('94.51');
    expect(after.body.total.spent).not.toBe(first.body.total.spent);
    const quartersAfter = await request(app.http).get(`${base}/quarters`);
    expect(quartersAfter.body.quarters.map((q: { rate: string }) => q.rate)).toEqual([
      '20.85',
      '39.92',
      '73.61',
      '94.51',
    ]);
    expect(quartersAfter.body).not.toEqual(quarters.body);
  });
});

describe('the answer cache size (ANSWER_CACHE_MB)', () => {
  test('read from the environment, default 128 MiB; a refused value names the variable', () => {
    expect(loadConfig({}).answerCacheMb).toBe(128);
    expect(loadConfig({ ANSWER_CACHE_MB: '1024' }).answerCacheMb).toBe(1024);
    expect(() => loadConfig({ ANSWER_CACHE_MB: 'lots' })).toThrow(/ANSWER_CACHE_MB/);
  });

  test.each([
    [128, 1],
    [0, 0],
  ])('with %i MiB the app keeps %i answers', async (mb, kept) => {
    const app = await startTestApp('pglite', { answerCacheMb: mb });
    try {
      const ndjson = sample.map((e) => JSON.stringify(e)).join('\n');
      expect(
        (await request(app.http).post('/api/v1/events').set('Content-Type', 'application/x-ndjson').send(ndjson))
          .status,
      ).toBe(201);
      const url = '/api/v1/departments/yantian-emergency/years/2023/execution?asOf=2023-12-31';
      const first = await request(app.http).get(url);
      expect(first.body.total.rate).toBe('94.51');
      expect((await request(app.http).get(url)).text).toBe(first.text);
      const stats = app.app.get(ExecutionService).cacheStats();
      expect(stats.entries).toBe(kept);
      expect(stats.hits).toBe(kept);
    } finally {
      await app.close();
    }
  });
});
