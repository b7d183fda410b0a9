/**
 * The schedule from the stream's checkpoints (MONITORING.md v1.1, docs/execution.md "Checkpoints"):
 * Sichuan-style checkpoints worked by hand, a checkpoint in the middle of a month, and the
 * quarterly schedule (the v1 shorthand) unchanged.
 */
import fc from 'fast-check';
import { SICHUAN_CHECKPOINTS, sichuanCheckpointEvents } from '#test/fixtures/sichuan-checkpoints.js';
import { lastDayOfMonth, occurredOnDate } from '../dates.js';
import { Decimal, ZERO, roundRate } from '../decimal.js';
import type { CheckpointInput, Schedule } from '../events.js';
import {
  checkpoints,
  executionReport,
  monthlySchedule,
  nextCheckpoint,
  quarterRates,
  quarterlySchedule,
} from './execution.js';
import { factsFromEvents, scheduleOf, thresholdsOf, type StreamMeta } from './facts.js';
import { isQuarterly, placeCheckpoint, quarterCheckpoints } from './schedule.js';

const facts = factsFromEvents(
  sichuanCheckpointEvents().map((e) => ({ ...e, occurredOn: occurredOnDate(e.occurredAt)! })),
);
const meta = facts.meta!;
const months = Array.from({ length: 13 }, (_, m) => m);

/** A meta of 2024 with this schedule part (the rest as the fixture's). */
const withSchedule = (data: { schedule?: Partial<Schedule>; checkpoints?: CheckpointInput[] }): StreamMeta => ({
  ...meta,
  ...scheduleOf(2024, data),
});

describe('Sichuan-style checkpoints: 04-30 25, 06-30 40, 08-31 60, 10-31 80 (no 12-31)', () => {
  test('the meta carries the checkpoints as given and the schedule at the four quarter ends', () => {
    expect(meta.checkpoints).toEqual(SICHUAN_CHECKPOINTS);
    // Q1 = March's end: 3/4 of the way to 04-30 25 → 18.75; Q2 = 06-30 40; Q3 = September's end:
    // halfway from 08-31 60 to 10-31 80 → 70; Q4: after 10-31 the schedule stays at 80.
    expect(meta.schedule).toEqual({ Q1: '18.75', Q2: '40', Q3: '70', Q4: '80' });
    expect(quarterlySchedule(meta)).toBe(false);
    expect(meta.thresholds).toEqual({ yellow: '5', red: '10', divergence: '10' });
  });

  test('monthly schedule: linear by month end from (0, 0%) through the checkpoints, flat after the last', () => {
    // Jan–Apr: 25 × m/4 → 6.25, 12.50, 18.75, 25; May: 25 + (40 − 25) × 1/2 = 32.50; Jun 40;
    // Jul: 40 + (60 − 40) × 1/2 = 50; Aug 60; Sep: 60 + (80 − 60) × 1/2 = 70; Oct 80; Nov, Dec stay 80.
    expect(months.map((m) => monthlySchedule(meta, m).toFixed(2))).toEqual([
      '0.00',
      '6.25',
      '12.50',
      '18.75',
      '25.00',
      '32.50',
      '40.00',
      '50.00',
      '60.00',
      '70.00',
      '80.00',
      '80.00',
      '80.00',
    ]);
  });

  test('the next checkpoint after each month end', () => {
    const next = months.map((m) => {
      const c = nextCheckpoint(meta, m);
      return c && `${c.date} ${c.percent.toFixed()} q${c.quarter}`;
    });
    expect(next).toEqual([
      '2024-04-30 25 qnull', // before January's end … March
      '2024-04-30 25 qnull',
      '2024-04-30 25 qnull',
      '2024-04-30 25 qnull',
      '2024-06-30 40 q2', // April, May: 06-30 is a quarter end
      '2024-06-30 40 q2',
      '2024-08-31 60 qnull', // June (06-30 itself is passed), July
      '2024-08-31 60 qnull',
      '2024-10-31 80 qnull', // August, September
      '2024-10-31 80 qnull',
      null, // October (the last checkpoint is passed), November, December
      null,
      null,
    ]);
    expect(nextCheckpoint(meta, 3)).toMatchObject({ on: '04-30', month: 4, monthEnd: true, quarter: null });
  });

  test('execution as of March 31: yellow instead of red, the next checkpoint 4月30日 25%', () => {
    const r = executionReport(facts, { asOf: '2024-03-31', source: 'fiscal' });
    // Spent through March 110,000 of 1,000,000 = 11.00%; schedule 18.75; lag 7.75 → yellow (5 ≤ lag < 10).
    expect(r.total.rate!.toFixed(2)).toBe('11.00');
    expect(r.total.schedule.toFixed(2)).toBe('18.75');
    expect(r.total.lag!.toFixed(2)).toBe('7.75');
    expect(r.total.level).toBe('yellow');
    // plan 70,000 / 400,000 = 17.50 (lag 1.25, green); works 40,000 / 600,000 = 6.67 (lag 12.08, red).
    expect(r.units.map((u) => [u.unit, u.rate!.toFixed(2), u.lag!.toFixed(2), u.level])).toEqual([
      ['plan', '17.50', '1.25', 'green'],
      ['works', '6.67', '12.08', 'red'],
    ]);
    expect(r.checkpoint).toMatchObject({ quarter: null, date: '2024-04-30', month: 4 });
    // Run rate: 110,000 / 3 = 36,666.67 a month; by 04-30 (one month on): 146,666.67 = 14.67%;
    // 25 − 14.67 = 10.33 points short → red, the checkpoint will be missed; 250,000 − 110,000 = 140,000 to go.
    const f = r.total.forecast;
    expect(f.runRate.toFixed(2)).toBe('36666.67');
    expect(f.nextCheckpoint).toMatchObject({ quarter: null, date: '2024-04-30', projectedLevel: 'red' });
    expect(f.nextCheckpoint!.projectedSpent.toFixed(2)).toBe('146666.67');
    expect(f.nextCheckpoint!.projectedRate!.toFixed(2)).toBe('14.67');
    expect(f.nextCheckpoint!.neededToReach.toFixed(2)).toBe('140000.00');
    expect(f.willMissCheckpoint).toBe(true);
  });

  test('the year-end scoring quarter terms use the schedule at the quarter ends', () => {
    // Rates at the quarter ends: 110/1000 = 11.00, 420 → 42.00, 710 → 71.00, 860 → 86.00 (no December).
    expect(
      quarterRates(facts, { source: 'fiscal' }).map((q) => [q.schedule.toFixed(2), q.rate!.toFixed(2), q.level]),
    ).toEqual([
      ['18.75', '11.00', 'yellow'], // lag 7.75
      ['40.00', '42.00', 'green'], // −2
      ['70.00', '71.00', 'green'], // −1
      ['80.00', '86.00', 'green'], // −6
    ]);
  });
});

