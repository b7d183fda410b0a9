/**
 * The bounds of a spreadsheet import, all in one place (docs/imports.md, "Limits"). A file beyond one
 * is refused before the reader allocates for it: 413 naming the bound, the limit and the value found.
 *
 * Sized for real department files (a city department's whole year is about 500 rows × 20 columns)
 * with a wide margin, and so that the largest file they admit keeps the import's extra memory under
 * about 300 MB (measured: docs/imports.md): exceljs holds every cell of a workbook as objects, so
 * cells, rows and inflated bytes are what bound its memory.
 */
import { PayloadTooLargeError } from '../common/errors.js';

export const IMPORT_LIMITS = {
  /** The file itself (xlsx or CSV), also for `paceline import` (the API's body limit applies first). */
  fileBytes: 16 * 1024 * 1024,
  /** Rows of a sheet: no row, cell, merged range or declared dimension beyond this row number. */
  rows: 100_000,
  /** Columns of a sheet (A … IV): no cell, merged range or declared dimension beyond column 256. */
  columns: 256,
  /**
   * Cells read from the whole file: the used range of every sheet (rows × columns, as the importer
   * holds them), and the `<c>` elements written in the sheets; for a CSV its fields.
   */
  cells: 200_000,
  /** Merged ranges of the whole workbook (exceljs checks each new merge against all earlier ones). */
  mergedRanges: 10_000,
  /** Cells covered by data validations and by defined names (exceljs expands both cell by cell). */
  rangeCells: 100_000,
  /**
   * Column definitions (`<col min max>`, as far as the highest column they reach) of all sheets
   * together: four sheets formatted to Excel's last column (16,384, which each sheet may reach).
   */
  columnDefinitions: 65_536,
  /**
   * XML elements exceljs parses into objects, in all parts together (cells with their values, shared
   * strings with their runs, styles, comments, formats, links, drawings …): about 850,000 in the
   * largest workbook the cell bounds admit.
   */
  xmlElements: 1_000_000,
  /**
   * Of those, the elements besides cell data and shared strings (styles, comments, conditional
   * formats, hyperlinks, merged ranges, drawings …): a few thousand in a real workbook; the costliest
   * kinds (conditional formats) take about 700 bytes each in exceljs.
   */
  otherElements: 50_000,
  /** Shared strings (declared `uniqueCount` and `<si>` entries). */
  sharedStrings: 200_000,
  /** Sheets of a workbook (`<sheet>` in workbook.xml and worksheet parts). */
  sheets: 64,
  /** Entries of the zip archive an .xlsx is. */
  zipEntries: 1_000,
  /** Inflated bytes of one zip entry. */
  entryBytes: 32 * 1024 * 1024,
  /** Inflated bytes of all zip entries together. */
  totalBytes: 48 * 1024 * 1024,
  /** Characters of one CSV record (an unclosed quote otherwise makes one field of the whole file). */
  csvRecordChars: 1024 * 1024,
  /** Imports read at the same time by one API process; the others wait in a short queue. */
  concurrentImports: 1,
  /** Imports that may wait for their turn; more get a 503 (retryable). */
  queuedImports: 4,
  /** How long an import waits for its turn before a 503 (retryable), in milliseconds. */
  queueWaitMs: 30_000,
} as const;

export type ImportLimits = typeof IMPORT_LIMITS;

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return Math.trunc(n).toLocaleString('en-US');
}

/** 50331648 → "48 MiB" (whole MiB), else bytes. */
export function bytes(n: number): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${count(n / 1024 / 1024)} MiB` : `${count(n)} bytes`;
}

/**
 * 413: the file goes beyond one of IMPORT_LIMITS. The message names the bound, its limit and the
 * value found; `bound` is the key of IMPORT_LIMITS.
 */
export class ImportLimitError extends PayloadTooLargeError {
  constructor(
    readonly bound: keyof ImportLimits,
    readonly limit: number,
    readonly value: number | string,
    message: string,
  ) {
    super(message, bound);
    this.name = 'ImportLimitError';
  }
}

/** Refuses with a message of what was found, then the bound: "…: an import reads at most …". */
export function tooLarge(bound: keyof ImportLimits, value: number | string, found: string, rule: string): never {
  throw new ImportLimitError(bound, IMPORT_LIMITS[bound], value, `${found}: ${rule}`);
}

/** "an import reads at most 256 columns and 100,000 rows": the shape rule of rows and columns. */
export const SHAPE_RULE = `an import reads at most ${count(IMPORT_LIMITS.columns)} columns and ${count(IMPORT_LIMITS.rows)} rows`;
