/**
 * The monitoring answer of the demo department (test/fixtures/monitoring-demo.ts), every figure
 * worked out by hand in the comments. Default schedule: the end of month m is at m/12 (April
 * 33.33, May 41.67, June 50.00, July 58.33); thresholds 5 (yellow) and 10 (red); divergence 10.
 */
import { behindEvents, monitoringDemoEvents } from '#test/fixtures/monitoring-demo.js';
import { DEFAULT_CALENDAR } from '../calendar/cn-holidays.js';
import { holidayCalendar, type HolidayCalendar } from '../calendar/holiday-calendar.js';
import { Decimal } from '../decimal.js';
import type { EventInput } from '../events.js';
import { executionReport } from '../execution/execution.js';
import { factsFromEvents, type StreamMeta } from '../execution/facts.js';
import { monitoringStateFrom, type MonitoringEvent } from './monitoring-state.js';
import {
  divergenceOf,
  monitoringCheckpoints,
  monitoringReport,
  riskFrom,
  unitCut,
  worstFirst,
  type Figures,
  type MonitoringSummary,
  type TargetStatus,
} from './monitoring.js';

const dated = (events: EventInput[]): MonitoringEvent[] => events.map((e) => ({ ...e, occurredOn: e.occurredAt }));

function report(
  asOf: string,
  knownOn: string | null = null,
  extra: EventInput[] = [],
  calendar: HolidayCalendar = DEFAULT_CALENDAR,
  events: EventInput[] = monitoringDemoEvents(),
) {
  const all = dated([...events, ...extra]);
  return monitoringReport(factsFromEvents(all), monitoringStateFrom(all), { asOf, knownOn }, calendar);
}

const fx = (d: Decimal | null) => (d === null ? null : d.toFixed(2));
const figures = (f: Figures | null) =>
  f && {
    budget: fx(f.budget),
    spent: fx(f.spent),
    rate: fx(f.rate),
    schedule: fx(f.schedule),
    lag: fx(f.lag),
    level: f.level,
    projectedYearEnd: fx(f.projectedYearEnd),
    carryOver: fx(f.carryOver),
  };
const targetRow = (t: TargetStatus) => [t.indicator, t.progress?.actual ?? null, fx(t.completion), t.atRisk];
const ev = (id: string, type: string, occurredAt: string, data: Record<string, unknown>) =>
  ({ id, type, department: 'mon-demo', year: 2025, occurredAt, data }) as unknown as EventInput;

