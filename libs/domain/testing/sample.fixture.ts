/**
 * Test support (not production code): loads the sample stream the way execution.spec.ts does and
 * recomputes reference figures straight from the raw events, independently of execution.ts.
 */
import { readFileSync } from 'node:fs';
import { occurredOnDate } from '../dates.js';
import { Decimal } from '../decimal.js';
import type { EventInput, EventOf } from '../events.js';
import type { DatedEvent } from '../execution/facts.js';

export const SAMPLE = new URL('../../../samples/yantian-emergency-2023.jsonl', import.meta.url);

export function loadSample(): DatedEvent[] {
  return readFileSync(SAMPLE, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EventInput)
    .map((e) => ({ ...e, occurredOn: occurredOnDate(e.occurredAt)! }));
}

const ofType = <T extends EventInput['type']>(events: readonly DatedEvent[], type: T) =>
  events.filter((e) => e.type === type) as unknown as Array<EventOf<T> & { occurredOn: string }>;

export interface RawFigures {
  budget: Decimal;
  spentMonth: Decimal;
  spent: Decimal;
  rate: Decimal | null;
  schedule: Decimal;
  lag: Decimal | null;
  level: 'green' | 'yellow' | 'red' | null;
}

/**
 * Reference figures of a unit (or the whole department with unit = null) at the end of `month`,
 * fiscal lines only, from the raw events: allocations + adjustments effective by the month's
 * last day, SpendingRecorded of months ≤ month plus corrections of those records, optionally
 * only what was recorded by `knownOn`. Default schedule 25/50/75/100 and thresholds 5/10.
 */
export function rawFigures(
  events: readonly DatedEvent[],
  unit: string | null,
  month: number,
  knownOn?: string,
): RawFigures {
  const known = (e: DatedEvent) => !knownOn || e.occurredOn <= knownOn;
  const lines = new Set(
    ofType(events, 'BudgetAllocated')
      .filter((e) => e.data.source === 'fiscal' && (unit === null || e.data.unit === unit))
      .map((e) => e.data.line),
  );
  const lastDay = new Date(Date.UTC(2023, month, 0)).toISOString().slice(0, 10);
  let budget = new Decimal(0);
  for (const e of ofType(events, 'BudgetAllocated'))
    if (lines.has(e.data.line) && known(e)) budget = budget.plus(e.data.amount);
  for (const e of ofType(events, 'BudgetAdjusted')) {
    if (lines.has(e.data.line) && e.data.effectiveOn <= lastDay && known(e)) budget = budget.plus(e.data.amount);
  }
  const recordMonth = new Map<string, number>();
  let spent = new Decimal(0);
  let spentMonth = new Decimal(0);
  for (const e of ofType(events, 'SpendingRecorded')) {
    if (!lines.has(e.data.line)) continue;
    const m = Number(e.data.month.slice(5));
    recordMonth.set(e.id, m);
    if (!known(e)) continue;
    if (m <= month) spent = spent.plus(e.data.amount);
    if (m === month) spentMonth = spentMonth.plus(e.data.amount);
  }
  for (const e of ofType(events, 'SpendingCorrected')) {
    const m = recordMonth.get(e.data.corrects);
    if (m === undefined || !known(e)) continue;
    if (m <= month) spent = spent.plus(e.data.amount);
    if (m === month) spentMonth = spentMonth.plus(e.data.amount);
  }
  const schedule = new Decimal(month).div(12).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const rate = budget.isZero() ? null : spent.div(budget).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const lag = rate === null ? null : schedule.minus(rate);
  const level = lag === null ? null : lag.gte(10) ? 'red' : lag.gte(5) ? 'yellow' : 'green';
  return { budget, spentMonth, spent, rate, schedule, lag, level };
}

/** The plan filed for a unit and month (latest by occurredOn), from the raw events. */
export function rawPlan(events: readonly DatedEvent[], unit: string, month: number): Decimal | null {
  const key = `2023-${String(month).padStart(2, '0')}`;
  const plans = ofType(events, 'SpendingPlanned')
    .filter((e) => e.data.unit === unit && e.data.month === key)
    .sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0));
  const last = plans[plans.length - 1];
  return last ? new Decimal(last.data.amount) : null;
}

export function rawUnits(events: readonly DatedEvent[]): Array<{ unit: string; name: string }> {
  return ofType(events, 'UnitRegistered').map((e) => ({ unit: e.data.unit, name: e.data.name }));
}
