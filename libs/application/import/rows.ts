/**
 * Turns the data rows of one sheet into amount records (one per amount column and fund source),
 * skipping blank and subtotal rows and rejecting rows with unreadable cells, each with its column.
 */
import { Decimal } from '#domain/decimal.js';
import type { Category, Economic, FundSource } from '#domain/events.js';
import { parseAmount } from './amount.js';
import { parseCategory, parseEconomic, parseSource } from './codes.js';
import { parseDate, parseMonth } from './dates.js';
import type { Column, SheetLayout } from './header.js';
import { AMOUNT_FIELDS, isAmountField, type AmountField, type Field, type Mapping } from './mapping.js';
import type { ColumnRef, RowProblem, RowRef, SkippedRow } from './report.js';
import { cellAt, type Table } from './table.js';
import {
  cellText,
  cleanNumber,
  displayText,
  isBlank,
  isSubtotalText,
  normalizeHeader,
  type AmountUnit,
  type CellValue,
} from './text.js';

export interface RowInfo {
  ref: RowRef;
  /** Where each field was read (for reporting a problem against its column). */
  cols: Partial<Record<Field, ColumnRef>>;
  unitId?: string;
  unitName?: string;
  lineId?: string;
  lineName?: string;
  source?: FundSource;
  category?: Category;
  economic?: Economic;
  month?: string;
  effectiveOn?: string;
  reason?: string;
}

export interface AmountRecord {
  field: AmountField;
  /** Fund source of a split column (预算数/其中：财政拨款); otherwise the row's 资金来源. */
  source?: FundSource;
  /** Yuan, at most 2 decimals. */
  amount: Decimal;
  col: ColumnRef;
  info: RowInfo;
}

export interface SheetRecords {
  records: AmountRecord[];
  skipped: SkippedRow[];
  rejected: RowProblem[];
  /** Rows below the header up to the last non-blank one. */
  dataRows: number;
  kinds: ('budget' | 'spending' | 'plan')[];
  unit: AmountUnit;
}

