/**
 * Measures a workbook before exceljs loads it: the zip directory, then each part inflated against the
 * byte budget and scanned (xml-scan.ts) for what exceljs would allocate: rows and cells (a cell far
 * away makes it size its arrays up to there), merged ranges (it creates every cell of one), data
 * validations and defined names (it expands both cell by cell), column definitions, shared strings
 * and sheets. Anything beyond IMPORT_LIMITS is refused here (413) naming the bound, so exceljs only
 * ever opens files whose size is known. Addresses and ranges are decoded the way exceljs decodes them
 * (its colCache and Range), so what is measured is what it would build.
 */
import { count, IMPORT_LIMITS, SHAPE_RULE, tooLarge } from './limits.js';
import { scanXml, type Attributes } from './xml-scan.js';
import { inflateEntry, zipEntries } from './zip.js';

/** exceljs's colCache.decodeAddress: letters A–Z before the first digit are the column, digits the row. */
export function decodeAddress(value: string): { col?: number; row?: number } {
  let hasCol = false;
  let hasRow = false;
  let col = 0;
  let row = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (!hasRow && ch >= 65 && ch <= 90) {
      hasCol = true;
      col = col * 26 + ch - 64;
    } else if (ch >= 48 && ch <= 57) {
      hasRow = true;
      row = row * 10 + ch - 48;
    } else if (hasRow && hasCol && ch !== 36) break;
  }
  return { col: hasCol ? col : undefined, row: hasRow ? row : undefined };
}

/** exceljs throws for a column beyond XFD (16,384). */
const EXCEL_COLUMNS = 16_384;

export interface Box {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

const SHEET_PREFIX = /(?:(?:(?:'((?:[^']|'')*)')|([^'^ !]*))!)?(.*)/;

/**
 * exceljs's colCache.decodeEx for a range ("Sheet!A1:B2"): the corners' rows and columns as numbers
 * (NaN where a part has none), or null when the reference is a single address. `valid` is false where
 * exceljs throws (a column beyond XFD).
 */
export function decodeRangeEx(value: string): {
  box: Box | null;
  valid: boolean;
  single?: { col?: number; row?: number };
} {
  const reference = SHEET_PREFIX.exec(value)?.[3] ?? '';
  const parts = reference.split(':');
  if (parts.length > 1) {
    const tl = decodeAddress(parts[0] ?? '');
    const br = decodeAddress(parts[1] ?? '');
    const num = (v: number | undefined) => (v === undefined ? NaN : v);
    const valid = !((tl.col ?? 0) > EXCEL_COLUMNS || (br.col ?? 0) > EXCEL_COLUMNS);
    return {
      box: {
        top: Math.min(num(tl.row), num(br.row)),
        left: Math.min(num(tl.col), num(br.col)),
        bottom: Math.max(num(tl.row), num(br.row)),
        right: Math.max(num(tl.col), num(br.col)),
      },
      valid,
    };
  }
  if (reference.startsWith('#')) return { box: null, valid: true };
  const single = decodeAddress(reference);
  return { box: null, valid: !((single.col ?? 0) > EXCEL_COLUMNS), single };
}

/**
 * The cells exceljs's `new Range(ref)` spans (merged ranges, data validations): its corners, where a
 * missing or zero coordinate reads as 1 (Range's getters).
 */
export function rangeBox(ref: string): Box {
  const d = decodeRangeEx(ref);
  const m =
    d.box && d.box.top
      ? d.box
      : {
          top: d.single?.row ?? NaN,
          left: d.single?.col ?? NaN,
          bottom: d.single?.row ?? NaN,
          right: d.single?.col ?? NaN,
        };
  return { top: m.top || 1, left: m.left || 1, bottom: m.bottom || 1, right: m.right || 1 };
}

/** Cells in a box (0 when its corners are crossed). */
export function boxArea(b: Box): number {
  return b.bottom >= b.top && b.right >= b.left ? (b.bottom - b.top + 1) * (b.right - b.left + 1) : 0;
}

