/**
 * A stream with Sichuan-style schedule checkpoints (YearOpened.checkpoints, MONITORING.md v1.1)
 * through HTTP on both backends: the execution schedule, lag and level follow the checkpoints at
 * several "as of" dates, the quarter-end schedule feeds the quarters, the March notice names the
 * next checkpoint (4月30日 25%), and the early alert raised in January says the run rate misses it.
 * Stream and hand-worked table: test/fixtures/sichuan-checkpoints.ts (budget 1,000,000; cumulative
 * spending 30k, 60k, 110k, 180k, 280k, 420k, 520k, 620k, 710k, 800k, 860k through November).
 */
import request from 'supertest';
import { SICHUAN, sichuanCheckpointEvents } from './fixtures/sichuan-checkpoints.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { waitFor } from './support/receiver.js';

const QUARTERLY = 'sichuan-quarterly';
const events = [
  ...sichuanCheckpointEvents(),
  ...sichuanCheckpointEvents({ department: QUARTERLY, checkpoints: false }),
];
const closeDate = (m: number) => `2024-${String(m + 1).padStart(2, '0')}-05`;

describe.each(BACKENDS)('schedule checkpoints through HTTP on %s', (backend) => {
  let t: TestApp;
  const base = `/api/v1/departments/${SICHUAN}/years/2024`;
  const get = (path: string) => request(t.http).get(`${base}${path}`);

  beforeAll(async () => {
    t = await startTestApp(backend, { projectorPollMs: 50 });
    const r = await request(t.http).post('/api/v1/events').send(events);
    expect(r.status).toBe(201);
    await waitFor('the projection to catch up', async () => {
      const p = await request(t.http).get('/api/v1/projections');
      return p.body.projections[0].behind === 0 && p.body.projections[0].processed === events.length;
    });
    for (let m = 1; m <= 3; m++) {
      const close = await request(t.http)
        .post(`${base}/months/${m}/close`)
        .send({ knownOn: closeDate(m) });
      expect(close.status).toBe(200);
    }
  });
  afterAll(async () => t.close());

  test('as of March 31: 18.75 instead of 25, yellow instead of red; next checkpoint 04-30 25%', async () => {
    const r = await get('/execution?asOf=2024-03-31');
    expect(r.status).toBe(200);
    // 110,000 / 1,000,000 = 11.00%; schedule 25 × 3/4 = 18.75; lag 7.75 → yellow.
    expect(r.body.total).toMatchObject({ rate: '11.00', schedule: '18.75', lag: '7.75', level: 'yellow' });
    expect(r.body.nextCheckpoint).toEqual({ quarter: null, date: '2024-04-30', schedule: '25.00' });
    expect(r.body.checkpoints).toEqual([
      { quarter: null, date: '2024-04-30', schedule: '25.00' },
      { quarter: 2, date: '2024-06-30', schedule: '40.00' },
      { quarter: null, date: '2024-08-31', schedule: '60.00' },
      { quarter: null, date: '2024-10-31', schedule: '80.00' },
    ]);
    // Run rate 110,000 / 3; by 04-30: 146,666.67 = 14.67%, 10.33 short of 25 → red; 140,000 to go.
    expect(r.body.total.forecast.nextCheckpoint).toMatchObject({
      quarter: null,
      date: '2024-04-30',
      schedule: '25.00',
      projectedRate: '14.67',
      projectedLevel: 'red',
      neededToReach: '140000.00',
    });
    expect(r.body.total.forecast.willMissCheckpoint).toBe(true);
    // works: 40,000 / 600,000 = 6.67%, lag 12.08 → red; plan: 70,000 / 400,000 = 17.50%, lag 1.25.
    expect(r.body.units.map((u: any) => [u.unit, u.rate, u.lag, u.level])).toEqual([
      ['plan', '17.50', '1.25', 'green'],
      ['works', '6.67', '12.08', 'red'],
    ]);
    // The same year on the quarterly default: 25.00 at March's end, 14 points behind → red; no list.
    const q = await request(t.http).get(`/api/v1/departments/${QUARTERLY}/years/2024/execution?asOf=2024-03-31`);
    expect(q.body.total).toMatchObject({ rate: '11.00', schedule: '25.00', lag: '14.00', level: 'red' });
    expect(q.body.nextCheckpoint).toEqual({ quarter: 2, date: '2024-06-30', schedule: '50.00' });
    expect(q.body.checkpoints).toBeUndefined();
  });

  test('schedule, lag and level at other dates follow the checkpoints', async () => {
    const at = async (asOf: string) => {
      const r = await get(`/execution?asOf=${asOf}`);
      expect(r.status).toBe(200);
      const { rate, schedule, lag, level } = r.body.total;
      return { through: r.body.throughMonth, rate, schedule, lag, level, next: r.body.nextCheckpoint?.date ?? null };
    };
    // May 15 counts through April: 180,000 = 18.00% against 25 (the checkpoint itself); next 06-30.
    expect(await at('2024-05-15')).toEqual({
      through: 4,
      rate: '18.00',
      schedule: '25.00',
      lag: '7.00',
      level: 'yellow',
      next: '2024-06-30',
    });
    // May 31: 280,000 = 28.00% against 25 + 15/2 = 32.50: lag 4.50 → green.
    expect(await at('2024-05-31')).toMatchObject({ schedule: '32.50', rate: '28.00', lag: '4.50', level: 'green' });
    // July 31: 520,000 = 52.00% against 40 + 20/2 = 50.00: ahead by 2; next 08-31.
    expect(await at('2024-07-31')).toMatchObject({ schedule: '50.00', lag: '-2.00', next: '2024-08-31' });
    // November 30: after the last checkpoint (10-31 80) the schedule stays at 80; none is left.
    expect(await at('2024-11-30')).toMatchObject({ schedule: '80.00', rate: '86.00', lag: '-6.00', next: null });
  });

  test('quarters use the schedule at the quarter ends; the curve is month by month', async () => {
    const q = await get('/execution/quarters');
    expect(q.body.quarters.map((x: any) => [x.schedule, x.rate, x.lag])).toEqual([
      ['18.75', '11.00', '7.75'],
      ['40.00', '42.00', '-2.00'],
      ['70.00', '71.00', '-1.00'],
      ['80.00', '86.00', '-6.00'],
    ]);
    const c = await get('/execution/curve?asOf=2024-12-31');
    expect(c.body.schedule).toEqual([
      '6.25',
      '12.50',
      '18.75',
      '25.00',
      '32.50',
      '40.00',
      '50.00',
      '60.00',
      '70.00',
      '80.00',
      '80.00',
      '80.00',
    ]);
  });

  test('the March notice names the next checkpoint: 4月30日 25%', async () => {
    const md = await get('/notices/department/3?format=markdown');
    expect(md.status).toBe(200);
    expect(md.text).toContain('截至3月末，预算执行率**11.00%**，低于序时进度18.75%共7.75个百分点，为**黄色预警**');
    // 25% of 1,000,000 by 04-30: 250,000 − 110,000 = 140,000.
    expect(md.text).toContain('全局需在4月30日前再支出**140,000.00元（14.00万元）**方可达到4月30日序时进度25%的要求。');
    expect(md.text).toContain('预计4月30日执行率**14.67%**，将低于4月底进度要求10.33个百分点，预计为**红色预警**');
    expect(md.text).toContain('序时进度按进度节点（4月30日25%、6月30日40%、8月31日60%、10月31日80%）逐月线性计算');
    const json = await get('/notices/works/3');
    expect(json.body.content.figures.checkpoint).toEqual({
      quarter: null,
      month: 4,
      date: '2024-04-30',
      percent: '25.00',
      gap: '18.33',
      neededToReach: '110000.00',
    });
    const html = await get('/notices/works/3?format=html');
    expect(html.text).toContain('4月底进度要求（4月30日）');
  });

  test('the early alert raised in January uses the checkpoint', async () => {
    const r = await get('/alerts');
    const forecast = r.body.open.find((a: any) => a.id === `alert:${SICHUAN}:2024:department:forecast:red:1`);
    // January's 30,000 carried on to 04-30: 120,000 = 12.00%, 13 points short of 25 → red.
    expect(forecast).toBeDefined();
    expect(forecast.message).toBe(
      '四川省示范局按近1个月月均支出30,000.00元（3.00万元）测算，预计4月30日执行率12.00%，低于4月30日序时进度25%的要求13.00个百分点，触发进度预测红色预警。',
    );
    expect(forecast.figures.checkpoint).toEqual({ quarter: null, date: '2024-04-30', percent: '25.00' });
  });

  test('the dashboard names the checkpoint by its date', async () => {
    const page = await request(t.http).get(`/dashboard/${SICHUAN}/2024?asOf=2024-03-31`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('2024年4月30日进度要求 25.00%');
    expect(page.text).toContain('按进度节点逐月线性计算');
  });
});