describe('monitoring of the demo department as of 2025-07-31, as known now', () => {
  const r = report('2025-07-31');

  test('given fiscal lines of 2,000,000 and 1,059,000 spent through July, then the department is yellow', () => {
    // Spent through July: l-irr-1 7 × 54,000 = 378,000; l-irr-2 7 × 32,000 = 224,000; l-plan-basic
    // 7 × 16,000 = 112,000; l-seed 5 × 34,000 = 170,000; l-field-basic 7 × 25,000 = 175,000: 1,059,000.
    // Rate 1,059,000 / 2,000,000 = 52.95; lag 58.33 − 52.95 = 5.38 → yellow.
    // Run rate May–July (1,059,000 − 644,000 through April) / 3 = 138,333.33…; year end
    // 1,059,000 + 5 × 138,333.33… = 1,750,666.67; 预计结转结余 2,000,000 − 1,750,666.67 = 249,333.33.
    expect(r.throughMonth).toBe(7);
    expect(figures(r.total)).toEqual({
      budget: '2000000.00',
      spent: '1059000.00',
      rate: '52.95',
      schedule: '58.33',
      lag: '5.38',
      level: 'yellow',
      projectedYearEnd: '1750666.67',
      carryOver: '249333.33',
    });
    expect(r.thresholds).toEqual({ yellow: new Decimal(5), red: new Decimal(10), divergence: new Decimal(10) });
    expect(r.checkpoints.map((c) => [c.date, c.percent.toFixed(2)])).toEqual([
      ['2025-03-31', '25.00'],
      ['2025-06-30', '50.00'],
      ['2025-09-30', '75.00'],
      ['2025-12-31', '100.00'],
    ]);
  });

  test('given project lines, then each project has the budget, spending and projection of its fiscal lines', () => {
    // p-irrigation: l-irr-1 600,000 + l-irr-2 400,000 = 1,000,000; spent 378,000 + 224,000 = 602,000:
    // 60.20, lag −1.87, green. Year end 602,000 + 5 × 86,000 = 1,032,000: more than the budget, so
    // 预计结转结余 is 0 (never below). p-seed: l-seed 500,000 (l-seed-other is other funds, not
    // counted); spent 170,000: 34.00, lag 24.33, red; run rate (170,000 − 136,000) / 3 = 11,333.33…,
    // year end 170,000 + 5 × 11,333.33… = 226,666.67, 预计结转结余 273,333.33. k-report is key work.
    expect(r.projects.map((p) => [p.task, p.title, p.unit, p.unitName, p.lines])).toEqual([
      ['p-irrigation', '高标准农田建设项目', 'plan', '规划建设科', ['l-irr-1', 'l-irr-2']],
      ['p-seed', '良种推广补贴项目', 'field', '产业发展科', ['l-seed']],
    ]);
    expect(r.projects.map(figures)).toEqual([
      {
        budget: '1000000.00',
        spent: '602000.00',
        rate: '60.20',
        schedule: '58.33',
        lag: '-1.87',
        level: 'green',
        projectedYearEnd: '1032000.00',
        carryOver: '0.00',
      },
      {
        budget: '500000.00',
        spent: '170000.00',
        rate: '34.00',
        schedule: '58.33',
        lag: '24.33',
        level: 'red',
        projectedYearEnd: '226666.67',
        carryOver: '273333.33',
      },
    ]);
  });

  test('given progress as of 07-31, then each target has its latest actual, completion and risk', () => {
    // ≥5000亩 at 2000亩: 40.00; 30天内 at 60天 (missed): 30 / 60 = 50.00; 明显提升: qualitative.
    // ≥20000亩 at 16000亩 (the 07-31 report replaces the 06-30 one): 80.00; ≥90% at 85%: 94.44,
    // at risk (impossible). Department: ≤5% at 3% (met): 100.00; 20日内 without progress.
    // 2000亩 is "possible" but before the second-to-last checkpoint (09-30): not at risk.
    expect(r.projects.map((p) => p.targets.map(targetRow))).toEqual([
      [
        ['i-irr-area', '2000亩', '40.00', false],
        ['i-irr-time', '60天', '50.00', false],
        ['i-irr-quality', '初步提升', null, false],
      ],
      [
        ['i-seed-area', '16000亩', '80.00', false],
        ['i-seed-sat', '85%', '94.44', true],
      ],
    ]);
    expect(r.departmentTargets.map(targetRow)).toEqual([
      ['i-dept-adjust', '3%', '100.00', false],
      ['i-dept-disclose', null, null, false],
    ]);
    expect(r.projects[0]?.targets[0]?.progress).toMatchObject({
      eventId: 'pr-irr-area',
      asOf: '2025-07-31',
      expectedYearEnd: '4800亩',
      likelihood: 'possible',
      deviation: { cause: 'policy', reason: '部分地块用地审批滞后' },
      measure: '加快办理用地审批手续',
    });
  });

  test('given rates and completions 10 points or more apart, then both projects diverge, each its way', () => {
    // p-irrigation: average of 40.00 and 50.00 = 45.00; 60.20 − 45.00 = 15.20 ≥ 10: spending ahead
    // (钱花了事没干). p-seed: average of 80.00 and 94.44 = 87.22; 34.00 − 87.22 = −53.22: work ahead.
    expect(r.projects.map((p) => p.divergence && [fx(p.divergence.rate), fx(p.divergence.completion)])).toEqual([
      ['60.20', '45.00'],
      ['34.00', '87.22'],
    ]);
    expect(r.projects.map((p) => p.divergence && [fx(p.divergence.difference), p.divergence.kind])).toEqual([
      ['15.20', 'spending_ahead'],
      ['-53.22', 'work_ahead'],
    ]);
  });

  test('given subjects at yellow or red, then each has when its alert opened, its explanation and status', () => {
    // Department: June 932,000 / 2,000,000 = 46.60 against 50.00 (lag 3.40, green), July yellow:
    // opened 07-31, 0 working days, unexplained.
    // Unit field (800,000): May 295,000 = 36.88 against 41.67 (lag 4.79, green); June 320,000 =
    // 40.00 against 50.00 (lag 10.00, red); July 345,000 = 43.13 (lag 15.20, red): opened 06-30;
    // July 2025 has 23 working days (no holiday) > 10, nothing explains it: overdue.
    // p-seed and its line l-seed: March 102,000 / 500,000 = 20.40 against 25.00 (lag 4.60, green),
    // April 27.20 against 33.33 (lag 6.13, yellow), then yellow and red: opened 04-30; working days
    // to 07-31: May 19 (22 weekdays less 05-01, 05-02, 05-05), June 20 (21 less 06-02), July 23 = 62.
    // p-seed is explained (e-seed, as of 07-15, after it opened); l-seed is not: overdue.
    // Unit plan, p-irrigation and the other lines are green: not listed.
    expect(r.explanations.map((e) => [e.subject.kind, e.subject.id, e.subject.name, e.level, e.since])).toEqual([
      ['department', null, '示范市农业农村局', 'yellow', '2025-07-31'],
      ['unit', 'field', '产业发展科', 'red', '2025-06-30'],
      ['task', 'p-seed', '良种推广补贴项目', 'red', '2025-04-30'],
      ['line', 'l-seed', '良种补贴资金', 'red', '2025-04-30'],
    ]);
    expect(r.explanations.map((e) => [e.status, e.workingDaysOpen, e.explanation?.eventId ?? null])).toEqual([
      ['unexplained', 0, null],
      ['overdue', 23, null],
      ['explained', 62, 'e-seed'],
      ['overdue', 62, null],
    ]);
  });

  test('given measures, then each has its latest follow-up; none is overdue', () => {
    // e-seed (due 08-31): in progress on 07-20, done on 07-28. The two progress reports with a
    // measure have no due date and no follow-up.
    expect(r.measures.map((m) => [m.eventId, m.subject.kind, m.subject.id, m.due, m.status?.status ?? null])).toEqual([
      ['e-seed', 'task', 'p-seed', '2025-08-31', 'done'],
      ['pr-irr-area', 'indicator', 'i-irr-area', null, null],
      ['pr-seed-sat', 'indicator', 'i-seed-sat', null, null],
    ]);
    expect(r.measures.map((m) => m.overdue)).toEqual([false, false, false]);
    expect(r.measures[0]?.status).toMatchObject({ on: '2025-07-28', note: '配套资金已到位，补贴已发放' });
  });

  test('then the summary counts them', () => {
    expect(r.summary).toEqual({
      redProjects: 1,
      yellowProjects: 0,
      unexplained: 1,
      overdue: 2,
      targetsAtRisk: 1,
      divergences: 2,
      overdueMeasures: 0,
    });
  });
});

