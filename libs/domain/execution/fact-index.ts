/**
 * The facts of one stream parsed and grouped once, for the execution figures: every amount is
 * parsed once (into exact fixed-point units, decimal.ts `toUnits`), budget facts are grouped per
 * line, spending per line and valid month. lineTotals, quarterRates and executionReport derive
 * per-line, per-unit, total, cumulative and quarter figures from these groups instead of
 * re-scanning and re-parsing every fact list per unit, per quarter and per rule (BENCHMARKS.md,
 * proposal 5); only the figures shown become Decimals.
 *
 * Sums are exact, so the order in which facts are added does not change any figure: an aggregated
 * fact list (one fact per line, month, knownOn and kind with the amounts summed) gives the same
 * figures as the list of single facts.
 *
 * Memoized per facts object. Facts are treated as append-only: evolveFacts pushes onto the lists,
 * so the memo remembers which lists (identity and length) it was built from and is rebuilt when
 * they changed. Facts edited in place (an element replaced) are not supported.
 */
import { decimalPlacesOf, fromUnits, toUnits, type Decimal } from '../decimal.js';
import type { IsoDate } from '../events.js';
import type { BudgetFact, ExecutionFacts, SpendingFact } from './facts.js';

interface BudgetEntry {
  effectiveOn: IsoDate;
  knownOn: IsoDate;
  units: bigint;
}

interface SpendingEntry {
  month: number;
  knownOn: IsoDate;
  units: bigint;
}

/** Spending per line slot as known on one date, in units of 10^-scale. */
export interface SpendingView {
  /** [slot][month 1..12]: spending of that valid month (index 0 unused, 0). */
  monthly: readonly (readonly bigint[])[];
  /** [slot][month 0..12]: spending of valid months 1..month. */
  cumulative: readonly (readonly bigint[])[];
}

export interface FactIndex {
  /** Amounts are counts of 10^-scale (the most decimals of any amount, at least 2). */
  readonly scale: number;
  /** Distinct line ids in the order of their first entry in facts.lines; a slot is a position here. */
  readonly lineIds: readonly string[];
  readonly slotOf: ReadonlyMap<string, number>;
  /** [slot]: the line's budget facts. Facts of lines not in facts.lines are left out (they never count). */
  readonly budget: readonly (readonly BudgetEntry[])[];
  /** [slot]: the line's spending facts. */
  readonly spending: readonly (readonly SpendingEntry[])[];
  /** Memos of derived figures, keyed by knownOn ('' = everything) and a date or month. */
  readonly views: Map<string, SpendingView>;
  readonly budgets: Map<string, readonly bigint[]>;
  readonly decimals: Map<string, readonly Decimal[]>;
}

interface Memo {
  lines: unknown[];
  budget: BudgetFact[];
  spending: SpendingFact[];
  lengths: [number, number, number];
  index: FactIndex;
}

const memo = new WeakMap<ExecutionFacts, Memo>();

/** Derived-figure memos per facts object stay small: a long-lived facts object asked about many dates starts over. */
const MAX_MEMO_KEYS = 64;

function build(facts: ExecutionFacts): FactIndex {
  const lineIds: string[] = [];
  const slotOf = new Map<string, number>();
  for (const l of facts.lines) {
    if (!slotOf.has(l.line)) {
      slotOf.set(l.line, lineIds.length);
      lineIds.push(l.line);
    }
  }
  let scale = 2;
  for (const b of facts.budget) scale = Math.max(scale, decimalPlacesOf(b.amount));
  for (const s of facts.spending) scale = Math.max(scale, decimalPlacesOf(s.amount));
  // One group per slot: a slot from slotOf is always inside these arrays.
  const budget: BudgetEntry[][] = lineIds.map(() => []);
  const spending: SpendingEntry[][] = lineIds.map(() => []);
  for (const b of facts.budget) {
    const slot = slotOf.get(b.line);
    if (slot !== undefined)
      budget[slot].push({ effectiveOn: b.effectiveOn, knownOn: b.knownOn, units: toUnits(b.amount, scale) });
  }
  for (const s of facts.spending) {
    const slot = slotOf.get(s.line);
    if (slot === undefined) continue;
    // Valid months are 1..12 (a month of the stream's year, checked at ingest); anything else
    // would silently fall out of the monthly groups, so say so instead.
    if (!Number.isInteger(s.month) || s.month < 1 || s.month > 12)
      throw new Error(`spending fact of line ${s.line}: month ${s.month} is not 1..12`);
    spending[slot].push({ month: s.month, knownOn: s.knownOn, units: toUnits(s.amount, scale) });
  }
  return { scale, lineIds, slotOf, budget, spending, views: new Map(), budgets: new Map(), decimals: new Map() };
}

