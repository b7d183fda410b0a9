/**
 * The monitoring alerts (divergence, unexplained, target-at-risk) and the monitoring section of the
 * units' monthly notices, through HTTP on both backends: the embedded database with in-process jobs,
 * and PostgreSQL with BullMQ on Redis. Deliveries go to a local receiver (webhook, WeCom and
 * DingTalk robots) and to the log channel, through the same subscriptions and outbox as the lag
 * alerts. A v1 stream (the Yantian sample) closes with the very notices it always had.
 *
 * The demo department (test/fixtures/monitoring-demo.ts, default schedule m/12: April 33.33, May
 * 41.67, June 50.00, July 58.33, August 66.67; thresholds 5/10; divergence 10), each month closed
 * on the 5th of the next month as known then (spending is recorded on the month's last day):
 *
 *   l-seed = p-seed (500,000): 34,000 a month January–May, then nothing.
 *     April 136,000 = 27.20 against 33.33: lag 6.13, yellow (March 20.40 against 25.00: green):
 *     its alert opened on 04-30. May 170,000 = 34.00 against 41.67: lag 7.67, yellow; June 34.00
 *     against 50.00: lag 16.00, red.
 *     Working days after 04-30 (2025 calendar: 05-01, 05-02, 05-05 and 06-02 off): May 19, June 20,
 *     July 23, so 19 at the May close (> 10: overdue), 39 in June, 62 in July.
 *   May close: unexplained yellow for p-seed and l-seed (19 working days, no explanation).
 *   June close: both red now: new red alerts replace the yellow ones ("由黄色升级"). Divergence of
 *     p-seed: the 06-30 progress (9000亩 of ≥20000亩 = 45.00, recorded 07-05) against 34.00:
 *     −11.00, |−11.00| ≥ 10: 事干了钱没花.
 *   July close (known on 08-05): e-seed (as of 07-15, recorded 07-16) explains p-seed (07-15 ≥
 *     04-30): cleared `explained`. Unit field = l-seed + l-field-basic: June 320,000 / 800,000 =
 *     40.00 against 50.00 (red since 06-30; May 36.88 against 41.67 was green); July 345,000 =
 *     43.125 → 43.13 against 58.33, 23 working days: unexplained red. p-irrigation 602,000 /
 *     1,000,000 = 60.20 against (2000亩/5000亩 = 40.00 + 30天/60天 = 50.00) / 2 = 45.00: 15.20:
 *     钱花了事没干. i-seed-sat 85% of ≥90%, `impossible`: target at risk, red.
 *   August close (known on 09-05, with test/fixtures/monitoring-alerts.ts's August events): no
 *     August spending. i-irr-area 3000亩 = 60.00: p-irrigation (60.00 + 50.00) / 2 = 55.00 against
 *     60.20 = 5.20 < 10: divergence cleared. i-seed-sat 91%, certain: cleared. e-field (08-20) and
 *     e-lseed (08-10) explain field and l-seed: cleared `explained`. The department: July 1,059,000
 *     / 2,000,000 = 52.95 against 58.33 = 5.38 yellow (June 46.60 against 50.00 green), August
 *     52.95 against 66.67 = 13.72 red; 21 working days of August after 07-31: unexplained red.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { AppConfig } from '#config/config.js';
import { factsFromEvents } from '#domain/execution/facts.js';
import { buildDepartmentNotice, buildUnitNotice } from '#domain/notices/notice.js';
import { renderNoticeMarkdown } from '#domain/notices/render.js';
import { loadSample } from '#domain/testing/sample.fixture.js';
import { DeliveryRepository } from '#persistence/delivery.repository.js';
import { demoAugustEvents, sichuanDrillEvents } from './fixtures/monitoring-alerts.js';
import { DEMO, monitoringDemoEvents, YEAR } from './fixtures/monitoring-demo.js';
import { SICHUAN, sichuanCheckpointEvents } from './fixtures/sichuan-checkpoints.js';
import { startTestApp, type TestApp } from './support/app.js';
import { BACKENDS, type Backend } from './support/databases.js';
import { Receiver, waitFor } from './support/receiver.js';
import { sampleText } from './support/sample.js';
import { TEST_REDIS_URL } from './support/services.js';

const MONITORING_KINDS = ['divergence', 'unexplained', 'target-at-risk'];
const closeDay = (year: number, m: number) =>
  m === 12 ? `${year + 1}-01-05` : `${year}-${String(m + 1).padStart(2, '0')}-05`;
const path = (department: string, year: number) => `/api/v1/departments/${department}/years/${year}`;

/** The monitoring alert changes of a close, as "raised|cleared id reason". */
const changes = (r: any): string[] =>
  [...r.alerts.raised, ...r.alerts.cleared]
    .filter((c: any) => MONITORING_KINDS.includes(c.kind))
    .map((c: any) => `${c.change} ${c.alertId} ${c.reason}`);
