/**
 * The department list from stored rows: with every department's standing and summary stored by the
 * worker (AnswerPrecomputer), an API process that has computed nothing yet builds the list in one
 * listing plus one query per kind, with no version lookup, row read or stream load per department,
 * and the rows are exactly those computed from the projection. A department whose rows are missing
 * is computed alone; a second visit, or a visit after the background warming, reads nothing but
 * the listing.
 */
import { AnswerStore } from '#application/answers/answer-store.js';
import { AnswerPrecomputer } from '#application/answers/answer-precomputer.js';
import { EvaluationService } from '#application/evaluation/evaluation.service.js';
import { ExecutionProjector } from '#application/execution/execution.projector.js';
import { ExecutionService } from '#application/execution/execution.service.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { OverviewService } from '#application/overview/overview.service.js';
import { AnswersRepository } from '#persistence/answers.repository.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { NoticesRepository } from '#persistence/notices.repository.js';
import { ProjectionFeedRepository } from '#persistence/projection-feed.repository.js';
import { batches, countEvents, departmentSlug, generateEvents } from '../bench/generate.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';

const TODAY = '2026-11-29';
const DEPARTMENTS = 6;
const GEN = { departments: DEPARTMENTS, units: 3, lines: 2, seed: 7, year: 2023 };

