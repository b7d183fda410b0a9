/** Execution figures on the wire: amounts with 2 decimals, rates and lags as decimal strings. */
import { fixed2, money, type Decimal } from '#domain/decimal.js';
import type { Checkpoint, ExecutionReport, Forecast, QuarterRate, Standing } from '#domain/execution/execution.js';

/** A rate or lag on the wire: fixed2 (half-up to 2 decimals), null stays null. */
const fixed2OrNull = (d: Decimal | null) => (d === null ? null : fixed2(d));

export function standingWire(s: Standing) {
  return {
    budget: money(s.budget),
    spent: money(s.spent),
    rate: fixed2OrNull(s.rate),
    schedule: fixed2OrNull(s.schedule),
    lag: fixed2OrNull(s.lag),
    level: s.level,
  };
}

/** Checkpoints on the wire: quarter (1..4 at a quarter end, else null), date and the schedule there. */
export function checkpointsWire(cps: readonly Checkpoint[]) {
  return cps.map((c) => ({ quarter: c.quarter, date: c.date, schedule: fixed2(c.percent) }));
}

export function forecastWire(f: Forecast) {
  return {
    runRate: money(f.runRate),
    runRateMonths: f.runRateMonths,
    nextCheckpoint: f.nextCheckpoint && {
      quarter: f.nextCheckpoint.quarter,
      date: f.nextCheckpoint.date,
      schedule: fixed2OrNull(f.nextCheckpoint.percent),
      projectedSpent: money(f.nextCheckpoint.projectedSpent.toDecimalPlaces(2)),
      projectedRate: fixed2OrNull(f.nextCheckpoint.projectedRate),
      projectedLevel: f.nextCheckpoint.projectedLevel,
      neededToReach: money(f.nextCheckpoint.neededToReach),
    },
    yearEnd: { projectedSpent: money(f.yearEnd.projectedSpent), projectedRate: fixed2OrNull(f.yearEnd.projectedRate) },
    willMissCheckpoint: f.willMissCheckpoint,
  };
}

export function executionWire(r: ExecutionReport) {
  return {
    department: r.department,
    year: r.year,
    departmentName: r.departmentName,
    asOf: r.asOf,
    knownOn: r.knownOn,
    source: r.source,
    throughMonth: r.throughMonth,
    nextCheckpoint: r.checkpoint && {
      quarter: r.checkpoint.quarter,
      date: r.checkpoint.date,
      schedule: fixed2OrNull(r.checkpoint.percent),
    },
    // The stream's checkpoints when they are not the four quarter ends (v1.1); absent otherwise.
    ...(r.quarterly ? {} : { checkpoints: checkpointsWire(r.checkpoints) }),
    total: { ...standingWire(r.total), forecast: forecastWire(r.total.forecast) },
    units: r.units.map((u) => ({ unit: u.unit, name: u.name, ...standingWire(u), forecast: forecastWire(u.forecast) })),
    lines: r.lines.map((l) => ({
      line: l.line,
      unit: l.unit,
      name: l.name,
      category: l.category,
      economic: l.economic,
      source: l.source,
      ...standingWire(l),
    })),
  };
}

export function quartersWire(qs: QuarterRate[]) {
  return qs.map((q) => ({
    quarter: q.quarter,
    date: q.date,
    budget: money(q.budget),
    spent: money(q.spent),
    rate: fixed2OrNull(q.rate),
    schedule: fixed2OrNull(q.schedule),
    lag: fixed2OrNull(q.lag),
    level: q.level,
  }));
}
