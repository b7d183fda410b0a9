/**
 * The monitoring alert fold (monitoring-alerts.ts) over the demo department
 * (test/fixtures/monitoring-demo.ts and August's events of test/fixtures/monitoring-alerts.ts),
 * month by month, each month's end as known on the 5th of the next month, as the month closes
 * evaluate it. Default schedule m/12 (April 33.33, May 41.67, June 50.00, July 58.33, August
 * 66.67); thresholds 5/10; divergence 10. The figures are worked out in
 * test/monitoring.alerts.e2e.test.ts and libs/domain/monitoring/monitoring.spec.ts.
 */
import { demoAugustEvents, sichuanDrillEvents } from '#test/fixtures/monitoring-alerts.js';
import { monitoringDemoEvents } from '#test/fixtures/monitoring-demo.js';
import { sichuanCheckpointEvents } from '#test/fixtures/sichuan-checkpoints.js';
import { DEFAULT_CALENDAR } from '../calendar/cn-holidays.js';
import { lastDayOfMonth } from '../dates.js';
import type { EventInput } from '../events.js';
import { executionReport } from '../execution/execution.js';
import { factsFromEvents } from '../execution/facts.js';
import { monitoringStateFrom } from '../monitoring/monitoring-state.js';
import { monitoringReport } from '../monitoring/monitoring.js';
import { loadSample } from '../testing/sample.fixture.js';
import { alertTitle, renderAlertHtml, renderAlertMarkdown } from './render.js';
import { evaluateAlerts, type MonitoringAlertChange, type OpenAlert } from './alerts.js';
import { dingtalkPayload, logLine, webhookPayload, wecomPayload } from './channels.js';
import {
  aboutKey,
  evaluateMonitoringAlerts,
  monitoringAlertId,
  monitoringClearedMessage,
  monitoringRaisedMessage,
  takesPartInMonitoring,
  type MonitoringAlertFigures,
} from './monitoring-alerts.js';

const dated = (events: EventInput[]) => events.map((e) => ({ ...e, occurredOn: e.occurredAt.slice(0, 10) }));
const closeDay = (year: number, m: number) =>
  m === 12 ? `${year + 1}-01-05` : `${year}-${String(m + 1).padStart(2, '0')}-05`;

/** Inputs of the fold for month m of a stream, as known on its close day. */
function inputsAt(events: EventInput[], year: number, m: number, knownOn = closeDay(year, m)) {
  const all = dated(events);
  const facts = factsFromEvents(all);
  const state = monitoringStateFrom(all);
  const asOf = lastDayOfMonth(year, m);
  return {
    monitoring: takesPartInMonitoring(state, knownOn)
      ? monitoringReport(facts, state, { asOf, knownOn }, DEFAULT_CALENDAR)
      : null,
    execution: executionReport(facts, { asOf, knownOn, source: 'fiscal' }),
  };
}

/** The fold over months `from`..`to`: each step's changes as "month change id-tail reason", and the open set. */
function fold(events: EventInput[], year: number, to: number, from = 1, start: OpenAlert[] = []) {
  let open = start;
  const steps: { month: number; raised: MonitoringAlertChange[]; cleared: MonitoringAlertChange[] }[] = [];
  for (let m = from; m <= to; m++) {
    const r = evaluateMonitoringAlerts(open, inputsAt(events, year, m), { month: m, date: closeDay(year, m) });
    steps.push({ month: m, raised: r.raised, cleared: r.cleared });
    open = r.open;
  }
  const lines = steps.flatMap((s) =>
    [...s.raised, ...s.cleared].map(
      (c) => `${s.month} ${c.change} ${c.alertId.split(':').slice(3).join(':')} ${c.reason}`,
    ),
  );
  return { steps, lines, open };
}

const demo = () => monitoringDemoEvents();
const demoWithAugust = () => [...monitoringDemoEvents(), ...demoAugustEvents()];

