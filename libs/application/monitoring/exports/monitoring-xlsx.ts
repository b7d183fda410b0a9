/**
 * The monitoring table (绩效运行监控表) as an Excel workbook, laid out like the form finance
 * bureaus circulate: one sheet for the department as a whole (部门整体) and one per project, each
 * with a title row, the header block (项目名称, 主管部门, 实施单位), the money row (年度预算数, 1—X月
 * 执行数, 执行率, 序时进度 …, amounts in 万元) and one row per target (一级/二级/三级指标, 年度指标值,
 * 1—X月实际完成值, 全年预计完成值, 完成目标可能性, 偏差原因分析 with its five cause columns, 原因说明,
 * 完善措施), with merged cells as on paper. A unit fills it in and imports it again
 * (docs/monitoring.md, "The monitoring table"): the hidden column P carries the marker and the row
 * keys (monitoring-layout.ts). Also the finance bureau's roll-up as one sheet.
 * Figures stay decimal strings until the cell.
 */
import ExcelJS from 'exceljs';
import { merge, put, type Sheet } from '../../common/xlsx-cells.js';
import { Decimal } from '#domain/decimal.js';
import { fullDateCn } from '#domain/format.js';
import { required } from '#domain/required.js';
import type { Rollup } from '../monitoring.service.js';
import type { MonitoringAnswer } from '../monitoring.wire.js';
import {
  CAUSES,
  COL,
  KEY,
  LIKELIHOOD_TEXT,
  MARK,
  MARKER_FORMAT,
  MARKER_VERSION,
  MONEY_COL,
  periodLabel,
  periodStart,
  type TableMarker,
} from './monitoring-layout.js';

type Project = MonitoringAnswer['projects'][number];
type Target = Project['targets'][number];
type Figures = NonNullable<MonitoringAnswer['total']>;
type Explanation = NonNullable<MonitoringAnswer['explanations'][number]['explanation']>;

const WAN = '#,##0.00';
const PERCENT = '0.00"%"';
const LAST = COL.measure;

export const LEVEL_TEXT: Record<string, string> = { green: '正常', yellow: '黄色预警', red: '红色预警' };
export const DIVERGENCE_TEXT: Record<string, string> = {
  spending_ahead: '钱花了事没干',
  work_ahead: '事干了钱没花',
};

/** An amount in yuan (decimal string) as 万元, half-up to 2 decimals: the cell's number. */
export const wanNumber = (yuan: string): number => Number(new Decimal(yuan).div(10000).toFixed(2));

/** One table: the department as a whole, or a project. */
export interface TableSection {
  /** `department` or `task:<id>` (the marker's subject). */
  subject: string;
  kind: 'department' | 'project';
  /** 项目名称 (the project's title), or the department's name. */
  name: string;
  /** 实施单位. */
  unitName: string;
  figures: Figures;
  targets: Target[];
  /** The latest explanation of the subject's spending known, when it is of the table's period. */
  explanation: Explanation | null;
  /** Remarks under the targets (divergence, targets at risk), Chinese. */
  remarks: string[];
}

/** The sections of an answer: 部门整体 (not in a unit reader's cut), then each project in planning order. */
export function tableSections(a: MonitoringAnswer): TableSection[] {
  const from = periodStart(a.year, a.throughMonth);
  const explanationOf = (kind: string, id: string | null) => {
    const x = a.explanations.find((e) => e.subject.kind === kind && e.subject.id === id)?.explanation ?? null;
    return x && x.asOf >= from ? x : null;
  };
  const atRisk = (targets: Target[]) => {
    const names = targets.filter((t) => t.atRisk).map((t) => t.name);
    return names.length ? [`目标有完不成风险：${names.join('、')}`] : [];
  };
  const out: TableSection[] = [];
  if (a.total)
    out.push({
      subject: 'department',
      kind: 'department',
      name: a.departmentName,
      unitName: '部门整体',
      figures: a.total,
      targets: a.departmentTargets,
      explanation: explanationOf('department', null),
      remarks: atRisk(a.departmentTargets),
    });
  for (const p of a.projects) {
    const d = p.divergence;
    out.push({
      subject: `task:${p.task}`,
      kind: 'project',
      name: p.title,
      unitName: p.unitName,
      figures: p,
      targets: p.targets,
      explanation: explanationOf('task', p.task),
      remarks: [
        ...(d
          ? [
              `执行率 ${d.rate}% 与绩效指标平均完成比例 ${d.completion}% 相差 ${d.difference} 个百分点（${DIVERGENCE_TEXT[d.kind] ?? d.kind}）`,
            ]
          : []),
        ...atRisk(p.targets),
      ],
    });
  }
  return out;
}

