import { lastDayOfMonth } from '../dates.js';
import { executionReport } from '../execution/execution.js';
import { factsFromEvents } from '../execution/facts.js';
import { type LagAlertChange, type OpenAlert, alertId, evaluateAlerts } from './alerts.js';
import { loadSample, rawFigures } from '../testing/sample.fixture.js';

const events = loadSample();
const facts = factsFromEvents(events);
const reportAt = (m: number) => executionReport(facts, { asOf: lastDayOfMonth(2023, m), source: 'fiscal' });

/** The fold over months 1..12, as corrected. */
function runYear() {
  let open: OpenAlert[] = [];
  const steps: Array<{ month: number; raised: LagAlertChange[]; cleared: LagAlertChange[]; open: OpenAlert[] }> = [];
  for (let m = 1; m <= 12; m++) {
    const r = evaluateAlerts(open, reportAt(m), { month: m, date: lastDayOfMonth(2023, m) });
    steps.push({ month: m, ...r });
    open = r.open;
  }
  return steps;
}

const steps = runYear();
const changesOf = (subject: string, kind: 'level' | 'forecast') =>
  steps.flatMap((s) =>
    [...s.raised, ...s.cleared]
      .filter((c) => c.subject === subject && c.kind === kind)
      .map((c) => `${s.month} ${c.change} ${c.level} ${c.reason}`),
  );

