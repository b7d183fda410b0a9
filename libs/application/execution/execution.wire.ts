/** Execution figures on the wire: amounts with 2 decimals, rates and lags as decimal strings. */
import type { Decimal } from '#domain/decimal.js';
import type { ExecutionReport, Forecast, QuarterRate, Standing } from '#domain/execution/execution.js';

const amt = (d: Decimal) => d.toFixed(2);
const pct = (d: Decimal | null) => (d === null ? null : d.toFixed(2));

export function standingWire(s: Standing) {
  return {
    budget: amt(s.budget),
    spent: amt(s.spent),
    rate: pct(s.rate),
    schedule: pct(s.schedule),
    lag: pct(s.lag),
    level: s.level,
  };
}

export function forecastWire(f: Forecast) {
  return {
    runRate: amt(f.runRate),
    runRateMonths: f.runRateMonths,
    nextCheckpoint: f.nextCheckpoint && {
      quarter: f.nextCheckpoint.quarter,
      date: f.nextCheckpoint.date,
      schedule: pct(f.nextCheckpoint.percent),
      projectedSpent: amt(f.nextCheckpoint.projectedSpent.toDecimalPlaces(2)),
      projectedRate: pct(f.nextCheckpoint.projectedRate),
      projectedLevel: f.nextCheckpoint.projectedLevel,
      neededToReach: amt(f.nextCheckpoint.neededToReach),
    },
    yearEnd: { projectedSpent: amt(f.yearEnd.projectedSpent), projectedRate: pct(f.yearEnd.projectedRate) },
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
      schedule: pct(r.checkpoint.percent),
    },
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
    budget: amt(q.budget),
    spent: amt(q.spent),
    rate: pct(q.rate),
    schedule: pct(q.schedule),
  }));
}
