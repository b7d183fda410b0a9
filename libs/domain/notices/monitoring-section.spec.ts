/**
 * The monitoring section of a unit's monthly notice (monitoring-section.ts) and how it reads in
 * Markdown, on the robots, in the webhook JSON and the log line; a notice without it reads exactly
 * as before. The demo department (test/fixtures/monitoring-demo.ts, August's events of
 * test/fixtures/monitoring-alerts.ts); figures worked out in test/monitoring.alerts.e2e.test.ts.
 */
import { demoAugustEvents } from '#test/fixtures/monitoring-alerts.js';
import { monitoringDemoEvents } from '#test/fixtures/monitoring-demo.js';
import { DEFAULT_CALENDAR } from '../calendar/cn-holidays.js';
import type { EventInput } from '../events.js';
import { factsFromEvents } from '../execution/facts.js';
import { monitoringStateFrom } from '../monitoring/monitoring-state.js';
import { monitoringReport, type MeasureStatus, type MonitoringReport } from '../monitoring/monitoring.js';
import { logLine, webhookPayload, wecomPayload } from './channels.js';
import { nextMonthEnd, unitMonitoringSection } from './monitoring-section.js';
import { buildUnitNotice, withMonitoring } from './notice.js';
import { renderNoticeHtml, renderNoticeMarkdown } from './render.js';

const all = [...monitoringDemoEvents(), ...demoAugustEvents()].map((e: EventInput) => ({
  ...e,
  occurredOn: e.occurredAt,
}));
const facts = factsFromEvents(all);
const state = monitoringStateFrom(all);
const reportAt = (asOf: string, knownOn: string) => monitoringReport(facts, state, { asOf, knownOn }, DEFAULT_CALENDAR);

describe('what a unit notice lists', () => {
  const august = reportAt('2025-08-31', '2025-09-05');

  test('given the field unit at the end of August, then its deviation without explanation and its measures due by 09-30', () => {
    const s = unitMonitoringSection(august, 'field')!;
    // l-field-basic 175,000 / 300,000 = 58.33 against 66.67: yellow since 08-31 (0 working days);
    // field, p-seed and l-seed are explained (08-20, 07-15, 08-10).
    expect(s.deviations).toEqual([
      {
        subject: { kind: 'line', id: 'l-field-basic', name: '产业发展科日常运转' },
        level: 'yellow',
        since: '2025-08-31',
        workingDaysOpen: 0,
        status: 'unexplained',
      },
    ]);
    // e-seed due 08-31 (= the month's end: due, done); e-lseed due 08-25, in progress: overdue;
    // e-field due 09-15: within the next month. Progress measures have no due date: never listed.
    expect(s.measures.map((m) => [m.eventId, m.due, m.status, m.statusOn, m.overdue])).toEqual([
      ['e-seed', '2025-08-31', 'done', '2025-07-28', false],
      ['e-lseed', '2025-08-25', 'in_progress', '2025-08-20', true],
      ['e-field', '2025-09-15', null, null, false],
    ]);
    expect(s.dueBy).toBe('2025-09-30');
  });

  test('given a unit with nothing to list, then no section', () => {
    expect(unitMonitoringSection(reportAt('2025-07-31', '2025-08-05'), 'plan')).toBeNull();
    expect(unitMonitoringSection(august, 'nobody')).toBeNull();
  });

  test('given measures due after the next month, or done and past due, then they are not listed', () => {
    const m = (due: string | null, overdue: boolean, status: MeasureStatus['status'] = null): MeasureStatus => ({
      eventId: `e-${due}-${overdue}`,
      subject: { kind: 'unit', id: 'u', name: 'U', unit: 'u' },
      measure: 'M',
      asOf: '2025-01-10',
      due,
      status,
      overdue,
    });
    const done = {
      eventId: 'c',
      explanation: 'e',
      on: '2025-05-01',
      status: 'done' as const,
      note: '',
      knownOn: '2025-05-01',
      seq: 0,
    };
    const report = {
      asOf: '2025-05-31',
      explanations: [],
      measures: [
        m('2025-05-31', false), // due on the month's end: listed
        m('2025-06-30', false), // the next month's last day: listed
        m('2025-07-01', false), // later: not listed
        m('2025-05-20', false, done), // past due but done: not listed
        m('2025-05-20', true), // past due, not done: listed
        m(null, false), // no due date: not listed
      ],
    } as unknown as MonitoringReport;
    expect(unitMonitoringSection(report, 'u')?.measures.map((x) => x.eventId)).toEqual([
      'e-2025-05-31-false',
      'e-2025-06-30-false',
      'e-2025-05-20-true',
    ]);
  });

  test('the next month ends a month later; after December, January 31 of the next year', () => {
    expect(nextMonthEnd('2025-01-31')).toBe('2025-02-28');
    expect(nextMonthEnd('2024-01-31')).toBe('2024-02-29');
    expect(nextMonthEnd('2025-12-31')).toBe('2026-01-31');
  });
});

describe('how the section reads', () => {
  const plain = buildUnitNotice(facts, { unit: 'field', month: 8, knownOn: '2025-09-05' });
  const section = unitMonitoringSection(reportAt('2025-08-31', '2025-09-05'), 'field');
  const notice = withMonitoring(plain, section);

  test('without a section the notice is the same object, and reads the same', () => {
    expect(withMonitoring(plain, null)).toBe(plain);
    expect('monitoring' in plain).toBe(false);
    expect(renderNoticeMarkdown(notice).startsWith(renderNoticeMarkdown(plain).split('\n\n请你科室')[0]!)).toBe(true);
    expect(webhookPayload(plain).figures).not.toHaveProperty('monitoring');
    expect(logLine(plain)).not.toContain('unexplained=');
  });

  test('Markdown and HTML: section 四 after 进度要求, then its two tables', () => {
    const md = renderNoticeMarkdown(notice);
    expect(md).toContain(
      '四、偏差说明和整改措施。你科室有1项预警未报送偏差说明：产业发展科日常运转（**黄色预警**，自8月31日起已持续0个工作日，未报送）。',
    );
    expect(md).toContain('**未报送偏差说明的预警**');
    expect(md).toContain('| 产业发展科日常运转 | 预算资金 | **黄色预警** | 8月31日 | 0 | 未报送 |');
    expect(md.indexOf('三、进度要求')).toBeLessThan(md.indexOf('四、偏差说明和整改措施'));
    expect(md.indexOf('**主要指标**')).toBeLessThan(md.indexOf('**到期整改措施**'));
    expect(renderNoticeHtml(notice)).toContain('<strong>到期整改措施</strong>');
  });

  test('without 进度要求 (no budget), the section is 三', () => {
    const noBudget = { ...notice, figures: { ...notice.figures, rate: null, lag: null, level: null } };
    expect(renderNoticeMarkdown(noBudget)).toContain('三、偏差说明和整改措施。');
  });

  test('robots, webhook and log carry it too', () => {
    const content = wecomPayload(notice).markdown.content;
    expect(content).toContain('**偏差说明和整改措施**');
    expect(content).toContain(
      '> 到期整改措施：完成补贴对象核定后一次性拨付（良种补贴资金，8月25日到期，8月20日报送进行中，已逾期）',
    );
    expect(webhookPayload(notice).figures.monitoring).toEqual(section);
    expect(logLine(notice)).toContain(' rank=2/2 unexplained=1 measuresDue=3 ');
  });
});
