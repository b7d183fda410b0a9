/**
 * Finds a sheet's header row (title rows above it are skipped) and maps its columns to fields.
 * Two header rows are read as "group/sub" (预算数 over 合计 | 其中：财政拨款 | 其他资金): a group
 * spread over merged cells (xlsx) or written once with blanks after it (CSV) covers its sub-columns.
 */
import { elementAt } from '#domain/required.js';
import { parseAmount } from './amount.js';
import { sourceOf } from './codes.js';
import { isAmountField, type ColumnRule, type Mapping } from './mapping.js';
import { cellAt, widthOf, type Table } from './table.js';
import { cellText, columnLetter, normalizeHeader, unitNote, type AmountUnit } from './text.js';

export interface Column {
  /** 0-based column index. */
  index: number;
  /** Excel letter (A, B, …). */
  letter: string;
  /** The header as printed (group/sub for two header rows). */
  header: string;
  rule: ColumnRule;
  /** Unit printed in the header, e.g. "支出金额 (万元)". */
  unit?: AmountUnit;
}

export interface SheetLayout {
  /** 1-based row of the (first) header row. */
  headerRow: number;
  headerRows: 1 | 2;
  /** 0-based index of the first data row. */
  dataStart: number;
  columns: Column[];
  /** Headers that map to nothing (left out of the import). */
  unmapped: string[];
  /** A "单位：万元" note above the header. */
  unitNote?: AmountUnit;
}

const TOTAL_WORD = /^(合计|小计|总计|合计数|小计数|总额|total)$/;
const SCAN_ROWS = 30;

/** The rule for a column whose header is `top` (over `sub` with two header rows). */
export function resolveColumn(mapping: Mapping, top: string, sub: string): ColumnRule | undefined {
  const t = normalizeHeader(top).key;
  const s = normalizeHeader(sub).key;
  if (s === '' || s === t) return t === '' ? undefined : mapping.columns.get(t);
  if (t === '') return mapping.columns.get(s);
  const exact = mapping.columns.get(`${t}/${s}`);
  if (exact) return exact;
  const topRule = mapping.columns.get(t);
  if (topRule && isAmountField(topRule.field)) {
    if (TOTAL_WORD.test(s)) return topRule;
    const source = sourceOf(s);
    if (source) return { field: topRule.field, source };
    return undefined; // e.g. 预算数/其中：上年结转: not an amount we can place
  }
  return mapping.columns.get(s) ?? topRule;
}

function rowTexts(t: Table, r: number, width: number): string[] {
  return Array.from({ length: width }, (_, c) => cellText(cellAt(t, r, c)));
}

function singleRowColumns(mapping: Mapping, top: string[]): (ColumnRule | undefined)[] {
  return top.map((h) => resolveColumn(mapping, h, ''));
}

function score(rules: (ColumnRule | undefined)[]): { mapped: number; amounts: number } {
  let mapped = 0;
  let amounts = 0;
  for (const r of rules) {
    if (!r || r.field === 'ignore') continue;
    mapped++;
    if (isAmountField(r.field)) amounts++;
  }
  return { mapped, amounts };
}

/** Tops of a two-row header with CSV-style groups (written once, blanks after) carried to the right. */
function filledTops(top: string[], sub: string[]): string[] {
  const out: string[] = [];
  let group = '';
  for (const [c, text] of top.entries()) {
    if (text !== '') {
      group = sub[c] !== '' ? text : '';
      out.push(text);
    } else out.push(sub[c] !== '' ? group : '');
  }
  return out;
}

