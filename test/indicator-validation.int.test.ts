/**
 * Indicator targets are parsed at ingest (EVENTS.md: ≥18处, 72家, 10天内, 每季度10家企业, 显著, 不适用):
 * every target of the sample is accepted, a target that cannot be read is a 400 on data.target
 * with the parser's message, and the log is unchanged.
 */
import { InvalidInputError } from '#application/common/errors.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { BACKENDS, testDatabase, type TestDatabase } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';
import { sampleEvents } from './support/sample.js';

const DEP = 'indicator-dept';
let seq = 0;
const ev = (type: string, data: Record<string, unknown>) => ({
  id: `iv-${++seq}`,
  type,
  department: DEP,
  year: 2024,
  occurredAt: '2024-01-10',
  data,
});
const indicator = (target: string, id = `ind-${seq + 1}`) =>
  ev('IndicatorDefined', { indicator: id, level1: '产出指标', level2: '数量指标', name: '排查企业数量', target });

describe.each(BACKENDS)('indicator targets at ingest on %s', (backend) => {
  let t: TestDatabase;
  let ingest: IngestService;

  beforeAll(async () => {
    t = await testDatabase(backend);
    ingest = new IngestService(new EventsRepository(t.db));
    expect((await ingest.ingest([ev('YearOpened', { departmentName: '指标测试局' })])).accepted).toBe(1);
  });
  afterAll(async () => t.dispose());

  test('every target printed in the sample is accepted', async () => {
    const defined = sampleEvents().filter((e) => e.type === 'IndicatorDefined');
    expect(defined.map((e) => e.data.target)).toEqual(
      expect.arrayContaining(['≥18处', '72家', '每季度10家企业', '100%', '10天内', '≥95%', '不适用', '显著', '≥90%']),
    );
    const r = await ingest.ingest(
      defined.map((e) => ({ ...e, id: `iv-sample-${e.id}`, department: DEP, year: 2024, occurredAt: '2024-01-10' })),
    );
    expect(r.accepted).toBe(defined.length);
  });

  test.each([
    ['5-10天', /unexpected "-10天" after the number \(ranges and several numbers are not supported\)/],
    ['≥处', /a comparison sign must be followed by a number/],
    ['≥5%以下', /contradict/],
    ['约5~8家', /unexpected/],
  ])('target %s is refused with a clear message and nothing is stored', async (target, detail) => {
    const before = await logSnapshot(t.db);
    // A good event first: the batch is all-or-nothing.
    const batch = [indicator('≥3处', `ok-${seq}`), indicator(target)];
    const err = await ingest.ingest(batch).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    const errors = (err as InvalidInputError).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ index: 1, id: batch[1]!.id, path: 'data.target' });
    expect(errors[0]!.reason).toMatch(detail);
    expect(errors[0]!.reason).toContain(`cannot parse indicator target "${target}"`);
    expect(errors[0]!.reason).toContain(`无法解析绩效指标目标值“${target}”`);
    expect((err as InvalidInputError).message).toContain('data.target');
    expect(await logSnapshot(t.db)).toEqual(before);
    // A fresh service (write model folded from the log) refuses it the same way.
    await expect(new IngestService(new EventsRepository(t.db)).ingest(batch)).rejects.toBeInstanceOf(InvalidInputError);
    expect(await logSnapshot(t.db)).toEqual(before);
  });
});