/** "A", "B", …, "IV", … for a 1-based column (for messages). */
function letters(col: number): string {
  if (!Number.isFinite(col) || col < 1) return '?';
  let s = '';
  for (let n = Math.trunc(col); n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s.length > 8 ? `${s.slice(0, 8)}…` : s;
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** What exceljs's DefinedNameXform keeps of a defined name's text (its extractRanges). */
export function definedNameRanges(text: string): string[] {
  const valid = (r: string) => decodeRangeEx(r).valid;
  const ranges: string[] = [];
  let quotesOpened = false;
  let last = '';
  for (const item of text.split(',')) {
    if (!item) continue;
    const quotes = (item.match(/'/g) ?? []).length;
    if (!quotes) {
      if (quotesOpened) last += `${item},`;
      else if (valid(item)) ranges.push(item);
      continue;
    }
    const even = quotes % 2 === 0;
    if (!quotesOpened && even && valid(item)) ranges.push(item);
    else if (quotesOpened && !even) {
      quotesOpened = false;
      if (valid(last + item)) ranges.push(last + item);
      last = '';
    } else {
      quotesOpened = true;
      last += `${item},`;
    }
  }
  return ranges;
}

const DEFINED_RANGE = /[$](\w+)[$](\d+)(:[$](\w+)[$](\d+))?/;

/** Cells exceljs's DefinedNames creates for one defined name's text (its CellMatrix.addCell). */
export function definedNameCells(text: string): number {
  let cells = 0;
  for (const range of definedNameRanges(text)) {
    if (!DEFINED_RANGE.test(range.split('!').pop() ?? '')) continue;
    const d = decodeRangeEx(range);
    cells += d.box && d.box.top ? boxArea(d.box) : 1;
  }
  return cells;
}

/** Running totals over the whole workbook. */
export interface WorkbookCounts {
  /** `<c>` elements of every sheet. */
  cells: number;
  /** `<row>` elements of every sheet. */
  rowElements: number;
  /** Used ranges (rows × columns) of the sheets: what the importer holds as tables. */
  usedCells: number;
  mergedRanges: number;
  /** Cells of data validations and defined names. */
  rangeCells: number;
  columnDefinitions: number;
  sheets: number;
  /** Start tags of every part exceljs parses. */
  elements: number;
  /** Of those, the ones besides sheet data and shared strings. */
  otherElements: number;
}

export function emptyCounts(): WorkbookCounts {
  return {
    cells: 0,
    rowElements: 0,
    usedCells: 0,
    mergedRanges: 0,
    rangeCells: 0,
    columnDefinitions: 0,
    sheets: 0,
    elements: 0,
    otherElements: 0,
  };
}

const SHEET_NAMES = new Set(['sheetData', 'row', 'c', 'mergeCell', 'dimension', 'col', 'dataValidation']);
const NONE: ReadonlySet<string> = new Set();

/** Adds a part's elements (`other`: those besides cell data and shared strings) and checks the bounds. */
function addElements(counts: WorkbookCounts, part: string, all: number, other: number): void {
  counts.elements += all;
  counts.otherElements += other;
  if (counts.elements > IMPORT_LIMITS.xmlElements)
    tooLarge(
      'xmlElements',
      counts.elements,
      `the workbook has more than ${count(IMPORT_LIMITS.xmlElements)} XML elements (${part} brings it to ${count(counts.elements)})`,
      `an import reads at most ${count(IMPORT_LIMITS.xmlElements)}`,
    );
  if (counts.otherElements > IMPORT_LIMITS.otherElements)
    tooLarge(
      'otherElements',
      counts.otherElements,
      `the workbook has more than ${count(IMPORT_LIMITS.otherElements)} XML elements besides cells and shared strings ` +
        `(styles, comments, formats, links …; ${part} brings it to ${count(counts.otherElements)})`,
      `an import reads at most ${count(IMPORT_LIMITS.otherElements)}`,
    );
}

/** Refuses a row or column beyond the bounds; `what()` names the element (built only to refuse). */
function beyond(what: () => string, row: number, col: number): void {
  if (col > IMPORT_LIMITS.columns)
    tooLarge('columns', letters(col), `${what()} is beyond column ${count(IMPORT_LIMITS.columns)}`, SHAPE_RULE);
  if (row > IMPORT_LIMITS.rows)
    tooLarge('rows', row, `${what()} is beyond row ${count(IMPORT_LIMITS.rows)}`, SHAPE_RULE);
}

function rangeCellsOver(counts: WorkbookCounts, found: string): void {
  if (counts.rangeCells > IMPORT_LIMITS.rangeCells)
    tooLarge(
      'rangeCells',
      counts.rangeCells,
      found,
      `an import reads at most ${count(IMPORT_LIMITS.rangeCells)} cells of data validations and defined names (exceljs expands them cell by cell)`,
    );
}

/** Scans one worksheet part; refuses (413) at the first element beyond a bound. */
export function scanWorksheet(part: string, xml: Buffer, counts: WorkbookCounts): void {
  counts.sheets++;
  if (counts.sheets > IMPORT_LIMITS.sheets)
    tooLarge(
      'sheets',
      counts.sheets,
      `the workbook has more than ${count(IMPORT_LIMITS.sheets)} worksheets`,
      `an import reads at most ${count(IMPORT_LIMITS.sheets)}`,
    );
  let maxRow = 0;
  let maxCol = 0;
  let maxColumnDefinition = 0;
  let rowNumber = NaN;
  let previousCol: number | undefined;
  const cellsOver = () =>
    tooLarge(
      'cells',
      counts.cells,
      `the workbook has more than ${count(IMPORT_LIMITS.cells)} cells (${part} reaches ${count(counts.cells)})`,
      `an import reads at most ${count(IMPORT_LIMITS.cells)} cells`,
    );
  const attrs = (a: Attributes, name: string) => a.get(name) ?? '';
  const counter = { elements: 0 };
  let sheetDataFrom = -1;
  let sheetData = 0;
  const all = scanXml(xml, SHEET_NAMES, {
    counter,
    start(name, a, empty) {
      switch (name) {
        case 'sheetData':
          if (!empty) sheetDataFrom = counter.elements;
          return;
        case 'row': {
          if (++counts.rowElements > IMPORT_LIMITS.cells)
            tooLarge(
              'cells',
              counts.rowElements,
              `the workbook has more than ${count(IMPORT_LIMITS.cells)} rows in all (<row> elements)`,
              `an import reads at most ${count(IMPORT_LIMITS.cells)} cells`,
            );
          const r = attrs(a, 'r');
          rowNumber = parseInt(r, 10);
          previousCol = undefined;
          if (rowNumber > IMPORT_LIMITS.rows) beyond(() => `row ${shorten(r)} in ${part}`, rowNumber, 0);
          if (rowNumber > maxRow) maxRow = rowNumber;
          return;
        }
        case 'c': {
          if (++counts.cells > IMPORT_LIMITS.cells) cellsOver();
          const r = a.get('r');
          let col: number | undefined;
          if (r) {
            const address = decodeAddress(r);
            col = address.col;
            beyond(() => `cell ${shorten(r)} in ${part}`, address.row ?? 0, col ?? 0);
          } else col = previousCol === undefined ? 1 : previousCol + 1;
          previousCol = col;
          const at = col ?? 0;
          if (at > IMPORT_LIMITS.columns)
            beyond(() => `cell ${letters(at)}${Number.isFinite(rowNumber) ? rowNumber : ''} in ${part}`, 0, at);
          if (col !== undefined && col > maxCol) maxCol = col;
          if (!Number.isFinite(rowNumber) && r) {
            // A cell outside a row: count its own row (exceljs places cells by their row element).
            const own = decodeAddress(r).row ?? 0;
            if (own > maxRow) maxRow = own;
          }
          return;
        }
        case 'mergeCell': {
          const ref = attrs(a, 'ref');
          if (++counts.mergedRanges > IMPORT_LIMITS.mergedRanges)
            tooLarge(
              'mergedRanges',
              counts.mergedRanges,
              `the workbook has more than ${count(IMPORT_LIMITS.mergedRanges)} merged ranges`,
              `an import reads at most ${count(IMPORT_LIMITS.mergedRanges)}`,
            );
          const box = rangeBox(ref);
          const bottom = Math.max(box.top, box.bottom);
          const right = Math.max(box.left, box.right);
          beyond(() => `merged range ${shorten(ref)} in ${part}`, bottom, right);
          if (bottom > maxRow) maxRow = bottom;
          if (right > maxCol) maxCol = right;
          return;
        }
        case 'dimension': {
          const ref = attrs(a, 'ref');
          const d = decodeRangeEx(ref);
          const bottom = d.box ? d.box.bottom : (d.single?.row ?? 0);
          const right = d.box ? d.box.right : (d.single?.col ?? 0);
          beyond(() => `the used range ${shorten(ref)} that ${part} declares (<dimension>)`, bottom, right);
          return;
        }
        case 'col': {
          // exceljs makes a column object for every column up to the highest min - 1 or max.
          const max = Math.max(parseInt(attrs(a, 'min'), 10) - 1, parseInt(attrs(a, 'max'), 10));
          if (max > EXCEL_COLUMNS)
            tooLarge(
              'columnDefinitions',
              max,
              `${part} defines columns up to ${count(max)} (<col min max>)`,
              `a worksheet has at most ${count(EXCEL_COLUMNS)} columns`,
            );
          if (max > maxColumnDefinition) maxColumnDefinition = max;
          return;
        }
        case 'dataValidation': {
          const sqref = attrs(a, 'sqref');
          for (const addr of sqref.split(/\s+/g)) {
            counts.rangeCells += addr.includes(':') ? boxArea(rangeBox(addr)) : 1;
            rangeCellsOver(counts, `a data validation of ${part} covers ${shorten(sqref)}`);
          }
          return;
        }
        default:
          return;
      }
    },
    end(name) {
      if (name === 'row') {
        rowNumber = NaN;
        previousCol = undefined;
      } else if (name === 'sheetData' && sheetDataFrom >= 0) {
        sheetData += counter.elements - sheetDataFrom;
        sheetDataFrom = -1;
      }
    },
  });
  // A sheet cut short inside its data: what follows the start of the data counts as data.
  if (sheetDataFrom >= 0) sheetData += counter.elements - sheetDataFrom;
  addElements(counts, part, all, all - sheetData);
  counts.columnDefinitions += maxColumnDefinition;
  if (counts.columnDefinitions > IMPORT_LIMITS.columnDefinitions)
    tooLarge(
      'columnDefinitions',
      counts.columnDefinitions,
      `the worksheets define ${count(counts.columnDefinitions)} columns in all (<col min max>)`,
      `an import reads at most ${count(IMPORT_LIMITS.columnDefinitions)} column definitions in all`,
    );
  // A sheet of rows without cells still holds one (empty) row per row.
  counts.usedCells += maxRow * Math.max(maxCol, 1);
  if (counts.usedCells > IMPORT_LIMITS.cells)
    tooLarge(
      'cells',
      counts.usedCells,
      `the used range A1:${letters(Math.max(maxCol, 1))}${maxRow} of ${part} brings the workbook to ${count(counts.usedCells)} cells`,
      `an import reads at most ${count(IMPORT_LIMITS.cells)} cells, rows × columns of every sheet (${SHAPE_RULE})`,
    );
}

/** Scans xl/sharedStrings.xml: the declared counts first, then every `<si>`. */
export function scanSharedStrings(part: string, xml: Buffer, counts: WorkbookCounts = emptyCounts()): void {
  let strings = 0;
  const over = (found: string, value: number) =>
    tooLarge(
      'sharedStrings',
      value,
      found,
      `an import reads at most ${count(IMPORT_LIMITS.sharedStrings)} shared strings`,
    );
  const all = scanXml(xml, new Set(['sst', 'si']), {
    start(name, a) {
      if (name === 'sst') {
        const unique = parseInt(a.get('uniqueCount') ?? '', 10);
        if (unique > IMPORT_LIMITS.sharedStrings) over(`${part} declares ${count(unique)} unique strings`, unique);
        const refs = parseInt(a.get('count') ?? '', 10);
        if (refs > IMPORT_LIMITS.cells)
          tooLarge(
            'cells',
            refs,
            `${part} declares ${count(refs)} cells of text`,
            `an import reads at most ${count(IMPORT_LIMITS.cells)} cells`,
          );
      } else if (++strings > IMPORT_LIMITS.sharedStrings)
        over(`${part} holds more than ${count(IMPORT_LIMITS.sharedStrings)} strings`, strings);
    },
  });
  addElements(counts, part, all, 0);
}

/** Scans xl/workbook.xml: its sheets and the cells its defined names cover. */
export function scanWorkbook(part: string, xml: Buffer, counts: WorkbookCounts): void {
  let sheets = 0;
  let name = '';
  const all = scanXml(
    xml,
    new Set(['sheet', 'definedName']),
    {
      start(element, a) {
        if (element === 'definedName') name = a.get('name') ?? '';
        else if (++sheets > IMPORT_LIMITS.sheets)
          tooLarge(
            'sheets',
            sheets,
            `${part} lists more than ${count(IMPORT_LIMITS.sheets)} sheets`,
            `an import reads at most ${count(IMPORT_LIMITS.sheets)}`,
          );
      },
      text(text) {
        // Print areas and titles are kept as text; every other defined name is expanded cell by cell.
        if (name === '_xlnm.Print_Area' || name === '_xlnm.Print_Titles') return;
        counts.rangeCells += definedNameCells(text);
        rangeCellsOver(counts, `the defined name ${shorten(name)} of ${part} covers ${shorten(text)}`);
      },
    },
    'definedName',
  );
  addElements(counts, part, all, all);
}

// The parts exceljs reads, matched as it matches them (xlsx.js: names without a leading "/").
const WORKSHEET = /xl\/worksheets\/sheet(\d+)[.]xml/;
/** Parts exceljs parses into objects besides sheets, shared strings and workbook (others it skips). */
const PARSED_EXACT = new Set([
  '_rels/.rels',
  'xl/_rels/workbook.xml.rels',
  'xl/styles.xml',
  'docProps/app.xml',
  'docProps/core.xml',
]);
const PARSED = [
  /xl\/worksheets\/_rels\/sheet(\d+)[.]xml.rels/,
  /xl\/drawings\/([a-zA-Z0-9]+)[.]xml/,
  /xl\/(comments\d+)[.]xml/,
  /xl\/tables\/(table\d+)[.]xml/,
  /xl\/drawings\/_rels\/([a-zA-Z0-9]+)[.]xml[.]rels/,
  /xl\/drawings\/(vmlDrawing\d+)[.]vml/,
];
/** Kept as bytes or text, not parsed (checked first by exceljs). */
const UNPARSED = [/xl\/media\//, /xl\/theme\/([a-zA-Z0-9]+)[.]xml/];

function parsedPart(name: string): boolean {
  return !UNPARSED.some((re) => re.test(name)) && (PARSED_EXACT.has(name) || PARSED.some((re) => re.test(name)));
}

/**
 * Measures the whole workbook before exceljs opens it: every zip entry is inflated (one at a time,
 * against the byte budget: exceljs inflates them all) and the parts exceljs builds objects from are
 * scanned. Throws 413 (ImportLimitError) or 400 (unreadable archive); returns the counts otherwise.
 */
export function prescanXlsx(zip: Buffer): WorkbookCounts {
  const counts = emptyCounts();
  let remaining = IMPORT_LIMITS.totalBytes;
  for (const entry of zipEntries(zip)) {
    const data = inflateEntry(zip, entry, remaining);
    remaining -= data.length;
    // An entry is scanned as every part any of its names could make it (JSZip decides which).
    const part = entry.names[0] ?? '?';
    if (entry.names.some((n) => WORKSHEET.test(n))) scanWorksheet(part, data, counts);
    if (entry.names.includes('xl/sharedStrings.xml')) scanSharedStrings(part, data, counts);
    if (entry.names.includes('xl/workbook.xml')) scanWorkbook(part, data, counts);
    if (entry.names.some(parsedPart)) {
      const all = scanXml(data, NONE, { start: () => undefined });
      addElements(counts, part, all, all);
    }
  }
  return counts;
}
