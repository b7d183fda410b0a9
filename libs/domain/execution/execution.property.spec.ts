/**
 * The grouped, parse-once execution figures (fact-index.ts) against a straightforward reference:
 * the scan-every-fact implementation they replaced, kept here verbatim. Randomized facts
 * (fast-check) with knownOn filters, adjustments with effectiveOn, both fund sources, corrections,
 * lines of unregistered units, facts of unknown lines and repeated line entries; the same figures
 * must come out of the single facts, of the facts aggregated per (line, month, knownOn, kind) as
 * the read model may return them, and of the facts in another order.
 */
import fc from 'fast-check';
import { lastDayOfMonth } from '../dates.js';
import { Decimal, ZERO } from '../decimal.js';
import type { CheckpointInput, Economic, FundSource, IsoDate, Schedule } from '../events.js';
import {
  addTotals,
  checkpoints,
  executionReport,
  forecast,
  lineIncluded,
  lineTotals,
  monthThrough,
  monthlySchedule,
  nextCheckpoint,
  quarterRates,
  quarterSchedule,
  quarterlySchedule,
  requireMeta,
  standing,
  type ExecutionQuery,
  type ExecutionReport,
  type FigureWindow,
  type LineExecution,
  type QuarterRate,
  type SourceFilter,
  type Totals,
  type UnitExecution,
} from './execution.js';
import {
  evolveFacts,
  scheduleOf,
  type BudgetFact,
  type ExecutionFacts,
  type LineInfo,
  type SpendingFact,
} from './facts.js';

// ---- reference: the implementation before fact-index.ts (one scan of all facts per line set) ----

const ref = {
  lineTotals(facts: ExecutionFacts, w: FigureWindow): Map<string, Totals> {
    const out = new Map<string, Totals>();
    for (const l of facts.lines) if (lineIncluded(l, w.source)) out.set(l.line, { budget: ZERO, spent: ZERO });
    const known = (d: IsoDate) => !w.knownOn || d <= w.knownOn;
    for (const b of facts.budget) {
      const t = out.get(b.line);
      if (t && b.effectiveOn <= w.budgetOn && known(b.knownOn)) t.budget = t.budget.plus(b.amount);
    }
    for (const [line, t] of out) {
      // A line's spending never shows below zero at any month (the running sum, clamped at 0).
      const cum = ref.lineCumulative(facts, line, w.knownOn);
      t.spent = cum[Math.max(0, Math.min(12, Math.floor(w.throughMonth)))]!;
    }
    return out;
  },

  lineCumulative(facts: ExecutionFacts, line: string, knownOn: IsoDate | null | undefined): Decimal[] {
    const perMonth: Decimal[] = Array.from({ length: 13 }, () => ZERO);
    for (const s of facts.spending)
      if (s.line === line && (!knownOn || s.knownOn <= knownOn)) perMonth[s.month] = perMonth[s.month]!.plus(s.amount);
    const out: Decimal[] = [ZERO];
    let running = ZERO;
    for (let m = 1; m <= 12; m++) {
      running = running.plus(perMonth[m]!);
      out.push(Decimal.max(ZERO, running));
    }
    return out;
  },

  totalOf(map: Map<string, Totals>, lines?: Iterable<string>): Totals {
    let t: Totals = { budget: ZERO, spent: ZERO };
    for (const k of lines ? [...lines] : [...map.keys()]) {
      const v = map.get(k);
      if (v) t = addTotals(t, v);
    }
    return t;
  },

  quarterRates(
    facts: ExecutionFacts,
    opts: { source: SourceFilter; knownOn?: IsoDate | null; lines?: Iterable<string> },
  ): QuarterRate[] {
    const meta = requireMeta(facts);
    const cps = quarterSchedule(meta);
    return ([1, 2, 3, 4] as const).map((q) => {
      const date = lastDayOfMonth(meta.year, q * 3);
      const t = ref.totalOf(
        ref.lineTotals(facts, { budgetOn: date, throughMonth: q * 3, knownOn: opts.knownOn, source: opts.source }),
        opts.lines,
      );
      const s = standing(meta, t, cps[q]!);
      return {
        quarter: q,
        date,
        budget: t.budget,
        spent: t.spent,
        rate: s.rate,
        schedule: cps[q]!,
        lag: s.lag,
        level: s.level,
      };
    });
  },

  cumulativeByMonth(facts: ExecutionFacts, lines: Set<string>, knownOn: IsoDate | null | undefined): Decimal[] {
    const out: Decimal[] = Array.from({ length: 13 }, () => ZERO);
    for (const line of lines) {
      const cum = ref.lineCumulative(facts, line, knownOn);
      for (let m = 0; m <= 12; m++) out[m] = out[m]!.plus(cum[m]!);
    }
    return out;
  },

  executionReport(facts: ExecutionFacts, q: ExecutionQuery): ExecutionReport {
    const meta = requireMeta(facts);
    const month = monthThrough(meta.year, q.asOf);
    const schedule = monthlySchedule(meta, month);
    const perLine = ref.lineTotals(facts, {
      budgetOn: q.asOf,
      throughMonth: month,
      knownOn: q.knownOn,
      source: q.source,
    });
    const runRateMonths = q.runRateMonths ?? 3;
    const forecastFor = (lineIds: Set<string>, budget: Decimal) =>
      forecast({ meta, month, budget, cumulative: ref.cumulativeByMonth(facts, lineIds, q.knownOn), runRateMonths });
    const included = facts.lines.filter((l) => perLine.has(l.line));
    const lines: LineExecution[] = included.map((l) => ({
      line: l.line,
      unit: l.unit,
      name: l.name,
      category: l.category,
      economic: l.economic,
      source: l.source,
      ...standing(meta, perLine.get(l.line)!, schedule),
    }));
    const units: UnitExecution[] = facts.units.map((u) => {
      const ids = new Set(included.filter((l) => l.unit === u.unit).map((l) => l.line));
      const t = ref.totalOf(perLine, ids);
      return { unit: u.unit, name: u.name, ...standing(meta, t, schedule), forecast: forecastFor(ids, t.budget) };
    });
    const all = ref.totalOf(perLine);
    return {
      department: meta.department,
      year: meta.year,
      departmentName: meta.departmentName,
      asOf: q.asOf,
      knownOn: q.knownOn ?? null,
      source: q.source,
      throughMonth: month,
      checkpoint: nextCheckpoint(meta, month),
      quarterly: quarterlySchedule(meta),
      checkpoints: checkpoints(meta),
      total: { ...standing(meta, all, schedule), forecast: forecastFor(new Set(perLine.keys()), all.budget) },
      units,
      lines,
    };
  },
};