describe('the monitoring alert fold over the demo department', () => {
  test('given January–August closes, then each alert is raised when due and cleared by what clears it', () => {
    expect(fold(demoWithAugust(), 2025, 8).lines).toEqual([
      // l-seed = p-seed: yellow since 04-30; May's end is 19 working days later: overdue.
      '5 raised field:unexplained:task.p-seed:yellow:5 worsened',
      '5 raised field:unexplained:line.l-seed:yellow:5 worsened',
      // June: 34.00 against 50.00 (lag 16.00) is red: a red alert replaces each yellow one. The
      // 06-30 progress (45.00) against 34.00: −11.00.
      '6 raised field:divergence:task.p-seed:yellow:6 worsened',
      '6 raised field:unexplained:task.p-seed:red:6 escalated',
      '6 raised field:unexplained:line.l-seed:red:6 escalated',
      '6 cleared field:unexplained:task.p-seed:yellow:5 replaced',
      '6 cleared field:unexplained:line.l-seed:yellow:5 replaced',
      // July (known on 08-05): p-irrigation 60.20 against 45.00; field red since 06-30 for 23
      // working days; i-seed-sat impossible; p-seed explained on 07-15.
      '7 raised plan:divergence:task.p-irrigation:yellow:7 worsened',
      '7 raised field:unexplained:unit.field:red:7 worsened',
      '7 raised field:target-at-risk:indicator.i-seed-sat:red:7 worsened',
      '7 cleared field:unexplained:task.p-seed:red:6 explained',
      // August (known on 09-05): the department red since 07-31 for 21 working days; the rest cleared.
      '8 raised department:unexplained:department:red:8 worsened',
      '8 cleared plan:divergence:task.p-irrigation:yellow:7 recovered',
      '8 cleared field:unexplained:unit.field:red:7 explained',
      '8 cleared field:unexplained:line.l-seed:red:6 explained',
      '8 cleared field:target-at-risk:indicator.i-seed-sat:red:7 recovered',
    ]);
  });

  test('given the same month evaluated again from its own result, then nothing is raised or cleared twice', () => {
    const { open } = fold(demo(), 2025, 7);
    const again = evaluateMonitoringAlerts(open, inputsAt(demo(), 2025, 7), { month: 7, date: '2025-08-05' });
    expect([again.raised, again.cleared]).toEqual([[], []]);
    expect(again.open.map((a) => a.id).sort()).toEqual(open.map((a) => a.id).sort());
  });

  test('given the raised alerts, then their figures say what they are about and why', () => {
    const july = fold(demo(), 2025, 7).steps[6]!;
    const divergence = july.raised.find((c) => c.kind === 'divergence')!;
    expect(divergence).toMatchObject({
      id: 'alert:mon-demo:2025:plan:divergence:task.p-irrigation:yellow:7',
      subject: 'plan',
      subjectName: '高标准农田建设项目',
      level: 'yellow',
      month: 7,
      date: '2025-08-05',
    });
    expect(divergence.figures).toEqual({
      month: 7,
      asOf: '2025-07-31',
      about: { kind: 'task', id: 'p-irrigation', name: '高标准农田建设项目' },
      unit: 'plan',
      unitName: '规划建设科',
      divergence: {
        rate: '60.20',
        completion: '45.00',
        difference: '15.20',
        threshold: '10.00',
        direction: 'spending_ahead',
      },
    });
    const field = july.raised.find((c) => c.kind === 'unexplained')!;
    // 345,000 / 800,000 = 43.125 → 43.13 (half-up) against 58.33.
    expect(field.figures.deviation).toEqual({
      level: 'red',
      rate: '43.13',
      since: '2025-06-30',
      workingDaysOpen: 23,
      status: 'overdue',
      explanation: null,
    });
    expect(field.message).toBe('【偏差未说明】产业发展科执行率43.13%（红色），预警已持续23个工作日未报送偏差说明');
  });

  test('given a subject back to green, then its unexplained alert is cleared as recovered', () => {
    // 140,000 more on l-seed in August: 310,000 / 500,000 = 62.00 against 66.67: lag 4.67, green.
    const extra = {
      id: 's-l-seed-08',
      type: 'SpendingRecorded',
      department: 'mon-demo',
      year: 2025,
      occurredAt: '2025-08-31',
      data: { line: 'l-seed', source: 'fiscal', month: '2025-08', amount: '140000.00' },
    } as unknown as EventInput;
    const { lines, steps } = fold([...demo(), extra], 2025, 8);
    expect(lines.filter((l) => l.startsWith('8 ') && l.includes('l-seed'))).toEqual([
      '8 cleared field:unexplained:line.l-seed:red:6 recovered',
    ]);
    const cleared = steps[7]!.cleared.find((c) => c.alertId.includes('line.l-seed'))!;
    expect(cleared.message).toBe('【偏差未说明解除】良种补贴资金：执行率62.00%，已恢复正常');
    expect(cleared.figures.deviation).toMatchObject({ level: 'green', rate: '62.00', status: null });
  });

  test('given no monitoring answer (the stream does not take part), then its monitoring alerts are cleared, lag alerts pass', () => {
    const { open } = fold(demo(), 2025, 7);
    const lag = evaluateAlerts([], inputsAt(demo(), 2025, 7).execution, { month: 7, date: '2025-08-05' }).open;
    const r = evaluateMonitoringAlerts(
      [...open, ...lag],
      { ...inputsAt(demo(), 2025, 8), monitoring: null },
      {
        month: 8,
        date: '2025-09-05',
      },
    );
    expect(r.raised).toEqual([]);
    expect(r.cleared.map((c) => c.reason)).toEqual(open.map(() => 'not_applicable'));
    expect(r.cleared[0]!.message).toMatch(/已不在本期统计范围内$/);
    expect(r.open).toEqual(lag);
    // And the lag fold leaves the monitoring alerts alone.
    const l = evaluateAlerts(open, inputsAt(demo(), 2025, 8).execution, { month: 8, date: '2025-09-05' });
    expect([...l.raised, ...l.cleared].every((c) => c.kind === 'level' || c.kind === 'forecast')).toBe(true);
    expect(l.open.filter((a) => !['level', 'forecast'].includes(a.kind))).toEqual(open);
  });

  test("given a month that is not the reports' month, then it throws", () => {
    expect(() => evaluateMonitoringAlerts([], inputsAt(demo(), 2025, 7), { month: 6, date: '2025-07-05' })).toThrow(
      /does not match/,
    );
  });
});