describe('month-by-month alert fold over 2023', () => {
  test('independently computed levels of command and emergency', () => {
    const levels = (unit: string) => Array.from({ length: 12 }, (_, i) => rawFigures(events, unit, i + 1).level);
    expect(levels('command')).toEqual([
      'yellow',
      'red',
      'red',
      'red',
      'red',
      'red',
      'red',
      'red',
      'green',
      'green',
      'yellow',
      'green',
    ]);
    expect(levels('emergency')).toEqual(['yellow', ...Array(11).fill('red')]);
    // The fold's triggering figures match the raw figures every month.
    for (const s of steps) {
      for (const c of s.raised.filter((x) => x.kind === 'level' && x.subject !== 'department')) {
        const raw = rawFigures(events, c.subject, s.month);
        expect(c.figures.rate).toBe(raw.rate!.toFixed(2));
        expect(c.figures.lag).toBe(raw.lag!.toFixed(2));
        expect(c.level).toBe(raw.level);
      }
    }
  });

  test('command: yellow in January, red from February (replacing yellow), cleared in September, yellow again in November, cleared in December', () => {
    expect(changesOf('command', 'level')).toEqual([
      '1 raised yellow worsened',
      '2 raised red escalated',
      '2 cleared yellow replaced',
      '9 cleared red recovered',
      '11 raised yellow worsened',
      '12 cleared yellow recovered',
    ]);
  });

  test('emergency: yellow in January, red from February, still open at year end', () => {
    expect(changesOf('emergency', 'level')).toEqual([
      '1 raised yellow worsened',
      '2 raised red escalated',
      '2 cleared yellow replaced',
    ]);
    const last = steps[11]!.open;
    expect(last.find((a) => a.subject === 'emergency' && a.kind === 'level')!.id).toBe(
      alertId('yantian-emergency', 2023, 'emergency', 'level', 'red', 2),
    );
  });

  test('the red alerts carry the figures that triggered them', () => {
    const feb = steps[1]!;
    const red = feb.raised.find((c) => c.subject === 'command' && c.kind === 'level')!;
    expect(red.id).toBe('alert:yantian-emergency:2023:command:level:red:2');
    expect(red.alertId).toBe(red.id);
    expect(red.replaces).toBe('alert:yantian-emergency:2023:command:level:yellow:1');
    expect(red.figures).toMatchObject({ month: 2, rate: '0.00', schedule: '16.67', lag: '16.67', level: 'red' });
    expect(red.figures.projectedRate).toBe('0.00');
    expect(red.message).toBe(
      '应急指挥信息科截至2月末预算执行率0.00%，低于序时进度16.67%共16.67个百分点，由黄色预警升级为红色预警。',
    );
    const yellowCleared = feb.cleared.find((c) => c.subject === 'command' && c.kind === 'level')!;
    expect(yellowCleared.id).toBe('alert:yantian-emergency:2023:command:level:yellow:1:cleared');
    expect(yellowCleared.replacedBy).toBe(red.id);
    const sep = steps[8]!.cleared.find((c) => c.subject === 'command' && c.kind === 'level')!;
    expect(sep.alert.id).toBe(red.id);
    expect(sep.figures.level).toBe('green');
    expect(sep.message).toContain('恢复正常，红色预警解除');
  });

  test('forecast alerts: command and emergency miss Q1 from January; command recovers in September; none after December', () => {
    expect(changesOf('command', 'forecast')).toEqual(['1 raised red worsened', '9 cleared red recovered']);
    expect(changesOf('emergency', 'forecast')).toEqual(['1 raised red worsened', '12 cleared red not_applicable']);
    const r = reportAt(1).units.find((u) => u.unit === 'command')!;
    expect(r.forecast.willMissCheckpoint).toBe(true);
    const jan = steps[0]!.raised.find((c) => c.subject === 'command' && c.kind === 'forecast')!;
    expect(jan.figures.checkpoint).toEqual({ quarter: 1, date: '2023-03-31', percent: '25.00' });
    expect(jan.message).toContain('预计3月31日执行率0.00%，低于第一季度25%的进度要求25.00个百分点');
    expect(steps[11]!.open.filter((a) => a.kind === 'forecast')).toEqual([]);
  });

  test('department level: yellow in April, red in June, cleared in September, yellow again in November', () => {
    expect(changesOf('department', 'level')).toEqual([
      '4 raised yellow worsened',
      '6 raised red escalated',
      '6 cleared yellow replaced',
      '9 cleared red recovered',
      '11 raised yellow worsened',
    ]);
    expect(rawFigures(events, null, 6).level).toBe('red');
  });

  test('open set is exactly the previous set minus cleared plus raised', () => {
    let prev: OpenAlert[] = [];
    for (const s of steps) {
      const clearedIds = new Set(s.cleared.map((c) => c.alertId));
      const expected = [
        ...prev.filter((a) => !clearedIds.has(a.id)).map((a) => a.id),
        ...s.raised.map((c) => c.id),
      ].sort();
      expect(s.open.map((a) => a.id).sort()).toEqual(expected);
      prev = s.open;
    }
  });

  test('deterministic and idempotent: evaluating the same month again changes nothing', () => {
    expect(runYear()).toEqual(steps);
    const jun = steps[5]!;
    const again = evaluateAlerts(jun.open, reportAt(6), { month: 6, date: '2023-06-30' });
    expect(again.raised).toEqual([]);
    expect(again.cleared).toEqual([]);
    expect(again.open).toEqual(jun.open);
  });

  test('red → yellow keeps the red alert open (an improvement raises nothing)', () => {
    const red = steps[1]!.open.filter((a) => a.subject === 'command' && a.kind === 'level');
    // Feed February's open set into November's report, where command is yellow.
    const nov = evaluateAlerts(red, reportAt(11), { month: 11, date: '2023-11-30' });
    expect(nov.raised.filter((c) => c.subject === 'command' && c.kind === 'level')).toEqual([]);
    expect(nov.open.filter((a) => a.subject === 'command' && a.kind === 'level').map((a) => a.id)).toEqual([
      red[0]!.id,
    ]);
  });

  test('alerts of other streams pass through; a month that does not match the report is rejected', () => {
    const foreign = { ...steps[1]!.open[0]!, department: 'other-dept', id: 'alert:other-dept:2023:x:level:red:2' };
    const r = evaluateAlerts([foreign], reportAt(3), { month: 3, date: '2023-03-31' });
    expect(r.open).toContainEqual(foreign);
    expect(r.cleared).toEqual([]);
    expect(() => evaluateAlerts([], reportAt(3), { month: 4, date: '2023-04-30' })).toThrow(/does not match/);
  });
});
