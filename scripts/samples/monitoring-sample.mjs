#!/usr/bin/env node
/**
 * Writes samples/yantian-emergency-2023-monitoring.jsonl, the contract v1.1 edition of the reference
 * year (深圳市盐田区应急管理局, 2023), from the v1 sample samples/yantian-emergency-2023.jsonl, which
 * stays as it is. The v1.1 file is loaded instead of the v1 file (same stream yantian-emergency/2023):
 *
 * - every v1 event is kept, line for line, except the BudgetAllocated of the five project lines
 *   (safety, safety-other, disaster, invest, emergency), which gain `data.task` and therefore a new
 *   id (the v1 id + `-v11`: an id is an idempotency key, the same id with other content is a 409);
 * - four projects (TaskPlanned kind project, due 2023-12-31) right after the UnitRegistered events,
 *   dated 2023-01-04 so the allocations that name them follow; each completed on 2023-12-29;
 * - their targets (IndicatorDefined with `task`, 2023-01-10), the progress of each target through
 *   2023-07-31 (IndicatorProgressReported, recorded 2023-08-08) and its year-end actual;
 * - a DeviationExplained (2023-07-10) for every unit red at the end of June (fiscal funds, schedule
 *   and thresholds of the YearOpened) except one, left unexplained on purpose (an overdue
 *   explanation in the monitoring view), and two CorrectiveActionReported following it.
 *
 * Deterministic: no clock, no randomness; the new ids are `mon-…` names. Plain Node, no dependency.
 * Usage: node scripts/samples/monitoring-sample.mjs [output file]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const INPUT = path.join(ROOT, 'samples', 'yantian-emergency-2023.jsonl');
const OUTPUT = process.argv[2]
  ? path.resolve(process.argv[2])
  : path.join(ROOT, 'samples', 'yantian-emergency-2023-monitoring.jsonl');

const DEPARTMENT = 'yantian-emergency';
const YEAR = 2023;
/** The monitoring date of the progress reports (1–7月) and the day they were filed. */
const PROGRESS_AS_OF = '2023-07-31';
const PROGRESS_FILED = '2023-08-08';

/** The projects (预算项目) of the 年度主要任务 table and the lines that fund them. */
const PROJECTS = [
  { task: 'pj-safety', unit: 'safety', title: '安全生产工作', lines: ['safety', 'safety-other'] },
  { task: 'pj-disaster', unit: 'disaster', title: '自然灾害防治工作', lines: ['disaster'] },
  {
    task: 'pj-invest',
    unit: 'command',
    title: '政府投资项目（智慧森林防火、智慧安全风险管理、智慧城市指挥中心二期）',
    lines: ['invest'],
  },
  { task: 'pj-emergency', unit: 'emergency', title: '应急管理工作', lines: ['emergency'] },
];

const certain = { likelihood: 'certain' };

/**
 * The projects' targets (项目绩效目标): level1/level2/name/target as in the 自评表, the progress
 * through July (actual, expected at the year end, likelihood) and the year-end actual.
 */
const TARGETS = [
  {
    indicator: 'pj-safety-firms',
    task: 'pj-safety',
    level1: '产出指标',
    level2: '数量指标',
    name: '安全生产执法检查企业',
    target: '≥400家',
    progress: { actual: '246家', expectedYearEnd: '420家', ...certain },
    yearEnd: '428家',
  },
  {
    indicator: 'pj-safety-training',
    task: 'pj-safety',
    level1: '产出指标',
    level2: '数量指标',
    name: '安全生产干部培训',
    target: '≥300人次',
    progress: { actual: '168人次', expectedYearEnd: '320人次', ...certain },
    yearEnd: '326人次',
  },
  {
    indicator: 'pj-disaster-patrol',
    task: 'pj-disaster',
    level1: '产出指标',
    level2: '数量指标',
    name: '地质灾害隐患点巡查',
    target: '≥66处',
    progress: { actual: '66处', expectedYearEnd: '66处', ...certain },
    yearEnd: '66处',
  },
  {
    indicator: 'pj-disaster-works',
    task: 'pj-disaster',
    level1: '产出指标',
    level2: '数量指标',
    name: '地质灾害隐患点工程治理',
    target: '≥4处',
    progress: { actual: '1处', expectedYearEnd: '4处', ...certain },
    yearEnd: '4处',
  },
  {
    indicator: 'pj-disaster-response',
    task: 'pj-disaster',
    level1: '产出指标',
    level2: '时效指标',
    name: '突发性地质灾害处理时间',
    target: '10天内',
    progress: { actual: '3天', expectedYearEnd: '3天', ...certain },
    yearEnd: '3天',
  },
  {
    indicator: 'pj-invest-build',
    task: 'pj-invest',
    level1: '产出指标',
    level2: '时效指标',
    name: '信息化系统年内建设完成率',
    target: '100%',
    progress: { actual: '40%', expectedYearEnd: '100%', ...certain },
    yearEnd: '100%',
  },
  {
    indicator: 'pj-invest-accept',
    task: 'pj-invest',
    level1: '产出指标',
    level2: '质量指标',
    name: '通过验收的信息化系统',
    target: '3个',
    progress: { actual: '0个', expectedYearEnd: '3个', ...certain },
    yearEnd: '3个',
  },
  {
    indicator: 'pj-emergency-drills',
    task: 'pj-emergency',
    level1: '产出指标',
    level2: '数量指标',
    name: '应急演练',
    target: '≥12次',
    progress: {
      actual: '5次',
      expectedYearEnd: '12次',
      likelihood: 'possible',
      deviation: {
        cause: 'staffing',
        reason: '上半年科室人员抽调参与疫情防控人员转运服务，演练组织力量不足，1—7月完成应急演练5次，低于时间进度',
      },
      measure:
        '8—12月每月至少组织1次综合或专项演练，9月结合防台风、11月结合森林防火各加开1次；联合街道、重点企业共同组织，补齐全年12次',
    },
    yearEnd: '12次',
  },
  {
    indicator: 'pj-emergency-supplies',
    task: 'pj-emergency',
    level1: '产出指标',
    level2: '质量指标',
    name: '应急物资储备完好率',
    target: '≥95%',
    progress: { actual: '97%', expectedYearEnd: '97%', ...certain },
    yearEnd: '98%',
  },
  {
    indicator: 'pj-emergency-response',
    task: 'pj-emergency',
    level1: '效益指标',
    level2: '社会效益指标',
    name: '突发事件应急响应到位率',
    target: '100%',
    progress: { actual: '100%', expectedYearEnd: '100%', ...certain },
    yearEnd: '100%',
  },
];

