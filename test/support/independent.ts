/**
 * Figures computed straight from the sample's JSON lines, independently of the domain code, so
 * tests compare the service with a second, simple implementation.
 */
import { Decimal } from 'decimal.js';
import { sampleEvents } from './sample.js';

const D = Decimal.clone({ rounding: Decimal.ROUND_HALF_UP });

export interface Independent {
  budget: string;
  spent: string;
  rate: string;
}

/** Budget in force on `date` and spending through month `month` for the lines of `unit` (all units when null). */
export function independentFigures(opts: {
  unit: string | null;
  date: string;
  month: number;
  source: 'fiscal' | 'all';
  knownOn?: string;
}): Independent {
  const events = sampleEvents().filter((e) => !opts.knownOn || e.occurredAt.slice(0, 10) <= opts.knownOn);
  const lines = new Map<string, { unit: string; source: string }>();
  for (const e of sampleEvents())
    if (e.type === 'BudgetAllocated') lines.set(e.data.line, { unit: e.data.unit, source: e.data.source });
  const include = (line: string) => {
    const l = lines.get(line)!;
    return (opts.unit === null || l.unit === opts.unit) && (opts.source === 'all' || l.source === 'fiscal');
  };
  const monthOf = new Map<string, { line: string; month: number }>();
  for (const e of sampleEvents())
    if (e.type === 'SpendingRecorded') monthOf.set(e.id, { line: e.data.line, month: Number(e.data.month.slice(5)) });
  let budget = new D(0);
  let spent = new D(0);
  for (const e of events) {
    if (e.type === 'BudgetAllocated' && include(e.data.line)) budget = budget.plus(e.data.amount);
    if (e.type === 'BudgetAdjusted' && include(e.data.line) && e.data.effectiveOn <= opts.date)
      budget = budget.plus(e.data.amount);
    if (e.type === 'SpendingRecorded' && include(e.data.line) && Number(e.data.month.slice(5)) <= opts.month)
      spent = spent.plus(e.data.amount);
    if (e.type === 'SpendingCorrected') {
      const r = monthOf.get(e.data.corrects)!;
      if (include(r.line) && r.month <= opts.month) spent = spent.plus(e.data.amount);
    }
  }
  return { budget: budget.toFixed(2), spent: spent.toFixed(2), rate: spent.div(budget).times(100).toFixed(2) };
}
