/** Rules of the computed 部门绩效 criteria (FRAMEWORK.md). */
import { Decimal, ZERO, money, sum } from '../decimal.js';
import type { Economic, TaskKind } from '../events.js';
import { lineTotals, quarterRates, type QuarterRate } from '../execution/execution.js';
import { groupedAmount, percentExact, points, pointsEq } from '../format.js';
import { entryOf, required } from '../required.js';
import type { EvaluationState, TaskState } from './evaluation-state.js';
import { bandAtLeast, missingInput, rateOf, type Rule, type RuleResult } from './rule-kit.js';

const ONE = new Decimal(1);
/** The most one part of 公用经费控制率 scores. */
const PART_POINTS = new Decimal(3);
/** What one quarter carries in 预算执行率: its term (at most 1) and its quarter of the average part (at most 0.5). */
const QUARTER_POINTS = new Decimal('1.5');
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
  if (!facts.meta) return missingInput('尚无年度开启（YearOpened）', '年度开启（YearOpened）');
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
      missing.push(`财政拨款${label.replace('控制率', '')}预算（BudgetAllocated，economic 为 ${economic}）`);
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
  // A part without budget is missing: it could still score its 3 points.
  return missing.length
    ? { ...result, missing: missing.join('，'), max: score.plus(PART_POINTS.times(missing.length)) }
    : result;
};

/**
 * 预算执行率 on fiscal lines: per quarter min(1, rate/schedule) (not rounded further), plus the
 * average of the four quarter rates × 2 (the rates rounded to 0.01 pp, their average exact).
 *
 * During the year only the quarters whose end has come (on `asOf`) count: each reached quarter
 * its term and its quarter of the average part (rate / 100 × 2 / 4, i.e. the average of the
 * reached rates × 2 × reached / 4), so the score so far is what those quarters will carry in the
 * year-end score; every quarter not reached yet is not yet due and can still add 1.5 (1 + 0.5).
 */
export const executionRule: Rule = ({ facts, state, asOf }) => {
  if (!facts.meta) return missingInput('尚无年度开启（YearOpened）', '年度开启（YearOpened）');
  const quarters = quarterRates(facts, { source: 'fiscal' });
  const fiscalLines: string[] = [];
  for (const l of facts.lines) if (l.source === 'fiscal') fiscalLines.push(l.line);
  const sources = addLineSources(state.openedBy ? [state.openedBy] : [], state, fiscalLines);
  const reached = asOf === undefined ? quarters : quarters.filter((q) => q.date <= asOf);
  const first = required(quarters[0], 'the first quarter');
  if (!reached.length) {
    return {
      score: ZERO,
      inputs: { quartersReached: '0' },
      formula: `尚未到期：截至 ${asOf ?? ''} 尚无季度到季末（一季度末为 ${first.date}），到季末后按季度计分，暂不计分；最高 ${points(QUARTER_POINTS.times(4))}分`,
      sources,
      notDue: `尚无季度到季末（一季度末为 ${first.date}）`,
      max: QUARTER_POINTS.times(4),
    };
  }
  const rated = reached.filter((q): q is QuarterRate & { rate: Decimal } => q.rate !== null);
  if (rated.length < reached.length)
    return missingInput('尚无财政拨款预算，无法计算预算执行率', '财政拨款预算（BudgetAllocated）', sources);
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
  const k = rated.length;
  const rates = rated.map((q) => percentExact(q.rate)).join(' + ');
  const average = sum(rated.map((q) => q.rate)).div(k);
  if (k === quarters.length) {
    const averagePart = average.div(100).times(2);
    score = score.plus(averagePart);
    inputs.averageRate = average.toFixed();
    inputs.averagePart = averagePart.toDecimalPlaces(4).toFixed();
    texts.push(`全年平均执行率 (${rates}) / 4 = ${percentExact(average)}，× 2分 ${pointsEq(averagePart)}`);
    return { score, inputs, formula: `${texts.join('；')}；合计 ${score.toFixed(2)}分`, sources };
  }
  // Fewer quarters reached: the average of those × 2 × k/4 (their share of the year's average part).
  const averagePart = average.div(100).times(2).times(k).div(quarters.length);
  score = score.plus(averagePart);
  inputs.quartersReached = String(k);
  inputs.averageRate = average.toDecimalPlaces(4).toFixed();
  inputs.averagePart = averagePart.toDecimalPlaces(4).toFixed();
  texts.push(
    `已到季末的 ${k} 个季度平均执行率 (${rates}) / ${k} ${pointsEq(average)}%，× 2分 × ${k}/4 ${pointsEq(averagePart)}`,
  );
  const open = quarters.slice(k);
  const last = required(open[open.length - 1], 'the last quarter');
  const names = open.map((q) => QUARTER_NAMES[q.quarter - 1]).join('、');
  const max = score.plus(QUARTER_POINTS.times(open.length));
  return {
    score,
    inputs,
    formula:
      `${texts.join('；')}；已得 ${score.toFixed(2)}分；${names}尚未到季末（至 ${last.date}），` +
      `每季度最高 1.5 分（序时进度 1 分、平均执行率 0.5 分），最高 ${max.toFixed(2)}分`,
    sources,
    notDue: `${names}尚未到季末`,
    max,
  };
};

function tasksOf(state: EvaluationState, kind: TaskKind): TaskState[] {
  return [...state.tasks.values()].filter((t) => t.kind === kind);
}

function onTime(t: TaskState): boolean {
  return t.completedOn !== null && t.completedOn <= t.due;
}

/**
 * A task not completed whose due date has not passed on `asOf` (it can still be completed on
 * time): not yet due. Once the year is closed (no `asOf`) no task is pending.
 */