/** The explanation of each red unit but one (偏差原因 / 纠偏措施), with its follow-up. */
const EXPLANATIONS = {
  command: {
    cause: 'policy',
    reason:
      '政府投资项目（智慧城市指挥中心二期等）须完成项目评审、概算批复后方可签订合同并支付，上半年概算尚未下达，仅支付智慧森林防火、智慧安全风险管理系统进度款，1—6月财政拨款执行率16.75%，低于序时进度33.25个百分点',
    measure:
      '加快与区发展改革、财政部门对接，推动概算批复；已完成评审的系统按合同节点及时支付进度款；年内确实无法支出的资金按程序申请调减',
    actions: [
      {
        on: '2023-08-15',
        status: 'in_progress',
        note: '已申请调减政府投资项目预算155.64万元（7月15日生效，调整后预算827.44万元）；智慧城市指挥中心二期已完成项目评审，待概算下达后签订合同；1—7月执行率24.87%',
      },
      {
        on: '2023-09-20',
        status: 'done',
        note: '概算已下达，智慧城市指挥中心二期已签订合同，三个系统均按合同节点支付进度款；1—8月执行率升至39.80%，剩余资金按合同节点于9—12月支付',
      },
    ],
  },
};
/** Red at the end of June and left without an explanation on purpose. */
const UNEXPLAINED = 'emergency';
const EXPLAINED_AS_OF = '2023-07-10';
const EXPLANATION_DUE = '2023-09-30';