describe('monitoring as known on an earlier date, and as of an earlier date', () => {
  test('given knownOn 07-31, then the progress recorded on 08-05 is not known yet', () => {
    // i-seed-area shows the 06-30 report (9000亩 / 20000 = 45.00); p-seed: 34.00 − 45.00 = −11.00,
    // still 10 or more: work ahead. p-irrigation has no progress known: no divergence. Nothing at risk.
    const r = report('2025-07-31', '2025-07-31');
    expect(r.projects.map((p) => p.targets.map(targetRow))).toEqual([
      [
        ['i-irr-area', null, null, false],
        ['i-irr-time', null, null, false],
        ['i-irr-quality', null, null, false],
      ],
      [
        ['i-seed-area', '9000亩', '45.00', false],
        ['i-seed-sat', null, null, false],
      ],
    ]);
    expect(r.projects.map((p) => p.divergence && [fx(p.divergence.difference), p.divergence.kind])).toEqual([
      null,
      ['-11.00', 'work_ahead'],
    ]);
    expect(r.measures.map((m) => [m.eventId, m.status?.status])).toEqual([['e-seed', 'done']]);
    expect(r.summary).toMatchObject({ targetsAtRisk: 0, divergences: 1, overdue: 2 });
  });

  test('given knownOn 07-25, then the follow-up of 07-28 is not known: the measure is in progress', () => {
    const r = report('2025-07-31', '2025-07-25');
    expect(r.measures.map((m) => [m.eventId, m.status?.status, m.status?.on])).toEqual([
      ['e-seed', 'in_progress', '2025-07-20'],
    ]);
  });

  test('given knownOn 07-14, then the explanation recorded on 07-16 is not known: p-seed is overdue too', () => {
    // As of 07-15 June counts (all of it recorded by 06-30). Field red since 06-30: 11 working days
    // (07-01 … 07-15) > 10, overdue. p-seed and l-seed since 04-30: 19 + 20 + 11 = 50, overdue.
    // The department (June 46.60 against 50.00) and everything of unit plan are green.
    const r = report('2025-07-15', '2025-07-14');
    expect(r.explanations.map((e) => [e.subject.id, e.status, e.workingDaysOpen])).toEqual([
      ['field', 'overdue', 11],
      ['p-seed', 'overdue', 50],
      ['l-seed', 'overdue', 50],
    ]);
    expect(r.measures).toEqual([]);
    expect(r.summary.overdue).toBe(3);
    // As known now, e-seed (as of 07-15) explains p-seed on that very day.
    expect(report('2025-07-15').explanations.map((e) => [e.subject.id, e.status])).toEqual([
      ['field', 'overdue'],
      ['p-seed', 'explained'],
      ['l-seed', 'overdue'],
    ]);
  });

  test('given asOf 06-30, then the explanation dated 07-15 does not count yet and June counts', () => {
    // Department June: 46.60 against 50.00, green: not listed. Field red since 06-30: 0 working
    // days, unexplained. p-seed and l-seed since 04-30: May 19 + June 20 = 39 working days, overdue.
    const r = report('2025-06-30');
    expect(r.explanations.map((e) => [e.subject.id, e.level, e.since, e.status, e.workingDaysOpen])).toEqual([
      ['field', 'red', '2025-06-30', 'unexplained', 0],
      ['p-seed', 'red', '2025-04-30', 'overdue', 39],
      ['l-seed', 'red', '2025-04-30', 'overdue', 39],
    ]);
    expect(r.projects[1]?.targets.map(targetRow)).toEqual([
      ['i-seed-area', '9000亩', '45.00', false],
      ['i-seed-sat', null, null, false],
    ]);
  });
});

