/**
 * Precomputed answers (exec_answers, AnswerPrecomputer) on real databases: the stored text is
 * exactly the answer a service computes, an API service sends it without loading the stream, a
 * stored answer is never served for another version, "as of" date or format, an answer computed
 * from a read model that changed meanwhile is not stored, a rebuild empties the store, and the
 * status endpoint reports how many streams have their answers stored.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { ANSWER_FORMAT } from '#application/answers/answer-format.js';
import { AnswerStore } from '#application/answers/answer-store.js';
import { AnswerPrecomputer } from '#application/answers/answer-precomputer.js';
import { EvaluationService } from '#application/evaluation/evaluation.service.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { ExecutionService } from '#application/execution/execution.service.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { loadConfig } from '#config/config.js';
import { AnswersRepository } from '#persistence/answers.repository.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { startTestApp } from './support/app.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';
import { waitFor } from './support/receiver.js';
import { sampleEvents } from './support/sample.js';

const TODAY = '2026-11-29';
const STREAM = 'yantian-emergency/2023';
const DEPT = 'yantian-emergency';
const sample = sampleEvents();
const cut = sample.findIndex((e) => e.occurredAt >= '2023-09');

/**
 * The reference sample's stored answers in this ANSWER_FORMAT (sha-256 of the bodies). When an
 * answer changes, bump ANSWER_FORMAT (libs/application/answer-format.ts) and record the new
 * fingerprints under the new number: answers stored by the previous release must not be served.
 */