/** The table's title: 2025年度项目支出绩效运行监控表（1—7月）. */
export function tableTitle(a: Pick<MonitoringAnswer, 'year' | 'throughMonth' | 'asOf'>, s: Pick<TableSection, 'kind'>) {
  const what = s.kind === 'department' ? '部门整体支出' : '项目支出';
  return `${a.year}年度${what}绩效运行监控表（${periodLabel(a.throughMonth, a.asOf)}）`;
}

/** The line under the title: the date, what it was known on, the fund source and the amount unit. */
export function tableSubtitle(a: Pick<MonitoringAnswer, 'asOf' | 'knownOn'>): string {
  const known = a.knownOn ? `（按${fullDateCn(a.knownOn)}已掌握的数据）` : '';
  return `截至${fullDateCn(a.asOf)}${known}\u3000资金口径：财政资金\u3000金额单位：万元`;
}

/** A progress report shown in the fill-in columns: only the table period's (docs/monitoring.md). */
export function periodProgress(a: Pick<MonitoringAnswer, 'year' | 'throughMonth'>, t: Target) {
  const p = t.progress;
  return p && p.asOf >= periodStart(a.year, a.throughMonth) ? p : null;
}

/** Merges runs of equal keys in a column of the target rows (一级 and 二级指标, as on paper). */
function mergeRuns(ws: Sheet, first: number, keys: string[], col: number, text: (k: number) => string) {
  let start = 0;
  for (let i = 1; i <= keys.length; i++) {
    if (i < keys.length && keys[i] === keys[start]) continue;
    merge(ws, first + start, col, first + i - 1, col, text(start), { align: 'center' });
    start = i;
  }
}

/** The header of a block with 偏差原因分析 and 完善措施 (two rows, as on paper). */
function causeHeader(ws: Sheet, row: number) {
  merge(ws, row, COL.firstCause, row, COL.reason, '偏差原因分析', { header: true });
  CAUSES.forEach((c, i) => put(ws, row + 1, COL.firstCause + i, c.text, { header: true }));
  put(ws, row + 1, COL.reason, '原因说明', { header: true });
  merge(ws, row, COL.measure, row + 1, COL.measure, '完善措施', { header: true });
}

/** The five cause cells, the reason and the measure of a row (marked and filled from what is known). */
function causeCells(
  ws: Sheet,
  row: number,
  deviation: { cause: string; reason: string } | null,
  measure: string | null,
) {
  CAUSES.forEach((c, i) =>
    put(ws, row, COL.firstCause + i, deviation?.cause === c.cause ? MARK : null, { input: true, align: 'center' }),
  );
  put(ws, row, COL.reason, deviation?.reason ?? null, { input: true });
  put(ws, row, COL.measure, measure, { input: true });
  for (let i = 0; i < CAUSES.length; i++) ws.getCell(row, COL.firstCause + i).dataValidation = markValidation();
}

const markValidation = (): ExcelJS.DataValidation => ({
  type: 'list',
  allowBlank: true,
  formulae: [`"${MARK},√"`],
  showErrorMessage: true,
  errorStyle: 'warning',
  errorTitle: '偏差原因分析',
  error: `勾选一项原因：填 ${MARK}（或 √），其余留空`,
});

