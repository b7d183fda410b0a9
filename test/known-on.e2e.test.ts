/**
 * "As known on D" means exactly what the log held by D: structure registered later is absent, a
 * year opened later answers 404 everywhere, a correction counts only once what it corrects is
 * known, and no line ever shows spending below zero. Quarters honour unit and line. Both backends,
 * through HTTP; figures computed by hand in the comments.
 */
import request from 'supertest';
import { contentHash } from '#application/ingest/ingest-prepare.js';
import type { EventInput } from '#domain/events.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';

const DEPT = 'late-dept';
const Y = 2024;
const ev = (id: string, type: string, occurredAt: string, data: Record<string, unknown>) =>
  ({ id, type, department: DEPT, year: Y, occurredAt, data }) as unknown as EventInput;
const line = (id: string, unit: string, amount: string, occurredAt: string) =>
  ev(`a-${id}`, 'BudgetAllocated', occurredAt, {
    line: id,
    unit,
    name: `线${id}`,
    category: 'basic',
    economic: 'personnel',
    source: 'fiscal',
    amount,
  });
const spend = (id: string, lineId: string, month: string, amount: string, occurredAt: string) =>
  ev(id, 'SpendingRecorded', occurredAt, { line: lineId, source: 'fiscal', month, amount });
const correct = (id: string, corrects: string, amount: string, occurredAt: string) =>
  ev(id, 'SpendingCorrected', occurredAt, { corrects, amount, reason: '更正' });

const STREAM: EventInput[] = [
  ev('open', 'YearOpened', '2024-01-02', { departmentName: '迟到测试局' }),
  ev('u-a', 'UnitRegistered', '2024-01-02', { unit: 'ua', name: '甲科' }),
  ev('u-b', 'UnitRegistered', '2024-01-02', { unit: 'ub', name: '乙科' }),
  line('la', 'ua', '1000.00', '2024-01-02'),
  line('lb', 'ub', '2000.00', '2024-01-02'),
  spend('r1', 'la', '2024-01', '100.00', '2024-02-01'),
  spend('r2', 'la', '2024-03', '200.00', '2024-04-03'),
  correct('c-r2', 'r2', '-100.00', '2024-04-10'),
  // lb: a record and two corrections whose record dates are out of their stream order.
  spend('r3', 'lb', '2024-02', '100.00', '2024-03-01'),
  correct('c1-r3', 'r3', '100.00', '2024-03-10'),
  correct('c2-r3', 'r3', '-150.00', '2024-03-05'),
  // Structure registered in August.
  ev('u-c', 'UnitRegistered', '2024-08-01', { unit: 'uc', name: '丙科' }),
  line('lc', 'uc', '500.00', '2024-08-01'),
  spend('r4', 'lc', '2024-08', '50.00', '2024-09-01'),
];