// ---- generated facts ----

const YEAR = 2023;
const dayOf = (n: number): IsoDate => new Date(Date.UTC(YEAR, 0, 1 + n)).toISOString().slice(0, 10);
/** Dates from a small pool most of the time, so that knownOn and effectiveOn often fall on the very day asked. */
const date = fc
  .oneof(fc.constantFrom(0, 30, 31, 89, 90, 120, 180, 181, 272, 364), fc.integer({ min: 0, max: 364 }))
  .map(dayOf);
/** Valid-looking amounts of every shape the validation accepts ("12", "12.3", "-12.34"), up to 13 integer digits. */
const amount = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.bigInt({ min: 0n, max: 99_999n }), fc.bigInt({ min: 0n, max: 999_999_999_999_999n })),
    fc.constantFrom(0, 1, 2),
  )
  .map(([neg, cents, decimals]) => {
    const s = cents.toString().padStart(3, '0');
    const whole = s.slice(0, -2).replace(/^0+(?=\d)/, '');
    const frac = s.slice(-2);
    const text = decimals === 0 ? whole : decimals === 1 ? `${whole}.${frac[0]}` : `${whole}.${frac}`;
    return neg && !/^[0.]+$/.test(text) ? `-${text}` : text;
  });
const lineId = fc.integer({ min: 0, max: 8 }).map((i) => `l${i}`); // l8 is never allocated
const unitId = fc.integer({ min: 0, max: 4 }).map((i) => `u${i}`); // u4 is never registered

const line: fc.Arbitrary<Omit<LineInfo, 'line'>> = fc.record({
  unit: unitId,
  name: fc.constant('line'),
  category: fc.constantFrom('basic' as const, 'project' as const),
  economic: fc.constantFrom<Economic>('personnel', 'routine_public', 'three_public', 'other'),
  source: fc.constantFrom<FundSource>('fiscal', 'fiscal', 'other'),
  // Structure known from the start here: late structure is the known-on property test's subject.
  knownOn: fc.constant(''),
});

