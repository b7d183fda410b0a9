/**
 * Cell helpers shared by the workbooks Paceline writes (the self-evaluation, the monitoring table):
 * a bordered cell with its format, and a bordered merged range, laid out like the paper forms.
 */
import type ExcelJS from 'exceljs';

export type Sheet = ExcelJS.Worksheet;
export type CellValue = string | number | null;

export const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};
export const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
/** Cells a unit fills in (the monitoring table's fill-in columns). */
export const INPUT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFBE6' } };

export interface CellOptions {
  fmt?: string;
  bold?: boolean;
  header?: boolean;
  /** A fill-in cell: tinted and kept as text. */
  input?: boolean;
  align?: 'left' | 'center' | 'right';
}

/** Writes a bordered cell: numbers right, headers centred and bold, everything wrapped. */
export function put(ws: Sheet, row: number, col: number, value: CellValue, opts: CellOptions = {}): ExcelJS.Cell {
  const cell = ws.getCell(row, col);
  cell.value = value;
  cell.border = THIN;
  if (opts.fmt) cell.numFmt = opts.fmt;
  if (opts.bold || opts.header) cell.font = { bold: true };
  if (opts.header) cell.fill = HEADER_FILL;
  if (opts.input) {
    cell.fill = INPUT_FILL;
    cell.numFmt = '@';
  }
  const horizontal = opts.align ?? (opts.header ? 'center' : typeof value === 'number' ? 'right' : 'left');
  cell.alignment = { vertical: 'middle', horizontal, wrapText: true };
  return cell;
}

/** Merges a range and borders every cell in it (the value goes in the top-left cell). */
export function merge(
  ws: Sheet,
  top: number,
  left: number,
  bottom: number,
  right: number,
  value: CellValue,
  opts: CellOptions = {},
): ExcelJS.Cell {
  for (let r = top; r <= bottom; r++) for (let c = left; c <= right; c++) ws.getCell(r, c).border = THIN;
  if (bottom > top || right > left) ws.mergeCells(top, left, bottom, right);
  return put(ws, top, left, value, opts);
}
