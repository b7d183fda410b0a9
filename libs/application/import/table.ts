/** A sheet as the importer sees it: rows of cell values plus where merged ranges repeat a value. */
import type { CellValue } from './text.js';

export interface Table {
  /** Sheet name (CSV: the file name). */
  name: string;
  /** rows[r][c], 0-based; spreadsheet row r + 1, column c + 1. */
  rows: CellValue[][];
  /**
   * For a merged range, every cell reads the range's value (as Excel shows it); `repeated[r][c]` is
   * true for the cells other than the range's first one, so amounts are not counted twice.
   */
  repeated: boolean[][];
  /** Merged ranges, 0-based inclusive. */
  merges: { top: number; left: number; bottom: number; right: number }[];
}

export function cellAt(t: Table, r: number, c: number): CellValue {
  return t.rows[r]?.[c] ?? null;
}

export function widthOf(t: Table): number {
  return t.rows.reduce((w, row) => Math.max(w, row.length), 0);
}
