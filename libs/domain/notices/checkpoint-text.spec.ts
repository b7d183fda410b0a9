/**
 * Texts that name a checkpoint, for a stream with Sichuan-style checkpoints (test/fixtures/
 * sichuan-checkpoints.ts: 04-30 25, 06-30 40, 08-31 60, 10-31 80; budget 1,000,000; cumulative
 * spending 30k, 60k, 110k, 180k, 280k, 420k, … 860k through November). A quarter-end checkpoint
 * keeps the quarterly wording ("第二季度40%的进度要求"); the others are named by date.
 */
import { sichuanCheckpointEvents } from '#test/fixtures/sichuan-checkpoints.js';
import { lastDayOfMonth, occurredOnDate } from '../dates.js';
import { executionReport } from '../execution/execution.js';
import { factsFromEvents } from '../execution/facts.js';
import { evaluateAlerts, type LagAlertChange, type OpenAlert } from './alerts.js';
import { robotMarkdown } from './channels.js';
import {
  checkpointGapLabel,
  checkpointName,
  checkpointNeededLabel,
  checkpointRowLabel,
  checkpointTarget,
  noCheckpointLeft,
  scheduleNote,
} from './checkpoint-text.js';
import { buildDepartmentNotice, buildUnitNotice } from './notice.js';
import { renderAlertMarkdown, renderNoticeMarkdown } from './render.js';

const facts = factsFromEvents(
  sichuanCheckpointEvents().map((e) => ({ ...e, occurredOn: occurredOnDate(e.occurredAt)! })),
);

/** The alert fold over months 1..through, month-end figures (as the month closes run it). */
function alertsThrough(through: number, from: OpenAlert[] = [], start = 1) {
  let open = from;
  const changes: LagAlertChange[] = [];
  for (let m = start; m <= through; m++) {
    const report = executionReport(facts, { asOf: lastDayOfMonth(2024, m), source: 'fiscal' });
    const e = evaluateAlerts(open, report, { month: m, date: lastDayOfMonth(2024, m) });
    open = e.open;
    changes.push(...e.raised, ...e.cleared);
  }
  return { open, changes };
}

describe('naming a checkpoint', () => {
  const q3 = { quarter: 3, date: '2024-09-30' };
  const apr = { quarter: null, date: '2024-04-30' };
  const jul15 = { quarter: null, date: '2024-07-15' };

  test('a quarter end by its quarter, exactly as the quarterly schedule always did', () => {
    expect(checkpointName(q3)).toBe('第三季度');
    expect(checkpointTarget(q3, '75.00')).toBe('第三季度75%的进度要求');
    expect(checkpointRowLabel(q3)).toBe('第三季度进度要求（9月30日）');
    expect(checkpointGapLabel(q3)).toBe('距季度进度要求（百分点）');
    expect(checkpointNeededLabel(q3)).toBe('达到季度进度尚需支出');
    expect(noCheckpointLeft(true)).toBe('已无后续季度进度节点');
    expect(scheduleNote(undefined)).toBe('序时进度按季度节点在季度内逐月线性计算；滞后为序时进度减执行率（百分点）。');
  });

  test('another month end by its month ("4月底"), a day within a month by its date', () => {
    expect(checkpointName(apr)).toBe('4月底');
    expect(checkpointTarget(apr, '25.00')).toBe('4月30日序时进度25%的要求');
    expect(checkpointRowLabel(apr)).toBe('4月底进度要求（4月30日）');
    expect(checkpointGapLabel(apr)).toBe('距进度节点要求（百分点）');
    expect(checkpointNeededLabel(apr)).toBe('达到进度节点要求尚需支出');
    expect(checkpointName(jul15)).toBe('7月15日');
    expect(checkpointTarget(jul15, '50.50')).toBe('7月15日序时进度50.5%的要求');
    expect(checkpointRowLabel(jul15)).toBe('7月15日进度要求');
    expect(noCheckpointLeft(false)).toBe('已无后续进度节点');
  });

  test('the note lists the checkpoints, and says the schedule stays after the last one', () => {
    expect(
      scheduleNote([
        { date: '2024-04-30', percent: '25' },
        { date: '2024-10-31', percent: '80' },
      ]),
    ).toBe(
      '序时进度按进度节点（4月30日25%、10月31日80%）逐月线性计算，10月31日后保持80%；滞后为序时进度减执行率（百分点）。',
    );
    expect(
      scheduleNote([
        { date: '2024-04-30', percent: '25' },
        { date: '2024-12-31', percent: '100' },
      ]),
    ).toBe('序时进度按进度节点（4月30日25%、12月31日100%）逐月线性计算；滞后为序时进度减执行率（百分点）。');
  });
});

