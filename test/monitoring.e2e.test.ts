/**
 * The monitoring answer and the finance bureau's roll-up through HTTP, on both backends, with API
 * keys on: the demo department (test/fixtures/monitoring-demo.ts) as of 2025-07-31, as known on
 * earlier dates, refused parameters, unit readers, and the roll-up's order. Figures worked out by
 * hand in the comments (the same ones libs/domain/monitoring/monitoring.spec.ts checks in detail).
 * Default schedule: July 58.33 (7/12), June 50.00; thresholds 5/10; divergence 10.
 */
import request from 'supertest';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import type { EventInput } from '#domain/events.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import {
  behindEvents,
  calmEvents,
  DEMO,
  monitoringDemoEvents,
  priorYearEvents,
  YEAR,
} from './fixtures/monitoring-demo.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';

const base = (department = DEMO, year = YEAR) => `/api/v1/departments/${department}/years/${year}/monitoring`;

describe.each(BACKENDS)('monitoring on %s', (backend) => {
  let t: TestApp;
  const key: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${key[who]}` });
  const get = (path: string, who = 'admin') => request(t.http).get(path).set(as(who));

  beforeAll(async () => {
    t = await startTestApp(backend, { auth: true, projectorPollMs: 50, ingestPerMinute: 1000 });
    const keys = new ApiKeysService(new ApiKeysRepository(t.db.db));
    key.admin = (await keys.create({ role: 'admin', name: 'ops', departments: [] })).key;
    key.finance = (await keys.create({ role: 'finance', name: '市财政局', departments: [DEMO, 'a-calm'] })).key;
    key.field = (await keys.create({ role: 'unit', name: '产业发展科', departments: [DEMO], unit: 'field' })).key;
    key.plan = (await keys.create({ role: 'unit', name: '规划建设科', departments: [DEMO], unit: 'plan' })).key;
    const streams: EventInput[][] = [monitoringDemoEvents(), calmEvents(), behindEvents(), priorYearEvents()];
    for (const events of streams) {
      const r = await request(t.http).post('/api/v1/events').set(as('admin')).send(events);
      expect(r.status).toBe(201);
    }
    for (let i = 0; i < 400; i++) {
      const p = await get('/api/v1/projections');
      if (p.body.projections?.[0]?.behind === 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
  });
  afterAll(async () => t.close());

  test('as of 07-31: the department, both projects, targets, divergences, explanations, measures', async () => {
    const r = await get(`${base()}?asOf=2025-07-31`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(r.body)).toEqual([
      'department',
      'departmentName',
      'year',
      'asOf',
      'knownOn',
      'throughMonth',
      'source',
      'checkpoints',
      'thresholds',
      'total',
      'projects',
      'departmentTargets',
      'explanations',
      'measures',
      'summary',
    ]);
    expect(r.body).toMatchObject({
      department: DEMO,
      departmentName: '示范市农业农村局',
      year: 2025,
      asOf: '2025-07-31',
      knownOn: null,
      throughMonth: 7,
      source: 'fiscal',
      checkpoints: [
        { date: '2025-03-31', percent: '25.00' },
        { date: '2025-06-30', percent: '50.00' },
        { date: '2025-09-30', percent: '75.00' },
        { date: '2025-12-31', percent: '100.00' },
      ],
      thresholds: { yellow: '5.00', red: '10.00', divergence: '10.00' },
    });
    // Fiscal lines 600,000 + 400,000 + 200,000 + 500,000 + 300,000 = 2,000,000; spent through July
    // 378,000 + 224,000 + 112,000 + 170,000 + 175,000 = 1,059,000: 52.95 against 58.33, lag 5.38,
    // yellow. Run rate (1,059,000 − 644,000) / 3 = 138,333.33…: year end 1,750,666.67, carry-over
    // 2,000,000 − 1,750,666.67 = 249,333.33.
    expect(r.body.total).toEqual({
      budget: '2000000.00',
      spent: '1059000.00',
      rate: '52.95',
      schedule: '58.33',
      lag: '5.38',
      level: 'yellow',
      projectedYearEnd: '1750666.67',
      carryOver: '249333.33',
    });
    // p-irrigation: 1,000,000, 602,000 spent: 60.20, lag −1.87, green; year end 602,000 + 5 × 86,000
    // = 1,032,000, carry-over 0. Targets 2000/5000 = 40.00, 30天内 at 60天: 30/60 = 50.00, 明显提升
    // qualitative. Average 45.00; 60.20 − 45.00 = 15.20 ≥ 10: spending ahead (钱花了事没干).
    expect(r.body.projects[0]).toEqual({
      task: 'p-irrigation',
      title: '高标准农田建设项目',
      unit: 'plan',
      unitName: '规划建设科',
      lines: ['l-irr-1', 'l-irr-2'],
      budget: '1000000.00',
      spent: '602000.00',
      rate: '60.20',
      schedule: '58.33',
      lag: '-1.87',
      level: 'green',
      projectedYearEnd: '1032000.00',
      carryOver: '0.00',
      targets: [
        {
          indicator: 'i-irr-area',
          level1: '产出指标',
          level2: '数量指标',
          name: '新建高标准农田面积',
          target: '≥5000亩',
          progress: {
            asOf: '2025-07-31',
            actual: '2000亩',
            expectedYearEnd: '4800亩',
            likelihood: 'possible',
            deviation: { cause: 'policy', reason: '部分地块用地审批滞后' },
            measure: '加快办理用地审批手续',
            eventId: 'pr-irr-area',
          },
          completion: '40.00',
          atRisk: false, // "possible" before the second-to-last checkpoint (09-30)
        },
        expect.objectContaining({ indicator: 'i-irr-time', completion: '50.00', atRisk: false }),
        expect.objectContaining({ indicator: 'i-irr-quality', completion: null, atRisk: false }),
      ],
      divergence: { rate: '60.20', completion: '45.00', difference: '15.20', kind: 'spending_ahead' },
    });
    // p-seed: l-seed 500,000 (l-seed-other is other funds), 170,000 spent: 34.00, lag 24.33, red; run
    // rate (170,000 − 136,000) / 3: year end 226,666.67, carry-over 273,333.33. 16000/20000 = 80.00,
    // 85/90 = 94.44 (impossible: at risk); average 87.22; 34.00 − 87.22 = −53.22: work ahead.
    expect(r.body.projects[1]).toMatchObject({
      task: 'p-seed',
      unit: 'field',
      unitName: '产业发展科',
      lines: ['l-seed'],
      budget: '500000.00',
      spent: '170000.00',
      rate: '34.00',
      lag: '24.33',
      level: 'red',
      projectedYearEnd: '226666.67',
      carryOver: '273333.33',
      divergence: { rate: '34.00', completion: '87.22', difference: '-53.22', kind: 'work_ahead' },
    });
    expect(
      r.body.projects[1].targets.map((x: { completion: string; atRisk: boolean }) => [x.completion, x.atRisk]),
    ).toEqual([
      ['80.00', false],
      ['94.44', true],
    ]);
    // ≤5% at 3%: met, 100.00; 20日内: no progress.
    expect(r.body.departmentTargets.map((x: { completion: string; progress: unknown }) => x.completion)).toEqual([
      '100.00',
      null,
    ]);
    expect(r.body.departmentTargets[1].progress).toBeNull();
    // Department yellow since 07-31 (June 46.60 vs 50.00 green): 0 working days. Unit field
    // (800,000): May 295,000 = 36.88 vs 41.67 green, June 320,000 = 40.00 vs 50.00 red: since 06-30,
    // 23 working days in July 2025 (no holidays) > 10 and unexplained: overdue. p-seed and l-seed:
    // April 27.20 vs 33.33 yellow (March 20.40 vs 25.00 green): since 04-30, 19 + 20 + 23 = 62 working
    // days; p-seed explained on 07-15, l-seed overdue.
    expect(r.body.explanations).toEqual([
      {
        subject: { kind: 'department', id: null, name: '示范市农业农村局' },
        level: 'yellow',
        since: '2025-07-31',
        explanation: null,
        status: 'unexplained',
        workingDaysOpen: 0,
      },
      {
        subject: { kind: 'unit', id: 'field', name: '产业发展科' },
        level: 'red',
        since: '2025-06-30',
        explanation: null,
        status: 'overdue',
        workingDaysOpen: 23,
      },
      {
        subject: { kind: 'task', id: 'p-seed', name: '良种推广补贴项目' },
        level: 'red',
        since: '2025-04-30',
        explanation: {
          eventId: 'e-seed',
          asOf: '2025-07-15',
          cause: 'funding',
          reason: '省级配套资金未到位，补贴资金暂缓拨付',
          measure: '协调财政尽快拨付配套资金并分批发放补贴',
          due: '2025-08-31',
        },
        status: 'explained',
        workingDaysOpen: 62,
      },
      {
        subject: { kind: 'line', id: 'l-seed', name: '良种补贴资金' },
        level: 'red',
        since: '2025-04-30',
        explanation: null,
        status: 'overdue',
        workingDaysOpen: 62,
      },
    ]);
    expect(r.body.measures).toEqual([
      {
        eventId: 'e-seed',
        subject: { kind: 'task', id: 'p-seed', name: '良种推广补贴项目' },
        measure: '协调财政尽快拨付配套资金并分批发放补贴',
        due: '2025-08-31',
        status: { status: 'done', on: '2025-07-28', note: '配套资金已到位，补贴已发放' },
        overdue: false,
      },
      {
        eventId: 'pr-irr-area',
        subject: { kind: 'indicator', id: 'i-irr-area', name: '新建高标准农田面积' },
        measure: '加快办理用地审批手续',
        due: null,
        status: null,
        overdue: false,
      },
      {
        eventId: 'pr-seed-sat',
        subject: { kind: 'indicator', id: 'i-seed-sat', name: '农户满意度' },
        measure: '开展补贴政策宣讲并公开发放进度',
        due: null,
        status: null,
        overdue: false,
      },
    ]);
    expect(r.body.summary).toEqual({
      redProjects: 1,
      yellowProjects: 0,
      unexplained: 1,
      overdue: 2,
      targetsAtRisk: 1,
      divergences: 2,
      overdueMeasures: 0,
    });
    // Asked again: the same answer (kept with its bytes).
    expect((await get(`${base()}?asOf=2025-07-31`)).text).toBe(r.text);
  });

  test('as known on an earlier date, later events are hidden', async () => {
    // Known on 07-31: the progress recorded on 08-05 is not known; i-seed-area shows the 06-30
    // report, 9000/20000 = 45.00; p-seed 34.00 − 45.00 = −11.00: work ahead; nothing at risk.
    const july = await get(`${base()}?asOf=2025-07-31&knownOn=2025-07-31`);
    expect(july.status).toBe(200);
    expect(july.body.knownOn).toBe('2025-07-31');
    expect(
      july.body.projects.map((p: { divergence: { difference: string } | null }) => p.divergence?.difference),
    ).toEqual([undefined, '-11.00']);
    expect(july.body.projects[1].targets[0].progress).toMatchObject({ asOf: '2025-06-30', actual: '9000亩' });
    expect(july.body.summary).toMatchObject({ targetsAtRisk: 0, divergences: 1 });
    // Known on 07-25: the follow-up of 07-28 (done) is not known: in progress since 07-20.
    const before = await get(`${base()}?asOf=2025-07-31&knownOn=2025-07-25`);
    expect(before.body.measures.map((m: { status: unknown }) => m.status)).toEqual([
      { status: 'in_progress', on: '2025-07-20', note: '已向财政局报送拨付申请' },
    ]);
    // As of 07-15 known on 07-14 the explanation (recorded 07-16) is not known: p-seed overdue too
    // (04-30 to 07-15: 19 + 20 + 11 = 50 working days); field since 06-30: 11 working days, overdue.
    const early = await get(`${base()}?asOf=2025-07-15&knownOn=2025-07-14`);
    expect(
      early.body.explanations.map((e: { subject: { id: string }; status: string; workingDaysOpen: number }) => [
        e.subject.id,
        e.status,
        e.workingDaysOpen,
      ]),
    ).toEqual([
      ['field', 'overdue', 11],
      ['p-seed', 'overdue', 50],
      ['l-seed', 'overdue', 50],
    ]);
    // Before YearOpened was recorded: the same 404 as execution.
    const none = await get(`${base()}?knownOn=2024-12-31`);
    expect(none.status).toBe(404);
    expect(none.body.message).toBe(
      (await get(`/api/v1/departments/${DEMO}/years/${YEAR}/execution?knownOn=2024-12-31`)).body.message,
    );
    expect((await get(base('no-such-dept'))).status).toBe(404);
  });

  test('a bad or unknown query parameter is a 400 naming it', async () => {
    const cases: [string, string][] = [
      [`${base()}?asOf=2025-02-30`, 'asOf'],
      [`${base()}?knownOn=yesterday`, 'knownOn'],
      [`${base()}?asOf=2025-07-31&source=all`, 'source'],
      [`${base('Bad_Dept')}`, 'department'],
      [`${base(DEMO, 1999)}`, 'year'],
      ['/api/v1/monitoring?year=1999', 'year'],
      ['/api/v1/monitoring?asOf=2025-7-31', 'asOf'],
      ['/api/v1/monitoring?knownOn=x', 'knownOn'],
      ['/api/v1/monitoring?department=mon-demo', 'department'],
    ];
    for (const [path, name] of cases) {
      const r = await get(path);
      expect({ path, status: r.status, at: r.body.errors?.[0]?.path }).toEqual({ path, status: 400, at: name });
    }
    const repeated = await get(`${base()}?asOf=2025-07-31&asOf=2025-06-30`);
    expect([repeated.status, repeated.body.errors?.[0]?.path]).toEqual([400, 'asOf']);
  });

  test("a unit reader sees only its own unit's projects, subjects and measures; the roll-up refuses it", async () => {
    const field = await get(`${base()}?asOf=2025-07-31`, 'field');
    expect(field.status).toBe(200);
    expect(field.body.total).toBeNull();
    expect(field.body.departmentTargets).toEqual([]);
    expect(field.body.projects.map((p: { task: string }) => p.task)).toEqual(['p-seed']);
    expect(field.body.explanations.map((e: { subject: { id: string } }) => e.subject.id)).toEqual([
      'field',
      'p-seed',
      'l-seed',
    ]);
    expect(field.body.measures.map((m: { eventId: string }) => m.eventId)).toEqual(['e-seed', 'pr-seed-sat']);
    expect(field.body.summary).toEqual({
      redProjects: 1,
      yellowProjects: 0,
      unexplained: 0,
      overdue: 2,
      targetsAtRisk: 1,
      divergences: 1,
      overdueMeasures: 0,
    });
    const plan = await get(`${base()}?asOf=2025-07-31`, 'plan');
    expect(plan.body.projects.map((p: { task: string }) => p.task)).toEqual(['p-irrigation']);
    expect(plan.body.explanations).toEqual([]);
    expect(plan.body.measures.map((m: { eventId: string }) => m.eventId)).toEqual(['pr-irr-area']);
    expect((await get(base('a-calm'), 'field')).status).toBe(403); // not its department
    expect((await get('/api/v1/monitoring?year=2025', 'field')).status).toBe(403);
    expect((await request(t.http).get(base())).status).toBe(401);
  });

  test('the roll-up: every department-year of the year in scope, worst first', async () => {
    // mon-demo: 2 overdue. b-behind: 600,000 / 1,200,000 = 50.00 against 58.33 (lag 8.33, yellow
    // since 07-31: June 50.00 against 50.00 was green): department, unit and line unexplained.
    // a-calm: 700,000 / 1,200,000 = 58.33, lag 0, green, nothing to explain.
    const r = await get('/api/v1/monitoring?year=2025&asOf=2025-07-31');
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const zero = {
      redProjects: 0,
      yellowProjects: 0,
      unexplained: 0,
      overdue: 0,
      targetsAtRisk: 0,
      divergences: 0,
      overdueMeasures: 0,
    };
    expect(r.body).toEqual({
      year: 2025,
      asOf: '2025-07-31',
      knownOn: null,
      departments: [
        {
          department: DEMO,
          year: 2025,
          departmentName: '示范市农业农村局',
          asOf: '2025-07-31',
          level: 'yellow',
          summary: { ...zero, redProjects: 1, unexplained: 1, overdue: 2, targetsAtRisk: 1, divergences: 2 },
          links: { monitoring: base(), execution: `/api/v1/departments/${DEMO}/years/2025/execution` },
        },
        expect.objectContaining({
          department: 'b-behind',
          departmentName: '七月滞后示范局',
          level: 'yellow',
          summary: { ...zero, unexplained: 3 },
        }),
        expect.objectContaining({ department: 'a-calm', year: 2025, level: 'green', summary: zero }),
      ],
    });
    // Every year: a-calm 2024 too (no budget: no level, nothing to count).
    const all = await get('/api/v1/monitoring?asOf=2025-07-31');
    expect(all.body.departments.map((d: { department: string; year: number }) => `${d.department}/${d.year}`)).toEqual([
      'mon-demo/2025',
      'b-behind/2025',
      'a-calm/2024',
      'a-calm/2025',
    ]);
    expect(all.body.departments[2]).toMatchObject({ level: null, summary: zero });
    // A finance key sees its own departments only.
    const finance = await get('/api/v1/monitoring?year=2025&asOf=2025-07-31', 'finance');
    expect(finance.body.departments.map((d: { department: string }) => d.department)).toEqual([DEMO, 'a-calm']);
    // As known on 2024-12-31 no year 2025 was opened yet (each YearOpened is recorded 2025-01-02).
    const known = await get('/api/v1/monitoring?year=2025&asOf=2025-07-31&knownOn=2024-12-31');
    expect(known.body).toEqual({ year: 2025, asOf: '2025-07-31', knownOn: '2024-12-31', departments: [] });
  });
});