describe('a checkpoint not at a month end: 07-15 50 between 06-30 40 and 08-31 60', () => {
  const mid = withSchedule({
    checkpoints: [
      { on: '04-30', percent: '25' },
      { on: '06-30', percent: '40' },
      { on: '07-15', percent: '50' },
      { on: '08-31', percent: '60' },
      { on: '10-31', percent: '80' },
    ],
  });

  test('it sits at month position 6 + 15/31; July interpolates between it and 08-31', () => {
    const c = placeCheckpoint(2024, { on: '07-15', percent: '50' });
    expect(c).toMatchObject({ quarter: null, month: 7, monthEnd: false, date: '2024-07-15' });
    expect(c.position.toDecimalPlaces(6).toFixed()).toBe('6.483871'); // 6 + 15/31
    // July's end (position 7): 50 + (60 − 50) × (7 − 6 15/31) / (8 − 6 15/31) = 50 + 10 × 16/47 = 53.404… → 53.40.
    expect([6, 7, 8].map((m) => monthlySchedule(mid, m).toFixed(2))).toEqual(['40.00', '53.40', '60.00']);
    // Q3 (September's end) is still halfway from 60 to 80.
    expect(mid.schedule).toEqual({ Q1: '18.75', Q2: '40', Q3: '70', Q4: '80' });
    expect(nextCheckpoint(mid, 6)).toMatchObject({ on: '07-15', date: '2024-07-15', quarter: null });
    expect(nextCheckpoint(mid, 7)).toMatchObject({ on: '08-31' });
  });

  test('the forecast projects to its position within July', () => {
    const r = executionReport({ ...facts, meta: mid }, { asOf: '2024-06-30', source: 'fiscal' });
    // Run rate April–June: (420,000 − 110,000) / 3 = 103,333.33…; to 07-15: × 15/31 = 50,000 more:
    // 470,000 = 47.00%, 3 points short of 50 → green (below the yellow 5), not missed;
    // 500,000 − 420,000 = 80,000 to go.
    const f = r.total.forecast.nextCheckpoint!;
    expect(f.date).toBe('2024-07-15');
    expect(f.projectedSpent.toFixed(2)).toBe('470000.00');
    expect(f.projectedRate!.toFixed(2)).toBe('47.00');
    expect(f.projectedLevel).toBe('green');
    expect(f.neededToReach.toFixed(2)).toBe('80000.00');
    expect(r.total.forecast.willMissCheckpoint).toBe(false);
  });

  test('a checkpoint on February 29 of a leap year sits at its month end', () => {
    const c = placeCheckpoint(2024, { on: '02-29', percent: '10' });
    expect(c).toMatchObject({ month: 2, monthEnd: true });
    expect(c.position.toFixed()).toBe('2');
    expect(placeCheckpoint(2023, { on: '02-28', percent: '10' }).monthEnd).toBe(true);
    expect(placeCheckpoint(2024, { on: '02-28', percent: '10' }).monthEnd).toBe(false);
  });
});