const lines = readFileSync(INPUT, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');
const v1 = lines.map((text) => ({ text, event: JSON.parse(text) }));

const ev = (id, type, occurredAt, data) => ({ id, type, department: DEPARTMENT, year: YEAR, occurredAt, data });

// ---- Red units at the end of June, from the v1 data (integers of cents, no floating point) ----

const cents = (amount) => {
  const [whole, frac = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
  return amount.startsWith('-') ? -value : value;
};

/** Units whose fiscal execution rate at `asOf` (a month end) lags the schedule by the red threshold or more. */
function redUnits(events, asOf) {
  const month = Number(asOf.slice(5, 7));
  const opened = events.find((e) => e.type === 'YearOpened');
  const schedule = opened.data.schedule ?? { Q1: '25', Q2: '50', Q3: '75', Q4: '100' };
  if (month % 3 !== 0) throw new Error('redUnits reads the schedule at a quarter end only');
  const scheduleBp = cents(schedule[`Q${month / 3}`]); // in hundredths of a percent
  const redBp = cents(opened.data.alertThresholds?.red ?? '10');
  const lineUnit = new Map();
  const budget = new Map();
  const spent = new Map();
  const recordMonth = new Map();
  const add = (map, key, v) => map.set(key, (map.get(key) ?? 0n) + v);
  for (const e of events) {
    if (e.type === 'BudgetAllocated' && e.data.source === 'fiscal') {
      lineUnit.set(e.data.line, e.data.unit);
      add(budget, e.data.unit, cents(e.data.amount));
    } else if (e.type === 'BudgetAdjusted' && lineUnit.has(e.data.line) && e.data.effectiveOn <= asOf) {
      add(budget, lineUnit.get(e.data.line), cents(e.data.amount));
    } else if (e.type === 'SpendingRecorded' && lineUnit.has(e.data.line)) {
      const m = Number(e.data.month.slice(5));
      recordMonth.set(e.id, { m, unit: lineUnit.get(e.data.line) });
      if (m <= month) add(spent, lineUnit.get(e.data.line), cents(e.data.amount));
    } else if (e.type === 'SpendingCorrected') {
      const r = recordMonth.get(e.data.corrects);
      if (r && r.m <= month) add(spent, r.unit, cents(e.data.amount));
    }
  }
  const red = [];
  for (const e of events) {
    if (e.type !== 'UnitRegistered') continue;
    const b = budget.get(e.data.unit) ?? 0n;
    if (b === 0n) continue;
    const s = spent.get(e.data.unit) ?? 0n;
    const rateBp = (s * 10000n * 2n + b) / (2n * b); // percent × 100, rounded half up
    if (scheduleBp - rateBp >= redBp) red.push(e.data.unit);
  }
  return red;
}

const red = redUnits(
  v1.map((x) => x.event),
  '2023-06-30',
);
const expectedRed = [...Object.keys(EXPLANATIONS), UNEXPLAINED].sort();
if (JSON.stringify([...red].sort()) !== JSON.stringify(expectedRed)) {
  throw new Error(`red units at 2023-06-30 are ${red.join(', ')}; the explanations cover ${expectedRed.join(', ')}`);
}

// ---- The added events ----

const taskOfLine = new Map(PROJECTS.flatMap((p) => p.lines.map((l) => [l, p.task])));

const planned = PROJECTS.map((p) =>
  ev(`mon-task-${p.task}`, 'TaskPlanned', '2023-01-04', {
    task: p.task,
    unit: p.unit,
    kind: 'project',
    title: p.title,
    due: `${YEAR}-12-31`,
  }),
);
const completed = PROJECTS.map((p) =>
  ev(`mon-done-${p.task}`, 'TaskCompleted', '2023-12-29', { task: p.task, completedOn: '2023-12-29' }),
);
const defined = TARGETS.map((t) =>
  ev(`mon-indicator-${t.indicator}`, 'IndicatorDefined', '2023-01-10', {
    indicator: t.indicator,
    level1: t.level1,
    level2: t.level2,
    name: t.name,
    target: t.target,
    task: t.task,
  }),
);
const explanations = Object.entries(EXPLANATIONS).map(([unit, x]) =>
  ev(`mon-explain-${unit}`, 'DeviationExplained', EXPLAINED_AS_OF, {
    subject: { kind: 'unit', id: unit },
    asOf: EXPLAINED_AS_OF,
    cause: x.cause,
    reason: x.reason,
    measure: x.measure,
    due: EXPLANATION_DUE,
  }),
);
const progress = TARGETS.map((t) =>
  ev(`mon-progress-${t.indicator}`, 'IndicatorProgressReported', PROGRESS_FILED, {
    indicator: t.indicator,
    asOf: PROGRESS_AS_OF,
    ...t.progress,
  }),
);
const actions = Object.entries(EXPLANATIONS).flatMap(([unit, x]) =>
  x.actions.map((a, i) =>
    ev(`mon-action-${unit}-${i + 1}`, 'CorrectiveActionReported', a.on, {
      explanation: `mon-explain-${unit}`,
      on: a.on,
      status: a.status,
      note: a.note,
    }),
  ),
);
const reported = TARGETS.map((t) =>
  ev(`mon-report-${t.indicator}`, 'IndicatorReported', '2024-01-15', {
    indicator: t.indicator,
    actual: t.yearEnd,
    asOf: `${YEAR}-12-31`,
  }),
);

// ---- The v1.1 stream: the v1 lines in order, the additions after the last v1 event of their kind ----

const lastIndexOf = (type) => v1.findLastIndex((x) => x.event.type === type);
const insertAfter = new Map([
  [lastIndexOf('UnitRegistered'), planned],
  [lastIndexOf('TaskCompleted'), completed],
  // Targets, then the in-year monitoring in date order (07-10, 08-08, 08-15, 09-20).
  [lastIndexOf('IndicatorDefined'), [...defined, ...explanations, ...progress, ...actions]],
  [lastIndexOf('IndicatorReported'), reported],
]);
if ([...insertAfter.keys()].some((i) => i < 0)) throw new Error('the v1 sample lacks a type the additions follow');
if (lastIndexOf('YearClosed') !== v1.length - 1) throw new Error('the v1 sample does not end with YearClosed');

const out = [];
let changed = 0;
v1.forEach(({ text, event }, i) => {
  const task = event.type === 'BudgetAllocated' ? taskOfLine.get(event.data.line) : undefined;
  if (task) {
    out.push(JSON.stringify({ ...event, id: `${event.id}-v11`, data: { ...event.data, task } }));
    changed += 1;
  } else out.push(text);
  for (const added of insertAfter.get(i) ?? []) out.push(JSON.stringify(added));
});
if (changed !== taskOfLine.size) throw new Error(`expected ${taskOfLine.size} project allocations, found ${changed}`);

writeFileSync(OUTPUT, `${out.join('\n')}\n`);
process.stderr.write(`${path.relative(process.cwd(), OUTPUT)}: ${out.length} events (${v1.length} in v1)\n`);
