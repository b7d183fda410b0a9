/**
 * The self-evaluation as an Excel workbook laid out like the reference report's two tables:
 * 自评表 (部门（单位）整体支出绩效目标完成情况自评表) and 评分表 (部门整体支出绩效评分表), plus 核对
 * (differences from the submitted sheet). Figures stay decimal strings until the cell: amounts
 * become numbers formatted #,##0.00, scores numbers formatted 0.00.
 */
import ExcelJS from 'exceljs';
import { merge, put, type CellValue, type Sheet } from '../../common/xlsx-cells.js';
import { required } from '#domain/required.js';
import { computedText, gradesText, type CriterionWire, type EvaluationReport } from '../evaluation.wire.js';

type Value = CellValue;

const AMOUNT = '#,##0.00';
const SCORE = '0.00';

const STATUS_TEXT: Record<string, string> = {
  met: '达成',
  not_met: '未达成',
  not_applicable: '不适用',
  not_reported: '未报告',
  invalid: '无法判断',
};

/** A decimal string as a cell number (the only place a figure becomes a JS number). */
const num = (value: string): number => Number(value);
/** A line's name without its task prefix: 单位日常运转—日常公用经费 → 日常公用经费. */
function withoutTask(line: string, task: string): string {
  const rest = line.startsWith(task) ? line.slice(task.length).trimStart() : '';
  return /^[—–]/.test(rest) ? rest.slice(1).trim() || line : line;
}
/** Totals are decimal strings, grades are words. */
const scoreOrText = (value: string): Value => (/^\d+(\.\d+)?$/.test(value) ? num(value) : value);

function title(ws: Sheet, text: string, width: number) {
  ws.mergeCells(1, 1, 1, width);
  const cell = ws.getCell(1, 1);
  cell.value = text;
  cell.font = { bold: true, size: 14 };
  cell.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 28;
}

/** Merges runs of equal keys in a column (rows first..first+keys.length-1), like the report's grouped cells. */
function mergeRuns(ws: Sheet, first: number, keys: string[], cols: [number, number], values: (key: string) => Value[]) {
  let start = 0;
  for (let i = 1; i <= keys.length; i++) {
    if (i < keys.length && keys[i] === keys[start]) continue;
    const vals = values(required(keys[start], 'the key of a run'));
    for (let c = cols[0]; c <= cols[1]; c++) {
      const v = vals[c - cols[0]] ?? null;
      merge(ws, first + start, c, first + i - 1, c, v, {
        align: 'center',
        ...(typeof v === 'number' ? { fmt: '0' } : {}),
      });
    }
    start = i;
  }
}