describe('explanations, measures and risk: the rules at their edges', () => {
  test('given an explanation made before the alert opened, then it is shown but does not explain it', () => {
    // Unit field was green in May; explained on 05-20, red again from 06-30: still overdue.
    const early = ev('e-field-may', 'DeviationExplained', '2025-05-21', {
      subject: { kind: 'unit', id: 'field' },
      asOf: '2025-05-20',
      cause: 'staffing',
      reason: '人员调整',
      measure: '补充人员',
    });
    const r = report('2025-07-31', null, [early]);
    const field = r.explanations.find((e) => e.subject.id === 'field');
    expect(field).toMatchObject({ status: 'overdue', since: '2025-06-30', explanation: { eventId: 'e-field-may' } });
  });

  test('given the calendar passed in, then its days off count: 14 weekdays off in July leave 9 working days', () => {
    // July 1–18 off (14 weekdays): 23 − 14 = 9 working days since 06-30, not more than 10: unexplained.
    const days = Array.from({ length: 18 }, (_, i) => `2025-07-${String(i + 1).padStart(2, '0')}`);
    const calendar = holidayCalendar([{ year: 2025, holidays: days, workdays: [] }]);
    const field = report('2025-07-31', null, [], calendar).explanations.find((e) => e.subject.id === 'field');
    expect(field).toMatchObject({ status: 'unexplained', workingDaysOpen: 9 });
    // 10 working days is not "more than 10": the 11th makes it overdue (06-30 + 10 = 07-14, + 11 = 07-15).
    const at = (asOf: string) => report(asOf).explanations.find((e) => e.subject.id === 'field');
    expect(at('2025-07-14')).toMatchObject({ status: 'unexplained', workingDaysOpen: 10 });
    expect(at('2025-07-15')).toMatchObject({ status: 'overdue', workingDaysOpen: 11 });
  });

  test('given a measure past its due date, then it is overdue unless done (abandoned is not done)', () => {
    // As known on 07-25 the measure is in progress: on 09-01 (after its due 08-31) it is overdue.
    const late = report('2025-09-01', '2025-07-25');
    expect(late.measures.map((m) => [m.eventId, m.overdue])).toEqual([['e-seed', true]]);
    expect(late.summary.overdueMeasures).toBe(1);
    // As known now it was done on 07-28: not overdue.
    expect(report('2025-09-01').measures.find((m) => m.eventId === 'e-seed')?.overdue).toBe(false);
    const abandoned = ev('c-seed-3', 'CorrectiveActionReported', '2025-08-10', {
      explanation: 'e-seed',
      on: '2025-08-10',
      status: 'abandoned',
      note: '改为下年度实施',
    });
    expect(report('2025-09-01', null, [abandoned]).measures.find((m) => m.eventId === 'e-seed')).toMatchObject({
      status: { status: 'abandoned' },
      overdue: true,
    });
    // On its due date it is not yet past it.
    expect(report('2025-08-31', '2025-07-25').measures[0]?.overdue).toBe(false);
  });

  test('given "possible" at or after the second-to-last checkpoint, then the target is at risk', () => {
    // Default checkpoints 03-31, 06-30, 09-30, 12-31: from 09-30 on.
    const possible = (id: string, asOf: string) =>
      ev(id, 'IndicatorProgressReported', asOf, {
        indicator: 'i-seed-area',
        asOf,
        actual: '18000亩',
        likelihood: 'possible',
        deviation: { cause: 'funding', reason: '资金未到位' },
        measure: '加快拨付',
      });
    const risk = (asOf: string) =>
      report(asOf, null, [possible(`p-${asOf}`, asOf)]).projects[1]?.targets.find((t) => t.indicator === 'i-seed-area')
        ?.atRisk;
    expect(risk('2025-09-29')).toBe(false);
    expect(risk('2025-09-30')).toBe(true);
  });

  test('the checkpoints come from the stream meta when it has them, else from its quarterly schedule', () => {
    const base = factsFromEvents(dated(monitoringDemoEvents())).meta as StreamMeta;
    const sichuan = {
      ...base,
      checkpoints: [
        { on: '04-30', percent: '25' },
        { on: '06-30', percent: '40' },
        { on: '08-31', percent: '60' },
        { on: '10-31', percent: '80' },
        { on: '12-31', percent: '100' },
      ],
    };
    expect(monitoringCheckpoints(sichuan).map((c) => [c.date, c.percent.toFixed(0)])).toEqual([
      ['2025-04-30', '25'],
      ['2025-06-30', '40'],
      ['2025-08-31', '60'],
      ['2025-10-31', '80'],
      ['2025-12-31', '100'],
    ]);
    expect(riskFrom(monitoringCheckpoints(sichuan))).toBe('2025-10-31');
    const quarterly = { ...base, checkpoints: undefined, schedule: { Q1: '10', Q2: '40', Q3: '70', Q4: '100' } };
    expect(monitoringCheckpoints(quarterly as unknown as StreamMeta).map((c) => c.date)).toEqual([
      '2025-03-31',
      '2025-06-30',
      '2025-09-30',
      '2025-12-31',
    ]);
    expect(riskFrom([{ date: '2025-12-31', percent: new Decimal(100) }])).toBe('2025-12-31');
  });

  test('divergence at the threshold counts; a project without rate or numeric progress has none', () => {
    const t = (completion: string | null) => ({ completion: completion === null ? null : new Decimal(completion) });
    const targets = [t('40'), t('50'), t(null)] as TargetStatus[];
    expect(divergenceOf(new Decimal('60.20'), targets, new Decimal('15.20'))?.kind).toBe('spending_ahead');
    expect(divergenceOf(new Decimal('60.20'), targets, new Decimal('15.21'))).toBeNull();
    expect(divergenceOf(null, targets, new Decimal(10))).toBeNull();
    expect(divergenceOf(new Decimal(0), [t(null)] as TargetStatus[], new Decimal(10))).toBeNull();
    // The average is rounded half-up first: (33.33 + 33.34) / 2 = 33.335 → 33.34.
    expect(divergenceOf(new Decimal(50), [t('33.33'), t('33.34')] as TargetStatus[], new Decimal(10))).toMatchObject({
      completion: new Decimal('33.34'),
      difference: new Decimal('16.66'),
    });
  });
});

