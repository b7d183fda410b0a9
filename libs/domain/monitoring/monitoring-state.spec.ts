import { monitoringDemoEvents } from '#test/fixtures/monitoring-demo.js';
import type { EventInput } from '../events.js';
import { latestAsOf, monitoringStateFrom, subjectKey, type MonitoringEvent } from './monitoring-state.js';

const dated = (events: EventInput[]): MonitoringEvent[] => events.map((e) => ({ ...e, occurredOn: e.occurredAt }));

describe('the monitoring fold', () => {
  const state = monitoringStateFrom(dated(monitoringDemoEvents()));

  test('given the demo stream, then projects, their lines and targets are kept with their record dates', () => {
    expect([...state.tasks.values()].map((t) => [t.task, t.kind, t.unit])).toEqual([
      ['p-irrigation', 'project', 'plan'],
      ['p-seed', 'project', 'field'],
      ['k-report', 'key_work', 'plan'],
    ]);
    // Lines without task (the basic lines) are not project lines; l-seed-other is (other funds are filtered later).
    expect([...state.lineProjects.values()].map((l) => [l.line, l.task])).toEqual([
      ['l-irr-1', 'p-irrigation'],
      ['l-irr-2', 'p-irrigation'],
      ['l-seed', 'p-seed'],
      ['l-seed-other', 'p-seed'],
    ]);
    expect([...state.targets.values()].map((t) => [t.indicator, t.task])).toEqual([
      ['i-irr-area', 'p-irrigation'],
      ['i-irr-time', 'p-irrigation'],
      ['i-irr-quality', 'p-irrigation'],
      ['i-seed-area', 'p-seed'],
      ['i-seed-sat', 'p-seed'],
      ['i-dept-adjust', null],
      ['i-dept-disclose', null],
    ]);
    expect(state.targets.get('i-irr-area')).toMatchObject({ knownOn: '2025-01-06', target: '≥5000亩' });
    expect(state.divergence).toBeNull();
  });

  test('given the demo stream, then progress, explanations and follow-ups keep every report in stream order', () => {
    expect(state.progress.get('i-seed-area')?.map((p) => [p.eventId, p.asOf, p.actual, p.knownOn])).toEqual([
      ['pr-seed-area-q2', '2025-06-30', '9000亩', '2025-07-05'],
      ['pr-seed-area', '2025-07-31', '16000亩', '2025-08-05'],
    ]);
    expect(state.progress.get('i-seed-sat')?.[0]).toMatchObject({
      likelihood: 'impossible',
      deviation: { cause: 'other' },
      measure: '开展补贴政策宣讲并公开发放进度',
      expectedYearEnd: '86%',
    });
    expect(state.explanations).toEqual([
      expect.objectContaining({
        eventId: 'e-seed',
        subject: { kind: 'task', id: 'p-seed' },
        asOf: '2025-07-15',
        due: '2025-08-31',
        knownOn: '2025-07-16',
      }),
    ]);
    expect(state.actions.get('e-seed')?.map((a) => [a.on, a.status])).toEqual([
      ['2025-07-20', 'in_progress'],
      ['2025-07-28', 'done'],
    ]);
    expect(state.count).toBe(monitoringDemoEvents().length);
  });

  test('given a YearOpened with a divergence threshold, then it is kept', () => {
    const opened = monitoringStateFrom(
      dated([
        {
          id: 'o',
          type: 'YearOpened',
          department: 'd',
          year: 2025,
          occurredAt: '2025-01-01',
          data: { departmentName: 'x', alertThresholds: { yellow: '5', red: '10', divergence: '15' } },
        },
      ]),
    );
    expect(opened.divergence).toBe('15');
  });

  test('latest as of a date and as known on a date: the latest date, the later in stream order on a tie', () => {
    const items = [
      { asOf: '2025-06-30', knownOn: '2025-07-01', seq: 1, id: 'a' },
      { asOf: '2025-07-31', knownOn: '2025-08-05', seq: 2, id: 'b' },
      { asOf: '2025-07-31', knownOn: '2025-08-03', seq: 3, id: 'c' },
      { asOf: '2025-05-31', knownOn: '2025-08-10', seq: 4, id: 'd' },
    ];
    const latest = (asOf: string, knownOn: string | null) => latestAsOf(items, (i) => i.asOf, asOf, knownOn)?.id;
    expect(latest('2025-07-31', null)).toBe('c'); // b and c share the date: c came later
    expect(latest('2025-07-31', '2025-08-04')).toBe('c');
    expect(latest('2025-07-31', '2025-08-02')).toBe('a'); // b and c not yet recorded
    expect(latest('2025-07-30', null)).toBe('a'); // dated after "as of"
    expect(latest('2025-05-31', '2025-08-09')).toBeUndefined();
    expect(
      latestAsOf(undefined, (i: { asOf: string; knownOn: string; seq: number }) => i.asOf, '2025-12-31', null),
    ).toBeNull();
    expect([subjectKey('department', null), subjectKey('unit', 'plan')]).toEqual(['department', 'unit:plan']);
  });
});
