import { readFileSync } from 'node:fs';
import { occurredOnDate } from '../dates.js';
import { Decimal } from '../decimal.js';
import type { EventInput } from '../events.js';
import { factsFromEvents, scheduleOf } from './facts.js';
import {
  alertLevel,
  executionReport,
  forecast,
  monthThrough,
  monthlySchedule,
  nextCheckpoint,
  quarterRates,
} from './execution.js';

import { SAMPLE } from '../testing/sample.fixture.js';
const events = readFileSync(SAMPLE, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as EventInput)
  .map((e) => ({ ...e, occurredOn: occurredOnDate(e.occurredAt)! }));
const facts = factsFromEvents(events);
const meta = facts.meta!;

describe('execution figures (pure)', () => {
  test('fiscal quarter-end rates as corrected, and Q1 as known on 2023-04-30', () => {
    expect(quarterRates(facts, { source: 'fiscal' }).map((q) => q.rate!.toFixed(2))).toEqual([
      '20.85',
      '39.92',
      '73.61',
      '94.51',
    ]);
    expect(quarterRates(facts, { source: 'fiscal', knownOn: '2023-04-30' })[0]!.rate!.toFixed(2)).toBe('21.04');
  });

  test('units at the end of Q2', () => {
    const r = executionReport(facts, { asOf: '2023-06-30', source: 'fiscal' });
    expect(r.units.map((u) => [u.unit, u.rate!.toFixed(2), u.lag!.toFixed(2), u.level])).toEqual([
      ['office', '49.48', '0.52', 'green'],
      ['safety', '49.34', '0.66', 'green'],
      ['disaster', '58.13', '-8.13', 'green'],
      ['command', '16.75', '33.25', 'red'],
      ['emergency', '12.27', '37.73', 'red'],
    ]);
  });

  test('month-linear schedule follows the checkpoints, also for a custom schedule', () => {
    expect([0, 1, 2, 3, 5, 6, 12].map((m) => monthlySchedule(meta, m).toFixed(2))).toEqual([
      '0.00',
      '8.33',
      '16.67',
      '25.00',
      '41.67',
      '50.00',
      '100.00',
    ]);
    const custom = { ...meta, ...scheduleOf(2023, { schedule: { Q1: '10', Q2: '40', Q3: '70', Q4: '100' } }) };
    expect([1, 3, 4, 6].map((m) => monthlySchedule(custom, m).toFixed(2))).toEqual(['3.33', '10.00', '20.00', '40.00']);
  });

  test('which month counts "as of" a date, and the next checkpoint', () => {
    expect(monthThrough(2023, '2023-06-30')).toBe(6);
    expect(monthThrough(2023, '2023-06-29')).toBe(5);
    expect(monthThrough(2023, '2022-12-31')).toBe(0);
    expect(monthThrough(2023, '2024-03-01')).toBe(12);
    expect(nextCheckpoint(meta, 6)).toMatchObject({ quarter: 3, date: '2023-09-30' });
    expect(nextCheckpoint(meta, 5)).toMatchObject({ quarter: 2, date: '2023-06-30' });
    expect(nextCheckpoint(meta, 12)).toBeNull();
  });

  test('alert levels at the threshold edges (yellow 5, red 10)', () => {
    expect(['4.99', '5', '9.99', '10', '-3'].map((l) => alertLevel(meta, new Decimal(l)))).toEqual([
      'green',
      'yellow',
      'yellow',
      'red',
      'green',
    ]);
  });

  test('forecast from the last months run-rate', () => {
    const cumulative = [0, 100, 200, 300, 400, 500, 600, 600, 600, 600, 600, 600, 600].map((n) => new Decimal(n));
    const f = forecast({ meta, month: 4, budget: new Decimal(1200), cumulative, runRateMonths: 3 });
    expect(f.runRate.toFixed(2)).toBe('100.00');
    expect(f.nextCheckpoint).toMatchObject({ quarter: 2 });
    expect(f.nextCheckpoint!.projectedSpent.toFixed(2)).toBe('600.00');
    expect(f.nextCheckpoint!.projectedRate!.toFixed(2)).toBe('50.00');
    expect(f.nextCheckpoint!.neededToReach.toFixed(2)).toBe('200.00');
    expect(f.yearEnd.projectedRate!.toFixed(2)).toBe('100.00');
    expect(f.willMissCheckpoint).toBe(false);
    const slow = forecast({ meta, month: 4, budget: new Decimal(4000), cumulative, runRateMonths: 3 });
    expect(slow.nextCheckpoint!.projectedLevel).toBe('red');
    expect(slow.willMissCheckpoint).toBe(true);
  });
});
