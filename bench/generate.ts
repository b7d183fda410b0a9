/**
 * Deterministic benchmark data: N departments × U units × L budget lines per unit × 12 months of
 * valid wire-contract v1 events, one stream per department-year. Streaming (generators): nothing
 * but one department's small write state is held per department, so 10M events never sit in
 * memory at once.
 *
 * Per department (stream `{dept-NNNN}/{year}`), in stream order:
 *   setup:    YearOpened, U × UnitRegistered, U·L × BudgetAllocated (+ 2 TaskPlanned, 3 IndicatorDefined with extras)
 *   month m:  U × SpendingPlanned (plan of month m), U·L × SpendingRecorded (month m),
 *             the SpendingCorrected of records of month m-1, in July the BudgetAdjusted
 *   year end (extras): tasks completed, indicators reported, headcount, assets, procurement,
 *             satisfaction, petitions, disclosure, every judged AssessmentRecorded, SelfEvaluationSubmitted, YearClosed
 *
 * Counts are structural (see `eventsPerDepartment`): C = A = max(1, ⌊U·L/10⌋) corrections and
 * adjustments per department; only their targets and amounts come from the PRNG.
 * No Math.random: a seeded sfc32 per department (seed, department index, year), so any slice of
 * departments generates exactly the events the full run would (clients can split the work).
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FRAMEWORK, judgedCriteria } from '#domain/evaluation/framework.js';

/** An event as sent on the wire (EVENTS.md envelope). */
export interface WireEvent {
  id: string;
  type: string;
  department: string;
  year: number;
  occurredAt: string;
  data: Record<string, unknown>;
}

export type Order = 'stream' | 'month';

export interface GenerateOptions {
  departments: number;
  units: number;
  /** Budget lines per unit. */
  lines: number;
  seed?: number;
  year?: number;
  /** Generate only departments [from, to) of the N (default: all). */
  from?: number;
  to?: number;
  /**
   * 'stream': all events of department 0, then department 1, … (a bulk load, batches touch 1–2 streams).
   * 'month': setup of every department, then month 1 of every department, … (monthly reporting:
   * batches span many streams).
   */
  order?: Order;
  /** Evaluation events (tasks, indicators, reports, assessments, submission, YearClosed); default true. */
  extras?: boolean;
  /** Contract v1.1 monitoring events as well (see `MonitoringShape`); none when left out. */
  monitoring?: MonitoringShape;
}

export const DEFAULT_SEED = 20230101;
export const DEFAULT_YEAR = 2023;

const JUDGED = [...judgedCriteria(DEFAULT_FRAMEWORK).values()];
/** Evaluation events per department when `extras` is on. */
export const EXTRAS_PER_DEPARTMENT = 2 + 3 + 2 + 3 + 6 + JUDGED.length + 1 + 1;

/** Corrections (and adjustments) per department. */
export function correctionsPerDepartment(units: number, lines: number): number {
  return Math.max(1, Math.floor((units * lines) / 10));
}

export function eventsPerDepartment(o: Pick<GenerateOptions, 'units' | 'lines' | 'extras' | 'monitoring'>): number {
  const ul = o.units * o.lines;
  const c = correctionsPerDepartment(o.units, o.lines);
  return (
    1 +
    o.units +
    ul +
    12 * ul +
    12 * o.units +
    c +
    c +
    (o.extras === false ? 0 : EXTRAS_PER_DEPARTMENT) +
    (o.monitoring ? monitoringEventsPerDepartment(o.monitoring) : 0)
  );
}

/** Exact number of events `generateEvents(o)` yields. */
export function countEvents(o: GenerateOptions): number {
  const from = o.from ?? 0;
  const to = o.to ?? o.departments;
  return Math.max(0, to - from) * eventsPerDepartment(o);
}