function pendingOn(t: TaskState, asOf: string | undefined): boolean {
  return asOf !== undefined && t.completedOn === null && t.due >= asOf;
}

function lateText(t: TaskState): string {
  return t.completedOn === null
    ? `${t.title}：到期 ${t.due}，未完成`
    : `${t.title}：到期 ${t.due}，${t.completedOn} 完成`;
}

function pendingText(tasks: TaskState[]): string {
  return tasks.map((t) => `${t.title}：到期 ${t.due}`).join('；');
}

function taskSources(tasks: TaskState[]): string[] {
  return tasks.flatMap((t) => (t.completedBy ? [t.plannedBy, t.completedBy] : [t.plannedBy]));
}

/**
 * 重点工作完成情况: weight − 4 × (key_work tasks not completed by due), floor 0. During the year a
 * task not completed whose due date has not passed is not yet due: the score so far counts it as
 * not completed, the most it can reach as completed on time.
 */
export const keyWorkRule: Rule = ({ state, criterion, asOf }) => {
  const tasks = tasksOf(state, 'key_work');
  if (!tasks.length)
    return missingInput('尚无重点工作（TaskPlanned，kind 为 key_work）', '重点工作（TaskPlanned，kind 为 key_work）');
  const pending = tasks.filter((t) => pendingOn(t, asOf));
  const late = tasks.filter((t) => !onTime(t) && !pendingOn(t, asOf));
  const weight = new Decimal(criterion.weight);
  const deducted = (n: number) => {
    const raw = weight.minus(n * 4);
    return raw.isNeg() ? ZERO : raw;
  };
  const sources = taskSources(tasks);
  if (!pending.length) {
    const raw = weight.minus(late.length * 4);
    const floored = raw.isNeg();
    const score = deducted(late.length);
    const detail = late.length ? `，${late.length} 项未按期完成（${late.map(lateText).join('；')}）` : '，均按期完成';
    return {
      score,
      inputs: { planned: String(tasks.length), notCompletedByDue: String(late.length) },
      formula: `重点工作 ${tasks.length} 项${detail}，${weight.toFixed()} − 4 × ${late.length} ${floored ? '，扣完为止 → 0' : `= ${points(score)}`}分`,
      sources,
    };
  }
  const counted = late.length + pending.length;
  const score = deducted(counted);
  const max = deducted(late.length);
  const due = tasks.length - pending.length;
  const detail = late.length
    ? `，其中 ${late.length} 项未按期完成（${late.map(lateText).join('；')}）`
    : due
      ? '，均按期完成'
      : '';
  return {
    score,
    inputs: {
      planned: String(tasks.length),
      notCompletedByDue: String(late.length),
      notYetDue: String(pending.length),
    },
    formula:
      `重点工作 ${tasks.length} 项，已完成或已到期 ${due} 项${detail}；尚未到期 ${pending.length} 项（${pendingText(pending)}），` +
      `完成前按未完成计：${weight.toFixed()} − 4 × ${counted} ${weight.minus(counted * 4).isNeg() ? '，扣完为止 → 0' : `= ${points(score)}`}分；` +
      `尚未到期的均按期完成最高 ${points(max)}分`,
    sources,
    notDue: `${pending.length} 项重点工作尚未到期`,
    max,
  };
};

/**
 * 项目完成及时性: projects completed by due / projects planned × weight. During the year a project
 * not completed whose due date has not passed is not yet due: it counts 0 so far and its share at
 * most.
 */
export const timelinessRule: Rule = ({ state, criterion, asOf }) => {
  const tasks = tasksOf(state, 'project');
  if (!tasks.length)
    return missingInput('尚无预算项目（TaskPlanned，kind 为 project）', '预算项目（TaskPlanned，kind 为 project）');
  const pending = tasks.filter((t) => pendingOn(t, asOf));
  const done = tasks.filter(onTime);
  const late = tasks.filter((t) => !onTime(t) && !pendingOn(t, asOf));
  const weight = new Decimal(criterion.weight);
  const score = weight.times(done.length).div(tasks.length);
  const detail = late.length ? `（未按期：${late.map(lateText).join('；')}）` : '';
  const sources = taskSources(tasks);
  if (!pending.length) {
    return {
      score,
      inputs: { planned: String(tasks.length), completedByDue: String(done.length) },
      formula: `预算项目 ${tasks.length} 项，按计划时间完成 ${done.length} 项${detail}，${done.length} / ${tasks.length} × ${weight.toFixed()} ${pointsEq(score)}分`,
      sources,
    };
  }
  const max = weight.times(done.length + pending.length).div(tasks.length);
  return {
    score,
    inputs: {
      planned: String(tasks.length),
      completedByDue: String(done.length),
      notYetDue: String(pending.length),
    },
    formula:
      `预算项目 ${tasks.length} 项，按计划时间完成 ${done.length} 项${detail}；尚未到期 ${pending.length} 项（${pendingText(pending)}），` +
      `完成前不计分：${done.length} / ${tasks.length} × ${weight.toFixed()} ${pointsEq(score)}分；尚未到期的均按期完成最高 ${points(max)}分`,
    sources,
    notDue: `${pending.length} 个预算项目尚未到期`,
    max,
  };
};

/** 群众信访办理情况: channel 1 + replied/received = 100% → 1 + repliedOnTime/received = 100% → 1. */
export const petitionsRule: Rule = ({ state }) => {
  const p = state.petitions;
  if (!p) return missingInput('尚无群众信访办理情况（PetitionsReported）', '群众信访办理情况（PetitionsReported）');
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
  if (!s) return missingInput('尚无满意度调查结果（SatisfactionMeasured）', '满意度调查结果（SatisfactionMeasured）');
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