export interface ReadOptions {
  year: number;
  mapping: Mapping;
  /** Unit given on the command line / request: overrides headers and the mapping. */
  unit?: AmountUnit;
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FREE_TEXT = /^(备注|说明|摘要|用途|原因|调整原因|调整说明|附注)/;

function columnIndex(letter: string): number {
  let n = 0;
  for (const ch of letter) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

const FIELD_LABEL: Partial<Record<Field, string>> = {
  unit: '科室编码',
  unitName: '科室',
  line: '项目编码',
  lineName: '预算项目',
  month: '月份',
  effectiveOn: '调整日期',
};

export function sheetKinds(layout: SheetLayout): ('budget' | 'spending' | 'plan')[] {
  const fields = new Set(layout.columns.map((c) => c.rule.field));
  const kinds: ('budget' | 'spending' | 'plan')[] = [];
  if (fields.has('budget') || fields.has('adjustment')) kinds.push('budget');
  if (fields.has('spending')) kinds.push('spending');
  if (fields.has('plan')) kinds.push('plan');
  return kinds;
}

function columnUnit(c: Column, layout: SheetLayout, o: ReadOptions): AmountUnit {
  return o.unit ?? o.mapping.unit ?? c.unit ?? layout.unitNote ?? 'yuan';
}

function shown(v: CellValue): string {
  return v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'number' ? cleanNumber(v) : String(v);
}

export function readRecords(t: Table, layout: SheetLayout, o: ReadOptions): SheetRecords {
  const sheet = t.name;
  const mapped = layout.columns.filter((c) => c.rule.field !== 'ignore');
  const byField = new Map<Field, Column>();
  for (const c of mapped) if (!isAmountField(c.rule.field) && !byField.has(c.rule.field)) byField.set(c.rule.field, c);
  const amountCols = new Map<AmountField, Column[]>();
  for (const c of mapped) {
    const field = c.rule.field;
    if (!isAmountField(field)) continue;
    const cols = amountCols.get(field);
    if (cols) cols.push(c);
    else amountCols.set(field, [c]);
  }
  // Free-text columns (reasons, remarks, descriptions) may mention 合计 or 累计 without being a total row.
  const freeText = new Set<number>(
    layout.columns
      .filter((c) => c.rule.field === 'reason' || FREE_TEXT.test(normalizeHeader(c.header).key))
      .map((c) => c.index),
  );
  for (const u of layout.unmapped) {
    // "<letter> <header>": the letter, then the header (which may hold spaces itself).
    const space = u.indexOf(' ');
    const letter = space < 0 ? u : u.slice(0, space);
    const header = space < 0 ? '' : u.slice(space + 1);
    if (FREE_TEXT.test(normalizeHeader(header).key)) freeText.add(columnIndex(letter));
  }
  const firstAmount = mapped.find((c) => isAmountField(c.rule.field));
  const out: SheetRecords = {
    records: [],
    skipped: [],
    rejected: [],
    dataRows: 0,
    kinds: sheetKinds(layout),
    unit: firstAmount ? columnUnit(firstAmount, layout, o) : 'yuan',
  };

  const value = (r: number, c: Column): CellValue => {
    // A merged amount counts once, in its first cell.
    if (isAmountField(c.rule.field) && t.repeated[r]?.[c.index]) return null;
    return cellAt(t, r, c.index);
  };
  let last = layout.dataStart - 1;
  for (let r = layout.dataStart; r < t.rows.length; r++) if (mapped.some((c) => !isBlank(value(r, c)))) last = r;
  out.dataRows = Math.max(0, last - layout.dataStart + 1);

  for (let r = layout.dataStart; r <= last; r++) {
    const ref: RowRef = { sheet, row: r + 1 };
    if (mapped.every((c) => isBlank(value(r, c)))) {
      out.skipped.push({ ...ref, reason: 'blank' });
      continue;
    }
    const row = t.rows[r] ?? [];
    const marker = row
      .map((v, c) => (!freeText.has(c) && typeof v === 'string' && isSubtotalText(v) ? cellText(v) : null))
      .find((x) => x !== null);
    if (marker) {
      out.skipped.push({ ...ref, reason: 'subtotal', text: marker });
      continue;
    }
    const problems: RowProblem[] = [];
    const colRef = (c: Column): ColumnRef => ({ column: c.letter, header: c.header });
    const problem = (c: Column | undefined, v: CellValue | undefined, reason: string, label?: string) =>
      problems.push({
        ...ref,
        ...(c ? colRef(c) : label ? { header: label } : {}),
        ...(v !== undefined && v !== null ? { value: shown(v) } : {}),
        reason,
      });
    const info: RowInfo = { ref, cols: {} };
    for (const [field, c] of byField) {
      info.cols[field] = colRef(c);
      const v = value(r, c);
      if (isBlank(v)) continue;
      switch (field) {
        case 'unit':
        case 'line': {
          const id = typeof v === 'number' ? cleanNumber(v) : cellText(v);
          if (!KEY_RE.test(id))
            problem(c, v, `${JSON.stringify(id)} is not an id: use letters, digits, ".", "_" or "-" (1–64 characters)`);
          else if (field === 'unit') info.unitId = id;
          else info.lineId = id;
          break;
        }
        case 'unitName':
          info.unitName = displayText(v);
          break;
        case 'lineName':
          info.lineName = displayText(v);
          break;
        case 'reason':
          info.reason = displayText(v);
          break;
        case 'source': {
          const p = parseSource(v);
          if (!p.ok) problem(c, v, p.reason);
          else if (p.value) info.source = p.value;
          break;
        }
        case 'category': {
          const p = parseCategory(v);
          if (!p.ok) problem(c, v, p.reason);
          else if (p.value) info.category = p.value;
          break;
        }
        case 'economic': {
          const p = parseEconomic(v);
          if (!p.ok) problem(c, v, p.reason);
          else if (p.value) info.economic = p.value;
          break;
        }
        case 'month': {
          const p = parseMonth(v, o.year);
          if (!p.ok) problem(c, v, p.reason);
          else if (p.value) info.month = p.value;
          break;
        }
        case 'effectiveOn': {
          const p = parseDate(v, o.year);
          if (!p.ok) problem(c, v, p.reason);
          else if (p.value) info.effectiveOn = p.value;
          break;
        }
        default:
          break;
      }
    }

    const records: AmountRecord[] = [];
    for (const field of AMOUNT_FIELDS) {
      const cols = amountCols.get(field);
      if (!cols) continue;
      const parsed = cols.map((c) => {
        const v = value(r, c);
        const p = parseAmount(v, columnUnit(c, layout, o));
        if (!p.ok) problem(c, v, p.reason);
        return { c, amount: p.ok ? p.amount : null };
      });
      const total = parsed.find((x) => !x.c.rule.source);
      const split = parsed.filter((x) => x.c.rule.source);
      for (const x of split)
        if (x.amount !== null)
          records.push({ field, source: x.c.rule.source, amount: x.amount, col: colRef(x.c), info });
      if (!total || total.amount === null) continue;
      if (split.every((x) => x.amount === null)) {
        records.push({ field, amount: total.amount, col: colRef(total.c), info });
        continue;
      }
      // 合计 with 其中 columns: the 其中 columns are parts of the total.
      const present = new Set(split.map((x) => x.c.rule.source));
      const parts = split.reduce((s, x) => s.plus(x.amount ?? 0), new Decimal(0));
      if (present.size === 2) {
        if (!parts.eq(total.amount))
          problem(
            total.c,
            value(r, total.c),
            `合计 ${total.amount.toFixed(2)} is not the sum of its parts ${parts.toFixed(2)}`,
          );
        continue;
      }
      const rest = total.amount.minus(parts);
      const missing: FundSource = present.has('fiscal') ? 'other' : 'fiscal';
      if (rest.isNeg())
        problem(
          total.c,
          value(r, total.c),
          `合计 ${total.amount.toFixed(2)} is less than its part ${parts.toFixed(2)}`,
        );
      else if (!rest.isZero()) records.push({ field, source: missing, amount: rest, col: colRef(total.c), info });
    }

    if (problems.length === 0 && records.length === 0) {
      const texts = row.map((v) => (isBlank(v) ? '' : cellText(v))).filter((x) => x !== '');
      out.skipped.push({
        ...ref,
        reason: 'no-amount',
        ...(texts.length > 0 ? { text: texts.slice(0, 3).join(' ').slice(0, 60) } : {}),
      });
      continue;
    }
    // What each kind of amount needs.
    const need = (field: Field, ok: boolean) => {
      if (ok) return;
      const c = byField.get(field);
      const label = FIELD_LABEL[field] ?? field;
      problem(c, undefined, c ? `${label} is blank` : `no ${label} column`, label);
    };
    const fields = new Set(records.map((x) => x.field));
    if (fields.has('spending') || fields.has('plan'))
      need('month', info.month !== undefined || problems.some((p) => p.header === byField.get('month')?.header));
    if (fields.has('spending') || fields.has('budget') || fields.has('adjustment')) {
      need(
        byField.has('line') || !byField.has('lineName') ? 'line' : 'lineName',
        info.lineId !== undefined || info.lineName !== undefined,
      );
    }
    if (fields.has('plan') || fields.has('budget'))
      need(
        byField.has('unit') || !byField.has('unitName') ? 'unit' : 'unitName',
        info.unitId !== undefined || info.unitName !== undefined,
      );
    if (fields.has('adjustment') && records.some((x) => x.field === 'adjustment' && !x.amount.isZero())) {
      if (!info.effectiveOn && o.mapping.defaults.effectiveOn) info.effectiveOn = o.mapping.defaults.effectiveOn;
      need(
        'effectiveOn',
        info.effectiveOn !== undefined || problems.some((p) => p.header === byField.get('effectiveOn')?.header),
      );
    }
    if (problems.length > 0) {
      // Avoid reporting the same missing column twice.
      const seen = new Set<string>();
      for (const p of problems) {
        const k = `${p.column}|${p.header}|${p.reason}`;
        if (!seen.has(k)) out.rejected.push(p);
        seen.add(k);
      }
      continue;
    }
    for (const x of records) out.records.push(x);
  }
  return out;
}