/** The index of these facts (built on first use, then memoized while the fact lists are unchanged). */
export function factIndex(facts: ExecutionFacts): FactIndex {
  const m = memo.get(facts);
  if (
    m &&
    m.lines === facts.lines &&
    m.budget === facts.budget &&
    m.spending === facts.spending &&
    m.lengths[0] === facts.lines.length &&
    m.lengths[1] === facts.budget.length &&
    m.lengths[2] === facts.spending.length
  ) {
    return m.index;
  }
  const index = build(facts);
  memo.set(facts, {
    lines: facts.lines,
    budget: facts.budget,
    spending: facts.spending,
    lengths: [facts.lines.length, facts.budget.length, facts.spending.length],
    index,
  });
  return index;
}

/** "As known on": only facts recorded on or before the date; null, undefined or '' means everything. */
function knownKey(knownOn: IsoDate | null | undefined): string {
  return knownOn ? knownOn : '';
}

function remember<V>(map: Map<string, V>, key: string, make: () => V): V {
  const hit = map.get(key);
  if (hit !== undefined) return hit;
  if (map.size >= MAX_MEMO_KEYS) map.clear();
  const value = make();
  map.set(key, value);
  return value;
}

/** An amount in the index's units as a Decimal. */
export function amount(index: FactIndex, units: bigint): Decimal {
  return fromUnits(units, index.scale);
}

/**
 * Spending per line and valid month (and cumulative), as known on a date. A line's cumulative
 * spending is never below zero: corrections known without enough of what they correct (a log
 * read as known on a date, corrections out of date order) show the line at zero, not negative,
 * and the months' spending is what the cumulative figures add (so both always agree).
 */
export function spendingView(index: FactIndex, knownOn: IsoDate | null | undefined): SpendingView {
  const known = knownKey(knownOn);
  return remember(index.views, known, () => {
    const monthly: bigint[][] = [];
    const cumulative: bigint[][] = [];
    for (const entries of index.spending) {
      // months[0..12]: e.month is 1..12 (checked in build).
      const months = new Array<bigint>(13).fill(0n);
      for (const e of entries) if (!known || e.knownOn <= known) months[e.month] += e.units;
      const cum = [0n];
      let running = 0n;
      for (let m = 1; m <= 12; m++) {
        running += months[m];
        const shown = running < 0n ? 0n : running;
        months[m] = shown - cum[m - 1];
        cum.push(shown);
      }
      monthly.push(months);
      cumulative.push(cum);
    }
    return { monthly, cumulative };
  });
}

/** Index into a cumulative array for "valid months 1..throughMonth" (months are integers 1..12). */
export function throughIndex(throughMonth: number): number {
  if (!(throughMonth >= 1)) return 0;
  return Math.min(12, Math.floor(throughMonth));
}

/** Spending per line slot of valid months 1..throughMonth, as known on a date, as Decimals. */
export function spentThrough(
  index: FactIndex,
  knownOn: IsoDate | null | undefined,
  throughMonth: number,
): readonly Decimal[] {
  const through = throughIndex(throughMonth);
  // through is 0..12, inside every cumulative array.
  return remember(index.decimals, `spent|${knownKey(knownOn)}|${through}`, () =>
    spendingView(index, knownOn).cumulative.map((cum) => amount(index, cum[through])),
  );
}

/**
 * Budget in force per line slot on a date (allocations and adjustments with effectiveOn ≤ it), as
 * known on a date, in units.
 */
export function budgetUnitsOn(
  index: FactIndex,
  budgetOn: IsoDate,
  knownOn: IsoDate | null | undefined,
): readonly bigint[] {
  const known = knownKey(knownOn);
  return remember(index.budgets, `${budgetOn}|${known}`, () =>
    index.budget.map((entries) => {
      let total = 0n;
      for (const e of entries) if (e.effectiveOn <= budgetOn && (!known || e.knownOn <= known)) total += e.units;
      return total;
    }),
  );
}

/** The same as Decimals. */
export function budgetsOn(
  index: FactIndex,
  budgetOn: IsoDate,
  knownOn: IsoDate | null | undefined,
): readonly Decimal[] {
  return remember(index.decimals, `budget|${budgetOn}|${knownKey(knownOn)}`, () =>
    budgetUnitsOn(index, budgetOn, knownOn).map((u) => amount(index, u)),
  );
}