const FINGERPRINTS: Record<number, { execution: string; standing: string; summary: string; evaluation: string }> = {
  1: {
    execution: '25281d75c53d08fd7b8f5c200b9bbaab02d562901ed4a08fc4d8d22b350a8c88',
    standing: 'a10087ebabe718d62d600ea3b9bca6fae4a9379c6a50e3a9602c388db3458ede',
    summary: '7c0aa28764ee42f4ba6d08e0135b78e6d318a6f4e2cec76c95f6c7c7c814736f',
    evaluation: '1e2d2ddb0a2e2d162c27953ee3d29cfa9b52d02877b16e1ea239210f5c1c1db6',
  },
  // 2: evaluations carry status final/incomplete/forecast, the range, missing and not yet due (issue 21).
  2: {
    execution: '25281d75c53d08fd7b8f5c200b9bbaab02d562901ed4a08fc4d8d22b350a8c88',
    standing: 'a10087ebabe718d62d600ea3b9bca6fae4a9379c6a50e3a9602c388db3458ede',
    summary: '7dbd6c591317d7da635e795904c2e96f663db7bc18bd46573071409dab873b89',
    evaluation: '9049765536595ed572d158095c0a400b7fb4be131d68644d5b1a55b0bee0650c',
  },
};

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each(BACKENDS)('precomputed answers on %s', (backend) => {
  let t: TestDatabase;
  let ingest: IngestService;
  let projector: ExecutionProjector;
  let repo: ExecutionRepository;
  let answers: AnswersRepository;
  let events: EventsRepository;
  let feed: ProjectionFeedRepository;
  const loads = { facts: 0, evaluation: 0 };
  /** A repository that counts the stream loads (what a computed answer costs). */
  let counted: ExecutionRepository;
  /** Services as an API wires them: reading precomputed answers. */
  const apiServices = () => {
    const execution = new ExecutionService(counted, new AnswerStore(answers));
    const evaluation = new EvaluationService(events, counted, feed, new AnswerStore(answers));
    return { execution, evaluation };
  };
  /** Services computing every answer (the reference). */
  const plainServices = () => ({
    execution: new ExecutionService(repo),
    evaluation: new EvaluationService(events, repo, feed),
  });
  /** A precomputer as the worker wires it. */
  const precomputer = () =>
    new AnswerPrecomputer(
      new AnswerStore(answers),
      new ExecutionService(repo, new AnswerStore(answers)),
      new EvaluationService(events, repo, feed, new AnswerStore(answers)),
    );
  /** The stored row of that kind, its body as the JSON text (bodies are stored gzip-compressed). */
  const storedRow = async (kind: string) => {
    const row = await t.db
      .selectFrom('exec_answers')
      .select(['params', 'format', 'version', 'body'])
      .where('stream_id', '=', STREAM)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row && { ...row, body: gunzipSync(row.body).toString('utf8') };
  };

  beforeAll(async () => {
    expect(cut).toBeGreaterThan(100);
    t = await testDatabase(backend);
    events = new EventsRepository(t.db);
    repo = new ExecutionRepository(t.db);
    answers = new AnswersRepository(t.db);
    feed = new ProjectionFeedRepository(t.db);
    counted = Object.create(repo) as ExecutionRepository;
    counted.loadFacts = (stream) => ((loads.facts += 1), repo.loadFacts(stream));
    counted.loadEvaluationInputs = (stream, withSources) => (
      (loads.evaluation += 1),
      repo.loadEvaluationInputs(stream, withSources)
    );
    ingest = new IngestService(events);
    projector = new ExecutionProjector(feed, repo);
    await ingest.ingest(sample.slice(0, cut));
    await projector.catchUpStream(STREAM, cut);
  });
  afterAll(async () => t.dispose());

  const loaded = () => loads.facts + loads.evaluation;

  test('a pass stores a stream only once its version stayed the same since the previous pass; the stored text is the computed answer', async () => {
    const p = precomputer();
    expect(await p.run(TODAY)).toEqual({ stored: 0, waiting: 4, failed: 0, moving: true });
    expect(await answers.coverage(ANSWER_FORMAT)).toEqual({
      streams: 1,
      execution: 0,
      standing: 0,
      summary: 0,
      evaluation: 0,
    });
    expect(await p.run(TODAY)).toEqual({ stored: 4, waiting: 0, failed: 0, moving: false });
    expect(await p.run(TODAY)).toEqual({ stored: 0, waiting: 0, failed: 0, moving: false });
    expect(await answers.coverage(ANSWER_FORMAT)).toEqual({
      streams: 1,
      execution: 1,
      standing: 1,
      summary: 1,
      evaluation: 1,
    });

    const plain = plainServices();
    const exec = await storedRow('execution');
    expect(exec).toMatchObject({
      params: JSON.stringify(['2023-12-31', null, 'fiscal', 3]),
      format: ANSWER_FORMAT,
      version: cut,
    });
    expect(exec!.body).toBe((await plain.execution.executionCached(DEPT, 2023, {}, TODAY)).json);
    const standing = await storedRow('standing');
    expect(standing).toMatchObject({ params: exec!.params, format: ANSWER_FORMAT, version: cut });
    expect(JSON.parse(standing!.body)).toEqual(await plain.execution.standing(DEPT, 2023, {}, TODAY));
    const { lines, ...withoutLines } = JSON.parse(exec!.body);
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.parse(standing!.body)).toEqual(withoutLines);
    const evaluation = await storedRow('evaluation');
    expect(evaluation).toMatchObject({
      params: JSON.stringify([null, 'shenzhen-department-overall']),
      format: ANSWER_FORMAT,
      version: cut,
    });
    expect(evaluation!.body).toBe((await plain.evaluation.evaluationCached(DEPT, 2023)).json);
    expect(JSON.parse(evaluation!.body)).toMatchObject({ status: 'forecast', eventsConsidered: cut });
    const summary = await storedRow('summary');
    expect(summary).toMatchObject({
      params: JSON.stringify([null, 'shenzhen-department-overall']),
      format: ANSWER_FORMAT,
      version: cut,
    });
    expect(JSON.parse(summary!.body)).toEqual(await plain.evaluation.summary(DEPT, 2023));
    const report = JSON.parse(evaluation!.body);
    expect(JSON.parse(summary!.body)).toEqual({
      department: DEPT,
      year: 2023,
      status: 'forecast',
      total: report.total.score,
      exact: report.total.exact,
      range: report.range,
      grade: report.grade,
      grades: report.grades,
      missing: report.missing.length,
      notDue: report.notDue.length,
      framework: report.framework.name,
      eventsConsidered: cut,
    });
    // As of 2023-08-05 (the latest record before the cut; the file is not in date order):
    // 预算执行率 Q1 0.834 + Q2 39.92 / 50 = 0.7984 + (20.85 + 39.92) / 200 = 0.30385 → 1.93625,
    // 资金调整 1; Q3, Q4 open (2 × 1.5), everything else missing or not yet due at its weight:
    // 2.93625—98.93625, no grade.
    expect(report).toMatchObject({
      dueAsOf: '2023-08-05',
      range: { min: { exact: '2.93625' }, max: { exact: '98.93625' } },
      grade: null,
      grades: ['差', '中', '良', '优'],
    });
  });

  test('an API service sends the stored text without loading the stream; other parameters are computed', async () => {
    const api = apiServices();
    const n0 = loaded();
    const cached = await api.execution.executionCached(DEPT, 2023, {}, TODAY);
    // Kept compressed as stored: sent so to clients accepting gzip.
    const raw = await t.db
      .selectFrom('exec_answers')
      .select('body')
      .where('stream_id', '=', STREAM)
      .where('kind', '=', 'execution')
      .executeTakeFirstOrThrow();
    expect(cached.gzip!.equals(Buffer.from(raw.body))).toBe(true);
    expect(cached.json).toBe((await storedRow('execution'))!.body);
    expect((await api.evaluation.evaluationCached(DEPT, 2023)).json).toBe((await storedRow('evaluation'))!.body);
    // The value is parsed from the text when asked for, still without loading the stream.
    const value = await api.execution.execution(DEPT, 2023, {}, TODAY);
    expect(value.total).toMatchObject({ rate: '50.20' });
    const standing = await api.execution.standing(DEPT, 2023, {}, TODAY);
    expect(standing.total).toEqual(value.total);
    expect(standing).toEqual(await plainServices().execution.standing(DEPT, 2023, {}, TODAY));
    expect(loaded()).toBe(n0);
    const n1 = loaded();
    // Not the stored parameters: computed.
    const june = await api.execution.execution(DEPT, 2023, { asOf: '2023-06-30' }, TODAY);
    expect(june.total).toMatchObject({ rate: '39.92', level: 'red' });
    expect(loaded()).toBe(n1 + 1);
    // As known on a date: replayed from the log (not a projection load), not the stored report.
    const known = await api.evaluation.evaluationCached(DEPT, 2023, { knownOn: '2023-06-30' });
    expect(known.json).not.toBe((await storedRow('evaluation'))!.body);
    expect(loaded()).toBe(n1 + 1);
    // Without a stored standing (not computed yet): computed from the projection, the same figures.
    const kept = await t.db
      .selectFrom('exec_answers')
      .selectAll()
      .where('stream_id', '=', STREAM)
      .where('kind', '=', 'standing')
      .executeTakeFirstOrThrow();
    await t.db.deleteFrom('exec_answers').where('stream_id', '=', STREAM).where('kind', '=', 'standing').execute();
    expect(await apiServices().execution.standing(DEPT, 2023, {}, TODAY)).toEqual(standing);
    expect(loaded()).toBe(n1 + 2);
    await t.db.insertInto('exec_answers').values(kept).execute();
  });

  test("the department list's evaluation summary is read from the stored summary, without loading the stream, and equals the computed one", async () => {
    const api = apiServices();
    const n0 = loaded();
    const summary = await api.evaluation.summary(DEPT, 2023);
    expect(loaded()).toBe(n0);
    const computed = await plainServices().evaluation.summary(DEPT, 2023);
    expect(summary).toEqual(computed);
    expect(summary).toMatchObject({ department: DEPT, year: 2023, status: 'forecast', eventsConsidered: cut });
    expect(summary.total).toMatch(/^\d+\.\d{2}$/);
    // As known on a date: scored from the log as it was then, not from the stored summary.
    const june = await api.evaluation.summary(DEPT, 2023, { knownOn: '2023-06-30' });
    expect(june.eventsConsidered).toBeGreaterThan(0);
    expect(june.eventsConsidered).toBeLessThan(cut);
    expect(june).toEqual(await plainServices().evaluation.summary(DEPT, 2023, { knownOn: '2023-06-30' }));
    // Without a stored summary (not computed yet): scored from the projection, the same figures.
    const kept = await t.db
      .selectFrom('exec_answers')
      .selectAll()
      .where('stream_id', '=', STREAM)
      .where('kind', '=', 'summary')
      .executeTakeFirstOrThrow();
    await t.db.deleteFrom('exec_answers').where('stream_id', '=', STREAM).where('kind', '=', 'summary').execute();
    const n1 = loads.evaluation;
    expect(await apiServices().evaluation.summary(DEPT, 2023)).toEqual(summary);
    expect(loads.evaluation).toBe(n1 + 1);
    await t.db.insertInto('exec_answers').values(kept).execute();
  });

  test('another "as of" date (a new day of the current year) is computed, then stored again', async () => {
    const p = precomputer();
    const api = apiServices();
    // 2023 seen from 2023-10-15: the default "as of" is that day, not the stored year end.
    const n0 = loads.facts;
    const mid = (await api.execution.executionCached(DEPT, 2023, {}, '2023-10-15')).json;
    expect(loads.facts).toBe(n0 + 1);
    expect(JSON.parse(mid)).toMatchObject({ asOf: '2023-10-15' });
    await p.run('2023-10-15');
    expect(await p.run('2023-10-15')).toEqual({ stored: 2, waiting: 0, failed: 0, moving: false });
    expect((await storedRow('execution'))!.params).toBe(JSON.stringify(['2023-10-15', null, 'fiscal', 3]));
    expect((await apiServices().execution.executionCached(DEPT, 2023, {}, '2023-10-15')).json).toBe(mid);
    expect(loads.facts).toBe(n0 + 1);
    // Back to today's default: stored again on the next pass.
    expect(await p.run(TODAY)).toEqual({ stored: 2, waiting: 0, failed: 0, moving: false });
  });

  test('answers of an older format are not served and are computed again', async () => {
    await t.db
      .updateTable('exec_answers')
      .set({ format: ANSWER_FORMAT - 1 })
      .where('stream_id', '=', STREAM)
      .execute();
    const n0 = loaded();
    const json = (await apiServices().execution.executionCached(DEPT, 2023, {}, TODAY)).json;
    expect(loaded()).toBe(n0 + 1);
    expect(await answers.coverage(ANSWER_FORMAT)).toEqual({
      streams: 1,
      execution: 0,
      standing: 0,
      summary: 0,
      evaluation: 0,
    });
    const p = precomputer();
    await p.run(TODAY);
    expect(await p.run(TODAY)).toEqual({ stored: 4, waiting: 0, failed: 0, moving: false });
    expect((await storedRow('execution'))!.body).toBe(json);
  });

  test('an answer computed before the projector moved the stream is not stored; a new version is never served the old text', async () => {
    const stale = await new ExecutionService(repo).precompute(DEPT, 2023, TODAY);
    expect(stale!.answers.map((a) => [a.kind, a.version])).toEqual([
      ['execution', cut],
      ['standing', cut],
    ]);
    await ingest.ingest(sample.slice(cut));
    await projector.catchUpStream(STREAM, sample.length);
    expect(await answers.save(stale!.answers, stale!.token)).toBe(false);
    await expect(answers.save([], stale!.token)).rejects.toThrow('save: answers of one stream, at least one');
    await expect(
      answers.save([stale!.answers[0]!, { ...stale!.answers[1]!, stream: 'other/2023' }], stale!.token),
    ).rejects.toThrow('save: answers of one stream');
    expect((await storedRow('execution'))!.version).toBe(cut);
    // Served for the new version: computed (the full year), not the stored August text.
    const n0 = loaded();
    const api = apiServices();
    const now = await api.execution.execution(DEPT, 2023, {}, TODAY);
    expect(now.total).toMatchObject({ rate: '94.51', level: 'yellow' });
    const report = await api.evaluation.evaluation(DEPT, 2023);
    expect(report).toMatchObject({ status: 'final', total: { score: '91.70' }, grade: '优' });
    expect(loaded()).toBe(n0 + 2);
    const p = precomputer();
    expect(await p.run(TODAY)).toEqual({ stored: 0, waiting: 4, failed: 0, moving: true });
    expect(await p.run(TODAY)).toEqual({ stored: 4, waiting: 0, failed: 0, moving: false });
    expect(JSON.parse((await storedRow('summary'))!.body)).toMatchObject({
      status: 'final',
      total: '91.70',
      exact: '91.70341666666666666666666666666666666667',
      range: { min: { score: '91.70' }, max: { score: '91.70' } },
      grade: '优',
      grades: ['优'],
      missing: 0,
      notDue: 0,
      eventsConsidered: sample.length,
    });
    expect(JSON.parse((await storedRow('evaluation'))!.body)).toMatchObject({
      status: 'final',
      total: { score: '91.70' },
      grade: '优',
      eventsConsidered: sample.length,
    });
  });

  test("the sample's stored answers match the fingerprints recorded for this ANSWER_FORMAT", async () => {
    const exec = await storedRow('execution');
    const standing = await storedRow('standing');
    const summary = await storedRow('summary');
    const evaluation = await storedRow('evaluation');
    expect(exec!.version).toBe(sample.length);
    const got = {
      execution: sha(exec!.body),
      standing: sha(standing!.body),
      summary: sha(summary!.body),
      evaluation: sha(evaluation!.body),
    };
    expect(got).toEqual(FINGERPRINTS[ANSWER_FORMAT]);
  });

  test('a failing computation is counted, logged and not tried again until the stream changes', async () => {
    const warnings: string[] = [];
    const execution = new ExecutionService(repo, new AnswerStore(answers));
    execution.precompute = async () => {
      throw new Error('boom');
    };
    await t.db.deleteFrom('exec_answers').execute();
    const p = new AnswerPrecomputer(
      new AnswerStore(answers),
      execution,
      new EvaluationService(events, repo, feed, new AnswerStore(answers)),
      { warn: (m) => warnings.push(m) },
    );
    expect(await p.run(TODAY, false)).toEqual({ stored: 2, waiting: 0, failed: 2, moving: true });
    expect(warnings).toEqual([
      `precomputing the execution answer of ${STREAM} at version ${sample.length} failed: boom`,
    ]);
    expect(await p.run(TODAY, false)).toEqual({ stored: 0, waiting: 0, failed: 0, moving: false });
    expect(await answers.coverage(ANSWER_FORMAT)).toEqual({
      streams: 1,
      execution: 0,
      standing: 0,
      summary: 1,
      evaluation: 1,
    });
  });

  test('while streams are changing a pass computes within its busy budget; the rest waits for a quieter pass', async () => {
    await t.db.deleteFrom('exec_answers').execute();
    const p = new AnswerPrecomputer(
      new AnswerStore(answers),
      new ExecutionService(repo, new AnswerStore(answers)),
      new EvaluationService(events, repo, feed, new AnswerStore(answers)),
      undefined,
      { busyBudgetMs: 0 },
    );
    // The first pass has seen nothing before: moving, so nothing is computed within a budget of 0 ms.
    expect(await p.run(TODAY, false)).toEqual({ stored: 0, waiting: 4, failed: 0, moving: true });
    expect(await p.run(TODAY, false)).toEqual({ stored: 4, waiting: 0, failed: 0, moving: false });
  });

  test('a rebuild empties the stored answers in its transaction; the next passes store them again', async () => {
    const p = precomputer();
    await p.run(TODAY, false);
    expect(await answers.coverage(ANSWER_FORMAT)).toEqual({
      streams: 1,
      execution: 1,
      standing: 1,
      summary: 1,
      evaluation: 1,
    });
    const before = (await storedRow('execution'))!.body;
    await projector.rebuild();
    expect(await t.db.selectFrom('exec_answers').select('stream_id').execute()).toEqual([]);
    expect(await p.run(TODAY)).toEqual({ stored: 4, waiting: 0, failed: 0, moving: false });
    expect((await storedRow('execution'))!.body).toBe(before);
  });
});

