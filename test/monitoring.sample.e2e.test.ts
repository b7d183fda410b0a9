/**
 * Acceptance figures of in-year monitoring (docs/monitoring.md, "The reference sample on
 * 2023-07-31"): the v1.1 edition of the reference year (samples/yantian-emergency-2023-monitoring.jsonl)
 * and the Sichuan-style stream, through HTTP on both backends. Every figure is worked by hand in
 * the comments from the sample's events.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import request from 'supertest';
import type { EventInput } from '#domain/events.js';
import { SICHUAN, SICHUAN_YEAR, sichuanCheckpointEvents } from './fixtures/sichuan-checkpoints.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';

const SAMPLE = readFileSync(new URL('../samples/yantian-emergency-2023-monitoring.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as EventInput);
const URL_2023 = '/api/v1/departments/yantian-emergency/years/2023/monitoring';

type Json = Record<string, any>;

/** Collects a binary response body as a Buffer. */
function binary(res: request.Response, done: (err: Error | null, body: unknown) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}
const byTask = (body: Json, task: string): Json => {
  const p = (body.projects as Json[]).find((x) => x.task === task);
  if (!p) throw new Error(`no project ${task}`);
  return p;
};

describe.each(BACKENDS)('monitoring acceptance figures on %s', (backend) => {
  let t: TestApp;
  let m: Json;

  beforeAll(async () => {
    t = await startTestApp(backend, { projectorPollMs: 50 });
    const r = await request(t.http)
      .post('/api/v1/events')
      .send([...SAMPLE, ...sichuanCheckpointEvents()]);
    expect(r.status).toBe(201);
    for (let i = 0; i < 200; i++) {
      const p = await request(t.http).get('/api/v1/projections');
      if (p.body.projections[0].behind === 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const res = await request(t.http).get(URL_2023).query({ asOf: '2023-07-31' });
    expect(res.status).toBe(200);
    m = res.body;
  });
  afterAll(async () => t.close());

  test('the department through July: 1–7月 fiscal spending against the 58.33% schedule', () => {
    // Schedule at July's end on the default quarters: 50 + (75 − 50) × 1/3 = 58.333… → 58.33.
    // Fiscal budget in force on 07-31: 48,465,298.65 (allocations 52,560,298.65 and the four
    // adjustments effective 07-15, −4,095,000.00); spent 1–7月 24,330,265.96 → 50.20%, lag 8.13,
    // yellow (5 ≤ 8.13 < 10).
    expect(m).toMatchObject({ asOf: '2023-07-31', throughMonth: 7, source: 'fiscal' });
    expect(m.total).toMatchObject({
      budget: '48465298.65',
      spent: '24330265.96',
      rate: '50.20',
      schedule: '58.33',
      lag: '8.13',
      level: 'yellow',
    });
  });

  test('projects: budget in force, spent, rate, lag, level, year-end projection and 预计结转结余', () => {
    // Only projects with lines or targets are monitored: the three sub-projects of the investment
    // line (pj-forest-fire, pj-risk-system, pj-command-2) have neither.
    expect((m.projects as Json[]).map((p) => p.task)).toEqual([
      'pj-safety',
      'pj-disaster',
      'pj-invest',
      'pj-emergency',
    ]);
    // pj-safety (fiscal line `safety`; `safety-other` is other funds): budget 7,956,633.50 − 690,000.00
    // (07-15) = 7,266,633.50; spent 1–7月 4,338,185.92 (the March record corrected by −100,000.00)
    // → 59.70%, lag −1.37, green. Run rate = (411,130.59 + 808,256.42 + 412,483.60) / 3 = 543,956.87;
    // year end 4,338,185.92 + 5 × 543,956.87 = 7,057,970.27; 结转结余 7,266,633.50 − 7,057,970.27 = 208,663.23.
    expect(byTask(m, 'pj-safety')).toMatchObject({
      lines: ['safety'],
      budget: '7266633.50',
      spent: '4338185.92',
      rate: '59.70',
      lag: '-1.37',
      level: 'green',
      projectedYearEnd: '7057970.27',
      carryOver: '208663.23',
      divergence: null,
    });
    // pj-disaster: 5,893,436.26 / 8,624,500.00 = 68.33%, ahead by 10.00 (green); year end
    // 5,893,436.26 + 5 × (706,038.03 + 706,038.03 + 879,756.94) / 3 = 9,713,157.93 > budget → 结转结余 0.00.
    expect(byTask(m, 'pj-disaster')).toMatchObject({
      rate: '68.33',
      lag: '-10.00',
      level: 'green',
      projectedYearEnd: '9713157.93',
      carryOver: '0.00',
    });
    // pj-invest: 2,058,106.13 / (9,830,800.00 − 1,556,400.00 = 8,274,400.00) = 24.87%, lag 33.46, red;
    // year end 2,058,106.13 + 5 × 1,646,484.90 / 3 = 4,802,247.63, 结转结余 3,472,152.37.
    expect(byTask(m, 'pj-invest')).toMatchObject({
      budget: '8274400.00',
      spent: '2058106.13',
      rate: '24.87',
      lag: '33.46',
      level: 'red',
      projectedYearEnd: '4802247.63',
      carryOver: '3472152.37',
    });
    // pj-emergency: 952,073.75 / (6,828,958.50 − 1,208,600.00 = 5,620,358.50) = 16.94%, lag 41.39, red.
    expect(byTask(m, 'pj-emergency')).toMatchObject({
      budget: '5620358.50',
      rate: '16.94',
      lag: '41.39',
      level: 'red',
      projectedYearEnd: '1777204.33',
      carryOver: '3843154.17',
    });
  });

  test('targets: latest progress and completion ratios; one divergence (事干了钱没花)', () => {
    const completion = (task: string) =>
      (byTask(m, task).targets as Json[]).map((x) => [x.indicator, x.progress?.actual, x.completion]);
    // at least: actual ÷ target; at most (10天内): met → 100; capped at 100; half-up to 0.01.
    expect(completion('pj-safety')).toEqual([
      ['pj-safety-firms', '246家', '61.50'], // 246 / 400
      ['pj-safety-training', '168人次', '56.00'], // 168 / 300
    ]);
    expect(completion('pj-disaster')).toEqual([
      ['pj-disaster-patrol', '66处', '100.00'],
      ['pj-disaster-works', '1处', '25.00'], // 1 / 4
      ['pj-disaster-response', '3天', '100.00'], // 3 ≤ 10 days
    ]);
    expect(completion('pj-emergency')).toEqual([
      ['pj-emergency-drills', '5次', '41.67'], // 5 / 12 = 41.666…
      ['pj-emergency-supplies', '97%', '100.00'], // 97 / 95 capped
      ['pj-emergency-response', '100%', '100.00'],
    ]);
    // Divergence (threshold 10): safety 59.70 vs (61.50 + 56.00) / 2 = 58.75 (0.95); disaster
    // 68.33 vs 75.00 (6.67); invest 24.87 vs 20.00 (4.87); emergency 16.94 vs (41.67 + 100 + 100) / 3
    // = 80.56: −63.62, work ahead of money.
    expect((m.projects as Json[]).filter((p) => p.divergence).map((p) => [p.task, p.divergence])).toEqual([
      ['pj-emergency', { rate: '16.94', completion: '80.56', difference: '-63.62', kind: 'work_ahead' }],
    ]);
    const drills = (byTask(m, 'pj-emergency').targets as Json[])[0]!;
    expect(drills.progress).toMatchObject({
      asOf: '2023-07-31',
      expectedYearEnd: '12次',
      likelihood: 'possible',
      deviation: { cause: 'staffing' },
    });
    // 有可能 on 07-31 is before the second-to-last checkpoint (09-30): not yet at risk.
    expect(drills.atRisk).toBe(false);
    expect(m.departmentTargets).toHaveLength(15);
  });

  test('explanations: 应急指挥信息科 explained; the rest overdue, counted in working days', () => {
    const rows = (m.explanations as Json[]).map((e) => [
      e.subject.kind,
      e.subject.id,
      e.level,
      e.since,
      e.status,
      e.workingDaysOpen,
    ]);
    // Red since January's end: Feb–Jul has 129 weekdays, minus 6 weekday holidays (04-05, 05-01..03,
    // 06-22, 06-23), plus 3 调休 working weekend days (04-23, 05-06, 06-25) = 126. The department
    // is yellow since April's end: 66 weekdays − 5 holidays + 2 调休 days = 63.
    expect(rows).toEqual([
      ['department', null, 'yellow', '2023-04-30', 'overdue', 63],
      ['unit', 'command', 'red', '2023-01-31', 'explained', 126],
      ['unit', 'emergency', 'red', '2023-01-31', 'overdue', 126],
      ['task', 'pj-invest', 'red', '2023-01-31', 'overdue', 126],
      ['task', 'pj-emergency', 'red', '2023-01-31', 'overdue', 126],
      ['line', 'invest', 'red', '2023-01-31', 'overdue', 126],
      ['line', 'emergency', 'red', '2023-01-31', 'overdue', 126],
    ]);
    expect((m.explanations as Json[])[1]!.explanation).toMatchObject({
      eventId: 'mon-explain-command',
      cause: 'policy',
      due: '2023-09-30',
    });
  });

  test('measures: the explanation of 应急指挥信息科 in progress on 08-15, done on 09-20', async () => {
    // On 07-31 the follow-ups (08-15, 09-20) have not happened: no status yet, not overdue (due 09-30).
    expect((m.measures as Json[]).map((x) => [x.eventId, x.due, x.status, x.overdue])).toEqual([
      ['mon-explain-command', '2023-09-30', null, false],
      ['mon-progress-pj-emergency-drills', null, null, false],
    ]);
    const sept = (await request(t.http).get(URL_2023).query({ asOf: '2023-09-30' })).body;
    expect((sept.measures as Json[])[0]).toMatchObject({
      eventId: 'mon-explain-command',
      status: { status: 'done', on: '2023-09-20' },
      overdue: false,
    });
    expect(m.summary).toEqual({
      redProjects: 2,
      yellowProjects: 0,
      unexplained: 0,
      overdue: 6,
      targetsAtRisk: 0,
      divergences: 1,
      overdueMeasures: 0,
    });
  });

  test('as known on 07-31 the progress reports filed 08-08 do not exist yet', async () => {
    const known = (await request(t.http).get(URL_2023).query({ asOf: '2023-07-31', knownOn: '2023-07-31' })).body;
    expect((known.projects as Json[]).flatMap((p) => (p.targets as Json[]).filter((x) => x.progress))).toEqual([]);
    // July's spending is recorded in August: on 07-31 pj-invest stands at 1,646,484.90 (1–6月).
    expect(byTask(known, 'pj-invest').spent).toBe('1646484.90');
    expect(known.summary.divergences).toBe(0);
  });

  test('the roll-up lists the department with its summary', async () => {
    const r = await request(t.http).get('/api/v1/monitoring').query({ year: 2023, asOf: '2023-07-31' });
    expect(r.status).toBe(200);
    expect(r.body.departments).toEqual([
      expect.objectContaining({ department: 'yantian-emergency', level: 'yellow', summary: m.summary }),
    ]);
  });

  test('a Sichuan-style stream is monitored against its own checkpoints', async () => {
    const s = await request(t.http)
      .get(`/api/v1/departments/${SICHUAN}/years/${SICHUAN_YEAR}/monitoring`)
      .query({ asOf: '2024-07-31' });
    expect(s.status).toBe(200);
    expect(s.body.checkpoints.map((c: Json) => [c.date, c.percent])).toEqual([
      ['2024-04-30', '25.00'],
      ['2024-06-30', '40.00'],
      ['2024-08-31', '60.00'],
      ['2024-10-31', '80.00'],
    ]);
    // July's end is halfway from 06-30 40% to 08-31 60%: 50.00; spent 1–7月 520,000 of 1,000,000 = 52.00%.
    expect(s.body.total).toMatchObject({ rate: '52.00', schedule: '50.00', lag: '-2.00', level: 'green' });
    // March: 110,000 = 11.00% against 18.75 (3/4 of the way to 04-30's 25%): 7.75 behind, yellow.
    const march = await request(t.http)
      .get(`/api/v1/departments/${SICHUAN}/years/${SICHUAN_YEAR}/monitoring`)
      .query({ asOf: '2024-03-31' });
    expect(march.body.total).toMatchObject({ rate: '11.00', schedule: '18.75', lag: '7.75', level: 'yellow' });
    // The monitoring table follows them too: 部门整体 in 万元, 1—7月 at 50.00% schedule. Year end:
    // 520,000 + 5 × (100,000 + 140,000 + 100,000) / 3 = 1,086,666.67 → 108.67 万元, 结转结余 0.
    const xlsx = await request(t.http)
      .get(`/api/v1/departments/${SICHUAN}/years/${SICHUAN_YEAR}/monitoring.xlsx`)
      .query({ asOf: '2024-07-31' })
      .buffer(true)
      .parse(binary);
    expect(xlsx.status).toBe(200);
    const body = xlsx.body as Buffer;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
    const dept = wb.getWorksheet('部门整体')!;
    expect(dept.getCell('A1').value).toBe('2024年度部门整体支出绩效运行监控表（1—7月）');
    expect([2, 3, 4, 5, 6, 7].map((c) => dept.getCell(7, c).value)).toEqual([100, 52, 52, 50, 108.67, 0]);
  });
});