describe('project figures are execution figures', () => {
  test('given a unit whose lines all fund one project, then the project has exactly the unit figures', () => {
    // Irregular spending, a budget cut in March and a correction: whatever they give, the project
    // and its unit must agree, as execution computes the unit (rate, lag, level, year-end projection).
    const e = (id: string, type: string, occurredAt: string, data: Record<string, unknown>) =>
      ({ id, type, department: 'same', year: 2025, occurredAt, data }) as unknown as EventInput;
    const events = [
      e('o', 'YearOpened', '2025-01-01', { departmentName: '同口径局' }),
      e('u', 'UnitRegistered', '2025-01-01', { unit: 'u', name: '一科' }),
      e('t', 'TaskPlanned', '2025-01-01', { task: 'p', unit: 'u', kind: 'project', title: '项目', due: '2025-12-31' }),
      ...['x', 'y'].map((l, i) =>
        e(`a-${l}`, 'BudgetAllocated', '2025-01-02', {
          line: l,
          unit: 'u',
          name: l,
          category: 'project',
          economic: 'other',
          source: 'fiscal',
          amount: i ? '333333.33' : '777777.77',
          task: 'p',
        }),
      ),
      e('adj', 'BudgetAdjusted', '2025-03-10', {
        line: 'x',
        source: 'fiscal',
        amount: '-100000.01',
        effectiveOn: '2025-03-15',
        reason: '调减',
      }),
      ...[12345.67, 0, 98765.43, 5000, 77777.77, 1.01].map((n, i) =>
        e(`s${i}`, 'SpendingRecorded', `2025-0${i + 1}-28`, {
          line: i % 2 ? 'y' : 'x',
          source: 'fiscal',
          month: `2025-0${i + 1}`,
          amount: n.toFixed(2),
        }),
      ),
      e('c', 'SpendingCorrected', '2025-06-01', { corrects: 's2', amount: '-8765.43', reason: '更正' }),
    ];
    for (const asOf of ['2025-02-15', '2025-03-31', '2025-05-31', '2025-06-30', '2025-07-31']) {
      const all = dated(events);
      const facts = factsFromEvents(all);
      const unit = executionReport(facts, { asOf, source: 'fiscal' }).units[0];
      const project = monitoringReport(facts, monitoringStateFrom(all), { asOf, knownOn: null }, DEFAULT_CALENDAR)
        .projects[0];
      expect({ asOf, ...figures(project ?? null) }).toEqual({
        asOf,
        budget: fx(unit?.budget ?? null),
        spent: fx(unit?.spent ?? null),
        rate: fx(unit?.rate ?? null),
        schedule: fx(unit?.schedule ?? null),
        lag: fx(unit?.lag ?? null),
        level: unit?.level,
        projectedYearEnd: fx(unit?.forecast.yearEnd.projectedSpent ?? null),
        carryOver: fx(unit ? Decimal.max(0, unit.budget.minus(unit.forecast.yearEnd.projectedSpent)) : null),
      });
    }
  });
});