const factsArb: fc.Arbitrary<ExecutionFacts> = fc
  .record({
    units: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
    lines: fc.array(line, { minLength: 1, maxLength: 8 }),
    /** A line id allocated twice (never accepted by the stream rules, but the figures must not change meaning). */
    repeat: fc.option(fc.tuple(fc.nat(), line), { freq: 8 }),
    allocations: fc.array(fc.tuple(amount, date), { minLength: 8, maxLength: 8 }),
    adjustments: fc.array(fc.record({ line: lineId, effectiveOn: date, knownOn: date, amount }), { maxLength: 10 }),
    spending: fc.array(
      fc.record({
        line: lineId,
        month: fc.integer({ min: 1, max: 12 }),
        knownOn: date,
        amount,
        kind: fc.constantFrom('recorded' as const, 'correction' as const),
      }),
      { maxLength: 80 },
    ),
    schedule: fc.constantFrom<{ schedule?: Schedule; checkpoints?: CheckpointInput[] }>(
      { schedule: { Q1: '25', Q2: '50', Q3: '75', Q4: '100' } },
      { schedule: { Q1: '10', Q2: '40', Q3: '70', Q4: '100' } },
      // Sichuan style (MONITORING.md v1.1), with a checkpoint in the middle of July.
      {
        checkpoints: [
          { on: '04-30', percent: '25' },
          { on: '06-30', percent: '40' },
          { on: '07-15', percent: '50' },
          { on: '08-31', percent: '60' },
          { on: '10-31', percent: '80' },
        ],
      },
    ),
  })
  .map((r) => {
    const lines: LineInfo[] = r.lines.map((l, i) => ({ ...l, line: `l${i}` }));
    if (r.repeat) lines.push({ ...r.repeat[1], line: `l${r.repeat[0] % lines.length}` });
    const budget: BudgetFact[] = [
      ...lines.map((l, i) => ({
        line: l.line,
        kind: 'allocation' as const,
        effectiveOn: `${YEAR}-01-01`,
        knownOn: r.allocations[i % 8]![1],
        amount: r.allocations[i % 8]![0],
      })),
      ...r.adjustments.map((a) => ({ ...a, kind: 'adjustment' as const })),
    ];
    return {
      meta: {
        department: 'd',
        year: YEAR,
        departmentName: 'D',
        ...scheduleOf(YEAR, r.schedule),
        thresholds: { yellow: '5', red: '10', divergence: '10' },
        openedOn: `${YEAR}-01-01`,
        closedOn: null,
      },
      units: r.units.map((u) => ({ unit: `u${u}`, name: `U${u}`, knownOn: '' })),
      lines,
      budget,
      spending: r.spending as SpendingFact[],
      plans: [],
      records: new Map(),
    };
  });

/** The facts as an aggregating read model may return them: amounts summed per group, no record ids. */
function aggregated(facts: ExecutionFacts): ExecutionFacts {
  const group = <T extends { amount: string }>(list: T[], key: (f: T) => string): T[] => {
    const out = new Map<string, { fact: T; sum: Decimal }>();
    for (const f of list) {
      const g = out.get(key(f));
      if (g) g.sum = g.sum.plus(f.amount);
      else out.set(key(f), { fact: f, sum: new Decimal(f.amount) });
    }
    return [...out.values()].map((g) => ({ ...g.fact, amount: g.sum.toFixed(2) }));
  };
  return {
    ...facts,
    budget: group(facts.budget, (b) => [b.line, b.kind, b.effectiveOn, b.knownOn].join('|')),
    spending: group(facts.spending, (s) => [s.line, s.month, s.knownOn, s.kind].join('|')),
    records: new Map(),
  };
}

function reversed(facts: ExecutionFacts): ExecutionFacts {
  return { ...facts, budget: [...facts.budget].reverse(), spending: [...facts.spending].reverse() };
}

const queryArb = fc.record({
  asOf: fc.oneof(
    date,
    fc.integer({ min: 1, max: 12 }).map((m) => lastDayOfMonth(YEAR, m)),
    fc.constantFrom('2022-12-31', '2024-01-15'),
  ),
  knownOn: fc.option(date, { nil: null }),
  source: fc.constantFrom<SourceFilter>('fiscal', 'all'),
  runRateMonths: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
});

