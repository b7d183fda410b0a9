/** Execution figures through HTTP, with the projector following the log live in the API process. */
import request from 'supertest';
import { BACKENDS } from './support/databases.js';
import { startTestApp, type TestApp } from './support/app.js';
import { waitFor } from './support/receiver.js';
import { sampleText } from './support/sample.js';

describe.each(BACKENDS)('execution API on %s', (backend) => {
  let t: TestApp;
  const base = '/api/v1/departments/yantian-emergency/years/2023';
  beforeAll(async () => {
    t = await startTestApp(backend, { projectorPollMs: 50 });
    expect(
      (await request(t.http).post('/api/v1/events').set('Content-Type', 'application/x-ndjson').send(sampleText()))
        .status,
    ).toBe(201);
    await waitFor('the projection to catch up', async () => {
      const r = await request(t.http).get('/api/v1/projections');
      return r.body.projections[0].behind === 0 && r.body.projections[0].processed === 241;
    });
  });
  afterAll(async () => t.close());

  test('quarter-end rates, as corrected and as known on 2023-04-30', async () => {
    const q = await request(t.http).get(`${base}/execution/quarters`);
    expect(q.status).toBe(200);
    expect(q.body.quarters.map((x: { rate: string }) => x.rate)).toEqual(['20.85', '39.92', '73.61', '94.51']);
    const known = await request(t.http).get(`${base}/execution/quarters?knownOn=2023-04-30`);
    expect(known.body.quarters[0]).toMatchObject({ quarter: 1, rate: '21.04', date: '2023-03-31' });
  });

  test('department, units and lines at the end of Q2, amounts and rates as decimal strings', async () => {
    const r = await request(t.http).get(`${base}/execution?asOf=2023-06-30&source=fiscal`);
    expect(r.status).toBe(200);
    expect(r.body.total).toMatchObject({ rate: '39.92', schedule: '50.00', lag: '10.08', level: 'red' });
    expect(typeof r.body.total.budget).toBe('string');
    expect(
      r.body.units.filter((u: { level: string }) => u.level === 'red').map((u: { unit: string }) => u.unit),
    ).toEqual(['command', 'emergency']);
    expect(r.body.lines.find((l: { line: string }) => l.line === 'invest')).toMatchObject({
      unit: 'command',
      rate: '16.75',
      level: 'red',
    });
    expect(r.body.units.find((u: { unit: string }) => u.unit === 'command').forecast.nextCheckpoint).toMatchObject({
      quarter: 3,
      neededToReach: '5726615.10',
    });
    const all = await request(t.http).get(`${base}/execution?asOf=2023-06-30&source=all`);
    expect(all.body.lines).toHaveLength(r.body.lines.length + 1);
  });

  test('a past year defaults to its last day; the run-rate window is configurable', async () => {
    const r = await request(t.http).get(`${base}/execution`);
    expect(r.body).toMatchObject({ asOf: '2023-12-31', throughMonth: 12, knownOn: null });
    expect(r.body.total.rate).toBe('94.51');
    const six = await request(t.http).get(`${base}/execution?asOf=2023-06-30&runRateMonths=6`);
    expect(six.body.total.forecast.runRateMonths).toBe(6);
  });

  test('bad parameters are 400 naming the parameter; an unknown department is 404', async () => {
    for (const [q, path] of [
      ['asOf=2023-02-30', 'asOf'],
      ['knownOn=yesterday', 'knownOn'],
      ['source=cash', 'source'],
      ['runRateMonths=0', 'runRateMonths'],
    ]) {
      const r = await request(t.http).get(`${base}/execution?${q}`);
      expect(r.status).toBe(400);
      expect(r.body.errors[0].path).toBe(path);
    }
    expect((await request(t.http).get('/api/v1/departments/Bad_Dept/years/2023/execution')).body.errors[0].path).toBe(
      'department',
    );
    const missing = await request(t.http).get('/api/v1/departments/nobody/years/2023/execution');
    expect(missing.status).toBe(404);
  });
});
