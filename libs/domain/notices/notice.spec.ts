import { Decimal } from '../decimal.js';
import { factsFromEvents } from '../execution/facts.js';
import type { DatedEvent } from '../execution/facts.js';
import { buildDepartmentNotice, buildUnitNotice, latestPlan, rankByRate } from './notice.js';
import { loadSample, rawFigures, rawPlan, rawUnits } from '../testing/sample.fixture.js';

const events = loadSample();
const facts = factsFromEvents(events);
const money = (d: Decimal) => d.toFixed(2);

describe('unit notice, command, June 2023 (as corrected)', () => {
  const n = buildUnitNotice(facts, { unit: 'command', month: 6 });
  const raw = rawFigures(events, 'command', 6);

  test('identity', () => {
    expect(n).toMatchObject({
      kind: 'unit',
      id: 'notice:yantian-emergency:2023:command:6',
      department: 'yantian-emergency',
      departmentName: '深圳市盐田区应急管理局',
      year: 2023,
      month: 6,
      asOf: '2023-06-30',
      knownOn: null,
      source: 'fiscal',
      unit: 'command',
      unitName: '应急指挥信息科',
    });
  });

  test('spending and budget equal the raw JSONL sums', () => {
    expect(n.figures.spentMonth).toBe(money(raw.spentMonth));
    expect(n.figures.spentCumulative).toBe(money(raw.spent));
    expect(n.figures.budget).toBe(money(raw.budget));
    // The sample's own numbers, for the record: 3 invest payments through June.
    expect(raw.spent.toFixed(2)).toBe(new Decimal('411621.23').plus('411621.22').plus('823242.45').toFixed(2));
  });

  test('rate, schedule, lag and level', () => {
    expect(n.figures.rate).toBe(raw.rate!.toFixed(2));
    expect(n.figures.schedule).toBe(raw.schedule.toFixed(2));
    expect(n.figures.lag).toBe(raw.lag!.toFixed(2));
    expect(n.figures.level).toBe('red');
    expect(n.figures.levelLabel).toBe('红色预警');
  });

  test('next checkpoint: Q3 75% on 2023-09-30, and the amount needed to reach it', () => {
    const cp = n.figures.checkpoint!;
    expect(cp).toMatchObject({ quarter: 3, month: 9, date: '2023-09-30', percent: '75.00' });
    expect(cp.gap).toBe(new Decimal(75).minus(raw.rate!).toFixed(2));
    const needed = raw.budget.times('0.75').minus(raw.spent);
    expect(cp.neededToReach).toBe(money(needed));
    expect(n.forecast.nextCheckpoint!.neededToReach).toBe(cp.neededToReach);
  });

  test('plan for June vs actual, and the plan for July', () => {
    const planned = rawPlan(events, 'command', 6)!;
    expect(n.plan.planned).toBe(money(planned));
    expect(n.plan.actual).toBe(money(raw.spentMonth));
    expect(n.plan.difference).toBe(money(raw.spentMonth.minus(planned)));
    expect(new Decimal(n.plan.difference!).isNegative()).toBe(true);
    expect(n.plan.completion).toBe(raw.spentMonth.div(planned).times(100).toFixed(2, Decimal.ROUND_HALF_UP));
    expect(n.nextPlan).toEqual({ month: 7, planned: money(rawPlan(events, 'command', 7)!) });
  });

  test('forecast from the 3-month run rate', () => {
    const apr = rawFigures(events, 'command', 3).spent;
    const runRate = raw.spent.minus(apr).div(3);
    expect(n.forecast.runRateMonths).toBe(3);
    expect(n.forecast.runRate).toBe(runRate.toFixed(2));
    const atQ3 = raw.spent.plus(runRate.times(3));
    expect(n.forecast.nextCheckpoint!.projectedRate).toBe(
      atQ3.div(raw.budget).times(100).toFixed(2, Decimal.ROUND_HALF_UP),
    );
    const atYearEnd = raw.spent.plus(runRate.times(6));
    expect(n.forecast.yearEnd.projectedRate).toBe(
      atYearEnd.div(raw.budget).times(100).toFixed(2, Decimal.ROUND_HALF_UP),
    );
    expect(n.forecast.willMissCheckpoint).toBe(true);
    expect(n.forecast.nextCheckpoint!.projectedLevel).toBe('red');
  });
});

