/** Rules of the computed 部门绩效 criteria (FRAMEWORK.md). */
import { Decimal, ZERO, money, sum } from '../decimal.js';
import type { Economic, TaskKind } from '../events.js';
import { lineTotals, quarterRates, type QuarterRate } from '../execution/execution.js';
import { groupedAmount, percentExact, points, pointsEq } from '../format.js';
import { entryOf, required } from '../required.js';
import type { EvaluationState, TaskState } from './evaluation-state.js';
import { bandAtLeast, missingInput, rateOf, type Rule, type RuleResult } from './rule-kit.js';

const ONE = new Decimal(1);
const QUARTER_NAMES = ['一季度', '二季度', '三季度', '四季度'] as const;

/**
 * Appends the ids of the lines' budget and spending events to `out` (thousands for a city department:
 * no intermediate copies).
 */
function addLineSources(out: string[], state: EvaluationState, lines: Iterable<string>): string[] {
  for (const line of lines) {
    const ev = state.lineEvents.get(line);
    if (!ev) continue;
    for (const id of ev.budget) out.push(id);
    for (const id of ev.spending) out.push(id);
  }
  return out;
}

/**
 * 公用经费控制率 on fiscal lines, whole year (spending through month 12 over the budget in force on
 * Dec 31): "三公" and 日常公用 each < 90% → 3; 90–100% → 2; > 100% → 0.
 */
export const publicFundsRule: Rule = ({ facts, state }) => {
  if (!facts.meta) return missingInput('尚无年度开启（YearOpened）');
  const totals = lineTotals(facts, { budgetOn: `${facts.meta.year}-12-31`, throughMonth: 12, source: 'fiscal' });
  const parts: [Economic, string, string][] = [
    ['three_public', 'threePublic', '“三公”经费控制率'],
    ['routine_public', 'routinePublic', '日常公用经费控制率'],
  ];
  const inputs: Record<string, string> = {};
  const texts: string[] = [];
  const missing: string[] = [];
  const sources: string[] = [];
  let score = ZERO;
  for (const [economic, key, label] of parts) {
    const lines = facts.lines.filter((l) => l.economic === economic && totals.has(l.line)).map((l) => l.line);
    addLineSources(sources, state, lines);
    const ofLines = lines.map((l) => entryOf(totals, l, 'totals of line'));
    const budget = sum(ofLines.map((t) => t.budget));
    const spent = sum(ofLines.map((t) => t.spent));
    inputs[`${key}Spent`] = money(spent);
    inputs[`${key}Budget`] = money(budget);
    const rate = rateOf(spent, budget);
    if (rate === null) {
      missing.push(`无财政拨款${label.replace('控制率', '')}预算`);
      texts.push(`${label}：无财政拨款预算，无法计算 → 0分`);
      continue;
    }
    inputs[`${key}Rate`] = rate.toFixed(2);
    const [bandScore, band] = rate.lt(90) ? ['3', '< 90%'] : rate.lte(100) ? ['2', '在90%–100%之间'] : ['0', '> 100%'];
    score = score.plus(bandScore);
    texts.push(
      `${label} = 实际支出 ${groupedAmount(spent)} / 预算 ${groupedAmount(budget)} = ${percentExact(rate)} ${band} → ${bandScore}分`,
    );
  }
  const result: RuleResult = { score, inputs, formula: `${texts.join('；')}；合计 ${points(score)}分`, sources };
  return missing.length ? { ...result, missing: missing.join('，') } : result;
};

/**
 * 预算执行率 on fiscal lines: per quarter min(1, rate/schedule) (not rounded further), plus the
 * average of the four quarter rates × 2 (the rates rounded to 0.01 pp, their average exact).
 */
export const executionRule: Rule = ({ facts, state }) => {
  if (!facts.meta) return missingInput('尚无年度开启（YearOpened）');
  const quarters = quarterRates(facts, { source: 'fiscal' });
  const fiscalLines: string[] = [];
  for (const l of facts.lines) if (l.source === 'fiscal') fiscalLines.push(l.line);
  const sources = addLineSources(state.openedBy ? [state.openedBy] : [], state, fiscalLines);
  const rated = quarters.filter((q): q is QuarterRate & { rate: Decimal } => q.rate !== null);
  if (rated.length < quarters.length) return missingInput('尚无财政拨款预算，无法计算预算执行率', sources);
  const inputs: Record<string, string> = {};
  const texts: string[] = [];
  let score = ZERO;
  for (const q of rated) {
    const rate = q.rate;
    const term = q.schedule.isZero() ? ONE : Decimal.min(ONE, rate.div(q.schedule));
    score = score.plus(term);
    inputs[`q${q.quarter}Rate`] = rate.toFixed(2);
    inputs[`q${q.quarter}Schedule`] = q.schedule.toFixed();
    inputs[`q${q.quarter}Term`] = term.toDecimalPlaces(4).toFixed();
    const capped = !q.schedule.isZero() && rate.gt(q.schedule) ? '（超过序时进度，按1分计）' : '';
    texts.push(
      `${QUARTER_NAMES[q.quarter - 1]} ${percentExact(rate)} / 序时进度 ${percentExact(q.schedule)} ${pointsEq(term)}${capped}`,
    );
  }
  const average = sum(rated.map((q) => q.rate)).div(4);
  const averagePart = average.div(100).times(2);
  score = score.plus(averagePart);
  inputs.averageRate = average.toFixed();
  inputs.averagePart = averagePart.toDecimalPlaces(4).toFixed();
  const rates = rated.map((q) => percentExact(q.rate)).join(' + ');
  texts.push(`全年平均执行率 (${rates}) / 4 = ${percentExact(average)}，× 2分 ${pointsEq(averagePart)}`);
  return { score, inputs, formula: `${texts.join('；')}；合计 ${score.toFixed(2)}分`, sources };
};