describe('who takes part', () => {
  test('given a v1 stream, then it does not; given the demo, then it does from its first project line', () => {
    const v1 = monitoringStateFrom(loadSample());
    expect(takesPartInMonitoring(v1, null)).toBe(false);
    const state = monitoringStateFrom(dated(demo()));
    expect(takesPartInMonitoring(state, null)).toBe(true);
    expect(takesPartInMonitoring(state, '2025-01-04')).toBe(false); // lines with task recorded 01-05
    expect(takesPartInMonitoring(state, '2025-01-05')).toBe(true);
  });

  test('given the v1 sample year, then the fold raises nothing', () => {
    const events = loadSample() as unknown as EventInput[];
    for (let m = 1; m <= 12; m++) {
      const r = evaluateMonitoringAlerts([], inputsAt(events, 2023, m), { month: m, date: closeDay(2023, m) });
      expect([m, r.raised.length]).toEqual([m, 0]);
    }
  });
});

describe('target at risk with checkpoints (Sichuan style: 04-30, 06-30, 08-31, 10-31)', () => {
  const events = () => [...sichuanCheckpointEvents(), ...sichuanDrillEvents()];

  test('given "possible" before 08-31, then no alert; at 08-31 yellow; "certain" later clears it', () => {
    expect(fold(events(), 2024, 9, 7).lines).toEqual([
      '8 raised works:target-at-risk:indicator.i-drill:yellow:8 worsened',
      '9 cleared works:target-at-risk:indicator.i-drill:yellow:8 recovered',
    ]);
  });

  test('given "possible" then "impossible", then the yellow alert is replaced by a red one', () => {
    const impossible = {
      id: 'sichuan-demo-pr-drill-9x',
      type: 'IndicatorProgressReported',
      department: 'sichuan-demo',
      year: 2024,
      occurredAt: '2024-10-03',
      data: {
        indicator: 'i-drill',
        asOf: '2024-09-30',
        actual: '7次',
        likelihood: 'impossible',
        deviation: { cause: 'equipment', reason: '演练场地检修' },
        measure: '改用备用场地',
      },
    } as unknown as EventInput;
    const withoutSeptember = events().filter((e) => e.id !== 'sichuan-demo-pr-drill-9');
    const { lines, steps } = fold([...withoutSeptember, impossible], 2024, 9, 8);
    expect(lines).toEqual([
      '8 raised works:target-at-risk:indicator.i-drill:yellow:8 worsened',
      '9 raised works:target-at-risk:indicator.i-drill:red:9 escalated',
      '9 cleared works:target-at-risk:indicator.i-drill:yellow:8 replaced',
    ]);
    // Within the month (09-30 is a month end: 1—9月); no expected year-end value: none printed.
    expect(steps[1]!.raised[0]!.message).toBe('【目标风险】应急演练：完成目标可能性为“完全不可能”（1—9月完成7次）');
  });
});

