/**
 * Ingest of contract v1.1 through HTTP on both backends: the monitoring fields and events are
 * accepted, all-or-nothing with a clear 400 naming the event and field, idempotent by id, and
 * nothing already accepted changes when a bad batch is refused.
 */
import request from 'supertest';
import type { EventInput } from '#domain/events.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { logSnapshot } from './support/log-snapshot.js';

const DEPT = 'sichuan-ingest';
const Y = 2024;
const ev = (id: string, type: string, occurredAt: string, data: Record<string, unknown>) =>
  ({ id, type, department: DEPT, year: Y, occurredAt, data }) as unknown as EventInput;

const STRUCTURE: EventInput[] = [
  ev('open', 'YearOpened', '2024-01-02', {
    departmentName: '某区应急管理局',
    checkpoints: [
      { on: '04-30', percent: '25' },
      { on: '06-30', percent: '40' },
      { on: '08-31', percent: '60' },
      { on: '10-31', percent: '80' },
    ],
    alertThresholds: { yellow: '5', red: '10', divergence: '15' },
  }),
  ev('u-fire', 'UnitRegistered', '2024-01-02', { unit: 'fire', name: '消防科' }),
  ev('t-fire', 'TaskPlanned', '2024-01-03', {
    task: 'pj-fire',
    unit: 'fire',
    kind: 'project',
    title: '森林防火',
    due: '2024-12-31',
  }),
  ev('a-fire', 'BudgetAllocated', '2024-01-05', {
    line: 'fire-ops',
    unit: 'fire',
    name: '森林防火经费',
    category: 'project',
    economic: 'other',
    source: 'fiscal',
    amount: '1000000.00',
    task: 'pj-fire',
  }),
  ev('i-patrol', 'IndicatorDefined', '2024-01-10', {
    indicator: 'patrol',
    level1: '产出指标',
    level2: '数量指标',
    name: '巡查次数',
    target: '≥120次',
    task: 'pj-fire',
  }),
];
const MONITORING: EventInput[] = [
  ev('p-patrol', 'IndicatorProgressReported', '2024-08-05', {
    indicator: 'patrol',
    asOf: '2024-07-31',
    actual: '50次',
    expectedYearEnd: '110次',
    likelihood: 'possible',
    deviation: { cause: 'staffing', reason: '巡查人员不足' },
    measure: '增派巡查人员',
  }),
  ev('d-fire', 'DeviationExplained', '2024-07-10', {
    subject: { kind: 'unit', id: 'fire' },
    asOf: '2024-07-10',
    cause: 'policy',
    reason: '设备采购流程尚未完成',
    measure: '加快政府采购流程',
    due: '2024-09-30',
  }),
  ev('c-fire', 'CorrectiveActionReported', '2024-09-20', {
    explanation: 'd-fire',
    on: '2024-09-20',
    status: 'done',
    note: '采购已完成',
  }),
];

describe.each(BACKENDS)('v1.1 ingest on %s', (backend) => {
  let t: TestApp;
  const post = (body: object) => request(t.http).post('/api/v1/events').send(body);

  beforeAll(async () => {
    t = await startTestApp(backend, { projectorPollMs: 50 });
  });
  afterAll(async () => t.close());

  test('a bad event refuses the whole batch, naming the event index and field; nothing is stored', async () => {
    const before = await logSnapshot(t.db.db);
    const bad = structuredClone([...STRUCTURE, ...MONITORING]) as unknown as Record<string, any>[];
    delete bad[5]!.data.measure; // 有可能 without a measure
    bad[6]!.data.subject = { kind: 'unit', id: 'water' }; // unknown unit: a cross-event rule, not reached
    const r = await post(bad);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      {
        index: 5,
        id: 'p-patrol',
        path: 'data.measure',
        reason: 'is required when likelihood is "possible" (有可能): say what will be done',
      },
    ]);
    expect(await logSnapshot(t.db.db)).toEqual(before);
  });

  test('a reference to something not in the stream is a 400 on its path', async () => {
    const before = await logSnapshot(t.db.db);
    const r = await post([
      ...STRUCTURE,
      ev('d-water', 'DeviationExplained', '2024-07-10', {
        subject: { kind: 'unit', id: 'water' },
        asOf: '2024-07-10',
        cause: 'other',
        reason: '原因',
        measure: '措施',
      }),
    ]);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      {
        index: 5,
        id: 'd-water',
        path: 'data.subject.id',
        reason: 'unknown unit "water": it needs a UnitRegistered first',
      },
    ]);
    expect(await logSnapshot(t.db.db)).toEqual(before);
  });

  test('the v1.1 stream is accepted, and sent again it is all duplicates', async () => {
    const all = [...STRUCTURE, ...MONITORING];
    const first = await post(all);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ accepted: 8, duplicates: 0 });
    const snapshot = await logSnapshot(t.db.db);
    expect(snapshot.count).toBe(8);
    const again = await post(all);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 8 });
    expect(await logSnapshot(t.db.db)).toEqual(snapshot);
    // Read back exactly as sent.
    const stream = await request(t.http).get(`/api/v1/streams/${DEPT}/${Y}/events`);
    expect(stream.status).toBe(200);
    const stored = stream.body.events.find((e: { id: string }) => e.id === 'p-patrol');
    expect(stored.data).toEqual(MONITORING[0]!.data);
  });

  test('a follow-up after YearClosed is refused', async () => {
    const closed = await post([ev('close', 'YearClosed', '2024-12-31', {})]);
    expect(closed.status).toBe(201);
    const r = await post([
      ev('c-late', 'CorrectiveActionReported', '2025-01-05', {
        explanation: 'd-fire',
        on: '2025-01-05',
        status: 'done',
        note: '补报',
      }),
    ]);
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({
      index: 0,
      path: 'type',
      reason: 'the year is closed: after YearClosed only SelfEvaluationSubmitted and AssessmentRecorded are accepted',
    });
  });
});
