/** Rules of the computed 部门管理 criteria (FRAMEWORK.md). */
import { Decimal, ZERO, money, sumAmounts } from '../decimal.js';
import type { DisclosureStatus } from '../events.js';
import { groupedAmount, percentExact, points } from '../format.js';
import { required } from '../required.js';
import { bandAtLeast, missingInput, rateOf, type Rule } from './rule-kit.js';

const ONE = new Decimal(1);

/** 政府采购执行情况: actual/planned × 1 (0 if actual > planned) + 1 if the policy functions were carried out. */
export const procurementRule: Rule = ({ state }) => {
  const p = state.procurement;
  if (!p) return missingInput('尚无政府采购执行情况（ProcurementReported）', '政府采购执行情况（ProcurementReported）');
  const { planned, actual, policyCompliant } = p.value;
  const inputs: Record<string, string> = {
    planned: money(planned),
    actual: money(actual),
    policyCompliant: String(policyCompliant),
  };
  const rate = rateOf(actual, planned);
  let ratePart = ZERO;
  let rateText: string;
  if (rate === null) {
    rateText = '采购计划金额为0，无法计算政府采购执行率 → 0分';
  } else {
    inputs.rate = rate.toFixed(2);
    if (new Decimal(actual).gt(planned)) {
      rateText = `实际采购金额 ${groupedAmount(actual)} 大于采购计划金额 ${groupedAmount(planned)}（执行率 ${percentExact(rate)}）→ 0分`;
    } else {
      ratePart = rate.div(100);
      rateText = `政府采购执行率 = 实际采购 ${groupedAmount(actual)} / 采购计划 ${groupedAmount(planned)} = ${percentExact(rate)}，× 1分 = ${points(ratePart)}分`;
    }
  }
  const policy = policyCompliant ? ONE : ZERO;
  const policyText = policyCompliant ? '政府采购政策功能落实到位 → 1分' : '政府采购政策功能落实不到位 → 0分';
  const score = ratePart.plus(policy);
  return { score, inputs, formula: `${rateText}；${policyText}；合计 ${points(score)}分`, sources: [p.eventId] };
};

/** 资金调整、调剂规范性: Σ|adjustments| / initial budget (all sources) ≤ 10% → 1, else −0.1 per point over, floor 0. */
export const adjustmentRule: Rule = ({ facts, state }) => {
  // One pass over the budget facts; amounts summed exactly in units (decimal.ts sumAmounts), |x| by dropping the sign.
  const allocations: string[] = [];
  const adjustments: string[] = [];
  for (const b of facts.budget) {
    if (b.kind === 'allocation') allocations.push(b.amount);
    else if (b.kind === 'adjustment') adjustments.push(b.amount.startsWith('-') ? b.amount.slice(1) : b.amount);
  }
  const sources: string[] = [];
  for (const l of state.lineEvents.values()) for (const id of l.budget) sources.push(id);
  const initial = sumAmounts(allocations);
  if (initial.isZero())
    return missingInput(
      '尚无年初预算（BudgetAllocated），无法计算资金调整调剂率',
      '年初预算（BudgetAllocated）',
      sources,
    );
  const adjusted = sumAmounts(adjustments);
  const rate = required(rateOf(adjusted, initial), 'adjustment rate');
  const inputs = {
    adjusted: money(adjusted),
    initialBudget: money(initial),
    adjustments: String(adjustments.length),
    rate: rate.toFixed(2),
  };
  const head = `资金调整调剂率 = 累计调整 ${groupedAmount(adjusted)}（${adjustments.length} 笔，取绝对值）/ 年初预算总额 ${groupedAmount(initial)} = ${percentExact(rate)}`;
  if (rate.lte(10)) return { score: ONE, inputs, formula: `${head} ≤ 10% → 1分`, sources };
  const over = rate.minus(10);
  const score = Decimal.max(ZERO, ONE.minus(over.times('0.1')));
  return {
    score,
    inputs,
    formula: `${head}，超出10% ${over.toFixed()} 个百分点，每个百分点扣0.1分 → ${points(score)}分`,
    sources,
  };
};

const DISCLOSURE: Record<DisclosureStatus, [string, string]> = {
  on_time: ['1.5', '按规定公开'],
  exempt: ['1.5', '涉密免于公开'],
  late: ['1', '已公开但不符合时限、内容或范围要求'],
  none: ['0', '未公开'],
};