describe('the March notices of the Sichuan-style stream name 4月30日 25%', () => {
  test('department: the requirement, the projection and the table name the April checkpoint', () => {
    const n = buildDepartmentNotice(facts, { month: 3 });
    // 110,000 of 1,000,000 = 11.00% against 18.75 (lag 7.75, yellow); 4月30日 25%: 250,000 − 110,000 = 140,000.
    expect(n.figures).toMatchObject({ rate: '11.00', schedule: '18.75', lag: '7.75', level: 'yellow' });
    expect(n.figures.checkpoint).toEqual({
      quarter: null,
      month: 4,
      date: '2024-04-30',
      percent: '25.00',
      gap: '14.00',
      neededToReach: '140000.00',
    });
    expect(n.checkpoints).toEqual([
      { date: '2024-04-30', percent: '25' },
      { date: '2024-06-30', percent: '40' },
      { date: '2024-08-31', percent: '60' },
      { date: '2024-10-31', percent: '80' },
    ]);
    const md = renderNoticeMarkdown(n);
    expect(md).toContain('截至3月末，预算执行率**11.00%**，低于序时进度18.75%共7.75个百分点，为**黄色预警**');
    expect(md).toContain('全局需在4月30日前再支出**140,000.00元（14.00万元）**方可达到4月30日序时进度25%的要求。');
    // Run rate 110,000 / 3 = 36,666.67; by 04-30: 146,666.67 = 14.67%, 10.33 points short → red.
    expect(md).toContain(
      '按近3个月月均支出36,666.67元（3.67万元）测算，预计4月30日执行率**14.67%**，将低于4月底进度要求10.33个百分点，预计为**红色预警**',
    );
    expect(md).toContain('| 距4月底25%尚需 |');
    expect(md).toContain(
      '> 序时进度按进度节点（4月30日25%、6月30日40%、8月31日60%、10月31日80%）逐月线性计算，10月31日后保持80%；',
    );
    expect(md).not.toContain('季度');
  });

  test('unit: the rows name the April checkpoint; the robot says the same requirement', () => {
    const n = buildUnitNotice(facts, { unit: 'works', month: 3 });
    // works: 40,000 of 600,000 = 6.67%; 25% is 150,000: 110,000 to go, 18.33 points short.
    const md = renderNoticeMarkdown(n);
    expect(md).toContain('| 4月底进度要求（4月30日） | 25.00% |');
    expect(md).toContain('| 距进度节点要求（百分点） | 18.33 |');
    expect(md).toContain('| 达到进度节点要求尚需支出 | 110,000.00元 |');
    expect(robotMarkdown(n, 'wecom')).toContain(
      '需在4月30日前再支出**110,000.00元（11.00万元）**方可达到4月30日序时进度25%的要求。',
    );
  });

  test('June: the next checkpoint is 08-31 60; a quarter-end checkpoint (06-30) keeps the quarter', () => {
    const june = buildDepartmentNotice(facts, { month: 6 });
    expect(renderNoticeMarkdown(june)).toContain('方可达到8月31日序时进度60%的要求');
    const may = buildDepartmentNotice(facts, { month: 5 });
    // 280,000 of 1,000,000; Q2 (06-30) 40%: 120,000 to go.
    expect(renderNoticeMarkdown(may)).toContain('方可达到第二季度40%的进度要求');
  });

  test('November: no checkpoint left; the schedule stays at 80', () => {
    const n = buildDepartmentNotice(facts, { month: 11 });
    expect(n.figures).toMatchObject({ rate: '86.00', schedule: '80.00', lag: '-6.00', checkpoint: null });
    expect(n.forecast.nextCheckpoint).toBeNull();
    expect(renderNoticeMarkdown(n)).toContain('| 尚需支出 |');
  });
});

describe('early alerts use the checkpoint', () => {
  test('January: the run rate misses 4月30日 25% (department red, works red, plan yellow)', () => {
    const { changes } = alertsThrough(1);
    const raised = changes.filter((c) => c.change === 'raised');
    expect(raised.map((c) => `${c.subject}:${c.kind}:${c.level}`)).toEqual([
      'department:forecast:red',
      'plan:forecast:yellow',
      'works:forecast:red',
    ]);
    const dept = raised[0]!;
    // 30,000 in January carried on to 04-30: 30,000 × 4 = 120,000 = 12.00%, 13 points short of 25.
    expect(dept.figures.checkpoint).toEqual({ quarter: null, date: '2024-04-30', percent: '25.00' });
    expect(dept.figures.customSchedule).toBe(true);
    expect(dept.message).toBe(
      '四川省示范局按近1个月月均支出30,000.00元（3.00万元）测算，预计4月30日执行率12.00%，低于4月30日序时进度25%的要求13.00个百分点，触发进度预测红色预警。',
    );
    expect(renderAlertMarkdown(dept)).toContain('| 4月底进度要求（4月30日） | 25.00% |');
    expect(robotMarkdown(dept, 'dingtalk')).toContain('> 预计4月30日执行率：12.00%（4月底要求25.00%）');
  });

  test('May: the department forecast (06-30, a quarter end) is within the threshold and is cleared', () => {
    const { changes } = alertsThrough(5);
    const cleared = changes.find(
      (c) => c.alertId === 'alert:sichuan-demo:2024:department:forecast:red:1' && c.change === 'cleared',
    );
    expect(cleared?.month).toBe(5);
    // April–May run rate (280,000 − 60,000) / 3 = 73,333.33; by 06-30: 353,333.33 = 35.33%, 4.67 short of 40.
    expect(cleared?.message).toBe(
      '四川省示范局按近3个月月均支出73,333.33元（7.33万元）测算，预计6月30日执行率35.33%，低于第二季度40%的进度要求4.67个百分点，差距在预警阈值以内，进度预测红色预警解除。',
    );
  });

  test('after the last checkpoint an open forecast alert is cleared: "已无后续进度节点"', () => {
    const { open } = alertsThrough(1);
    const { changes } = alertsThrough(11, open, 11);
    const cleared = changes.find((c) => c.alertId === 'alert:sichuan-demo:2024:department:forecast:red:1');
    expect(cleared).toMatchObject({ change: 'cleared', reason: 'not_applicable' });
    // September–November: (860,000 − 620,000) / 3 = 80,000 a month.
    expect(cleared?.message).toBe(
      '四川省示范局按近3个月月均支出80,000.00元（8.00万元）测算，已无后续进度节点，进度预测红色预警解除。',
    );
  });
});