/** JSON of figures: Decimals by value (sign of zero included), Maps as entry lists. */
const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? [...x.entries()] : x));

/** Bounded in time, shrinking included (a failure still reports its shrunk counterexample found so far). */
const RUNS = { numRuns: 300, seed: 20250701, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true };

describe('execution figures from grouped facts equal the reference', () => {
  test('executionReport: single, aggregated and reordered facts', () => {
    fc.assert(
      fc.property(factsArb, queryArb, (facts, q) => {
        const expected = json(ref.executionReport(facts, q));
        expect(json(executionReport(facts, q))).toBe(expected);
        expect(json(executionReport(aggregated(facts), q))).toBe(expected);
        expect(json(executionReport(reversed(facts), q))).toBe(expected);
      }),
      RUNS,
    );
  });

  test('lineTotals for any window', () => {
    const windowArb = fc.record({
      budgetOn: date,
      throughMonth: fc.integer({ min: -1, max: 13 }),
      knownOn: fc.option(date, { nil: null }),
      source: fc.constantFrom<SourceFilter>('fiscal', 'all'),
    });
    fc.assert(
      fc.property(factsArb, windowArb, (facts, w) => {
        const expected = json(ref.lineTotals(facts, w));
        expect(json(lineTotals(facts, w))).toBe(expected);
        expect(json(lineTotals(aggregated(facts), w))).toBe(expected);
      }),
      RUNS,
    );
  });

  test('quarterRates of the department and of any list of lines', () => {
    const optsArb = fc.record({
      source: fc.constantFrom<SourceFilter>('fiscal', 'all'),
      knownOn: fc.option(date, { nil: null }),
      lines: fc.option(fc.array(lineId, { maxLength: 6 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(factsArb, optsArb, (facts, opts) => {
        const expected = json(ref.quarterRates(facts, opts));
        expect(json(quarterRates(facts, opts))).toBe(expected);
        expect(json(quarterRates(aggregated(facts), opts))).toBe(expected);
      }),
      RUNS,
    );
  });

  test('facts that grow after a figure was computed (evolveFacts pushes) are figured afresh', () => {
    fc.assert(
      fc.property(
        factsArb,
        queryArb,
        fc.array(fc.record({ month: fc.integer({ min: 1, max: 12 }), amount }), { minLength: 1, maxLength: 5 }),
        (generated, q, more) => {
          // A copy: fast-check may hand the same generated value to several runs while shrinking.
          const facts = {
            ...generated,
            lines: [...generated.lines],
            budget: [...generated.budget],
            spending: [...generated.spending],
            records: new Map(generated.records),
          };
          executionReport(facts, q);
          quarterRates(facts, { source: q.source, knownOn: q.knownOn });
          for (const m of more) {
            evolveFacts(facts, {
              id: `more-${m.month}-${m.amount}`,
              type: 'SpendingRecorded',
              department: 'd',
              year: YEAR,
              occurredAt: `${YEAR}-01-31`,
              occurredOn: `${YEAR}-01-31`,
              data: {
                line: facts.lines[0]!.line,
                source: facts.lines[0]!.source,
                month: `${YEAR}-${String(m.month).padStart(2, '0')}`,
                amount: m.amount,
              },
            } as never);
          }
          expect(json(executionReport(facts, q))).toBe(json(ref.executionReport(facts, q)));
          expect(json(quarterRates(facts, { source: q.source, knownOn: q.knownOn }))).toBe(
            json(ref.quarterRates(facts, { source: q.source, knownOn: q.knownOn })),
          );
        },
      ),
      { ...RUNS, numRuns: 100 },
    );
  });

  test('a spending month outside 1..12 is refused rather than silently dropped', () => {
    const facts = fc.sample(factsArb, { numRuns: 1, seed: 1 })[0]!;
    facts.spending = [
      { line: facts.lines[0]!.line, month: 13, knownOn: `${YEAR}-01-01`, amount: '1.00', kind: 'recorded' },
    ];
    expect(() => executionReport(facts, { asOf: `${YEAR}-12-31`, source: 'all' })).toThrow(/month 13 is not 1\.\.12/);
  });
});