const messageOf = (r: any, id: string): string =>
  [...r.alerts.raised, ...r.alerts.cleared].find((c: any) => c.id === id)?.message;

const A = (rest: string) => `alert:${DEMO}:${YEAR}:${rest}`;

/** The documented June notice of 应急指挥信息科 (docs/notices.md, "What a notice says"), as it is issued. */
function documentedNotice(): string {
  const lines = readFileSync(new URL('../docs/notices.md', import.meta.url), 'utf8').split('\n');
  const start = lines.indexOf('    # 深圳市盐田区应急管理局2023年6月支出情况通报（应急指挥信息科）');
  const end = lines.findIndex((l, i) => i > start && l.startsWith('    > 序时进度'));
  return `${lines
    .slice(start, end + 1)
    .map((l) => l.slice(4))
    .join('\n')}\n`;
}

function settings(backend: Backend, receiver: Receiver): Partial<AppConfig> {
  const local: Partial<AppConfig> = {
    deliveryBackoffMs: 20,
    ingestPerMinute: 1000,
    webhookAllowHttp: true,
    webhookAllow: ['127.0.0.1'],
    robotEndpoints: { wecom: `${receiver.url}/robot/wecom`, dingtalk: `${receiver.url}/robot/dingtalk` },
  };
  // PostgreSQL: the deliveries go through BullMQ on Redis (a queue prefix of the suite's own).
  return backend === 'postgres'
    ? {
        ...local,
        redisUrl: TEST_REDIS_URL,
        queuePrefix: `paceline-test-${randomBytes(4).toString('hex')}`,
        role: 'worker',
      }
    : local;
}