export function departmentSlug(index: number): string {
  return `dept-${String(index).padStart(4, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// PRNG: splitmix32 to seed sfc32 (fast, 128-bit state, passes PractRand for our purposes).

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seeds: number[]) {
    let h = 0x6a09e667;
    for (const s of seeds) h = splitmix32(h ^ Math.imul(s | 0, 0x85ebca6b))();
    const sm = splitmix32(h);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

// ---------------------------------------------------------------------------------------------

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);

/** Fen (integer cents) to an amount string "1234.56" / "-0.05". */
export function fenToAmount(fen: number): string {
  const neg = fen < 0;
  const abs = Math.abs(fen);
  const s = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return neg ? `-${s}` : s;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const ECONOMIC = ['personnel', 'routine_public', 'three_public', 'other'] as const;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface Line {
  id: string;
  unit: string;
  source: 'fiscal' | 'other';
  budgetFen: number;
}

interface Tagged {
  /** 0 setup, 1..12 months, 13 year end. */
  phase: number;
  event: WireEvent;
}

/** All events of one department-year stream, tagged with their phase, in stream order. */
function* departmentEvents(o: GenerateOptions, index: number): Generator<Tagged> {
  const seed = o.seed ?? DEFAULT_SEED;
  const year = o.year ?? DEFAULT_YEAR;
  const extras = o.extras !== false;
  const rng = new Rng(seed, index, year);
  const department = departmentSlug(index);
  let seq = 0;
  const idSuffix = `8${hex(year - 2000, 2)}`;
  const deptHex = hex(index, 5);
  const nextId = () => {
    const r1 = rng.u32();
    const r2 = rng.u32();
    const id = `${hex(r1, 8)}-${hex(r2 >>> 16, 4)}-4${hex(r2 & 0xfff, 3)}-${idSuffix}${hex(r1 & 0xf, 1)}-${deptHex}${hex(seq, 7)}`;
    seq++;
    return id;
  };
  const ev = (type: string, occurredAt: string, data: Record<string, unknown>): WireEvent => ({
    id: nextId(),
    type,
    department,
    year,
    occurredAt,
    data,
  });
  const date = (m: number, d: number, y = year) => `${y}-${pad2(m)}-${pad2(d)}`;

  // --- setup
  yield {
    phase: 0,
    event: ev('YearOpened', date(1, 3), {
      departmentName: `基准测试第${index + 1}部门`,
      schedule: { Q1: '25', Q2: '50', Q3: '75', Q4: '100' },
      alertThresholds: { yellow: '5', red: '10' },
    }),
  };
  const units: string[] = [];
  for (let u = 0; u < o.units; u++) {
    const unit = `u${String(u).padStart(3, '0')}`;
    units.push(unit);
    yield { phase: 0, event: ev('UnitRegistered', date(1, 3), { unit, name: `业务科室${u + 1}` }) };
  }
  const lines: Line[] = [];
  for (let u = 0; u < o.units; u++) {
    for (let l = 0; l < o.lines; l++) {
      const line: Line = {
        id: `${units[u]}-l${String(l).padStart(2, '0')}`,
        unit: units[u]!,
        source: rng.next() < 0.1 ? 'other' : 'fiscal',
        budgetFen: rng.int(100_000_00, 5_000_000_00),
      };
      lines.push(line);
      yield {
        phase: 0,
        event: ev('BudgetAllocated', date(1, 5), {
          line: line.id,
          unit: line.unit,
          name: `预算项目${u + 1}-${l + 1}`,
          category: l === 0 ? 'basic' : 'project',
          economic: ECONOMIC[(u + l) % ECONOMIC.length],
          source: line.source,
          amount: fenToAmount(line.budgetFen),
        }),
      };
    }
  }
  const tasks = [
    { task: 'kw-main', unit: units[0]!, kind: 'key_work', due: date(12, 31) },
    { task: 'pj-main', unit: units[Math.min(1, units.length - 1)]!, kind: 'project', due: date(11, 30) },
  ];
  const indicators = [
    { indicator: 'out-points', target: '≥18处', actual: `${rng.int(15, 22)}处` },
    { indicator: 'qual-rate', target: '100%', actual: `${rng.int(95, 100)}%` },
    { indicator: 'eff-social', target: '显著', actual: '显著', met: true },
  ];
  if (extras) {
    for (const t of tasks)
      yield {
        phase: 0,
        event: ev('TaskPlanned', date(1, 10), {
          task: t.task,
          unit: t.unit,
          kind: t.kind,
          title: `重点任务 ${t.task}`,
          due: t.due,
        }),
      };
    for (const i of indicators)
      yield {
        phase: 0,
        event: ev('IndicatorDefined', date(1, 10), {
          indicator: i.indicator,
          level1: '产出指标',
          level2: '数量指标',
          name: `指标 ${i.indicator}`,
          target: i.target,
        }),
      };
  }

  // Correction targets: C distinct (line, month) records of months 1..11; adjustments: A distinct lines.
  const nCorr = correctionsPerDepartment(o.units, o.lines);
  const corrTargets = new Set<number>();
  while (corrTargets.size < nCorr) corrTargets.add(rng.int(0, lines.length * 11 - 1));
  const adjLines = new Set<number>();
  while (adjLines.size < nCorr) adjLines.add(rng.int(0, lines.length - 1));
  // nCorr ≤ U·L ≤ 11·U·L, so both sets reach nCorr: the counts are structural.
  const pendingCorrections: { id: string; amountFen: number; month: number }[] = [];

  // --- months
  for (let m = 1; m <= 12; m++) {
    const planOn = m === 1 ? date(1, 2) : date(m - 1, DAYS[m - 2]!);
    for (let u = 0; u < o.units; u++) {
      let planFen = 0;
      for (let l = 0; l < o.lines; l++) planFen += Math.floor(lines[u * o.lines + l]!.budgetFen / 12);
      yield {
        phase: m,
        event: ev('SpendingPlanned', planOn, {
          unit: units[u],
          month: `${year}-${pad2(m)}`,
          amount: fenToAmount(planFen),
        }),
      };
    }
    const recordedOn = m === 12 ? date(1, 5, year + 1) : date(m + 1, 5);
    const thisMonth: { id: string; amountFen: number; li: number }[] = [];
    for (let li = 0; li < lines.length; li++) {
      const line = lines[li]!;
      const amountFen = Math.max(1, Math.floor((line.budgetFen / 12) * (0.6 + 0.6 * rng.next())));
      const e = ev('SpendingRecorded', recordedOn, {
        line: line.id,
        source: line.source,
        month: `${year}-${pad2(m)}`,
        amount: fenToAmount(amountFen),
      });
      thisMonth.push({ id: e.id, amountFen, li });
      yield { phase: m, event: e };
    }
    // Corrections of last month's records, reported this month.
    for (const c of pendingCorrections.splice(0)) {
      const deltaFen =
        rng.next() < 0.7
          ? -Math.max(1, Math.floor(c.amountFen * 0.3 * rng.next()))
          : Math.max(1, Math.floor(c.amountFen * 0.1 * rng.next()));
      yield {
        phase: m,
        event: ev('SpendingCorrected', recordedOn, {
          corrects: c.id,
          amount: fenToAmount(deltaFen),
          reason: `${c.month}月支出更正`,
        }),
      };
    }
    if (m <= 11) {
      for (const r of thisMonth)
        if (corrTargets.has((m - 1) * lines.length + r.li))
          pendingCorrections.push({ id: r.id, amountFen: r.amountFen, month: m });
    }
    if (m === 7) {
      for (const li of [...adjLines].sort((a, b) => a - b)) {
        const line = lines[li]!;
        const deltaFen =
          rng.next() < 0.5
            ? -Math.max(1, Math.floor(line.budgetFen * 0.2 * rng.next()))
            : Math.max(1, Math.floor(line.budgetFen * 0.1 * rng.next()));
        line.budgetFen += deltaFen;
        yield {
          phase: m,
          event: ev('BudgetAdjusted', date(7, 15), {
            line: line.id,
            source: line.source,
            amount: fenToAmount(deltaFen),
            effectiveOn: date(7, 15),
            reason: deltaFen < 0 ? '年中调减' : '年中调增',
          }),
        };
      }
    }
  }

  // --- year end
  if (!extras) return;
  const after = (m: number, d: number) => date(m, d, year + 1);
  yield { phase: 13, event: ev('TaskCompleted', date(12, 20), { task: tasks[0]!.task, completedOn: date(12, 20) }) };
  yield { phase: 13, event: ev('TaskCompleted', date(11, 25), { task: tasks[1]!.task, completedOn: date(11, 25) }) };
  for (const i of indicators) {
    yield {
      phase: 13,
      event: ev('IndicatorReported', after(1, 15), {
        indicator: i.indicator,
        actual: i.actual,
        asOf: date(12, 31),
        ...(i.met !== undefined ? { met: i.met } : {}),
      }),
    };
  }
  const authorized = rng.int(20, 200);
  yield {
    phase: 13,
    event: ev('HeadcountReported', date(12, 31), {
      asOf: date(12, 31),
      authorized,
      onStaff: authorized - rng.int(0, 5),
      directHires: rng.int(0, 30),
      dispatched: rng.int(0, 60),
      retired: rng.int(0, 3),
    }),
  };
  const assetsFen = rng.int(1_000_000_00, 9_000_000_00);
  yield {
    phase: 13,
    event: ev('AssetsReported', date(12, 31), {
      asOf: date(12, 31),
      inUse: fenToAmount(assetsFen - rng.int(0, 100_000_00)),
      total: fenToAmount(assetsFen),
    }),
  };
  const procFen = rng.int(500_000_00, 8_000_000_00);
  yield {
    phase: 13,
    event: ev('ProcurementReported', date(12, 31), {
      planned: fenToAmount(procFen),
      actual: fenToAmount(procFen - rng.int(0, 50_000_00)),
      policyCompliant: true,
    }),
  };
  yield {
    phase: 13,
    event: ev('SatisfactionMeasured', date(12, 31), { rate: String(rng.int(85, 99)), method: '问卷调查' }),
  };
  const received = rng.int(10, 80);
  const replied = received - rng.int(0, 2);
  yield {
    phase: 13,
    event: ev('PetitionsReported', date(12, 31), {
      channel: true,
      received,
      replied,
      repliedOnTime: replied - rng.int(0, 1),
    }),
  };
  yield { phase: 13, event: ev('DisclosureReported', date(12, 31), { budget: 'on_time', finalAccounts: 'on_time' }) };
  const scores: Record<string, string> = {};
  for (const c of JUDGED) {
    const weight = Number(c.weight);
    const score = String(Math.max(0, weight - rng.int(0, 1)));
    scores[c.id] = score;
    yield {
      phase: 13,
      event: ev('AssessmentRecorded', after(1, 20), { criterion: c.id, score, evidence: `评定依据 ${c.name}` }),
    };
  }
  yield { phase: 13, event: ev('SelfEvaluationSubmitted', after(1, 25), { scores, total: '95', grade: '优' }) };
  yield { phase: 13, event: ev('YearClosed', after(1, 31), {}) };
}

// ---------------------------------------------------------------------------------------------
// Contract v1.1 monitoring data (the `monitoring` scenario): the same streams with projects, their
// lines and targets, monthly progress, explanations and follow-ups added. Every other event is the
// one `departmentEvents` yields (BudgetAllocated of a project's line gains `task`), and the added
// events draw from a PRNG of their own, so streams without `monitoring` are unchanged.

/** What `monitoring` adds to each department-year. */
export interface MonitoringShape {
  /** Projects (TaskPlanned of kind project, ≥ 1): project p belongs to unit p mod U. */
  projects: number;
  /** Targets per project (IndicatorDefined with task), each reported every month. */
  indicators: number;
}

/** Fiscal and other lines of a unit fund its projects round robin, at most this many per project. */
export const LINES_PER_PROJECT = 4;
const CAUSES = ['funding', 'policy', 'staffing', 'equipment', 'other'] as const;
/** Target forms (cycled through): at least, at most, days within, a rate, qualitative, a count. */
const TARGET_FORMS = [
  { level1: '产出指标', level2: '数量指标', kind: 'area' },
  { level1: '效益指标', level2: '社会效益指标', kind: 'atMostPercent' },
  { level1: '产出指标', level2: '时效指标', kind: 'days' },
  { level1: '满意度指标', level2: '服务对象满意度指标', kind: 'rate' },
  { level1: '效益指标', level2: '可持续影响指标', kind: 'qualitative' },
  { level1: '产出指标', level2: '数量指标', kind: 'count' },
] as const;

/** Explanations made at the end of month m: a project, a unit, a line, and the department at quarter ends. */
function explanationsInMonth(shape: MonitoringShape, m: number): number {
  if (m < 1 || m > 12) return 0;
  return (shape.projects > 0 ? 1 : 0) + 2 + (m % 3 === 0 ? 1 : 0);
}

/** Events `monitoring` adds per department-year (structural: only their contents come from the PRNG). */
export function monitoringEventsPerDepartment(shape: MonitoringShape): number {
  const targets = shape.projects * shape.indicators;
  let n = shape.projects + targets + 12 * targets;
  // Each explanation: itself, an in_progress follow-up a month later, a final one two months later (within the year).
  for (let m = 1; m <= 12; m++)
    n += explanationsInMonth(shape, m) + explanationsInMonth(shape, m - 1) + explanationsInMonth(shape, m - 2);
  return n;
}

/** A department-year's events with the monitoring events of `o.monitoring` (see above). */
function* monitoredDepartmentEvents(o: GenerateOptions, index: number, shape: MonitoringShape): Generator<Tagged> {
  const seed = o.seed ?? DEFAULT_SEED;
  const year = o.year ?? DEFAULT_YEAR;
  const rng = new Rng(seed, index, year, 0x6d6f6e);
  const department = departmentSlug(index);
  const deptHex = hex(index, 5);
  let seq = 0;
  const nextId = () => {
    const r1 = rng.u32();
    const r2 = rng.u32();
    // "9" where departmentEvents' ids have "8": never the id of one of its events.
    return `${hex(r1, 8)}-${hex(r2 >>> 16, 4)}-4${hex(r2 & 0xfff, 3)}-9${hex(year - 2000, 2)}${hex(r1 & 0xf, 1)}-${deptHex}${hex(seq++, 7)}`;
  };
  const ev = (type: string, occurredAt: string, data: Record<string, unknown>): WireEvent => ({
    id: nextId(),
    type,
    department,
    year,
    occurredAt,
    data,
  });
  const date = (m: number, d: number, y = year) => `${y}-${pad2(m)}-${pad2(d)}`;
  const monthEnd = (m: number) => date(m, m === 2 && year % 4 === 0 ? 29 : DAYS[m - 1]!);
  const after = (m: number, d: number) => (m < 12 ? date(m + 1, d) : date(1, d, year + 1));
  const unitOf = (u: number) => `u${String(u).padStart(3, '0')}`;

  // Projects and the lines funding them: the projects of a unit take its lines (from l01, or l00
  // when a unit has one line) round robin, at most LINES_PER_PROJECT each.
  const projects = Array.from({ length: shape.projects }, (_, p) => ({
    task: `mp-${String(p).padStart(2, '0')}`,
    unit: p % o.units,
    lines: [] as string[],
  }));
  const lineTask = new Map<string, string>();
  for (let u = 0; u < o.units; u++) {
    const own = projects.filter((p) => p.unit === u);
    if (own.length === 0) continue;
    const first = o.lines > 1 ? 1 : 0;
    for (let l = first, k = 0; l < o.lines && k < own.length * LINES_PER_PROJECT; l++, k++) {
      const p = own[k % own.length]!;
      const line = `${unitOf(u)}-l${String(l).padStart(2, '0')}`;
      p.lines.push(line);
      lineTask.set(line, p.task);
    }
  }
  const targets = projects.flatMap((p, pi) =>
    Array.from({ length: shape.indicators }, (_, t) => {
      const form = TARGET_FORMS[(pi + t) % TARGET_FORMS.length]!;
      const goal = form.kind === 'area' ? rng.int(10, 500) * 100 : form.kind === 'count' ? rng.int(20, 80) : 0;
      const target =
        form.kind === 'area'
          ? `≥${goal}亩`
          : form.kind === 'atMostPercent'
            ? '≤5%'
            : form.kind === 'days'
              ? '30天内'
              : form.kind === 'rate'
                ? '≥95%'
                : form.kind === 'qualitative'
                  ? '明显提升'
                  : `≥${goal}家`;
      return { indicator: `${p.task}-t${t}`, task: p.task, p: pi, t, form, goal, target };
    }),
  );
  const allLines: string[] = [];
  const explanations: { id: string; n: number }[][] = Array.from({ length: 13 }, () => []);
  let explained = 0;

  function* setup(): Generator<Tagged> {
    for (const p of projects)
      yield {
        phase: 0,
        event: ev('TaskPlanned', date(1, 4), {
          task: p.task,
          unit: unitOf(p.unit),
          kind: 'project',
          title: `监控项目${p.task.slice(3)}`,
          due: date(12, 31),
        }),
      };
    for (const t of targets)
      yield {
        phase: 0,
        event: ev('IndicatorDefined', date(1, 4), {
          indicator: t.indicator,
          level1: t.form.level1,
          level2: t.form.level2,
          name: `${t.form.level2} ${t.indicator}`,
          target: t.target,
          task: t.task,
        }),
      };
  }

  function* month(m: number): Generator<Tagged> {
    const reportedOn = after(m, 8);
    for (const t of targets) {
      const share = (m / 12) * (0.6 + 0.6 * rng.next());
      const actual =
        t.form.kind === 'area'
          ? `${Math.floor(t.goal * share)}亩`
          : t.form.kind === 'atMostPercent'
            ? `${rng.int(20, 80) / 10}%`
            : t.form.kind === 'days'
              ? `${rng.int(15, 45)}天`
              : t.form.kind === 'rate'
                ? `${rng.int(85, 100)}%`
                : t.form.kind === 'qualitative'
                  ? '稳步推进'
                  : `${Math.floor(t.goal * share)}家`;
      const k = (t.p * 7 + t.t * 3 + m) % 20;
      const likelihood = k === 0 ? 'impossible' : k <= 3 ? 'possible' : 'certain';
      yield {
        phase: m,
        event: ev('IndicatorProgressReported', reportedOn, {
          indicator: t.indicator,
          asOf: monthEnd(m),
          actual,
          ...(t.form.kind === 'area' ? { expectedYearEnd: `${Math.floor(t.goal * (0.8 + 0.3 * rng.next()))}亩` } : {}),
          likelihood,
          ...(likelihood === 'certain'
            ? {}
            : {
                deviation: { cause: CAUSES[rng.int(0, CAUSES.length - 1)], reason: `${m}月进度滞后` },
                measure: `加快${t.indicator}实施进度`,
              }),
        }),
      };
    }
    // Follow-ups of the explanations of the two months before.
    for (const e of m >= 2 ? explanations[m - 1]! : [])
      yield {
        phase: m,
        event: ev('CorrectiveActionReported', after(m, 12), {
          explanation: e.id,
          on: monthEnd(m),
          status: 'in_progress',
          note: '正在整改',
        }),
      };
    for (const e of m >= 3 ? explanations[m - 2]! : [])
      yield {
        phase: m,
        event: ev('CorrectiveActionReported', after(m, 12), {
          explanation: e.id,
          on: monthEnd(m),
          status: e.n % 4 === 3 ? 'abandoned' : 'done',
          note: e.n % 4 === 3 ? '措施不可行，另行研究' : '整改完成',
        }),
      };
    const subjects: Record<string, unknown>[] = [];
    if (projects.length > 0) subjects.push({ kind: 'task', id: projects[(m - 1) % projects.length]!.task });
    subjects.push({ kind: 'unit', id: unitOf((m - 1) % o.units) });
    const project = projects[(m - 1) % Math.max(1, projects.length)];
    subjects.push({ kind: 'line', id: project?.lines[0] ?? allLines[(m * 37) % allLines.length] });
    if (m % 3 === 0) subjects.push({ kind: 'department' });
    for (const subject of subjects) {
      const e = ev('DeviationExplained', after(m, 10), {
        subject,
        asOf: monthEnd(m),
        cause: CAUSES[rng.int(0, CAUSES.length - 1)],
        reason: `${m}月执行进度低于序时进度`,
        measure: '加快项目实施和资金支付进度',
        due: monthEnd(Math.min(12, m + 2)),
      });
      explanations[m]!.push({ id: e.id, n: explained++ });
      yield { phase: m, event: e };
    }
  }

  let done = 0; // months whose monitoring events are out
  let setupDone = false;
  for (const t of departmentEvents(o, index)) {
    const e = t.event;
    if (!setupDone && e.type === 'BudgetAllocated') {
      yield* setup();
      setupDone = true;
    }
    for (; done < Math.min(12, t.phase - 1);) yield* month(++done);
    if (e.type === 'BudgetAllocated') {
      const line = e.data.line as string;
      allLines.push(line);
      const task = lineTask.get(line);
      yield task === undefined ? t : { phase: t.phase, event: { ...e, data: { ...e.data, task } } };
    } else yield t;
  }
  for (; done < 12;) yield* month(++done);
}

/** One department-year's events: with the monitoring events when `o.monitoring` asks for them. */
function streamEvents(o: GenerateOptions, index: number): Generator<Tagged> {
  return o.monitoring ? monitoredDepartmentEvents(o, index, o.monitoring) : departmentEvents(o, index);
}

/** The events of departments [from, to), streaming, in the requested order. */
export function* generateEvents(o: GenerateOptions): Generator<WireEvent> {
  const from = o.from ?? 0;
  const to = o.to ?? o.departments;
  if ((o.order ?? 'stream') === 'stream') {
    for (let d = from; d < to; d++) for (const t of streamEvents(o, d)) yield t.event;
    return;
  }
  // Month order: phase by phase, department by department (one lookahead event per department).
  const its: Generator<Tagged>[] = [];
  const heads: (Tagged | undefined)[] = [];
  for (let d = from; d < to; d++) {
    const it = streamEvents(o, d);
    its.push(it);
    const r = it.next();
    heads.push(r.done ? undefined : r.value);
  }
  for (let phase = 0; phase <= 13; phase++) {
    for (let i = 0; i < its.length; i++) {
      while (heads[i] && heads[i]!.phase === phase) {
        yield heads[i]!.event;
        const r = its[i]!.next();
        heads[i] = r.done ? undefined : r.value;
      }
    }
  }
}

/** The same events as NDJSON lines (no trailing newline). */
export function* generateNdjson(o: GenerateOptions): Generator<string> {
  for (const e of generateEvents(o)) yield JSON.stringify(e);
}

/** Request bodies prepared in a file (see ndjsonBodies). */
export interface PreparedBodies {
  /** The temp file holding them (removed by close). */
  file: string;
  count: number;
  /** Reads the i-th body (in order). */
  read(i: number): Promise<Buffer>;
  /** Closes and removes the file. */
  close(): Promise<void>;
}

/**
 * Request bodies of `size` NDJSON lines each, written to a temp file before a run's clock starts:
 * HTTP clients then only read and send them, as a load tool replays prepared requests. Generating
 * the lines while sending took ~20% of a core (one of the service's two) in the ingest runs before
 * the sixth city run of 2026-11-29. In a file rather than in memory so that the city's 2.4 GB do
 * not count in the bench process's peak RSS (the page cache holds them).
 */
export async function ndjsonBodies(o: GenerateOptions, size: number): Promise<PreparedBodies> {
  const dir = await mkdtemp(join(tmpdir(), 'paceline-bodies-'));
  const file = join(dir, 'bodies.ndjson');
  const out = await open(file, 'w');
  const spans: [number, number][] = [];
  let offset = 0;
  try {
    for (const lines of batches(generateNdjson(o), size)) {
      const body = Buffer.from(lines.join('\n'));
      await out.write(body, 0, body.length, offset);
      spans.push([offset, body.length]);
      offset += body.length;
    }
  } finally {
    await out.close();
  }
  const input = await open(file, 'r');
  return {
    file,
    count: spans.length,
    read: async (i) => {
      const [at, length] = spans[i]!;
      const buffer = Buffer.allocUnsafe(length);
      await input.read(buffer, 0, length, at);
      return buffer;
    },
    close: async () => {
      await input.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Groups an iterable into arrays of at most `size` items (streaming). */
export function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Splits departments [0, n) into `parts` contiguous ranges (for concurrent clients). */
export function splitDepartments(n: number, parts: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  const k = Math.max(1, Math.min(parts, n));
  for (let i = 0; i < k; i++) out.push({ from: Math.floor((i * n) / k), to: Math.floor(((i + 1) * n) / k) });
  return out;
}