describe.each(BACKENDS)('the department list from stored rows on %s', (backend) => {
  let t: TestDatabase;
  let events: EventsRepository;
  let repo: ExecutionRepository;
  let answers: AnswersRepository;
  let feed: ProjectionFeedRepository;
  let notices: NoticesRepository;
  /** What a list costs, by call: per-department lookups and reads, loads, and the bulk reads. */
  const calls = {
    projectedVersion: 0,
    streamVersion: 0,
    find: 0,
    findMany: 0,
    loadFacts: 0,
    loadEvaluationInputs: 0,
    listStreams: 0,
  };
  const reset = () => Object.keys(calls).forEach((k) => (calls[k as keyof typeof calls] = 0));

  /** An API process's services, just started (empty caches), reading stored answers, every call counted. */
  function freshApi(): OverviewService {
    const r = Object.create(repo) as ExecutionRepository;
    r.projectedVersion = (s) => ((calls.projectedVersion += 1), repo.projectedVersion(s));
    r.loadFacts = (s) => ((calls.loadFacts += 1), repo.loadFacts(s));
    r.loadEvaluationInputs = (s, w) => ((calls.loadEvaluationInputs += 1), repo.loadEvaluationInputs(s, w));
    r.listStreams = () => ((calls.listStreams += 1), repo.listStreams());
    const ev = Object.create(events) as EventsRepository;
    ev.streamVersion = (s) => ((calls.streamVersion += 1), events.streamVersion(s));
    const a = Object.create(answers) as AnswersRepository;
    a.find = (...args) => ((calls.find += 1), answers.find(...args));
    a.findMany = (...args) => ((calls.findMany += 1), answers.findMany(...args));
    return new OverviewService(
      r,
      new ExecutionService(r, new AnswerStore(a)),
      new EvaluationService(ev, r, feed, new AnswerStore(a)),
      notices,
    );
  }

  /** The list as computed from the projection by services that read no stored answer. */
  const computed = () =>
    new OverviewService(
      repo,
      new ExecutionService(repo),
      new EvaluationService(events, repo, feed),
      notices,
    ).departments({}, TODAY);

  beforeAll(async () => {
    t = await testDatabase(backend);
    events = new EventsRepository(t.db);
    repo = new ExecutionRepository(t.db);
    answers = new AnswersRepository(t.db);
    feed = new ProjectionFeedRepository(t.db);
    notices = new NoticesRepository(t.db);
    const ingest = new IngestService(events);
    let accepted = 0;
    for (const batch of batches(generateEvents(GEN), 1000)) accepted += (await ingest.ingest(batch)).accepted;
    expect(accepted).toBe(countEvents(GEN));
    await new ExecutionProjector(feed, repo).catchUp();
    const pass = await new AnswerPrecomputer(
      new AnswerStore(answers),
      new ExecutionService(repo, new AnswerStore(answers)),
      new EvaluationService(events, repo, feed, new AnswerStore(answers)),
    ).run(TODAY, false);
    // Four answers each: the execution answer, its standing, the summary, the report.
    expect(pass).toMatchObject({ stored: 4 * DEPARTMENTS, failed: 0 });
  }, 60_000);
  afterAll(async () => t.dispose());

  test('a fresh API lists every department in two bulk reads, no per-department query or load, with the computed rows', async () => {
    const expected = await computed();
    expect(expected.departments.map((d) => d.department)).toEqual(
      Array.from({ length: DEPARTMENTS }, (_, i) => departmentSlug(i)).sort(),
    );
    for (const d of expected.departments) {
      expect(d.rate).toMatch(/^\d+\.\d{2}$/);
      expect(d.evaluation).toMatchObject({ status: 'final', grade: expect.any(String) });
    }
    reset();
    const list = await freshApi().departments({}, TODAY);
    expect(list).toEqual(expected);
    expect(calls).toEqual({
      projectedVersion: 0,
      streamVersion: 0,
      find: 0,
      findMany: 2,
      loadFacts: 0,
      loadEvaluationInputs: 0,
      listStreams: 1,
    });
  });

  test('a second visit of the same API reads only the listing', async () => {
    const api = freshApi();
    const first = await api.departments({}, TODAY);
    reset();
    expect(await api.departments({}, TODAY)).toEqual(first);
    expect(calls).toEqual({
      projectedVersion: 0,
      streamVersion: 0,
      find: 0,
      findMany: 0,
      loadFacts: 0,
      loadEvaluationInputs: 0,
      listStreams: 1,
    });
  });

  test('warming in the background reads the stored parts of the settled departments in one query per kind; the list then reads only the listing', async () => {
    const api = freshApi();
    reset();
    expect(await api.warm(TODAY)).toBe(0); // the first call only looks
    expect(await api.warm(TODAY)).toBe(DEPARTMENTS);
    expect(calls).toEqual({
      projectedVersion: 0,
      streamVersion: 0,
      find: 0,
      findMany: 2,
      loadFacts: 0,
      loadEvaluationInputs: 0,
      listStreams: 2,
    });
    reset();
    expect(await api.departments({}, TODAY)).toEqual(await computed());
    expect(calls).toEqual({
      projectedVersion: 0,
      streamVersion: 0,
      find: 0,
      findMany: 0,
      loadFacts: 0,
      loadEvaluationInputs: 0,
      listStreams: 1,
    });
  });

  test('a department without its stored standing, another without its stored summary: each computed alone, the same rows', async () => {
    const expected = await computed();
    const [first, second] = expected.departments;
    const drop = (department: string, kind: string) =>
      t.db
        .deleteFrom('exec_answers')
        .where('stream_id', '=', `${department}/2023`)
        .where('kind', '=', kind)
        .returningAll()
        .executeTakeFirstOrThrow();
    const kept = [await drop(first!.department, 'standing'), await drop(second!.department, 'summary')];
    try {
      reset();
      expect(await freshApi().departments({}, TODAY)).toEqual(expected);
      expect(calls).toEqual({
        projectedVersion: 0,
        streamVersion: 0,
        find: 0,
        findMany: 2,
        loadFacts: 1,
        loadEvaluationInputs: 1,
        listStreams: 1,
      });
    } finally {
      await t.db.insertInto('exec_answers').values(kept).execute();
    }
  });

  test('"as known on" a date is never read from stored rows: computed per department, as before', async () => {
    const expected = await new OverviewService(
      repo,
      new ExecutionService(repo),
      new EvaluationService(events, repo, feed),
      notices,
    ).departments({ knownOn: '2023-06-30' }, TODAY);
    reset();
    const list = await freshApi().departments({ knownOn: '2023-06-30' }, TODAY);
    expect(list).toEqual(expected);
    expect(list.departments.every((d) => d.evaluation?.status === 'forecast')).toBe(true);
    expect(calls).toMatchObject({ find: 0, findMany: 0, loadFacts: DEPARTMENTS });
  });
});
