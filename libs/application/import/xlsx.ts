/**
 * Reads the sheets of an .xlsx workbook (exceljs) into tables; merged cells keep their value. The
 * workbook is measured first (xlsx-scan.ts: zip directory, inflated bytes, rows, columns, cells,
 * merged ranges, shared strings, sheets): exceljs only opens a file within IMPORT_LIMITS.
 */
import ExcelJS from 'exceljs';
import { required } from '#domain/required.js';
import { InvalidInputError } from '../common/errors.js';
import { count, IMPORT_LIMITS, SHAPE_RULE, tooLarge } from './limits.js';
import type { Table } from './table.js';
import type { CellValue } from './text.js';
import { prescanXlsx } from './xlsx-scan.js';

/** Plain value of an exceljs cell value: rich text joined, formula results, hyperlink text, errors as text. */
export function plainValue(v: ExcelJS.CellValue | undefined): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v;
  const o = v as unknown as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((p) => p.text).join('');
  if ('formula' in o || 'sharedFormula' in o)
    return o.result === undefined ? null : plainValue(o.result as ExcelJS.CellValue);
  if ('result' in o) return plainValue(o.result as ExcelJS.CellValue);
  if (typeof o.text === 'string') return o.text;
  if (typeof o.error === 'string') return o.error;
  return String(v);
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];

export function looksLikeXlsx(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

export function looksLikeOldXls(bytes: Uint8Array): boolean {
  return OLE_MAGIC.every((b, i) => bytes[i] === b);
}

export async function readXlsx(bytes: Buffer): Promise<Table[]> {
  if (looksLikeOldXls(bytes)) {
    throw new InvalidInputError('old .xls workbooks are not supported', [
      {
        index: 0,
        path: '',
        reason: 'this is an old Excel 97–2003 (.xls) file: save it as .xlsx (Excel Workbook) or CSV and import that',
      },
    ]);
  }
  // Refuses (413, 400) before exceljs allocates anything for the file.
  prescanXlsx(bytes);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as never);
  } catch (e) {
    throw new InvalidInputError('the file is not a readable .xlsx workbook', [
      { index: 0, path: '', reason: `not a readable .xlsx workbook: ${(e as Error).message}` },
    ]);
  }
  const tables: Table[] = [];
  let cells = 0;
  wb.eachSheet((ws) => {
    const rowCount = ws.rowCount;
    const colCount = ws.columnCount;
    // The scan bounds both already; this holds should exceljs ever size a sheet differently.
    cells += rowCount * Math.max(colCount, 1);
    if (rowCount > IMPORT_LIMITS.rows || colCount > IMPORT_LIMITS.columns || cells > IMPORT_LIMITS.cells)
      tooLarge(
        'cells',
        cells,
        `sheet ${ws.name} spans ${count(rowCount)} rows and ${count(colCount)} columns`,
        `an import reads at most ${count(IMPORT_LIMITS.cells)} cells (${SHAPE_RULE})`,
      );
    const rows: CellValue[][] = [];
    const repeated: boolean[][] = [];
    for (let r = 1; r <= rowCount; r++) {
      // findRow / findCell: a missing row or cell reads as empty without exceljs creating one.
      const row = ws.findRow(r);
      const values: CellValue[] = [];
      const rep: boolean[] = [];
      for (let c = 1; c <= colCount; c++) {
        const cell = row?.findCell(c);
        values.push(cell ? plainValue(cell.value) : null);
        rep.push(cell !== undefined && cell.isMerged && cell.master.address !== cell.address);
      }
      rows.push(values);
      repeated.push(rep);
    }
    const merges = mergedRanges(ws)
      .map(decodeRange)
      .filter((m): m is NonNullable<typeof m> => m !== null);
    tables.push({ name: ws.name, rows, repeated, merges });
  });
  return tables;
}

/**
 * The sheet's merged ranges ("A1:C1"), as `ws.model.merges` lists them, read from the merges exceljs
 * keeps (`ws.model` would copy every row and cell of the sheet to build the list).
 */
function mergedRanges(ws: ExcelJS.Worksheet): string[] {
  const kept = (ws as unknown as { _merges?: Record<string, { range: string }> })._merges;
  if (kept === null || typeof kept !== 'object') return (ws.model as { merges?: string[] }).merges ?? [];
  const out: string[] = [];
  for (const merge of Object.values(kept)) out.push(merge.range);
  return out;
}

function decodeAddress(a: string): { row: number; col: number } | null {
  const m = /^\$?([A-Z]+)\$?(\d+)$/.exec(a.toUpperCase());
  if (!m) return null;
  let col = 0;
  for (const ch of required(m[1], 'the column letters of an address')) col = col * 26 + (ch.charCodeAt(0) - 64);
  return { row: Number(m[2]) - 1, col: col - 1 };
}

function decodeRange(range: string): { top: number; left: number; bottom: number; right: number } | null {
  const [a, b] = range.split(':');
  const from = a ? decodeAddress(a) : null;
  const to = b ? decodeAddress(b) : from;
  if (!from || !to) return null;
  return {
    top: Math.min(from.row, to.row),
    left: Math.min(from.col, to.col),
    bottom: Math.max(from.row, to.row),
    right: Math.max(from.col, to.col),
  };
}