function selfEvaluationSheet(wb: ExcelJS.Workbook, r: EvaluationReport) {
  const ws = wb.addWorksheet('自评表', {
    views: [{ state: 'frozen', ySplit: 4 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = [10, 22, 36, 26, 16, 16, 16, 16].map((width) => ({ width }));
  title(ws, '部门（单位）整体支出绩效目标完成情况自评表', 8);
  put(ws, 2, 1, '部门（单位）名称', { header: true });
  merge(ws, 2, 2, 2, 4, r.departmentName, { bold: true });
  put(ws, 2, 5, '预算年度', { header: true });
  merge(ws, 2, 6, 2, 8, r.year, { align: 'left', fmt: '0' });

  const tasks = r.budget.tasks;
  const first = 5;
  const last = first + tasks.length; // the 金额合计 row
  merge(ws, 3, 1, last, 1, '年度主要任务完成情况', { header: true });
  for (const [col, text] of [
    [2, '任务名称'],
    [3, '主要内容'],
    [4, '完成情况'],
  ] as const)
    merge(ws, 3, col, 4, col, text, { header: true });
  merge(ws, 3, 5, 3, 6, '预算数（元）', { header: true });
  merge(ws, 3, 7, 3, 8, '执行数（元）', { header: true });
  ['总额', '其中：财政拨款', '总额', '其中：财政拨款'].forEach((text, i) => put(ws, 4, 5 + i, text, { header: true }));
  tasks.forEach((t, i) => {
    const row = first + i;
    put(ws, row, 2, t.name);
    put(ws, row, 3, t.lines.map((l) => withoutTask(l.name, t.name)).join('；'));
    put(ws, row, 4, t.rate === null ? '无预算' : `全年执行率 ${t.rate}%`);
    [t.budget.total, t.budget.fiscal, t.spent.total, t.spent.fiscal].forEach((v, j) =>
      put(ws, row, 5 + j, num(v), { fmt: AMOUNT }),
    );
  });
  merge(ws, last, 2, last, 4, '金额合计', { bold: true, align: 'center' });
  const sums = r.budget.total;
  [sums.budget.total, sums.budget.fiscal, sums.spent.total, sums.spent.fiscal].forEach((v, j) =>
    put(ws, last, 5 + j, num(v), { fmt: AMOUNT, bold: true }),
  );

  // 年度总体目标完成情况: the targets and what was reported for them.
  const goal = last + 1;
  const items = r.indicators.items;
  merge(ws, goal, 1, goal + 1, 1, '年度总体目标完成情况', { header: true });
  merge(ws, goal, 2, goal, 4, '预期目标', { header: true });
  merge(ws, goal, 5, goal, 8, '目标实际完成情况', { header: true });
  merge(ws, goal + 1, 2, goal + 1, 4, items.map((i) => `${i.name} ${i.target}`).join('；'));
  merge(
    ws,
    goal + 1,
    5,
    goal + 1,
    8,
    `绩效指标 ${r.indicators.defined} 项，适用 ${r.indicators.applicable} 项，达成 ${r.indicators.met} 项：` +
      items.map((i) => `${i.name} ${i.actual ?? '未报告'}`).join('；'),
  );
  ws.getRow(goal + 1).height = 90;

  // 年度绩效指标完成情况
  const head = goal + 2;
  const start = head + 1;
  merge(ws, head, 1, Math.max(head, start + items.length - 1), 1, '年度绩效指标完成情况', { header: true });
  ['一级指标', '二级指标', '三级指标'].forEach((text, i) => put(ws, head, 2 + i, text, { header: true }));
  merge(ws, head, 5, head, 6, '预期指标值', { header: true });
  put(ws, head, 7, '实际完成指标值', { header: true });
  put(ws, head, 8, '完成情况', { header: true });
  items.forEach((i, k) => {
    const row = start + k;
    put(ws, row, 4, i.name);
    merge(ws, row, 5, row, 6, i.target, { align: 'center' });
    put(ws, row, 7, i.actual ?? '未报告', { align: 'center' });
    put(ws, row, 8, STATUS_TEXT[i.status] ?? i.status, { align: 'center' });
  });
  mergeRuns(
    ws,
    start,
    items.map((i) => i.level1),
    [2, 2],
    (k) => [k],
  );
  mergeRuns(
    ws,
    start,
    items.map((i) => `${i.level1}\u0000${i.level2}`),
    [3, 3],
    (k) => [required(k.split('\u0000')[1], 'the level-2 id of a key')],
  );
}

function basisText(c: CriterionWire): string {
  const upTo = c.max.exact === c.exact ? [] : [`目前得分 ${c.score}，最高可得 ${c.max.score}`];
  if (!c.items) return [c.how.formula, ...upTo].join('\n');
  return [c.how.formula, ...c.items.map((i) => `${i.name}（${i.weight}分）：${i.how.formula}`), ...upTo].join('\n');
}

function scoringSheet(wb: ExcelJS.Workbook, r: EvaluationReport) {
  const ws = wb.addWorksheet('评分表', {
    views: [{ state: 'frozen', ySplit: 5 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = [12, 9, 12, 9, 24, 9, 80, 10].map((width) => ({ width }));
  title(ws, '部门整体支出绩效评分表', 8);
  const state =
    r.status === 'final' ? '最终' : r.status === 'incomplete' ? '结果不完整' : `预测（截至 ${r.dueAsOf ?? r.asOf}）`;
  merge(
    ws,
    2,
    1,
    2,
    8,
    `部门（单位）名称：${r.departmentName}\u3000预算年度：${r.year}\u3000评价体系：${r.framework.name}（${r.framework.version}）\u3000状态：${state}`,
    { align: 'left' },
  );
  merge(ws, 3, 1, 3, 6, '评价指标', { header: true });
  merge(ws, 3, 7, 5, 7, '计算依据', { header: true });
  merge(ws, 3, 8, 5, 8, '分数', { header: true });
  ['一级指标', '二级指标', '三级指标'].forEach((text, i) =>
    merge(ws, 4, 1 + 2 * i, 4, 2 + 2 * i, text, { header: true }),
  );
  ['名称', '参考分值', '名称', '参考分值', '名称', '参考分值'].forEach((text, i) =>
    put(ws, 5, 1 + i, text, { header: true }),
  );

  const first = 6;
  r.criteria.forEach((c, i) => {
    const row = first + i;
    put(ws, row, 5, c.name);
    put(ws, row, 6, num(c.weight), { align: 'center' });
    put(ws, row, 7, basisText(c));
    put(ws, row, 8, num(c.score), { fmt: SCORE, align: 'center' });
  });
  const l1 = new Map(r.level1.map((g) => [g.id, g]));
  const l2 = new Map(r.level2.map((g) => [g.id, g]));
  mergeRuns(
    ws,
    first,
    r.criteria.map((c) => c.level1),
    [1, 2],
    (k) => [l1.get(k)?.name ?? k, num(l1.get(k)?.weight ?? '0')],
  );
  mergeRuns(
    ws,
    first,
    r.criteria.map((c) => c.level2),
    [3, 4],
    (k) => [l2.get(k)?.name ?? k, num(l2.get(k)?.weight ?? '0')],
  );
  let end = first + r.criteria.length;
  const open = r.range.min.exact !== r.range.max.exact;
  merge(ws, end, 1, end, 7, open ? '综合评分（目前得分）' : '综合评分', { bold: true, align: 'center' });
  put(ws, end, 8, num(r.total.score), { fmt: SCORE, bold: true, align: 'center' });
  if (open) {
    end += 1;
    merge(ws, end, 1, end, 7, '最高可达', { bold: true, align: 'center' });
    put(ws, end, 8, num(r.range.max.score), { fmt: SCORE, bold: true, align: 'center' });
  }
  merge(ws, end + 1, 1, end + 1, 7, '评分等级', { bold: true, align: 'center' });
  put(ws, end + 1, 8, r.grade ?? `未定（${gradesText(null, r.grades)}）`, { bold: true, align: 'center' });
  const subtotals = r.level1.map((g) => `${g.name} ${g.score}/${g.weight}`).join('，');
  merge(
    ws,
    end + 2,
    1,
    end + 2,
    8,
    `小计：${subtotals}。总分为各指标精确得分之和，显示保留2位小数（四舍五入）。${r.note ?? ''}`,
    { align: 'left' },
  );
  // What keeps the result open: the missing inputs and judgements, and what is not yet due.
  let row = end + 3;
  for (const [title, items] of [
    ['缺少数据或评定', r.missing],
    ['尚未到期', r.notDue],
  ] as const) {
    if (!items.length) continue;
    merge(ws, row, 1, row, 8, `${title}（${items.length}项）`, { header: true, align: 'left' });
    row += 1;
    for (const p of items) {
      merge(ws, row, 1, row, 6, `${p.name}（${p.weight}分）`);
      put(ws, row, 7, `${p.reason}（目前 ${p.score}，最高 ${p.max}）`);
      put(ws, row, 8, num(p.score), { fmt: SCORE, align: 'center' });
      row += 1;
    }
  }
}

function reconciliationSheet(wb: ExcelJS.Workbook, r: EvaluationReport) {
  const ws = wb.addWorksheet('核对', { views: [{ state: 'frozen', ySplit: 3 }] });
  ws.columns = [34, 22, 9, 10, 10, 16, 80].map((width) => ({ width }));
  title(ws, '自评表核对（差异说明）', 7);
  const rec = r.reconciliation;
  if (!rec) {
    merge(ws, 2, 1, 2, 7, '尚无自评表（SelfEvaluationSubmitted），无可核对内容', { align: 'left' });
    return;
  }
  merge(
    ws,
    2,
    1,
    2,
    7,
    `自评总分 ${rec.submittedTotal}（${rec.submittedGrade}），各指标自评分合计 ${rec.sumOfSubmitted}；按规则和评定计算总分 ${computedText(rec).total}（${computedText(rec).grade}）`,
    { align: 'left' },
  );
  ['指标编号', '指标名称', '分值', '自评分', '计算得分', '差异类型', '说明'].forEach((text, i) =>
    put(ws, 3, 1 + i, text, { header: true }),
  );
  const kinds: Record<string, string> = {
    exceeds_weight: '超过分值',
    differs: '得分不一致',
    not_submitted: '未填写',
    unknown_criterion: '非体系指标',
  };
  let row = 4;
  for (const f of rec.findings) {
    put(ws, row, 1, f.criterion);
    put(ws, row, 2, f.name ?? '');
    put(ws, row, 3, f.weight === null ? null : num(f.weight));
    put(ws, row, 4, f.submitted === null ? null : num(f.submitted));
    put(ws, row, 5, f.computed === null ? null : num(f.computed), { fmt: SCORE });
    put(ws, row, 6, kinds[f.kind] ?? f.kind);
    put(ws, row++, 7, f.reason);
  }
  const totals: Record<string, string> = {
    total_vs_sum: '总分与分项合计',
    total_vs_computed: '总分与计算总分',
    grade_vs_total: '等级与自评总分',
    grade_vs_computed: '等级与计算结果',
  };
  for (const f of rec.totalFindings) {
    merge(ws, row, 1, row, 2, totals[f.kind] ?? f.kind, { bold: true });
    put(ws, row, 3, null);
    put(ws, row, 4, scoreOrText(f.submitted));
    put(ws, row, 5, scoreOrText(f.expected), { fmt: f.kind === 'total_vs_computed' ? SCORE : undefined });
    put(ws, row, 6, '总分/等级');
    put(ws, row++, 7, f.reason);
  }
  if (!rec.findings.length && !rec.totalFindings.length)
    merge(ws, row, 1, row, 7, '自评表与计算结果一致，无差异', { align: 'left' });
}

/** The workbook as xlsx bytes. */
export async function evaluationXlsx(r: EvaluationReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Paceline';
  wb.title = `${r.departmentName} ${r.year} 部门整体支出绩效自评`;
  selfEvaluationSheet(wb, r);
  scoringSheet(wb, r);
  reconciliationSheet(wb, r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** `yantian-emergency-2023-自评.xlsx` */
export function evaluationFileName(r: Pick<EvaluationReport, 'department' | 'year'>, ext: string): string {
  return `${r.department}-${r.year}-自评.${ext}`;
}
