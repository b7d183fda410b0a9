/** What the stream already holds, seen by row identity: the importer compares each row with it. */
import { occurredOnDate } from '#domain/dates.js';
import { Decimal, ZERO } from '#domain/decimal.js';
import type { Category, Economic, EventInput, FundSource } from '#domain/events.js';

export interface KnownLine {
  line: string;
  unit: string;
  name: string;
  source: FundSource;
  category: Category;
  economic: Economic;
  /** Initial budget (BudgetAllocated.amount). */
  allocation: Decimal;
}

export interface StoredSpending {
  /** SpendingRecorded ids of this line and month, in stream order. */
  records: string[];
  /** Recorded plus corrections. */
  total: Decimal;
  corrections: number;
}

export interface StoredView {
  opened: boolean;
  closed: boolean;
  departmentName?: string;
  units: Map<string, { unit: string; name: string }>;
  lines: Map<string, KnownLine>;
  /** key `${line}|${month}`. */
  spending: Map<string, StoredSpending>;
  /** key `${line}|${effectiveOn}`: sum and number of BudgetAdjusted. */
  adjustments: Map<string, { total: Decimal; count: number }>;
  /** key `${unit}|${month}`: the plan in force (latest record date, later event on a tie) and how many were made. */
  plans: Map<string, { amount: Decimal; count: number; knownOn: string }>;
  events: EventInput[];
}

export const spendingKey = (line: string, month: string) => `${line}|${month}`;
export const adjustmentKey = (line: string, effectiveOn: string) => `${line}|${effectiveOn}`;
export const planKey = (unit: string, month: string) => `${unit}|${month}`;

export function storedView(events: EventInput[]): StoredView {
  const v: StoredView = {
    opened: false,
    closed: false,
    units: new Map(),
    lines: new Map(),
    spending: new Map(),
    adjustments: new Map(),
    plans: new Map(),
    events,
  };
  const recordKey = new Map<string, string>();
  for (const e of events) {
    switch (e.type) {
      case 'YearOpened':
        v.opened = true;
        v.departmentName = e.data.departmentName;
        break;
      case 'YearClosed':
        v.closed = true;
        break;
      case 'UnitRegistered':
        v.units.set(e.data.unit, { unit: e.data.unit, name: e.data.name });
        break;
      case 'BudgetAllocated': {
        const d = e.data;
        v.lines.set(d.line, {
          line: d.line,
          unit: d.unit,
          name: d.name,
          source: d.source,
          category: d.category,
          economic: d.economic,
          allocation: new Decimal(d.amount),
        });
        break;
      }
      case 'BudgetAdjusted': {
        const k = adjustmentKey(e.data.line, e.data.effectiveOn);
        const a = v.adjustments.get(k) ?? { total: ZERO, count: 0 };
        v.adjustments.set(k, { total: a.total.plus(e.data.amount), count: a.count + 1 });
        break;
      }
      case 'SpendingRecorded': {
        const k = spendingKey(e.data.line, e.data.month);
        const s = v.spending.get(k) ?? { records: [], total: ZERO, corrections: 0 };
        v.spending.set(k, {
          records: [...s.records, e.id],
          total: s.total.plus(e.data.amount),
          corrections: s.corrections,
        });
        recordKey.set(e.id, k);
        break;
      }
      case 'SpendingCorrected': {
        const k = recordKey.get(e.data.corrects);
        const s = k ? v.spending.get(k) : undefined;
        if (k && s) v.spending.set(k, { ...s, total: s.total.plus(e.data.amount), corrections: s.corrections + 1 });
        break;
      }
      case 'SpendingPlanned': {
        const k = planKey(e.data.unit, e.data.month);
        const knownOn = occurredOnDate(e.occurredAt) ?? e.occurredAt.slice(0, 10);
        const p = v.plans.get(k);
        const latest = !p || knownOn >= p.knownOn;
        v.plans.set(k, {
          amount: latest ? new Decimal(e.data.amount) : p.amount,
          knownOn: latest ? knownOn : p.knownOn,
          count: (p?.count ?? 0) + 1,
        });
        break;
      }
      default:
        break;
    }
  }
  return v;
}