/** 预决算信息公开: budget and final accounts each on_time/exempt 1.5, late 1, none 0. */
export const disclosureRule: Rule = ({ state }) => {
  const d = state.disclosure;
  if (!d)
    return missingInput('尚无预决算信息公开情况（DisclosureReported）', '预决算信息公开情况（DisclosureReported）');
  const [budgetScore, budgetText] = DISCLOSURE[d.value.budget];
  const [finalScore, finalText] = DISCLOSURE[d.value.finalAccounts];
  const score = new Decimal(budgetScore).plus(finalScore);
  return {
    score,
    inputs: { budget: d.value.budget, finalAccounts: d.value.finalAccounts },
    formula: `部门预算${budgetText} → ${budgetScore}分；部门决算${finalText} → ${finalScore}分；合计 ${points(score)}分`,
    sources: [d.eventId],
  };
};

/** 固定资产利用率: inUse/total ≥ 90% → 1; ≥ 75% → 0.7; ≥ 60% → 0.4; else 0. */
export const assetsUtilizationRule: Rule = ({ state }) => {
  const a = state.assets;
  if (!a) return missingInput('尚无固定资产情况（AssetsReported）', '资产报告（AssetsReported）');
  const rate = rateOf(a.value.inUse, a.value.total);
  const inputs: Record<string, string> = { inUse: money(a.value.inUse), total: money(a.value.total) };
  if (rate === null)
    return missingInput(
      '固定资产总额为0，无法计算固定资产利用率',
      '固定资产总额（AssetsReported 的 total 为0）',
      [a.eventId],
      inputs,
    );
  inputs.rate = rate.toFixed(2);
  const score = bandAtLeast(
    rate,
    [
      ['90', '1'],
      ['75', '0.7'],
      ['60', '0.4'],
    ],
    '0',
  );
  const band = rate.gte(90) ? '≥ 90%' : rate.gte(75) ? '在75%–90%之间' : rate.gte(60) ? '在60%–75%之间' : '< 60%';
  return {
    score,
    inputs,
    formula: `固定资产利用率 = 在用 ${groupedAmount(a.value.inUse)} / 总额 ${groupedAmount(a.value.total)} = ${percentExact(rate)} ${band} → ${points(score)}分`,
    sources: [a.eventId],
  };
};

/** 财政供养人员控制率: onStaff/authorized ≤ 100% → 1, else 0. */
export const staffFundedRule: Rule = ({ state }) => {
  const h = state.headcount;
  if (!h) return missingInput('尚无人员情况（HeadcountReported）', '人员情况报告（HeadcountReported）');
  const { onStaff, authorized } = h.value;
  const inputs: Record<string, string> = { onStaff: String(onStaff), authorized: String(authorized) };
  const rate = rateOf(onStaff, authorized);
  if (rate === null)
    return missingInput(
      '核定编制数为0，无法计算财政供养人员控制率',
      '核定编制数（HeadcountReported 的 authorized 为0）',
      [h.eventId],
      inputs,
    );
  inputs.rate = rate.toFixed(2);
  const ok = rate.lte(100);
  const score = ok ? ONE : ZERO;
  return {
    score,
    inputs,
    formula: `财政供养人员控制率 = 在编 ${onStaff} / 核定编制 ${authorized} = ${percentExact(rate)} ${ok ? '≤' : '>'} 100% → ${points(score)}分`,
    sources: [h.eventId],
  };
};

/** 编外人员控制率: (directHires+dispatched)/(onStaff+directHires+dispatched) < 5% → 1; ≤ 10% → 0.5; else 0. */
export const staffContractRule: Rule = ({ state }) => {
  const h = state.headcount;
  if (!h) return missingInput('尚无人员情况（HeadcountReported）', '人员情况报告（HeadcountReported）');
  const { onStaff, directHires, dispatched } = h.value;
  const external = directHires + dispatched;
  const total = onStaff + external;
  const inputs: Record<string, string> = {
    onStaff: String(onStaff),
    directHires: String(directHires),
    dispatched: String(dispatched),
    external: String(external),
    total: String(total),
  };
  const rate = rateOf(external, total);
  if (rate === null)
    return missingInput(
      '在职人员总数为0，无法计算编外人员控制率',
      '在职人员数（HeadcountReported 的人数均为0）',
      [h.eventId],
      inputs,
    );
  inputs.rate = rate.toFixed(2);
  const [score, band] = rate.lt(5)
    ? [ONE, '< 5%']
    : rate.lte(10)
      ? [new Decimal('0.5'), '在5%–10%之间']
      : [ZERO, '> 10%'];
  return {
    score,
    inputs,
    formula:
      `编外人员控制率 = 编外 ${external}（直接聘用 ${directHires} + 劳务派遣 ${dispatched}）/ 在职总数 ${total}` +
      `（在编 ${onStaff} + 编外 ${external}）= ${percentExact(rate)} ${band} → ${points(score)}分`,
    sources: [h.eventId],
  };
};
