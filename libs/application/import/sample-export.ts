/**
 * Writes a stream's budget, monthly spending and plans to an .xlsx workbook in the layout the
 * importer reads with its default mapping: sheets 预算, 支出 and 计划, a title row, a unit note, the
 * headers (科室编码, 科室, 项目编码, 预算项目, 资金来源, 月份, 支出金额 (元), …) and a 合计 row, which
 * the importer skips. Spending is written as corrected, one row per line and month.
 */
import ExcelJS from 'exceljs';
import { occurredOnDate } from '#domain/dates.js';
import { Decimal, ZERO } from '#domain/decimal.js';
import type { EventInput } from '#domain/events.js';
import { elementAt, entryOf } from '#domain/required.js';
import { CATEGORY_LABEL, ECONOMIC_LABEL, SOURCE_LABEL } from './codes.js';
import type { KnownLine } from './stored.js';
import type { AmountUnit } from './text.js';

export interface ExportOptions {
  /** 元 (default) or 万元: amounts are divided by 10000 and the headers say (万元). */
  unit?: AmountUnit;
}

export interface StreamTables {
  department: string;
  year: number;
  departmentName: string;
  units: { unit: string; name: string }[];
  lines: KnownLine[];
  adjustments: { line: string; amount: Decimal; effectiveOn: string; reason: string }[];
  /** As corrected, per line and month (1..12), in line order then month. */
  spending: { line: string; month: string; amount: Decimal }[];
  /** The plan in force per unit and month. */
  plans: { unit: string; month: string; amount: Decimal }[];
}

/** Folds a stream's events into what the workbook shows. */
export function streamTables(events: EventInput[]): StreamTables {
  const first = events[0];
  const t: StreamTables = {
    department: first?.department ?? '',
    year: first?.year ?? 0,
    departmentName: '',
    units: [],
    lines: [],
    adjustments: [],
    spending: [],
    plans: [],
  };
  const spent = new Map<string, Decimal>();
  const recordKey = new Map<string, string>();
  const plans = new Map<string, { amount: Decimal; knownOn: string }>();
  for (const e of events) {
    switch (e.type) {
      case 'YearOpened':
        t.departmentName = e.data.departmentName;
        break;
      case 'UnitRegistered':
        t.units.push({ unit: e.data.unit, name: e.data.name });
        break;
      case 'BudgetAllocated':
        t.lines.push({ ...e.data, allocation: new Decimal(e.data.amount) });
        break;
      case 'BudgetAdjusted':
        t.adjustments.push({
          line: e.data.line,
          amount: new Decimal(e.data.amount),
          effectiveOn: e.data.effectiveOn,
          reason: e.data.reason,
        });
        break;
      case 'SpendingRecorded': {
        const k = `${e.data.line}|${e.data.month}`;
        spent.set(k, (spent.get(k) ?? ZERO).plus(e.data.amount));
        recordKey.set(e.id, k);
        break;
      }
      case 'SpendingCorrected': {
        const k = recordKey.get(e.data.corrects);
        if (k) spent.set(k, (spent.get(k) ?? ZERO).plus(e.data.amount));
        break;
      }
      case 'SpendingPlanned': {
        const k = `${e.data.unit}|${e.data.month}`;
        const knownOn = occurredOnDate(e.occurredAt) ?? e.occurredAt;
        const p = plans.get(k);
        if (!p || knownOn >= p.knownOn) plans.set(k, { amount: new Decimal(e.data.amount), knownOn });
        break;
      }
      default:
        break;
    }
  }
  for (const l of t.lines) {
    for (let m = 1; m <= 12; m++) {
      const month = `${t.year}-${String(m).padStart(2, '0')}`;
      const amount = spent.get(`${l.line}|${month}`);
      if (amount && !amount.isZero()) t.spending.push({ line: l.line, month, amount });
    }
  }
  for (const u of t.units) {
    for (let m = 1; m <= 12; m++) {
      const month = `${t.year}-${String(m).padStart(2, '0')}`;
      const p = plans.get(`${u.unit}|${month}`);
      if (p) t.plans.push({ unit: u.unit, month, amount: p.amount });
    }
  }
  return t;
}

const MONEY_FMT = '#,##0.00';