describe.each(BACKENDS)('precomputed answers through the API on %s', (backend) => {
  test('the process running the projector stores them (PRECOMPUTE_MS); GET …/projections counts them; GET …/execution sends them', async () => {
    const app = await startTestApp(backend, { precomputeMs: 50, projectorPollMs: 50 });
    try {
      const body = sample.map((e) => JSON.stringify(e)).join('\n');
      await request(app.http).post('/api/v1/events').set('Content-Type', 'application/x-ndjson').send(body).expect(201);
      const status = await waitFor(
        'every answer stored',
        async () => {
          const r = await request(app.http).get('/api/v1/projections').expect(200);
          return r.body.answers.execution === 1 &&
            r.body.answers.standing === 1 &&
            r.body.answers.summary === 1 &&
            r.body.answers.evaluation === 1
            ? r.body
            : null;
        },
        20_000,
      );
      expect(status.answers).toEqual({
        format: ANSWER_FORMAT,
        streams: 1,
        execution: 1,
        standing: 1,
        summary: 1,
        evaluation: 1,
      });
      const stored = await app.db.db.selectFrom('exec_answers').select(['kind', 'body']).orderBy('kind').execute();
      const storedJson = (kind: string) => gunzipSync(stored.find((r) => r.kind === kind)!.body).toString('utf8');
      // supertest asks for gzip (Accept-Encoding: gzip, deflate) and decompresses.
      const exec = await request(app.http).get(`/api/v1/departments/${DEPT}/years/2023/execution`).expect(200);
      expect(exec.headers['content-encoding']).toBe('gzip');
      expect(exec.headers.vary).toMatch(/Accept-Encoding/);
      expect(exec.text).toBe(storedJson('execution'));
      expect(exec.body.total).toMatchObject({ rate: '94.51', level: 'yellow' });
      // A client that does not accept gzip gets the same JSON uncompressed.
      const plain = await request(app.http)
        .get(`/api/v1/departments/${DEPT}/years/2023/execution`)
        .set('Accept-Encoding', 'identity')
        .expect(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(plain.text).toBe(storedJson('execution'));
      const evaluation = await request(app.http).get(`/api/v1/departments/${DEPT}/years/2023/evaluation`).expect(200);
      expect(evaluation.headers['content-encoding']).toBe('gzip');
      expect(evaluation.text).toBe(storedJson('evaluation'));
      expect(evaluation.body).toMatchObject({ total: { score: '91.70' }, grade: '优' });
    } finally {
      await app.close();
    }
  });
});

test('PRECOMPUTE_MS: every 10 s by default, "off" turns it off, anything else names the setting', () => {
  expect(loadConfig({}).precomputeMs).toBe(10_000);
  expect(loadConfig({ PRECOMPUTE_MS: '2000' }).precomputeMs).toBe(2000);
  expect(loadConfig({ PRECOMPUTE_MS: 'off' }).precomputeMs).toBe(0);
  expect(() => loadConfig({ PRECOMPUTE_MS: 'soon' })).toThrow(
    'PRECOMPUTE_MS must be a positive whole number, got "soon"',
  );
});