describe.each(BACKENDS)('as known on, on %s', (backend) => {
  let t: TestApp;
  const base = `/api/v1/departments/${DEPT}/years/${Y}`;
  const get = (path: string) => request(t.http).get(`${base}${path}`);

  beforeAll(async () => {
    t = await startTestApp(backend, { projectorPollMs: 50 });
    const r = await request(t.http).post('/api/v1/events').send(STREAM);
    expect(r.status).toBe(201);
    // A correction dated before its record, as an earlier release accepted it (written to the log directly).
    const events = new EventsRepository(t.db.db);
    const early = correct('c0-r2', 'r2', '-100.00', '2024-03-15');
    await events.transaction(async (trx) => {
      const stream = `${DEPT}/${Y}`;
      await events.lockStream(trx, stream, DEPT, Y);
      const version = STREAM.length + 1;
      await events.append(trx, [
        { event: early, stream, version, occurredOn: '2024-03-15', contentHash: contentHash(early) },
      ]);
      await events.setStreamVersion(trx, stream, version);
    });
    for (let i = 0; i < 200; i++) {
      const p = await request(t.http).get('/api/v1/projections');
      if (p.body.projections[0].behind === 0 && (await get('/execution')).body.total) break;
      await new Promise((res) => setTimeout(res, 50));
    }
  });
  afterAll(async () => t.close());

  test('units and lines registered later are absent as known on an earlier date', async () => {
    // As known on 04-05, as of 03-31: la 1000 + lb 2000 = 3000 (lc, allocated 08-01, unknown).
    // Spending through March: la = r1 100 + r2 200 (recorded 04-03) + c0-r2 −100 (dated 03-15, counted
    // from its record's 04-03) = 200 (c-r2, 04-10, not yet); lb = r3 100 + c2 −150 (03-05) + c1 100
    // (03-10) = 50. Total 250 / 3000 = 8.33%; Q1 schedule 25.00, lag 16.67, red.
    const r = await get('/execution?asOf=2024-03-31&knownOn=2024-04-05');
    expect(r.status).toBe(200);
    expect(r.body.units.map((u: { unit: string }) => u.unit)).toEqual(['ua', 'ub']);
    expect(r.body.lines.map((l: { line: string }) => l.line)).toEqual(['la', 'lb']);
    expect(r.body.total).toMatchObject({
      budget: '3000.00',
      spent: '250.00',
      rate: '8.33',
      lag: '16.67',
      level: 'red',
    });
    // As known now, as of 03-31: lc's allocation counts from the year start (3500); uc appears;
    // la = 100 + 200 − 100 (c-r2) − 100 (c0-r2, counted from its record's 04-03) = 100.
    const now = await get('/execution?asOf=2024-03-31');
    expect(now.body.units.map((u: { unit: string }) => u.unit)).toEqual(['ua', 'ub', 'uc']);
    expect(now.body.total).toMatchObject({ budget: '3500.00', spent: '150.00', rate: '4.29' });
  });

  test('before YearOpened was recorded, every view answers the same 404', async () => {
    const message = `no opened year ${Y} for department "${DEPT}" as known on 2023-12-31 (its YearOpened was recorded later): ingest its YearOpened first`;
    for (const path of [
      '/execution?knownOn=2023-12-31',
      '/execution/quarters?knownOn=2023-12-31',
      '/execution/curve?knownOn=2023-12-31',
    ]) {
      const r = await get(path);
      expect({ path, status: r.status, message: r.body.message }).toEqual({ path, status: 404, message });
    }
    const evaluation = await get('/evaluation?knownOn=2023-12-31');
    expect(evaluation.status).toBe(404);
    const close = await request(t.http).post(`${base}/months/1/close`).send({ knownOn: '2023-12-31' });
    expect({ status: close.status, message: close.body.message }).toEqual({ status: 404, message });
  });

  test('a correction dated before its record counts from the record; no 500, no negative line', async () => {
    // As known on 03-20, as of 03-31: r2 (04-03) is not known, so neither c0-r2 (03-15) nor c-r2:
    // la = r1 100 → 100 / 1000 = 10.00%. lb as known on 03-20: r3 100 + c2 −150 + c1 100 = 50.
    const r = await get('/execution?asOf=2024-03-31&knownOn=2024-03-20');
    const la = r.body.lines.find((l: { line: string }) => l.line === 'la');
    expect(la).toMatchObject({ spent: '100.00', rate: '10.00' });
    // As known on 03-07: r3 100 + c2 −150 = −50 on lb, shown as 0.00, never negative.
    const early = await get('/execution?asOf=2024-03-31&knownOn=2024-03-07');
    expect(early.body.lines.find((l: { line: string }) => l.line === 'lb')).toMatchObject({
      spent: '0.00',
      rate: '0.00',
    });
    expect(early.body.total.spent).toBe('100.00');
    const evaluation = await get('/evaluation?knownOn=2024-03-20');
    expect(evaluation.status).toBe(200);
    expect((await get('/evaluation.xlsx?knownOn=2024-03-20')).status).toBe(200);
  });

  test('a correction dated before its record is refused at ingest, saying so', async () => {
    const before = await logSnapshot(t.db.db);
    const r = await request(t.http)
      .post('/api/v1/events')
      .send(correct('c-early', 'r4', '-10.00', '2024-08-20'));
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ path: 'occurredAt' });
    expect(r.body.errors[0].reason).toBe(
      '2024-08-20 is before the record it corrects ("r4" occurred on 2024-09-01): a correction cannot be known before what it corrects',
    );
    expect(await logSnapshot(t.db.db)).toEqual(before);
    // The same day is fine.
    const ok = await request(t.http)
      .post('/api/v1/events')
      .send(correct('c-same', 'r4', '-10.00', '2024-09-01'));
    expect(ok.status).toBe(201);
  });

  test('the March notices as known on 04-05 list the units known then, ranked among them', async () => {
    const r = await request(t.http).post(`${base}/months/3/close`).send({ knownOn: '2024-04-05' });
    expect(r.status).toBe(200);
    expect(r.body.notices.map((n: { subject: string }) => n.subject).sort()).toEqual(['department', 'ua', 'ub']);
    const ua = await get('/notices/ua/3');
    expect(ua.body.content.rank).toEqual({ position: 1, of: 2 });
    expect((await get('/notices/uc/3')).status).toBe(404);
  });

  test('quarters of a unit and of a line, with lag and level; other units refused or unknown', async () => {
    // ua as corrected: Q1 = r1 100 + r2 200 − 100 − 100 = 100 / 1000 = 10.00%, lag 15.00, red.
    const ua = await get('/execution/quarters?unit=ua');
    expect(ua.status).toBe(200);
    expect(ua.body).toMatchObject({ unit: 'ua', line: null });
    expect(ua.body.quarters[0]).toMatchObject({
      budget: '1000.00',
      spent: '100.00',
      rate: '10.00',
      lag: '15.00',
      level: 'red',
    });
    // lb: Q1 = 100 + 100 − 150 = 50 / 2000 = 2.50%, lag 22.50.
    const lb = await get('/execution/quarters?line=lb');
    expect(lb.body.quarters[0]).toMatchObject({ spent: '50.00', rate: '2.50', lag: '22.50', level: 'red' });
    expect((await get('/execution/quarters?unit=uc&knownOn=2024-04-05')).status).toBe(404);
    expect((await get('/execution/quarters?unit=ua&line=lb')).status).toBe(404);
    expect((await get('/execution/quarters?unit=nobody')).status).toBe(404);
    const whole = await get('/execution/quarters');
    expect(whole.body.quarters[0]).toMatchObject({ lag: expect.any(String), level: expect.any(String) });
  });
});