describe('a unit reader and the roll-up order', () => {
  test('given a unit reader of field, then only its projects, subjects and measures, and no department', () => {
    const r = unitCut(report('2025-07-31'), 'field');
    expect(r.total).toBeNull();
    expect(r.projects.map((p) => p.task)).toEqual(['p-seed']);
    expect(r.departmentTargets).toEqual([]);
    expect(r.explanations.map((e) => [e.subject.kind, e.subject.id])).toEqual([
      ['unit', 'field'],
      ['task', 'p-seed'],
      ['line', 'l-seed'],
    ]);
    expect(r.measures.map((m) => m.eventId)).toEqual(['e-seed', 'pr-seed-sat']);
    expect(r.summary).toEqual({
      redProjects: 1,
      yellowProjects: 0,
      unexplained: 0,
      overdue: 2,
      targetsAtRisk: 1,
      divergences: 1,
      overdueMeasures: 0,
    });
    const plan = unitCut(report('2025-07-31'), 'plan');
    expect([plan.projects.map((p) => p.task), plan.explanations, plan.measures.map((m) => m.eventId)]).toEqual([
      ['p-irrigation'],
      [],
      ['pr-irr-area'],
    ]);
  });

  test('given summaries, then worst first: overdue, unexplained, red, at risk, divergent, yellow', () => {
    const zero: MonitoringSummary = {
      redProjects: 0,
      yellowProjects: 0,
      unexplained: 0,
      overdue: 0,
      targetsAtRisk: 0,
      divergences: 0,
      overdueMeasures: 0,
    };
    const rows: [string, MonitoringSummary][] = [
      ['yellow', { ...zero, yellowProjects: 3 }],
      ['calm', zero],
      ['divergent', { ...zero, divergences: 1, yellowProjects: 9 }],
      ['at-risk', { ...zero, targetsAtRisk: 1 }],
      ['red', { ...zero, redProjects: 1, targetsAtRisk: 0 }],
      ['unexplained', { ...zero, unexplained: 2 }],
      ['overdue', { ...zero, overdue: 1 }],
      ['more-overdue', { ...zero, overdue: 2 }],
    ];
    expect(rows.sort((a, b) => worstFirst(a[1], b[1])).map(([name]) => name)).toEqual([
      'more-overdue',
      'overdue',
      'unexplained',
      'red',
      'at-risk',
      'divergent',
      'yellow',
      'calm',
    ]);
  });

  test('given a department that stopped spending in July, then its subjects are yellow since 07-31', () => {
    // 600,000 / 1,200,000 = 50.00 against 58.33: lag 8.33, yellow; June 50.00 against 50.00: green.
    const r = report('2025-07-31', null, [], DEFAULT_CALENDAR, behindEvents());
    expect(r.explanations.map((e) => [e.subject.kind, e.level, e.since, e.status])).toEqual([
      ['department', 'yellow', '2025-07-31', 'unexplained'],
      ['unit', 'yellow', '2025-07-31', 'unexplained'],
      ['line', 'yellow', '2025-07-31', 'unexplained'],
    ]);
    expect(r.projects).toEqual([]);
  });
});
