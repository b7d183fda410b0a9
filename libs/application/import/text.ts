/**
 * Text normalization for spreadsheet cells and headers: full-width → half-width (NFKC), spaces and
 * line breaks removed, unit suffixes such as "(万元)" recognized.
 */

export type AmountUnit = 'yuan' | 'wan';

/** A cell as read from a sheet: text, a number, an Excel date, a boolean, or nothing. */
export type CellValue = string | number | boolean | Date | null;

/** NFKC (full-width letters, digits and punctuation become half-width; U+3000 becomes a space), trimmed. */
export function halfWidth(value: string): string {
  return value.normalize('NFKC').trim();
}

/** Text of a cell for display and matching: half-width, inner whitespace runs collapsed to one space. */
export function cellText(value: CellValue): string {
  if (value === null) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'number') return cleanNumber(value);
  return halfWidth(String(value)).replace(/\s+/g, ' ');
}

/** Text of a name or free-text cell as written (full-width brackets kept), whitespace runs collapsed. */
export function displayText(value: CellValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value.replace(/[\s\u3000]+/g, ' ').trim();
  return cellText(value);
}

export function isBlank(value: CellValue): boolean {
  return value === null || (typeof value === 'string' && value.normalize('NFKC').trim() === '');
}

/** Key for matching names (units, budget lines): half-width, all whitespace removed. */
export function nameKey(value: string): string {
  return value.normalize('NFKC').replace(/\s+/g, '');
}

/**
 * Numbers from a workbook are binary doubles; Excel itself keeps 15 significant digits, so a value
 * such as 1234.5600000000002 (a formula result) is read as "1234.56".
 */
export function cleanNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = String(Number(n.toPrecision(15)));
  if (!/e/i.test(s)) return s;
  // Exponent notation for very small or large numbers: expand it.
  return Number(n.toPrecision(15)).toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

const UNIT_SUFFIX = /[([](?:金额)?(?:单位)?[:]?(万元|元)[)\]]$/;

/**
 * Normalizes one header cell: half-width, no whitespace or line breaks, no leading "*", no
 * "其中:" prefix, ASCII lower-cased. A trailing unit such as "(元)" or "（万元）" is removed and
 * returned as `unit`.
 */
export function normalizeHeader(raw: string): { key: string; unit?: AmountUnit } {
  let s = raw.normalize('NFKC').replace(/\s+/g, '');
  s = s.replace(/^[*※#]+/, '');
  let unit: AmountUnit | undefined;
  const m = UNIT_SUFFIX.exec(s);
  if (m) {
    unit = m[1] === '万元' ? 'wan' : 'yuan';
    s = s.slice(0, m.index);
  }
  s = s.replace(/^其中[:]?/, '');
  return { key: s.toLowerCase(), ...(unit ? { unit } : {}) };
}

/** Normalizes a mapping key: "预算数/其中：财政拨款" → "预算数/财政拨款" (each part like a header). */
export function normalizeHeaderPath(raw: string): string {
  return raw
    .split('/')
    .map((p) => normalizeHeader(p).key)
    .filter((p) => p !== '')
    .join('/');
}

/** A sheet-level unit note such as "单位：万元" or "金额单位:元" in a title row. */
export function unitNote(text: string): AmountUnit | undefined {
  const m = /(?:金额)?单位[:]?(万元|元)/.exec(text.normalize('NFKC').replace(/\s+/g, ''));
  if (!m) return undefined;
  return m[1] === '万元' ? 'wan' : 'yuan';
}

const SUBTOTAL = /合计|小计|总计|累计/;

/** True when the text marks a subtotal or total row (合计, 小计, 总计, 累计). */
export function isSubtotalText(text: string): boolean {
  return SUBTOTAL.test(text.normalize('NFKC').replace(/\s+/g, ''));
}

/** Excel column letters of a 1-based column number: 1 → A, 27 → AA. */
export function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