const likelihoodValidation = (): ExcelJS.DataValidation => ({
  type: 'list',
  allowBlank: true,
  formulae: [`"${Object.values(LIKELIHOOD_TEXT).join(',')}"`],
  showErrorMessage: true,
  errorTitle: '完成目标可能性',
  error: `填 ${Object.values(LIKELIHOOD_TEXT).join('、')} 之一`,
});

const rateCell = (ws: Sheet, row: number, col: number, v: string | null) =>
  v === null ? put(ws, row, col, '—', { align: 'center' }) : put(ws, row, col, Number(v), { fmt: PERCENT });

function marker(a: MonitoringAnswer, subject: string): string {
  const m: TableMarker = {
    format: MARKER_FORMAT,
    version: MARKER_VERSION,
    stream: `${a.department}/${a.year}`,
    department: a.department,
    year: a.year,
    asOf: a.asOf,
    knownOn: a.knownOn,
    throughMonth: a.throughMonth,
    subject,
  };
  return JSON.stringify(m);
}

/** Sheet names: at most 31 characters, none of []:*?/\, unique in the workbook. */
function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || '项目';
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base.slice(0, 31 - `(${n})`.length)}(${n})`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

function tableSheet(wb: ExcelJS.Workbook, a: MonitoringAnswer, s: TableSection, name: string) {
  const ws = wb.addWorksheet(name, {
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.2, footer: 0.2 },
    },
  });
  ws.columns = [8, 11, 12, 20, 13, 14, 14, 12, 6, 6, 6, 7, 6, 26, 30, 12].map((width) => ({ width }));
  ws.getColumn(COL.key).hidden = true;
  const period = periodLabel(a.throughMonth, a.asOf);
  const isProject = s.kind === 'project';

  // Title, date line, the header block.
  ws.mergeCells(1, 1, 1, LAST);
  const title = ws.getCell(1, 1);
  title.value = tableTitle(a, s);
  title.font = { bold: true, size: 14 };
  title.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 28;
  ws.getCell(1, COL.key).value = marker(a, s.subject);
  ws.mergeCells(2, 1, 2, LAST);
  const sub = ws.getCell(2, 1);
  sub.value = tableSubtitle(a);
  sub.alignment = { horizontal: 'right', vertical: 'middle' };
  put(ws, 3, 1, isProject ? '项目名称' : '部门名称', { header: true });
  merge(ws, 3, 2, 3, LAST, s.name, { bold: true });
  put(ws, 4, 1, '主管部门', { header: true });
  merge(ws, 4, 2, 4, 7, a.departmentName);
  put(ws, 4, 8, '实施单位', { header: true });
  merge(ws, 4, 9, 4, LAST, s.unitName);

  // The money row: 年度预算数 … 预警等级, and the explanation of the spending.
  const f = s.figures;
  merge(ws, 5, 1, 7, 1, isProject ? '项目资金（万元）' : '部门资金（万元）', { header: true });
  const moneyHeads: [number, string][] = [
    [MONEY_COL.budget, '年度预算数'],
    [MONEY_COL.spent, `${period}执行数`],
    [MONEY_COL.rate, '执行率'],
    [MONEY_COL.schedule, '序时进度'],
    [MONEY_COL.projected, '全年预计执行数'],
    [MONEY_COL.carryOver, '预计结转结余'],
    [MONEY_COL.level, '预警等级'],
  ];
  for (const [col, text] of moneyHeads) merge(ws, 5, col, 6, col, text, { header: true });
  causeHeader(ws, 5);
  put(ws, 7, MONEY_COL.budget, wanNumber(f.budget), { fmt: WAN });
  put(ws, 7, MONEY_COL.spent, wanNumber(f.spent), { fmt: WAN });
  rateCell(ws, 7, MONEY_COL.rate, f.rate);
  rateCell(ws, 7, MONEY_COL.schedule, f.schedule);
  put(ws, 7, MONEY_COL.projected, wanNumber(f.projectedYearEnd), { fmt: WAN });
  put(ws, 7, MONEY_COL.carryOver, wanNumber(f.carryOver), { fmt: WAN });
  put(ws, 7, MONEY_COL.level, f.level ? (LEVEL_TEXT[f.level] ?? f.level) : '—', { align: 'center' });
  const x = s.explanation;
  causeCells(ws, 7, x && { cause: x.cause, reason: x.reason }, x?.measure ?? null);
  ws.getCell(7, COL.key).value = KEY.spending;

  // The targets.
  const head = 8;
  const first = head + 2;
  const last = first + Math.max(s.targets.length, 1) - 1;
  merge(ws, head, 1, last, 1, '绩效指标', { header: true });
  const targetHeads: [number, string][] = [
    [COL.level1, '一级指标'],
    [COL.level2, '二级指标'],
    [COL.name, '三级指标'],
    [COL.target, '年度指标值'],
    [COL.actual, `${period}实际完成值`],
    [COL.expected, '全年预计完成值'],
    [COL.likelihood, '完成目标可能性'],
  ];
  for (const [col, text] of targetHeads) merge(ws, head, col, head + 1, col, text, { header: true });
  causeHeader(ws, head);
  ws.getCell(head, COL.key).value = KEY.header;
  if (s.targets.length === 0) merge(ws, first, COL.level1, first, LAST, '（未设定绩效指标）', { align: 'center' });
  s.targets.forEach((t, i) => {
    const row = first + i;
    const p = periodProgress(a, t);
    put(ws, row, COL.name, t.name);
    put(ws, row, COL.target, t.target, { align: 'center' });
    put(ws, row, COL.actual, p?.actual ?? null, { input: true, align: 'center' });
    put(ws, row, COL.expected, p?.expectedYearEnd ?? null, { input: true, align: 'center' });
    put(ws, row, COL.likelihood, p ? (LIKELIHOOD_TEXT[p.likelihood] ?? p.likelihood) : null, {
      input: true,
      align: 'center',
    });
    ws.getCell(row, COL.likelihood).dataValidation = likelihoodValidation();
    causeCells(ws, row, p?.deviation ?? null, p?.measure ?? null);
    ws.getCell(row, COL.key).value = KEY.indicator(t.indicator);
  });
  if (s.targets.length > 0) {
    mergeRuns(
      ws,
      first,
      s.targets.map((t) => t.level1),
      COL.level1,
      (k) => required(s.targets[k], 'a target').level1,
    );
    mergeRuns(
      ws,
      first,
      s.targets.map((t) => `${t.level1}\u0000${t.level2}`),
      COL.level2,
      (k) => required(s.targets[k], 'a target').level2,
    );
  }

  // Remarks and how to fill it in.
  let row = last + 1;
  if (s.remarks.length) {
    put(ws, row, 1, '监控提示', { header: true });
    merge(ws, row, 2, row, LAST, s.remarks.join('；'));
    row += 1;
  }
  put(ws, row, 1, '填表说明', { header: true });
  merge(
    ws,
    row,
    2,
    row,
    LAST,
    `黄色底纹的格子由实施单位填写。完成目标可能性填“确定能”“有可能”或“完全不可能”；填“有可能”或“完全不可能”时，` +
      `须在偏差原因分析中勾选一项（${MARK}）并填写原因说明和完善措施。资金行的偏差原因分析（勾选一项、原因说明、完善措施）` +
      `说明支出进度的偏差，三项须同时填写。未填写的行不导入。填好后按原样上传导入（不要增删列，不要修改隐藏的 P 列）。`,
  );
  ws.getRow(row).height = 45;
}

/** The monitoring table of an answer as xlsx bytes: 部门整体 first, then one sheet per project. */
export async function monitoringXlsx(a: MonitoringAnswer): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Paceline';
  wb.title = `${a.departmentName} ${a.year} 绩效运行监控表`;
  const taken = new Set<string>();
  const sections = tableSections(a);
  for (const s of sections) tableSheet(wb, a, s, sheetName(s.kind === 'department' ? '部门整体' : s.name, taken));
  if (sections.length === 0) {
    const ws = wb.addWorksheet('说明');
    ws.getCell(1, 1).value = `${a.departmentName} ${a.year}：没有可填报的项目`;
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** `mon-demo-2025-绩效运行监控表-2025-07-31.xlsx` */
export function monitoringFileName(a: Pick<MonitoringAnswer, 'department' | 'year' | 'asOf'>, ext: string): string {
  return `${a.department}-${a.year}-绩效运行监控表-${a.asOf}.${ext}`;
}

export function monitoringAsciiName(a: Pick<MonitoringAnswer, 'department' | 'year' | 'asOf'>, ext: string): string {
  return `${a.department}-${a.year}-monitoring-${a.asOf}.${ext}`;
}

/** The roll-up's columns: the ranking's order (worstFirst), then the measures overdue. */
const ROLLUP_COUNTS: [keyof Rollup['departments'][number]['summary'], string][] = [
  ['overdue', '逾期未说明偏差'],
  ['unexplained', '未说明偏差'],
  ['redProjects', '红色预警项目'],
  ['targetsAtRisk', '目标有风险'],
  ['divergences', '钱事偏离项目'],
  ['yellowProjects', '黄色预警项目'],
  ['overdueMeasures', '逾期整改措施'],
];

/** The finance bureau's roll-up as one sheet, worst first (the order of the JSON answer). */
export async function rollupXlsx(r: Rollup): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Paceline';
  wb.title = '绩效运行监控汇总表';
  const ws = wb.addWorksheet('监控汇总', {
    views: [{ state: 'frozen', ySplit: 3 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const heads = ['序号', '部门编码', '部门名称', '年度', '截至日期', '部门执行进度', ...ROLLUP_COUNTS.map((c) => c[1])];
  ws.columns = [6, 18, 26, 8, 12, 12, ...ROLLUP_COUNTS.map(() => 12)].map((width) => ({ width }));
  ws.mergeCells(1, 1, 1, heads.length);
  const title = ws.getCell(1, 1);
  title.value = `${r.year ?? ''}${r.year ? '年度' : ''}绩效运行监控汇总表`;
  title.font = { bold: true, size: 14 };
  title.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 28;
  ws.mergeCells(2, 1, 2, heads.length);
  const sub = ws.getCell(2, 1);
  const known = r.knownOn ? `（按${fullDateCn(r.knownOn)}已掌握的数据）` : '';
  sub.value = `${r.asOf ? `截至${fullDateCn(r.asOf)}` : '截至各年度默认日期'}${known}\u3000按问题严重程度排序（逾期未说明、未说明、红色项目、目标风险、偏离、黄色项目）`;
  sub.alignment = { horizontal: 'left', vertical: 'middle' };
  heads.forEach((h, i) => put(ws, 3, i + 1, h, { header: true }));
  r.departments.forEach((d, i) => {
    const row = 4 + i;
    put(ws, row, 1, i + 1, { align: 'center' });
    put(ws, row, 2, d.department);
    put(ws, row, 3, d.departmentName);
    put(ws, row, 4, d.year, { align: 'center' });
    put(ws, row, 5, d.asOf, { align: 'center' });
    put(ws, row, 6, d.level ? (LEVEL_TEXT[d.level] ?? d.level) : '—', { align: 'center' });
    ROLLUP_COUNTS.forEach(([k], j) => put(ws, row, 7 + j, d.summary[k], { align: 'center' }));
  });
  if (r.departments.length === 0) merge(ws, 4, 1, 4, heads.length, '没有部门', { align: 'center' });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function rollupFileName(r: Pick<Rollup, 'year' | 'asOf'>): { fileName: string; asciiName: string } {
  const tail = `${r.year ?? '全部年度'}${r.asOf ? `-${r.asOf}` : ''}`;
  const ascii = `${r.year ?? 'all'}${r.asOf ? `-${r.asOf}` : ''}`;
  return { fileName: `绩效运行监控汇总-${tail}.xlsx`, asciiName: `monitoring-rollup-${ascii}.xlsx` };
}