function tasksOf(state: EvaluationState, kind: TaskKind): TaskState[] {
  return [...state.tasks.values()].filter((t) => t.kind === kind);
}

function onTime(t: TaskState): boolean {
  return t.completedOn !== null && t.completedOn <= t.due;
}

function lateText(t: TaskState): string {
  return t.completedOn === null
    ? `${t.title}：到期 ${t.due}，未完成`
    : `${t.title}：到期 ${t.due}，${t.completedOn} 完成`;
}

function taskSources(tasks: TaskState[]): string[] {
  return tasks.flatMap((t) => (t.completedBy ? [t.plannedBy, t.completedBy] : [t.plannedBy]));
}

/** 重点工作完成情况: weight − 4 × (key_work tasks not completed by due), floor 0. */
export const keyWorkRule: Rule = ({ state, criterion }) => {
  const tasks = tasksOf(state, 'key_work');
  if (!tasks.length) return missingInput('尚无重点工作（TaskPlanned，kind 为 key_work）');
  const late = tasks.filter((t) => !onTime(t));
  const weight = new Decimal(criterion.weight);
  const raw = weight.minus(late.length * 4);
  const floored = raw.isNeg();
  const score = floored ? ZERO : raw;
  const detail = late.length ? `，${late.length} 项未按期完成（${late.map(lateText).join('；')}）` : '，均按期完成';
  return {
    score,
    inputs: { planned: String(tasks.length), notCompletedByDue: String(late.length) },
    formula: `重点工作 ${tasks.length} 项${detail}，${weight.toFixed()} − 4 × ${late.length} ${floored ? '，扣完为止 → 0' : `= ${points(score)}`}分`,
    sources: taskSources(tasks),
  };
};

/** 项目完成及时性: projects completed by due / projects planned × weight. */
export const timelinessRule: Rule = ({ state, criterion }) => {
  const tasks = tasksOf(state, 'project');
  if (!tasks.length) return missingInput('尚无预算项目（TaskPlanned，kind 为 project）');
  const done = tasks.filter(onTime);
  const late = tasks.filter((t) => !onTime(t));
  const weight = new Decimal(criterion.weight);
  const score = weight.times(done.length).div(tasks.length);
  const detail = late.length ? `（未按期：${late.map(lateText).join('；')}）` : '';
  return {
    score,
    inputs: { planned: String(tasks.length), completedByDue: String(done.length) },
    formula: `预算项目 ${tasks.length} 项，按计划时间完成 ${done.length} 项${detail}，${done.length} / ${tasks.length} × ${weight.toFixed()} ${pointsEq(score)}分`,
    sources: taskSources(tasks),
  };
};

/** 群众信访办理情况: channel 1 + replied/received = 100% → 1 + repliedOnTime/received = 100% → 1. */
export const petitionsRule: Rule = ({ state }) => {
  const p = state.petitions;
  if (!p) return missingInput('尚无群众信访办理情况（PetitionsReported）');
  const { channel, received, replied, repliedOnTime } = p.value;
  const ratio = (n: number) =>
    received === 0 ? '当年无信访件' : `${n}/${received} = ${percentExact(required(rateOf(n, received), 'reply rate'))}`;
  const repliedOk = replied >= received;
  const onTimeOk = repliedOnTime >= received;
  const score = new Decimal([channel, repliedOk, onTimeOk].filter(Boolean).length);
  return {
    score,
    inputs: {
      channel: String(channel),
      received: String(received),
      replied: String(replied),
      repliedOnTime: String(repliedOnTime),
    },
    formula:
      `${channel ? '已建立' : '未建立'}群众意见反映渠道和办理回复机制 → ${channel ? 1 : 0}分；` +
      `信访办理回复率 ${ratio(replied)} → ${repliedOk ? 1 : 0}分；` +
      `及时办理回复率 ${ratio(repliedOnTime)} → ${onTimeOk ? 1 : 0}分；合计 ${points(score)}分`,
    sources: [p.eventId],
  };
};

/** 公众或服务对象满意度: ≥ 95% → 6; ≥ 90% → 4; ≥ 80% → 2; else 1. */
export const satisfactionRule: Rule = ({ state }) => {
  const s = state.satisfaction;
  if (!s) return missingInput('尚无满意度调查结果（SatisfactionMeasured）');
  const rate = required(rateOf(s.value.rate, 100), 'satisfaction rate');
  const score = bandAtLeast(
    rate,
    [
      ['95', '6'],
      ['90', '4'],
      ['80', '2'],
    ],
    '1',
  );
  const band = rate.gte(95) ? '≥ 95%' : rate.gte(90) ? '在90%–95%之间' : rate.gte(80) ? '在80%–90%之间' : '< 80%';
  return {
    score,
    inputs: { rate: rate.toFixed(2), method: s.value.method },
    formula: `满意度 ${percentExact(rate)}（${s.value.method}）${band} → ${points(score)}分`,
    sources: [s.eventId],
  };
};