/** Row r + 1 is a second header row: text only, no amounts, and a sub-header under a group or blank top. */
function isSubHeaderRow(t: Table, mapping: Mapping, r: number, top: string[], width: number): boolean {
  const row = t.rows[r + 1];
  if (!row) return false;
  let headerish = 0;
  let any = false;
  for (let c = 0; c < width; c++) {
    const v = cellAt(t, r + 1, c);
    if (v === null) continue;
    if (typeof v !== 'string') return false;
    const text = cellText(v);
    if (text === '') continue;
    any = true;
    const amount = parseAmount(v);
    if (amount.ok && amount.amount !== null) return false;
    const key = normalizeHeader(text).key;
    const topText = elementAt(top, c, 'header row');
    const topRule = resolveColumn(mapping, topText, '');
    const underGroup =
      topText === '' ||
      !topRule ||
      isAmountField(topRule.field) ||
      t.repeated[r]?.[c] === true ||
      t.repeated[r]?.[c + 1] === true;
    if (
      underGroup &&
      (mapping.columns.has(key) || TOTAL_WORD.test(key) || sourceOf(text) !== undefined) &&
      key !== normalizeHeader(topText).key
    )
      headerish++;
  }
  return any && headerish > 0;
}

/** Finds the header and maps columns; null when no row looks like a header of known columns. */
export function locateHeader(t: Table, mapping: Mapping): SheetLayout | null {
  const width = widthOf(t);
  let best = -1;
  let bestScore = 0;
  if (mapping.headerRow !== undefined) {
    best = mapping.headerRow - 1;
    if (best >= t.rows.length) return null;
  } else {
    for (let r = 0; r < Math.min(SCAN_ROWS, t.rows.length); r++) {
      const s = score(singleRowColumns(mapping, rowTexts(t, r, width)));
      // Two row headers: the group row alone may show few known headers; count its sub-row too.
      let mapped = s.mapped;
      let amounts = s.amounts;
      const top = rowTexts(t, r, width);
      // (Only under a row that has known headers itself: a unit note above the header is not a group row.)
      if (s.mapped >= 1 && isSubHeaderRow(t, mapping, r, top, width)) {
        const sub = rowTexts(t, r + 1, width);
        const tops = filledTops(top, sub);
        const s2 = score(tops.map((h, c) => resolveColumn(mapping, h, elementAt(sub, c, 'sub-header row'))));
        mapped = Math.max(mapped, s2.mapped);
        amounts = Math.max(amounts, s2.amounts);
      }
      if (mapped >= 2 && amounts >= 1 && mapped > bestScore) {
        best = r;
        bestScore = mapped;
      }
    }
    if (best < 0) return null;
  }
  const top = rowTexts(t, best, width);
  const two =
    mapping.headerRows !== undefined ? mapping.headerRows === 2 : isSubHeaderRow(t, mapping, best, top, width);
  const sub = two ? rowTexts(t, best + 1, width) : top.map(() => '');
  const tops = two ? filledTops(top, sub) : top;
  const columns: Column[] = [];
  const unmapped: string[] = [];
  const taken = new Set<string>();
  for (let c = 0; c < width; c++) {
    const topText = elementAt(tops, c, 'header row');
    const subText = elementAt(sub, c, 'sub-header row');
    const header = subText === '' || subText === topText ? topText : topText === '' ? subText : `${topText}/${subText}`;
    if (header === '') continue;
    const rule = resolveColumn(mapping, topText, subText);
    if (!rule) {
      unmapped.push(`${columnLetter(c + 1)} ${header}`);
      continue;
    }
    const slot = isAmountField(rule.field) ? `${rule.field}:${rule.source ?? '*'}` : rule.field;
    if (rule.field !== 'ignore' && taken.has(slot)) {
      unmapped.push(
        `${columnLetter(c + 1)} ${header} (another column already gives ${rule.field}${rule.source ? ` ${rule.source}` : ''})`,
      );
      continue;
    }
    taken.add(slot);
    const unit = normalizeHeader(subText || topText).unit ?? normalizeHeader(topText).unit;
    columns.push({ index: c, letter: columnLetter(c + 1), header, rule, ...(unit ? { unit } : {}) });
  }
  let note: AmountUnit | undefined;
  for (let r = 0; r <= best && !note; r++) {
    for (let c = 0; c < width && !note; c++) note = unitNote(cellText(cellAt(t, r, c)));
  }
  return {
    headerRow: best + 1,
    headerRows: two ? 2 : 1,
    dataStart: best + (two ? 2 : 1),
    columns,
    unmapped,
    ...(note ? { unitNote: note } : {}),
  };
}