describe.each(BACKENDS)('monitoring alerts on %s', (backend) => {
  let t: TestApp;
  let receiver: Receiver;
  const sub: Record<string, number> = {};
  const results: Record<number, any> = {};

  const post = (url: string, body: unknown) =>
    request(t.http)
      .post(url)
      .send(body as object);
  const close = async (department: string, year: number, m: number, body: Record<string, unknown> = {}) => {
    const r = await post(`${path(department, year)}/months/${m}/close`, { knownOn: closeDay(year, m), ...body });
    expect([r.status, r.body.status]).toEqual([200, body.reissue ? 'reissued' : 'closed']);
    return r.body;
  };

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(backend, settings(backend, receiver));
    for (const events of [monitoringDemoEvents(), [...sichuanCheckpointEvents(), ...sichuanDrillEvents()]])
      expect((await post('/api/v1/events', events)).status).toBe(201);
    const v1 = await request(t.http)
      .post('/api/v1/events')
      .set('Content-Type', 'application/x-ndjson')
      .send(sampleText());
    expect(v1.status).toBe(201);
    const subs: Record<string, object> = {
      all: { department: DEMO, subject: '*', channel: 'webhook', url: `${receiver.url}/hook` },
      field: { department: DEMO, subject: 'field', channel: 'wecom', url: `${receiver.url}/robot/wecom?key=k-field` },
      department: {
        department: DEMO,
        subject: 'department',
        channel: 'dingtalk',
        url: `${receiver.url}/robot/dingtalk?access_token=t-dept`,
      },
      plan: { department: DEMO, subject: 'plan', channel: 'log' },
      sichuan: { department: SICHUAN, subject: '*', channel: 'webhook', url: `${receiver.url}/sichuan` },
    };
    for (const [name, body] of Object.entries(subs)) {
      const r = await post('/api/v1/subscriptions', body);
      expect(r.status).toBe(201);
      sub[name] = r.body.id;
    }
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  test('January–July: each alert raised when due, with its Chinese text; p-seed cleared by its explanation', async () => {
    for (let m = 1; m <= 7; m++) results[m] = await close(DEMO, YEAR, m);
    // Nothing before May: l-seed and p-seed turn yellow at the end of April (0 working days then).
    for (const m of [1, 2, 3, 4]) expect(changes(results[m])).toEqual([]);
    expect(changes(results[5])).toEqual([
      `raised ${A('field:unexplained:task.p-seed:yellow:5')} worsened`,
      `raised ${A('field:unexplained:line.l-seed:yellow:5')} worsened`,
    ]);
    expect(messageOf(results[5], A('field:unexplained:task.p-seed:yellow:5'))).toBe(
      '【偏差未说明】良种推广补贴项目执行率34.00%（黄色），预警已持续19个工作日未报送偏差说明',
    );
    expect(changes(results[6])).toEqual([
      `raised ${A('field:divergence:task.p-seed:yellow:6')} worsened`,
      `raised ${A('field:unexplained:task.p-seed:red:6')} escalated`,
      `raised ${A('field:unexplained:line.l-seed:red:6')} escalated`,
      `cleared ${A('field:unexplained:task.p-seed:yellow:5')} replaced`,
      `cleared ${A('field:unexplained:line.l-seed:yellow:5')} replaced`,
    ]);
    expect(messageOf(results[6], A('field:divergence:task.p-seed:yellow:6'))).toBe(
      '【背离预警】良种推广补贴项目：支出进度34.00%，绩效目标平均完成45.00%，相差11.00个百分点（事干了钱没花）',
    );
    expect(messageOf(results[6], A('field:unexplained:line.l-seed:red:6'))).toBe(
      '【偏差未说明】良种补贴资金执行率34.00%（红色，由黄色升级），预警已持续39个工作日未报送偏差说明',
    );
    expect(changes(results[7])).toEqual([
      `raised ${A('plan:divergence:task.p-irrigation:yellow:7')} worsened`,
      `raised ${A('field:unexplained:unit.field:red:7')} worsened`,
      `raised ${A('field:target-at-risk:indicator.i-seed-sat:red:7')} worsened`,
      `cleared ${A('field:unexplained:task.p-seed:red:6')} explained`,
    ]);
    const july = results[7];
    expect(messageOf(july, A('plan:divergence:task.p-irrigation:yellow:7'))).toBe(
      '【背离预警】高标准农田建设项目：支出进度60.20%，绩效目标平均完成45.00%，相差15.20个百分点（钱花了事没干）',
    );
    expect(messageOf(july, A('field:unexplained:unit.field:red:7'))).toBe(
      '【偏差未说明】产业发展科执行率43.13%（红色），预警已持续23个工作日未报送偏差说明',
    );
    expect(messageOf(july, A('field:target-at-risk:indicator.i-seed-sat:red:7'))).toBe(
      '【目标风险】农户满意度：完成目标可能性为“完全不可能”（1—7月完成85%，全年预计86%）',
    );
    expect(messageOf(july, `${A('field:unexplained:task.p-seed:red:6')}:cleared`)).toBe(
      '【偏差未说明解除】良种推广补贴项目：已报送偏差说明（7月15日，偏差原因：经费保障）',
    );
    const target = july.alerts.raised.find((c: any) => c.kind === 'target-at-risk');
    expect(target).toMatchObject({ subject: 'field', subjectName: '农户满意度', level: 'red', month: 7 });
    expect(target.figures).toMatchObject({
      about: { kind: 'indicator', id: 'i-seed-sat', name: '农户满意度' },
      unit: 'field',
      target: {
        target: '≥90%',
        progress: { asOf: '2025-07-31', actual: '85%', expectedYearEnd: '86%', likelihood: 'impossible' },
        riskFrom: '2025-09-30',
        atRisk: true,
      },
    });
    // The stored alerts: open ones as raised, p-seed's cleared with the figures that cleared it.
    const alerts = await request(t.http).get(`${path(DEMO, YEAR)}/alerts`);
    const open = alerts.body.open.filter((a: any) => MONITORING_KINDS.includes(a.kind)).map((a: any) => a.id);
    expect(open.sort()).toEqual(
      [
        A('field:divergence:task.p-seed:yellow:6'),
        A('field:unexplained:line.l-seed:red:6'),
        A('plan:divergence:task.p-irrigation:yellow:7'),
        A('field:unexplained:unit.field:red:7'),
        A('field:target-at-risk:indicator.i-seed-sat:red:7'),
      ].sort(),
    );
    const pseed = alerts.body.past.find((a: any) => a.id === A('field:unexplained:task.p-seed:red:6'));
    expect(pseed.cleared).toMatchObject({ month: 7, reason: 'explained' });
    expect(pseed.cleared.figures.deviation).toMatchObject({
      status: 'explained',
      explanation: { eventId: 'e-seed', asOf: '2025-07-15', cause: 'funding' },
    });
    // A unit reader's filter: the plan unit's own.
    const plan = await request(t.http).get(`${path(DEMO, YEAR)}/alerts?unit=plan&status=open`);
    expect(plan.body.open.filter((a: any) => MONITORING_KINDS.includes(a.kind)).map((a: any) => a.id)).toEqual([
      A('plan:divergence:task.p-irrigation:yellow:7'),
    ]);
  });

  test('closing July again raises nothing twice: already closed, and a re-issue does not evaluate alerts', async () => {
    const before = (await request(t.http).get(`${path(DEMO, YEAR)}/alerts`)).body;
    const again = await post(`${path(DEMO, YEAR)}/months/7/close`, { knownOn: closeDay(YEAR, 7) });
    expect(again.body).toMatchObject({ status: 'already-closed', deliveries: 0, alerts: { evaluated: false } });
    const re = await close(DEMO, YEAR, 7, { reissue: true, reason: '补录7月偏差说明后重新通报' });
    expect(re.alerts).toEqual({ raised: [], cleared: [], evaluated: false });
    // Closing June late does not run the alerts again either (they move forward month by month).
    const june = await post(`${path(DEMO, YEAR)}/months/6/close`, { reissue: true, reason: '重新通报' });
    expect(june.body.alerts.evaluated).toBe(false);
    const after = (await request(t.http).get(`${path(DEMO, YEAR)}/alerts`)).body;
    expect(after).toEqual(before);
    const ids = [...after.open, ...after.past].map((a: any) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("the unit's July notice lists its unexplained deviations and the measure due; plan has nothing to list", async () => {
    const md = await request(t.http).get(`${path(DEMO, YEAR)}/notices/field/7?format=markdown&revision=1`);
    expect(md.status).toBe(200);
    // 三、进度要求 is there (a next checkpoint is left), so the section is 四.
    expect(md.text).toContain(
      '四、偏差说明和整改措施。你科室有2项预警未报送偏差说明：' +
        '产业发展科（**红色预警**，自6月30日起已持续23个工作日，逾期未报送）、' +
        '良种补贴资金（**红色预警**，自4月30日起已持续62个工作日，逾期未报送）。' +
        '整改措施1项于8月31日前到期或已逾期：' +
        '协调财政尽快拨付配套资金并分批发放补贴（良种推广补贴项目，8月31日到期，7月28日报送已完成）。' +
        '请你科室尽快报送偏差原因分析和纠偏措施，按期落实整改措施并及时报送整改进展。',
    );
    expect(md.text).toContain('| 良种补贴资金 | 预算资金 | **红色预警** | 4月30日 | 62 | 逾期未报送 |');
    expect(md.text).toContain(
      '| 协调财政尽快拨付配套资金并分批发放补贴 | 良种推广补贴项目 | 8月31日 | 已完成（7月28日） |',
    );
    const json = await request(t.http).get(`${path(DEMO, YEAR)}/notices/field/7?revision=1`);
    expect(json.body.content.monitoring).toEqual({
      deviations: [
        {
          subject: { kind: 'unit', id: 'field', name: '产业发展科' },
          level: 'red',
          since: '2025-06-30',
          workingDaysOpen: 23,
          status: 'overdue',
        },
        {
          subject: { kind: 'line', id: 'l-seed', name: '良种补贴资金' },
          level: 'red',
          since: '2025-04-30',
          workingDaysOpen: 62,
          status: 'overdue',
        },
      ],
      measures: [
        {
          eventId: 'e-seed',
          subject: { kind: 'task', id: 'p-seed', name: '良种推广补贴项目' },
          measure: '协调财政尽快拨付配套资金并分批发放补贴',
          due: '2025-08-31',
          status: 'done',
          statusOn: '2025-07-28',
          overdue: false,
        },
      ],
      dueBy: '2025-08-31',
    });
    // 规划建设科: everything green in July, no measure: no section at all.
    const plan = await request(t.http).get(`${path(DEMO, YEAR)}/notices/plan/7?revision=1`);
    expect('monitoring' in plan.body.content).toBe(false);
    expect(plan.body.markdown).not.toContain('偏差说明');
  });

  test('August: the events that clear them clear them; the department is raised; measures due and overdue listed', async () => {
    expect((await post('/api/v1/events', demoAugustEvents())).status).toBe(201);
    const aug = (results[8] = await close(DEMO, YEAR, 8));
    expect(changes(aug)).toEqual([
      `raised ${A('department:unexplained:department:red:8')} worsened`,
      `cleared ${A('plan:divergence:task.p-irrigation:yellow:7')} recovered`,
      `cleared ${A('field:unexplained:unit.field:red:7')} explained`,
      `cleared ${A('field:unexplained:line.l-seed:red:6')} explained`,
      `cleared ${A('field:target-at-risk:indicator.i-seed-sat:red:7')} recovered`,
    ]);
    expect(messageOf(aug, A('department:unexplained:department:red:8'))).toBe(
      '【偏差未说明】示范市农业农村局执行率52.95%（红色），预警已持续21个工作日未报送偏差说明',
    );
    expect(messageOf(aug, `${A('plan:divergence:task.p-irrigation:yellow:7')}:cleared`)).toBe(
      '【背离预警解除】高标准农田建设项目：支出进度60.20%，绩效目标平均完成55.00%，相差5.20个百分点，未达背离阈值10个百分点',
    );
    expect(messageOf(aug, `${A('field:unexplained:unit.field:red:7')}:cleared`)).toBe(
      '【偏差未说明解除】产业发展科：已报送偏差说明（8月20日，偏差原因：经费保障）',
    );
    expect(messageOf(aug, `${A('field:target-at-risk:indicator.i-seed-sat:red:7')}:cleared`)).toBe(
      '【目标风险解除】农户满意度：完成目标可能性为“确定能”（1—8月完成91%，全年预计92%）',
    );
    // p-seed still diverges: 34.00 against (80.00 + 100.00) / 2 = 90.00: stays open, nothing raised again.
    expect(changes(aug).some((c) => c.includes('divergence:task.p-seed'))).toBe(false);

    // The field unit's August notice: l-field-basic 175,000 / 300,000 = 58.33 against 66.67 (yellow
    // since 08-31, 0 working days: not yet overdue); e-seed due 08-31 (done), e-lseed due 08-25 and
    // in progress (overdue at 08-31), e-field due 09-15 (no follow-up): all due by 09-30.
    const md = await request(t.http).get(`${path(DEMO, YEAR)}/notices/field/8?format=markdown`);
    expect(md.text).toContain(
      '你科室有1项预警未报送偏差说明：产业发展科日常运转（**黄色预警**，自8月31日起已持续0个工作日，未报送）。' +
        '整改措施3项于9月30日前到期或已逾期：' +
        '协调财政尽快拨付配套资金并分批发放补贴（良种推广补贴项目，8月31日到期，7月28日报送已完成）；' +
        '完成补贴对象核定后一次性拨付（良种补贴资金，8月25日到期，8月20日报送进行中，已逾期）；' +
        '资金到位后集中支付（产业发展科，9月15日到期，未报送整改进展）。',
    );
    expect(md.text).toContain(
      '| 完成补贴对象核定后一次性拨付 | 良种补贴资金 | 8月25日 | **进行中（8月20日），已逾期** |',
    );
    expect(md.text).toContain('| 资金到位后集中支付 | 产业发展科 | 9月15日 | 未报送 |');
    // Closing August again: nothing.
    const again = await post(`${path(DEMO, YEAR)}/months/8/close`, { knownOn: closeDay(YEAR, 8) });
    expect(again.body).toMatchObject({ status: 'already-closed', deliveries: 0 });
  });

  test('every change is delivered once to the subscriptions of its unit, in Chinese on every channel', async () => {
    const repo = new DeliveryRepository(t.db.db);
    const expected = Object.values(results).reduce((n, r) => n + r.deliveries, 0);
    await waitFor(
      'the outbox delivered',
      async () => {
        const c = await repo.outboxCounts();
        return c.pending + c.enqueued === 0 && c.failed === 0 && c.delivered >= expected;
      },
      30_000,
    );
    const got = receiver.delivered();
    const ids = got.map((r) => r.deliveryId);
    expect(new Set(ids).size).toBe(ids.length);
    const all = Object.values(results).flatMap((r) => [...r.alerts.raised, ...r.alerts.cleared]);
    const monitoring = all.filter((c: any) => MONITORING_KINDS.includes(c.kind));
    expect(monitoring).toHaveLength(2 + 5 + 4 + 5); // May, June, July, August
    // Webhook '*': every change, job id {change id}:s{subscription}, the message in the figures.
    for (const c of monitoring) {
      const hook = got.find((r) => r.deliveryId === `${c.id}:s${sub.all}`);
      expect([c.id, hook?.path]).toEqual([c.id, '/hook']);
      expect(hook?.body).toMatchObject({
        kind: 'alert',
        id: c.id,
        unit: c.subject === 'department' ? null : c.subject,
      });
      expect(hook?.body.figures.alert).toMatchObject({ kind: c.kind, change: c.change, message: c.message });
      expect(hook?.body.markdown).toContain(c.message);
    }
    const fieldRaised = `${A('field:unexplained:unit.field:red:7')}`;
    const hook = got.find((r) => r.deliveryId === `${fieldRaised}:s${sub.all}`)!;
    expect(hook.body.title).toBe('产业发展科偏差未说明预警（2025年7月）');
    expect(hook.body.html).toContain('<td style="border:1px solid #999;padding:4px 8px">已持续工作日</td>');
    // WeCom (field): field's changes only, with the robot's colours.
    const wecom = got.filter((r) => r.path === '/robot/wecom').map((r) => r.deliveryId);
    const fieldChanges = monitoring.filter((c: any) => c.subject === 'field').map((c: any) => `${c.id}:s${sub.field}`);
    for (const id of fieldChanges) expect(wecom).toContain(id);
    const robot = got.find((r) => r.deliveryId === `${fieldRaised}:s${sub.field}`)!;
    expect(robot.body.markdown.content).toContain(
      '【偏差未说明】产业发展科执行率43.13%（红色），预警已持续23个工作日未报送偏差说明',
    );
    expect(robot.body.markdown.content).toContain('> 状态：<font color="warning">红色预警</font>');
    // DingTalk (department): the department's unexplained alert.
    const dept = got.find(
      (r) => r.deliveryId === `${A('department:unexplained:department:red:8')}:s${sub.department}`,
    )!;
    expect(dept.body.markdown.title).toBe('示范市农业农村局偏差未说明预警（2025年8月）');
    expect(dept.body.markdown.text).toContain('已持续工作日：21');
    // Log (plan): the divergence of p-irrigation, raised and cleared, as key=value lines.
    const logged = (await repo.listOutbox({ stream: `${DEMO}/${YEAR}`, limit: 1000 })).filter(
      (o) => o.subscriptionId === sub.plan && o.kind === 'alert' && o.itemId.includes(':divergence:'),
    );
    expect(logged.map((o) => [o.jobId, o.status])).toEqual(
      expect.arrayContaining([
        [`${A('plan:divergence:task.p-irrigation:yellow:7')}:s${sub.plan}`, 'delivered'],
        [`${A('plan:divergence:task.p-irrigation:yellow:7')}:cleared:s${sub.plan}`, 'delivered'],
      ]),
    );
    expect((logged[0]?.payload as { line: string }).line).toMatch(
      /^event=alert\.(raised|cleared) id=alert:mon-demo:2025:plan:divergence:task\.p-irrigation:yellow:7.* kind=divergence level=yellow .*about=task\.p-irrigation rate=60\.20 /,
    );
  });

  test('Sichuan: a "possible" target is at risk from the second-to-last checkpoint (08-31) and cleared by a later report', async () => {
    // Checkpoints 04-30, 06-30, 08-31, 10-31: the second-to-last is 08-31. July's report (as of
    // 07-31, possible) is before it: no alert; August's (as of 08-31, possible) is at risk: yellow;
    // September's (as of 09-30, certain) is not: cleared. The units stay green (lags 3.33 and below).
    const jul = await close(SICHUAN, 2024, 7);
    expect(changes(jul)).toEqual([]);
    const aug = await close(SICHUAN, 2024, 8);
    const id = `alert:${SICHUAN}:2024:works:target-at-risk:indicator.i-drill:yellow:8`;
    expect(changes(aug)).toEqual([`raised ${id} worsened`]);
    expect(messageOf(aug, id)).toBe('【目标风险】应急演练：完成目标可能性为“有可能”（1—8月完成7次，全年预计12次）');
    expect(aug.alerts.raised[aug.alerts.raised.length - 1].figures.target).toMatchObject({
      riskFrom: '2024-08-31',
      atRisk: true,
    });
    const sep = await close(SICHUAN, 2024, 9);
    expect(changes(sep)).toEqual([`cleared ${id} recovered`]);
    expect(messageOf(sep, `${id}:cleared`)).toBe(
      '【目标风险解除】应急演练：完成目标可能性为“确定能”（1—9月完成9次，全年预计12次）',
    );
    await waitFor('the Sichuan alert delivered', async () =>
      receiver.delivered().some((r) => r.deliveryId === `${id}:cleared:s${sub.sichuan}`),
    );
    // Nothing to list for the works unit (no deviation, no measure with a due date): no section.
    const notice = await request(t.http).get(`${path(SICHUAN, 2024)}/notices/works/8`);
    expect('monitoring' in notice.body.content).toBe(false);
  });

  test('a v1 stream: the same notices as ever, and only lag alerts', async () => {
    const r = await close('yantian-emergency', 2023, 6);
    expect(r.alerts.raised.every((c: any) => ['level', 'forecast'].includes(c.kind))).toBe(true);
    const md = await request(t.http).get(`${path('yantian-emergency', 2023)}/notices/command/6?format=markdown`);
    expect(md.text).toBe(documentedNotice());
    // Every notice of the close is exactly what the notice functions give without monitoring.
    const facts = factsFromEvents(loadSample());
    for (const n of r.notices) {
      const stored = (await request(t.http).get(`${path('yantian-emergency', 2023)}/notices/${n.subject}/6`)).body;
      const pure =
        n.subject === 'department'
          ? buildDepartmentNotice(facts, { month: 6, knownOn: '2023-07-05' })
          : buildUnitNotice(facts, { unit: n.subject, month: 6, knownOn: '2023-07-05' });
      expect([n.subject, stored.content]).toEqual([n.subject, JSON.parse(JSON.stringify(pure))]);
      expect(stored.markdown).toBe(renderNoticeMarkdown(pure));
    }
  });
});