/** The workbook as bytes. */
export async function exportStreamXlsx(events: EventInput[], options: ExportOptions = {}): Promise<Buffer> {
  const t = streamTables(events);
  const wan = options.unit === 'wan';
  const unitLabel = wan ? '万元' : '元';
  const num = (d: Decimal) => Number((wan ? d.div(10000) : d).toString());
  const fmt = wan ? '#,##0.000000' : MONEY_FMT;
  const unitName = new Map(t.units.map((u) => [u.unit, u.name]));
  const lineById = new Map(t.lines.map((l) => [l.line, l]));
  const wb = new ExcelJS.Workbook();
  wb.creator = 'paceline';

  const sheet = (name: string, title: string, headers: string[], widths: number[]) => {
    const ws = wb.addWorksheet(name);
    ws.getCell(1, 1).value = `${t.departmentName} ${t.year}年${title}`;
    ws.mergeCells(1, 1, 1, headers.length);
    ws.getCell(1, 1).font = { bold: true, size: 14 };
    ws.getCell(2, 1).value = `单位：${unitLabel}`;
    const header = ws.getRow(3);
    headers.forEach((h, i) => {
      header.getCell(i + 1).value = h;
      header.getCell(i + 1).font = { bold: true };
      ws.getColumn(i + 1).width = widths[i] ?? 14;
    });
    ws.views = [{ state: 'frozen', ySplit: 3 }];
    return ws;
  };
  const totalRow = (ws: ExcelJS.Worksheet, row: number, labelCol: number, sumCols: number[], values: Decimal[]) => {
    ws.getCell(row, labelCol).value = '合计';
    sumCols.forEach((c, i) => {
      const letter = ws.getColumn(c).letter;
      const cell = ws.getCell(row, c);
      cell.value = {
        formula: `SUM(${letter}4:${letter}${row - 1})`,
        result: num(elementAt(values, i, 'column total')),
      };
      cell.numFmt = fmt;
    });
    ws.getRow(row).font = { bold: true };
  };

  // 预算: one row per line (initial budget and its first adjustment), one more row per further adjustment.
  const budget = sheet(
    '预算',
    '预算',
    [
      '科室编码',
      '科室',
      '项目编码',
      '预算项目',
      '项目类别',
      '经济分类',
      '资金来源',
      `预算数 (${unitLabel})`,
      `调整数 (${unitLabel})`,
      '调整日期',
      '调整原因',
    ],
    [12, 22, 14, 36, 10, 14, 10, 18, 16, 12, 40],
  );
  let r = 4;
  let totalBudget = ZERO;
  let totalAdjusted = ZERO;
  for (const l of t.lines) {
    const adjustments = t.adjustments.filter((a) => a.line === l.line);
    const rows = Math.max(1, adjustments.length);
    for (let i = 0; i < rows; i++, r++) {
      const row = budget.getRow(r);
      row.getCell(1).value = l.unit;
      row.getCell(2).value = unitName.get(l.unit) ?? l.unit;
      row.getCell(3).value = l.line;
      row.getCell(4).value = l.name;
      row.getCell(7).value = SOURCE_LABEL[l.source];
      if (i === 0) {
        row.getCell(5).value = CATEGORY_LABEL[l.category];
        row.getCell(6).value = ECONOMIC_LABEL[l.economic];
        row.getCell(8).value = num(l.allocation);
        row.getCell(8).numFmt = fmt;
        totalBudget = totalBudget.plus(l.allocation);
      }
      const a = adjustments[i];
      if (a) {
        row.getCell(9).value = num(a.amount);
        row.getCell(9).numFmt = fmt;
        row.getCell(10).value = a.effectiveOn;
        row.getCell(11).value = a.reason;
        totalAdjusted = totalAdjusted.plus(a.amount);
      }
    }
  }
  totalRow(budget, r, 2, [8, 9], [totalBudget, totalAdjusted]);

  // 支出: spending as corrected per line and month.
  const spending = sheet(
    '支出',
    '月度支出',
    ['科室编码', '科室', '项目编码', '预算项目', '资金来源', '月份', `支出金额 (${unitLabel})`],
    [12, 22, 14, 36, 10, 10, 18],
  );
  r = 4;
  let totalSpent = ZERO;
  for (const s of t.spending) {
    const l = entryOf(lineById, s.line, 'budget line');
    const row = spending.getRow(r++);
    row.values = [
      l.unit,
      unitName.get(l.unit) ?? l.unit,
      l.line,
      l.name,
      SOURCE_LABEL[l.source],
      s.month,
      num(s.amount),
    ];
    row.getCell(7).numFmt = fmt;
    totalSpent = totalSpent.plus(s.amount);
  }
  totalRow(spending, r, 2, [7], [totalSpent]);

  // 计划: the plan in force per unit and month.
  const plan = sheet('计划', '月度支出计划', ['科室编码', '科室', '月份', `计划数 (${unitLabel})`], [12, 22, 10, 18]);
  r = 4;
  let totalPlanned = ZERO;
  for (const p of t.plans) {
    const row = plan.getRow(r++);
    row.values = [p.unit, unitName.get(p.unit) ?? p.unit, p.month, num(p.amount)];
    row.getCell(4).numFmt = fmt;
    totalPlanned = totalPlanned.plus(p.amount);
  }
  totalRow(plan, r, 2, [4], [totalPlanned]);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