describe('ranking and levels at the end of June', () => {
  const units = rawUnits(events);
  const raws = units.map((u) => ({ ...u, ...rawFigures(events, u.unit, 6) }));

  test('command and emergency are red; ranks follow the rates, highest first', () => {
    const byRate = [...raws].sort((a, b) => b.rate!.comparedTo(a.rate!));
    for (const u of raws) {
      const n = buildUnitNotice(facts, { unit: u.unit, month: 6 });
      expect(n.figures.level).toBe(u.level);
      expect(n.rank).toEqual({ position: byRate.findIndex((x) => x.unit === u.unit) + 1, of: units.length });
    }
    expect(
      raws
        .filter((u) => u.level === 'red')
        .map((u) => u.unit)
        .sort(),
    ).toEqual(['command', 'emergency']);
    const command = buildUnitNotice(facts, { unit: 'command', month: 6 });
    const emergency = buildUnitNotice(facts, { unit: 'emergency', month: 6 });
    // emergency has the lowest rate of all, command the next lowest.
    expect(emergency.rank.position).toBe(5);
    expect(command.rank.position).toBe(4);
    expect(new Decimal(command.figures.rate!).gt(emergency.figures.rate!)).toBe(true);
  });

  test('department notice: totals, the unit table and the red list', () => {
    const d = buildDepartmentNotice(facts, { month: 6 });
    const total = rawFigures(events, null, 6);
    expect(d.id).toBe('notice:yantian-emergency:2023:department:6');
    expect(d.figures.budget).toBe(money(total.budget));
    expect(d.figures.spentCumulative).toBe(money(total.spent));
    expect(d.figures.spentMonth).toBe(money(total.spentMonth));
    expect(d.figures.rate).toBe(total.rate!.toFixed(2));
    expect(d.figures.rate).toBe('39.92'); // FRAMEWORK.md: Q2 fiscal execution 39.92%
    expect(d.figures.level).toBe(total.level);
    expect(d.units.map((u) => u.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(d.units.map((u) => u.unit)).toEqual(
      [...raws].sort((a, b) => b.rate!.comparedTo(a.rate!)).map((u) => u.unit),
    );
    for (const row of d.units) {
      const r = raws.find((x) => x.unit === row.unit)!;
      expect(row.rate).toBe(r.rate!.toFixed(2));
      expect(row.lag).toBe(r.lag!.toFixed(2));
      expect(row.spentCumulative).toBe(money(r.spent));
      expect(row.planned).toBe(money(rawPlan(events, row.unit, 6)!));
    }
    expect(d.red.map((u) => u.unit)).toEqual(['command', 'emergency']);
    expect(d.yellow).toEqual([]);
    const plannedSum = units.reduce((a, u) => a.plus(rawPlan(events, u.unit, 6)!), new Decimal(0));
    expect(d.plan.planned).toBe(money(plannedSum));
    expect(d.plan.difference).toBe(money(total.spentMonth.minus(plannedSum)));
  });
});

describe('as known on a date', () => {
  test('March as known on 2023-04-30 still holds the overstatement corrected in May', () => {
    const known = buildUnitNotice(facts, { unit: 'safety', month: 3, knownOn: '2023-04-30' });
    const corrected = buildUnitNotice(facts, { unit: 'safety', month: 3 });
    expect(known.figures.spentMonth).toBe(money(rawFigures(events, 'safety', 3, '2023-04-30').spentMonth));
    expect(new Decimal(known.figures.spentMonth).minus(corrected.figures.spentMonth).toFixed(2)).toBe('100000.00');
    const dept = buildDepartmentNotice(facts, { month: 3, knownOn: '2023-04-30' });
    expect(dept.figures.rate).toBe('21.04'); // FRAMEWORK.md
    expect(buildDepartmentNotice(facts, { month: 3 }).figures.rate).toBe('20.85');
  });

  test('June as known on 2023-07-01: June spending (recorded 2023-07-05) is not in yet', () => {
    const n = buildUnitNotice(facts, { unit: 'command', month: 6, knownOn: '2023-07-01' });
    expect(n.figures.spentMonth).toBe('0.00');
    expect(n.figures.spentCumulative).toBe(money(rawFigures(events, 'command', 6, '2023-07-01').spent));
    expect(n.knownOn).toBe('2023-07-01');
  });

  test('the latest known plan wins; plans recorded after knownOn are ignored', () => {
    const base = events.find(
      (e) => e.type === 'SpendingPlanned' && e.data.unit === 'command' && e.data.month === '2023-06',
    )!;
    const revise = (id: string, occurredOn: string, amount: string): DatedEvent =>
      ({
        ...base,
        id,
        occurredAt: occurredOn,
        occurredOn,
        data: { unit: 'command', month: '2023-06', amount },
      }) as DatedEvent;
    const revised = factsFromEvents([
      ...events,
      revise('rev-1', '2023-06-10', '700000.00'),
      revise('rev-2', '2023-07-20', '650000.00'),
    ]);
    expect(buildUnitNotice(revised, { unit: 'command', month: 6 }).plan.planned).toBe('650000.00');
    expect(buildUnitNotice(revised, { unit: 'command', month: 6, knownOn: '2023-07-10' }).plan.planned).toBe(
      '700000.00',
    );
    expect(buildUnitNotice(revised, { unit: 'command', month: 6, knownOn: '2023-05-01' }).plan.planned).toBeNull();
    expect(latestPlan(revised.plans, 'command', 6, '2023-06-30')!.amount).toBe('700000.00');
  });
});

describe('edges', () => {
  test('December has no next plan and no next checkpoint', () => {
    const n = buildUnitNotice(facts, { unit: 'command', month: 12 });
    expect(n.nextPlan).toBeNull();
    expect(n.figures.checkpoint).toBeNull();
    expect(n.forecast.nextCheckpoint).toBeNull();
    expect(n.figures.budget).toBe(money(rawFigures(events, 'command', 12).budget)); // after the July adjustment
    expect(buildDepartmentNotice(facts, { month: 12 }).figures.rate).toBe('94.51');
  });

  test('a unit without budget ranks last and has no rate', () => {
    const extra = {
      ...events.find((e) => e.type === 'UnitRegistered')!,
      id: 'u-new',
      data: { unit: 'new', name: '新设科室' },
    } as DatedEvent;
    const f = factsFromEvents([...events.slice(0, 6), extra, ...events.slice(6)]);
    const n = buildUnitNotice(f, { unit: 'new', month: 6 });
    expect(n.figures.rate).toBeNull();
    expect(n.figures.level).toBeNull();
    expect(n.rank).toEqual({ position: 6, of: 6 });
    const d = buildDepartmentNotice(f, { month: 6 });
    expect(d.units[d.units.length - 1]!.unit).toBe('new');
  });

  test('ties share a rank', () => {
    const r = rankByRate([
      { rate: new Decimal(5) },
      { rate: null },
      { rate: new Decimal(7) },
      { rate: new Decimal(5) },
    ]);
    expect(r).toEqual([2, 4, 1, 2]);
  });

  test('bad input is rejected', () => {
    expect(() => buildUnitNotice(facts, { unit: 'nobody', month: 6 })).toThrow(/not registered/);
    expect(() => buildDepartmentNotice(facts, { month: 13 })).toThrow(/1\.\.12/);
  });
});