describe('the quarterly schedule (v1) is the shorthand for the quarter-end checkpoints', () => {
  /** The v1 formula: linear within each quarter between the quarter checkpoints (0 before Q1). */
  function v1Schedule(s: Schedule, month: number): Decimal {
    if (month <= 0) return ZERO;
    const cps = [ZERO, new Decimal(s.Q1), new Decimal(s.Q2), new Decimal(s.Q3), new Decimal(s.Q4)];
    const q = Math.ceil(month / 3);
    const from = cps[q - 1]!;
    const to = cps[q]!;
    return roundRate(
      from.plus(
        to
          .minus(from)
          .times(month - 3 * (q - 1))
          .div(3),
      ),
    );
  }

  const percent = fc.integer({ min: 1, max: 10000 }).map((n) => new Decimal(n).div(100).toFixed());
  const scheduleArb = fc
    .uniqueArray(percent, { minLength: 4, maxLength: 4, comparator: (a, b) => new Decimal(a).eq(b) })
    .map((ps) => [...ps].sort((a, b) => new Decimal(a).comparedTo(b)))
    .map(([Q1, Q2, Q3, Q4]) => ({ Q1: Q1!, Q2: Q2!, Q3: Q3!, Q4: Q4! }));

  test('for any Q1..Q4: the same monthly schedule and next checkpoint as v1, the schedule kept as given', () => {
    fc.assert(
      fc.property(scheduleArb, (s) => {
        const m = withSchedule({ schedule: s });
        expect(m.schedule).toEqual(s);
        expect(m.checkpoints).toEqual(quarterCheckpoints(s));
        expect(quarterlySchedule(m)).toBe(true);
        for (const month of months) {
          expect(monthlySchedule(m, month).toFixed()).toBe(v1Schedule(s, month).toFixed());
          // v1: the quarter after month m's quarter ends (the one at m itself when m is not a quarter end).
          const q = Math.floor(month / 3) + 1;
          const next = nextCheckpoint(m, month);
          if (q > 4) expect(next).toBeNull();
          else
            expect(next && [next.quarter, next.month, next.date, next.percent.toFixed()]).toEqual([
              q,
              q * 3,
              lastDayOfMonth(2024, q * 3),
              new Decimal(s[`Q${q}` as keyof Schedule]).toFixed(),
            ]);
        }
      }),
      { numRuns: 300, seed: 20240430 },
    );
  });

  test('the default 25/50/75/100 (month/12), and the same checkpoints written out give the same meta', () => {
    const d = withSchedule({});
    expect(d.schedule).toEqual({ Q1: '25', Q2: '50', Q3: '75', Q4: '100' });
    expect(months.map((m) => monthlySchedule(d, m).toFixed(2))).toEqual(
      months.map((m) => roundRate(new Decimal(100).times(m).div(12)).toFixed(2)),
    );
    const written = withSchedule({ checkpoints: quarterCheckpoints({ Q1: '25', Q2: '50', Q3: '75', Q4: '100' }) });
    expect(written.schedule).toEqual(d.schedule);
    expect(written.checkpoints).toEqual(d.checkpoints);
    expect(checkpoints(written).map((c) => c.quarter)).toEqual([1, 2, 3, 4]);
    expect(isQuarterly(written.checkpoints)).toBe(true);
  });

  test('thresholds: divergence defaults to 10 and is kept when given', () => {
    expect(thresholdsOf(undefined)).toEqual({ yellow: '5', red: '10', divergence: '10' });
    expect(thresholdsOf({ yellow: '3', red: '8' })).toEqual({ yellow: '3', red: '8', divergence: '10' });
    expect(thresholdsOf({ yellow: '3', red: '8', divergence: '15' })).toEqual({
      yellow: '3',
      red: '8',
      divergence: '15',
    });
  });
});