describe('ids and messages', () => {
  const base: MonitoringAlertFigures = {
    month: 7,
    asOf: '2025-07-31',
    about: { kind: 'indicator', id: 'i-drill', name: '应急演练' },
    unit: 'works',
    unitName: '工程科',
  };

  test('ids name the unit, the kind, what it is about, the level and the month', () => {
    expect(aboutKey({ kind: 'department', id: null })).toBe('department');
    expect(aboutKey({ kind: 'line', id: 'l.1' })).toBe('line.l.1');
    expect(monitoringAlertId('d', 2025, 'works', 'target-at-risk', base.about, 'yellow', 7)).toBe(
      'alert:d:2025:works:target-at-risk:indicator.i-drill:yellow:7',
    );
  });

  test('a progress dated within a month says 截至; a divergence without figures left says so', () => {
    const target = {
      target: '≥12次',
      progress: {
        eventId: 'p',
        asOf: '2024-07-15',
        actual: '5次',
        expectedYearEnd: '12次',
        likelihood: 'possible' as const,
      },
      riskFrom: '2024-08-31',
      atRisk: true,
    };
    expect(monitoringRaisedMessage('target-at-risk', '应急演练', 'yellow', 'worsened', { ...base, target })).toBe(
      '【目标风险】应急演练：完成目标可能性为“有可能”（截至7月15日完成5次，全年预计12次）',
    );
    const divergence = { rate: null, completion: null, difference: null, threshold: '10.00', direction: null };
    expect(
      monitoringClearedMessage(
        { kind: 'divergence', subjectName: 'X项目' },
        'not_applicable',
        { ...base, divergence },
        null,
      ),
    ).toBe('【背离预警解除】X项目：已无可比较的支出进度和绩效目标完成情况');
    expect(monitoringClearedMessage({ kind: 'unexplained', subjectName: 'X' }, 'replaced', base, 'alert:r')).toBe(
      '【偏差未说明解除】X：已升级为红色预警（alert:r），原预警关闭',
    );
  });
});

describe('every channel says it in Chinese', () => {
  const july = fold(demo(), 2025, 7).steps[6]!;
  const target = july.raised.find((c) => c.kind === 'target-at-risk')!;
  const cleared = july.cleared.find((c) => c.kind === 'unexplained')!;

  test('title, Markdown and HTML', () => {
    expect(alertTitle(target)).toBe('农户满意度目标风险预警（2025年7月）');
    expect(alertTitle(cleared)).toBe('良种推广补贴项目偏差未说明预警解除（2025年7月）');
    const md = renderAlertMarkdown(target);
    expect(md).toContain('状态：**红色预警**');
    expect(md).toContain('【目标风险】农户满意度：完成目标可能性为“完全不可能”（1—7月完成85%，全年预计86%）');
    expect(md).toContain('| 实际完成值 | 85%（截至7月31日） |');
    expect(md).toContain('> 预警编号：alert:mon-demo:2025:field:target-at-risk:indicator.i-seed-sat:red:7');
    expect(renderAlertMarkdown(cleared)).toContain('| 偏差说明 | 已报送（7月15日，经费保障） |');
    expect(renderAlertHtml(target)).toContain('<strong style="color:#c62828">红色预警</strong>');
  });

  test('webhook JSON, WeCom, DingTalk and the log line', () => {
    const hook = webhookPayload(target);
    expect(hook).toMatchObject({ kind: 'alert', id: target.id, unit: 'field', month: 7, title: alertTitle(target) });
    expect(hook.figures).toMatchObject({
      about: { kind: 'indicator', id: 'i-seed-sat' },
      alert: { kind: 'target-at-risk' },
    });
    expect(wecomPayload(target).markdown.content).toContain('> 完成目标可能性：完全不可能');
    expect(dingtalkPayload(cleared).markdown.text).toContain('> 状态：**已解除**');
    expect(logLine(target)).toBe(
      'event=alert.raised id=alert:mon-demo:2025:field:target-at-risk:indicator.i-seed-sat:red:7 department=mon-demo ' +
        'year=2025 subject=field month=7 kind=target-at-risk level=red reason=worsened about=indicator.i-seed-sat ' +
        'likelihood=impossible actual=85% title=农户满意度目标风险预警（2025年7月）',
    );
  });
});
