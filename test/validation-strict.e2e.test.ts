/**
 * Values JSON or a lenient check would let through, refused with a 400 naming the field (and
 * nothing stored): signed zeros, 3-decimal percents, integers written as 2023.0 or 2.023e3, null
 * for optional fields, noncharacters in ids, and amounts past the digit limit.
 */
import request from 'supertest';
import { startTestApp, type TestApp } from './support/app.js';
import { logSnapshot } from './support/log-snapshot.js';

const DEPT = 'strict-dept';
const env = (id: string, type: string, data: unknown) => ({
  id,
  type,
  department: DEPT,
  year: 2024,
  occurredAt: '2024-02-01',
  data,
});

describe('strict validation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    const setup = [
      env('s-open', 'YearOpened', { departmentName: '严格检查局' }),
      env('s-unit', 'UnitRegistered', { unit: 'office', name: '办公室' }),
      env('s-line', 'BudgetAllocated', {
        line: 'l1',
        unit: 'office',
        name: '基本支出',
        category: 'basic',
        economic: 'personnel',
        source: 'fiscal',
        amount: '1000.00',
      }),
    ];
    expect((await request(t.http).post('/api/v1/events').send(setup)).status).toBe(201);
  });
  afterAll(async () => t.close());

  /** Posts a raw JSON text; expects a 400 whose first error is on `path`, and the log unchanged. */
  async function refused(body: string, path: string, reason: RegExp) {
    const before = await logSnapshot(t.db.db);
    const res = await request(t.http).post('/api/v1/events').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ path });
    expect(res.body.errors[0].reason).toMatch(reason);
    expect(await logSnapshot(t.db.db)).toEqual(before);
  }

  const spending = (amount: string) =>
    JSON.stringify(env('s-spend', 'SpendingRecorded', { line: 'l1', source: 'fiscal', month: '2024-01', amount }));

  test('"-0" and "-0.00" are not amounts; a count of -0 is not a count', async () => {
    await refused(spending('-0'), 'data.amount', /zero has no sign/);
    await refused(
      JSON.stringify(
        env('s-adj', 'BudgetAllocated', {
          line: 'l2',
          unit: 'office',
          name: 'x',
          category: 'basic',
          economic: 'other',
          source: 'fiscal',
          amount: '-0.00',
        }),
      ),
      'data.amount',
      /zero has no sign/,
    );
    const headcount = `{"id":"s-hc","type":"HeadcountReported","department":"${DEPT}","year":2024,"occurredAt":"2024-02-01","data":{"asOf":"2024-01-31","authorized":-0,"onStaff":10,"directHires":1,"dispatched":0}}`;
    await refused(headcount, 'data.authorized', /JSON integer.*-0/);
  });

  test('a percent has at most 2 decimals', async () => {
    await refused(
      JSON.stringify(env('s-sat', 'SatisfactionMeasured', { rate: '12.345', method: '问卷' })),
      'data.rate',
      /at most 2 decimals/,
    );
  });

  test('years and counts are JSON integers: 2023.0, 2.024e3 and 1e1 are refused', async () => {
    const unit = (year: string) =>
      `{"id":"s-u2","type":"UnitRegistered","department":"${DEPT}","year":${year},"occurredAt":"2024-02-01","data":{"unit":"u2","name":"二科"}}`;
    await refused(unit('2024.0'), 'year', /JSON integer such as 2023, got 2024\.0/);
    await refused(unit('2.024e3'), 'year', /got 2\.024e3/);
    await refused(
      `[${unit('2024')},${unit('2024.0').replace('s-u2', 's-u3').replace('"u2"', '"u3"')}]`,
      'year',
      /2024\.0/,
    );
    const petitions = `{"id":"s-p","type":"PetitionsReported","department":"${DEPT}","year":2024,"occurredAt":"2024-02-01","data":{"channel":true,"received":1e1,"replied":10,"repliedOnTime":10}}`;
    await refused(petitions, 'data.received', /got 1e1/);
    // The index names the event in a batch.
    const res = await request(t.http)
      .post('/api/v1/events')
      .set('Content-Type', 'application/x-ndjson')
      .send(`${unit('2024')}\n${unit('2024.0').replace('s-u2', 's-u4')}\n`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ index: 1, path: 'year' });
  });

  test('null is not "absent": optional fields and YearClosed data refuse it', async () => {
    await refused(
      JSON.stringify(
        env('s-ind', 'IndicatorReported', { indicator: 'i1', actual: '18处', asOf: '2024-01-31', met: null }),
      ),
      'data.met',
      /must not be null/,
    );
    await refused(
      JSON.stringify(
        env('s-hc2', 'HeadcountReported', {
          asOf: '2024-01-31',
          authorized: 10,
          onStaff: 9,
          directHires: 1,
          dispatched: 0,
          retired: null,
        }),
      ),
      'data.retired',
      /must not be null/,
    );
    await refused(JSON.stringify(env('s-close', 'YearClosed', null)), 'data', /must not be null/);
    await refused(
      JSON.stringify({ ...env('s-u5', 'UnitRegistered', { unit: 'u5', name: '五科' }), expectedVersion: null }),
      'expectedVersion',
      /whole number/,
    );
  });

  test('an id with a noncharacter (U+FFFF, U+FDD0, U+1FFFE) is refused', async () => {
    for (const id of ['bad\uffff', 'bad\ufdd0', 'bad\u{1fffe}'])
      await refused(JSON.stringify(env(id, 'UnitRegistered', { unit: 'u6', name: '六科' })), 'id', /noncharacter/);
  });

  test('an amount past 13 integer digits says the digit limit; 3 decimals says the decimals', async () => {
    await refused(spending('1234567890123456'), 'data.amount', /at most 13 digits before the decimal point.*got 16/);
    await refused(spending('12.345'), 'data.amount', /at most 2 decimals.*got 3/);
    await refused(spending('012.34'), 'data.amount', /no leading zeros/);
  });

  test('the same values written properly are accepted', async () => {
    const ok = await request(t.http)
      .post('/api/v1/events')
      .set('Content-Type', 'application/x-ndjson')
      .send(
        [
          `{"id":"s-ok1","type":"UnitRegistered","department":"${DEPT}","year":2024,"occurredAt":"2024-02-01","data":{"unit":"ok","name":"好科"}}`,
          JSON.stringify(env('s-ok2', 'SatisfactionMeasured', { rate: '94.50', method: '问卷' })),
          JSON.stringify(
            env('s-ok3', 'SpendingRecorded', {
              line: 'l1',
              source: 'fiscal',
              month: '2024-01',
              amount: '1234567890123.45',
            }),
          ),
        ].join('\n'),
      );
    expect(ok.status).toBe(201);
    expect(ok.body.accepted).toBe(3);
  });
});
