/**
 * Ingest against real databases (embedded PGlite and PostgreSQL): the sample stream, idempotency,
 * and every bad-input rule of EVENTS.md, each checking the log is unchanged afterwards.
 */
import { ConflictError, InvalidInputError } from '#application/common/errors.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';
import { sampleEvents } from './support/sample.js';

const DEP = 'test-dept';
let seq = 0;
const ev = (type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: `t-${++seq}`,
  type,
  department: DEP,
  year: 2024,
  occurredAt: '2024-02-01',
  data,
  ...extra,
});
const opened = () => ev('YearOpened', { departmentName: '测试局' });
const unit = (u = 'u1') => ev('UnitRegistered', { unit: u, name: '业务一科' });
const line = (l = 'l1', u = 'u1', amount = '1000.00') =>
  ev('BudgetAllocated', {
    line: l,
    unit: u,
    name: '项目',
    category: 'project',
    economic: 'other',
    source: 'fiscal',
    amount,
  });
const spend = (l = 'l1', amount = '100.00', month = '2024-01') =>
  ev('SpendingRecorded', { line: l, source: 'fiscal', month, amount });

describe.each(BACKENDS)('ingest on %s', (backend) => {
  let t: TestDatabase;
  let repo: EventsRepository;
  let ingest: IngestService;

  beforeAll(async () => {
    t = await testDatabase(backend);
    repo = new EventsRepository(t.db);
    ingest = new IngestService(repo);
  });
  afterAll(async () => t.dispose());

  /** Expects `raw` to be refused with `errorClass`, the reported path, and the log unchanged. */
  async function expectRefused(
    raw: unknown[],
    errorClass: typeof InvalidInputError | typeof ConflictError,
    path: string,
    reason: RegExp,
    index = 0,
  ) {
    const before = await logSnapshot(t.db);
    const err = await ingest.ingest(raw).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(errorClass);
    const found = (err as InvalidInputError).errors.find((e) => e.path === path && e.index === index);
    if (!found)
      throw new Error(`no error at event ${index} ${path}; got ${JSON.stringify((err as InvalidInputError).errors)}`);
    expect(found.reason).toMatch(reason);
    expect(await logSnapshot(t.db)).toEqual(before);
    // The refusal left no trace in the cached write model: the same batch is refused again, and
    // a fresh service (write model folded from the log) refuses it the same way.
    await expect(ingest.ingest(raw)).rejects.toBeInstanceOf(errorClass);
    await expect(new IngestService(repo).ingest(raw)).rejects.toBeInstanceOf(errorClass);
    expect(await logSnapshot(t.db)).toEqual(before);
  }

  test('the sample year is stored once: 241 accepted, then 241 duplicates with the original positions', async () => {
    const sample = sampleEvents();
    const first = await ingest.ingest(sample);
    expect(first.accepted).toBe(241);
    expect(first.duplicates).toBe(0);
    expect(first.events.map((e) => e.version)).toEqual(Array.from({ length: 241 }, (_, i) => i + 1));
    const second = await new IngestService(repo).ingest(sample);
    expect(second.accepted).toBe(0);
    expect(second.duplicates).toBe(241);
    expect(second.events.map((e) => e.position)).toEqual(first.events.map((e) => e.position));
    expect(await repo.count('yantian-emergency/2023')).toBe(241);
  });

  test('a stream must start with YearOpened', async () => {
    await expectRefused([unit()], InvalidInputError, 'type', /YearOpened must be its first event/);
  });

  test('set up a test stream', async () => {
    const r = await ingest.ingest([opened(), unit('u1'), line('l1', 'u1', '1000.00'), spend('l1', '100.00')]);
    expect(r.accepted).toBe(4);
  });

  test('unknown type', async () => {
    await expectRefused([ev('SpendingDeleted', {})], InvalidInputError, 'type', /must be one of/);
  });

  test.each([
    ['1,234.5', /not an amount/],
    ['12.345', /at most 2 decimals/],
    ['NaN', /not an amount/],
    ['-5.00', /greater than 0/],
    ['0', /greater than 0/],
  ])('amount %s is refused', async (amount, reason) => {
    await expectRefused([spend('l1', amount)], InvalidInputError, 'data.amount', reason);
  });

  test('an amount as a JSON number is refused', async () => {
    await expectRefused(
      [ev('SpendingRecorded', { line: 'l1', source: 'fiscal', month: '2024-01', amount: 100 })],
      InvalidInputError,
      'data.amount',
      /decimal string/,
    );
  });

  test('unknown data field', async () => {
    await expectRefused(
      [ev('SpendingRecorded', { line: 'l1', source: 'fiscal', month: '2024-01', amount: '1.00', note: 'x' })],
      InvalidInputError,
      'data.note',
      /unknown field/,
    );
  });

  test('a month outside the stream year', async () => {
    await expectRefused([spend('l1', '10.00', '2023-12')], InvalidInputError, 'data.month', /stream's year 2024/);
  });

  test('unknown line, unit, task, indicator', async () => {
    await expectRefused([spend('nope', '10.00')], InvalidInputError, 'data.line', /unknown budget line "nope"/);
    await expectRefused([line('l9', 'ghost')], InvalidInputError, 'data.unit', /unknown unit "ghost"/);
    await expectRefused(
      [ev('TaskCompleted', { task: 'ghost', completedOn: '2024-03-01' })],
      InvalidInputError,
      'data.task',
      /unknown task/,
    );
    await expectRefused(
      [ev('IndicatorReported', { indicator: 'ghost', actual: '1处', asOf: '2024-03-01' })],
      InvalidInputError,
      'data.indicator',
      /unknown indicator/,
    );
  });

  test('spending on a line of another fund source', async () => {
    await expectRefused(
      [ev('SpendingRecorded', { line: 'l1', source: 'other', month: '2024-01', amount: '1.00' })],
      InvalidInputError,
      'data.source',
      /funded from "fiscal"/,
    );
  });

  test('corrections must point to a SpendingRecorded of the same stream and keep the line at or above zero', async () => {
    const sampleSpending = sampleEvents().find((e) => e.type === 'SpendingRecorded')!;
    await expectRefused(
      [ev('SpendingCorrected', { corrects: 'no-such-id', amount: '-1.00', reason: '冲回' })],
      InvalidInputError,
      'data.corrects',
      /not a SpendingRecorded/,
    );
    await expectRefused(
      [ev('SpendingCorrected', { corrects: sampleSpending.id, amount: '-1.00', reason: '冲回' })],
      InvalidInputError,
      'data.corrects',
      /not a SpendingRecorded event of stream test-dept\/2024/,
    );
    const unitEvent = (await repo.page('test-dept/2024', 2, 1))[0]!;
    await expectRefused(
      [ev('SpendingCorrected', { corrects: unitEvent.id, amount: '-1.00', reason: '冲回' })],
      InvalidInputError,
      'data.corrects',
      /not a SpendingRecorded/,
    );
    const record = (await repo.page('test-dept/2024', 4, 1))[0]!;
    await expectRefused(
      [ev('SpendingCorrected', { corrects: record.id, amount: '-100.01', reason: '冲回' })],
      InvalidInputError,
      'data.amount',
      /below zero/,
    );
    const ok = await ingest.ingest([
      ev('SpendingCorrected', { corrects: record.id, amount: '-100.00', reason: '冲回' }),
    ]);
    expect(ok.accepted).toBe(1);
  });

  test('a batch is all-or-nothing: one bad event refuses the valid ones before it', async () => {
    await expectRefused(
      [spend('l1', '5.00'), spend('l1', '6.00'), spend('l1', 'abc')],
      InvalidInputError,
      'data.amount',
      /not an amount/,
      2,
    );
  });

  test('a judged score outside [0, weight] is refused', async () => {
    await expectRefused(
      [ev('AssessmentRecorded', { criterion: 'decision.goals.completeness', score: '5', evidence: '自评' })],
      InvalidInputError,
      'data.score',
      /outside \[0, 3\]/,
    );
    await expectRefused(
      [ev('AssessmentRecorded', { criterion: 'performance.efficiency.execution', score: '5', evidence: '自评' })],
      InvalidInputError,
      'data.criterion',
      /computed by rule/,
    );
  });

  test('expectedVersion mismatch is a conflict', async () => {
    const version = await repo.streamVersion('test-dept/2024');
    await expectRefused(
      [spend('l1', '1.00', '2024-02'), { ...spend('l1', '2.00'), expectedVersion: version }],
      ConflictError,
      'expectedVersion',
      new RegExp(`at version ${version + 1}, expected ${version}`),
      1,
    );
    const r = await ingest.ingest([{ ...spend('l1', '2.00'), expectedVersion: version }]);
    expect(r.events[0]!.version).toBe(version + 1);
  });

  test('an id reused with different content is a conflict; with the same content a no-op', async () => {
    const original = spend('l1', '7.00');
    const first = await ingest.ingest([original]);
    await expectRefused(
      [{ ...original, data: { ...original.data, amount: '8.00' } }],
      ConflictError,
      'id',
      /different content/,
    );
    const again = await ingest.ingest([{ ...original, expectedVersion: 0 }]);
    expect(again).toEqual({ accepted: 0, duplicates: 1, events: [{ ...first.events[0], duplicate: true }] });
    const twiceInBatch = spend('l1', '9.00');
    await expectRefused(
      [twiceInBatch, { ...twiceInBatch, data: { ...twiceInBatch.data, amount: '9.10' } }],
      ConflictError,
      'id',
      /earlier in this batch/,
      1,
    );
    const same = await ingest.ingest([twiceInBatch, twiceInBatch]);
    expect(same.accepted).toBe(1);
    expect(same.duplicates).toBe(1);
    expect(same.events[1]!.position).toBe(same.events[0]!.position);
  });

  test('after YearClosed only SelfEvaluationSubmitted and AssessmentRecorded are accepted', async () => {
    await ingest.ingest([ev('YearClosed', {})]);
    await expectRefused([spend('l1', '1.00')], InvalidInputError, 'type', /year is closed/);
    const r = await ingest.ingest([
      ev('AssessmentRecorded', { criterion: 'management.rules', score: '2.5', evidence: '制度健全' }),
    ]);
    expect(r.accepted).toBe(1);
  });
});
