import { createRequire } from 'node:module';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { deflateRepeated, editZip, readZip, writeZip } from '#test/support/zip-writer.js';
import { IMPORT_LIMITS, ImportLimitError } from './limits.js';
import {
  decodeAddress,
  decodeRangeEx,
  definedNameCells,
  emptyCounts,
  prescanXlsx,
  rangeBox,
  scanSharedStrings,
  scanWorkbook,
  scanWorksheet,
} from './xlsx-scan.js';

// exceljs's own address decoding, to check the scanner reads references exactly as exceljs does.
const require = createRequire(import.meta.url);
const colCache = require('exceljs/lib/utils/col-cache.js') as {
  decodeAddress(v: string): { col?: number; row?: number };
  decodeEx(v: string): Record<string, unknown>;
};
const ExcelRange = require('exceljs/lib/doc/range.js') as new (ref: string) => {
  top: number;
  left: number;
  bottom: number;
  right: number;
};

const SHEET = 'xl/worksheets/sheet1.xml';
const reference = fc.string({
  unit: fc.constantFrom('A', 'B', 'X', 'F', 'D', 'Z', 'a', '0', '1', '9', '5', '$', ':', '!', "'", ' ', '#', ','),
  maxLength: 14,
});

function outcome<T>(f: () => T): { ok: T } | { threw: true } {
  try {
    return { ok: f() };
  } catch {
    return { threw: true };
  }
}

describe('references are decoded as exceljs decodes them', () => {
  test('addresses (colCache.decodeAddress)', () => {
    fc.assert(
      fc.property(reference, (ref) => {
        const theirs = outcome(() => colCache.decodeAddress(ref));
        const ours = decodeAddress(ref);
        if ('threw' in theirs) expect(ours.col).toBeGreaterThan(16_384);
        else expect([ours.col, ours.row]).toEqual([theirs.ok.col, theirs.ok.row]);
      }),
      { numRuns: 3000 },
    );
  });

  test('ranges (colCache.decodeEx) and the cells a Range spans', () => {
    fc.assert(
      fc.property(reference, (ref) => {
        const theirs = outcome(() => colCache.decodeEx(ref));
        const ours = decodeRangeEx(ref);
        expect(ours.valid).toBe(!('threw' in theirs));
        if ('threw' in theirs) return;
        if (ours.box)
          expect(ours.box).toEqual({
            top: theirs.ok.top,
            left: theirs.ok.left,
            bottom: theirs.ok.bottom,
            right: theirs.ok.right,
          });
        else if (!('error' in theirs.ok))
          expect([ours.single?.col, ours.single?.row]).toEqual([theirs.ok.col, theirs.ok.row]);
        const range = new ExcelRange(ref);
        expect(rangeBox(ref)).toEqual({ top: range.top, left: range.left, bottom: range.bottom, right: range.right });
      }),
      { numRuns: 3000 },
    );
  });
});

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('支出').addRow(['科室', '预算项目', '月份', '支出金额']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function sheetXml(zip: Buffer): string {
  const entry = readZip(zip).find((e) => e.name === SHEET);
  if (!entry) throw new Error('no sheet1');
  return entry.data.toString('utf8');
}

/** What exceljs builds from a workbook: each sheet's rows × columns, and the cells of its defined names. */
async function loaded(zip: Buffer): Promise<{ used: number; named: number }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(zip as never);
  let used = 0;
  wb.eachSheet((ws) => (used += ws.rowCount * Math.max(ws.columnCount, 1)));
  let named = 0;
  (wb.definedNames as unknown as { forEach(cb: () => void): void }).forEach(() => named++);
  return { used, named };
}

function refusal(f: () => unknown): ImportLimitError {
  try {
    f();
  } catch (e) {
    if (e instanceof ImportLimitError) return e;
    throw e;
  }
  throw new Error('not refused');
}

const scan = (xml: string) => {
  const counts = emptyCounts();
  scanWorksheet(SHEET, Buffer.from(xml), counts);
  return counts;
};

describe('scanning a worksheet', () => {
  test('counts rows, cells and the used range exceljs will hold (cells without r follow the previous one)', async () => {
    const base = await workbook();
    const xml = sheetXml(base).replace(
      '</sheetData>',
      '<row r="3"><c r="B3"><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row><row r="7"/></sheetData>' +
        '<mergeCells count="1"><mergeCell ref="E9:F10"/></mergeCells>',
    );
    const counts = scan(xml);
    expect(counts).toMatchObject({ cells: 7, rowElements: 3, usedCells: 10 * 6, mergedRanges: 1 });
    expect(counts.usedCells).toBe((await loaded(editZip(base, { [SHEET]: xml }))).used);
  });

  test('a cell beyond column 256, a row beyond 100,000, a far declared dimension or merged range is refused at once', () => {
    const far = refusal(() => scan('<sheetData><row r="3"><c r="XFD3"><v>1</v></c></row></sheetData>'));
    expect(far).toMatchObject({ status: 413, bound: 'columns', limit: IMPORT_LIMITS.columns, value: 'XFD' });
    expect(far.message).toBe(
      `cell XFD3 in ${SHEET} is beyond column 256: an import reads at most 256 columns and 100,000 rows`,
    );
    expect(refusal(() => scan('<row r="1048576"><c r="A1048576"/></row>')).message).toMatch(
      /^row 1048576 in .* is beyond row 100,000: an import reads at most 256 columns and 100,000 rows$/,
    );
    expect(refusal(() => scan('<row r="2"><c r="A1048576"/></row>')).message).toMatch(/^cell A1048576 .* beyond row/);
    expect(refusal(() => scan('<dimension ref="A1:XFD1048576"/><sheetData/>')).message).toMatch(
      /used range A1:XFD1048576 .*declares \(<dimension>\) is beyond column 256/,
    );
    expect(refusal(() => scan('<mergeCells><mergeCell ref="A1:XFD1048576"/></mergeCells>'))).toMatchObject({
      bound: 'columns',
    });
    expect(refusal(() => scan('<mergeCells><mergeCell ref="A1:A1048576"/></mergeCells>'))).toMatchObject({
      bound: 'rows',
      value: 1_048_576,
    });
    // Written as character references: decoded as the XML parser will decode them.
    expect(refusal(() => scan('<row r="1"><c r="&#88;FD1"/></row>'))).toMatchObject({ bound: 'columns' });
  });

  test('too many cells, rows or merged ranges in all; data validations and column definitions exceljs expands', () => {
    const rows = (n: number, cols: number) =>
      Array.from({ length: n }, (_, r) => `<row r="${r + 1}">${'<c><v>1</v></c>'.repeat(cols)}</row>`).join('');
    const cols = Math.floor(IMPORT_LIMITS.columns / 2);
    const n = Math.ceil(IMPORT_LIMITS.cells / cols) + 1;
    expect(refusal(() => scan(rows(n, cols)))).toMatchObject({ bound: 'cells', limit: IMPORT_LIMITS.cells });
    // The used range counts as cells even where no cell is written: one far corner is enough.
    const corner = Math.ceil(IMPORT_LIMITS.cells / IMPORT_LIMITS.columns) + 1;
    expect(refusal(() => scan(`<row r="${corner}"><c r="IV${corner}"/></row>`)).message).toMatch(
      /^the used range A1:IV\d+ of .* brings the workbook to [\d,]+ cells: an import reads at most [\d,]+ cells/,
    );
    const merges = Array.from(
      { length: IMPORT_LIMITS.mergedRanges + 1 },
      (_, i) => `<mergeCell ref="A${i + 1}:B${i + 1}"/>`,
    );
    expect(refusal(() => scan(`<mergeCells>${merges.join('')}</mergeCells>`))).toMatchObject({ bound: 'mergedRanges' });
    expect(
      refusal(() => scan('<dataValidations><dataValidation sqref="C2:C1048576"/></dataValidations>')),
    ).toMatchObject({
      bound: 'rangeCells',
    });
    expect(scan('<dataValidations><dataValidation sqref="A1:B2 D4"/></dataValidations>').rangeCells).toBe(5);
    expect(refusal(() => scan('<cols><col min="1" max="2000000000"/></cols>'))).toMatchObject({
      bound: 'columnDefinitions',
    });
    expect(refusal(() => scan('<cols><col min="2000000000" max="1"/></cols>'))).toMatchObject({
      bound: 'columnDefinitions',
    });
    expect(scan('<cols><col min="1" max="16384"/></cols>').columnDefinitions).toBe(16_384);
  });
});

describe('scanning shared strings and the workbook part', () => {
  test('declared and actual shared strings', () => {
    const sst = (attrs: string, n: number) => Buffer.from(`<sst ${attrs}>${'<si><t>x</t></si>'.repeat(n)}</sst>`);
    expect(() => scanSharedStrings('s', sst('count="3" uniqueCount="3"', 3))).not.toThrow();
    const over = IMPORT_LIMITS.sharedStrings + 1;
    expect(refusal(() => scanSharedStrings('s', sst(`uniqueCount="${over}"`, 0))).message).toBe(
      `s declares ${over.toLocaleString('en-US')} unique strings: an import reads at most ${IMPORT_LIMITS.sharedStrings.toLocaleString('en-US')} shared strings`,
    );
    expect(refusal(() => scanSharedStrings('s', sst('uniqueCount="1"', over)))).toMatchObject({
      bound: 'sharedStrings',
    });
    expect(refusal(() => scanSharedStrings('s', sst(`count="${IMPORT_LIMITS.cells + 1}"`, 1)))).toMatchObject({
      bound: 'cells',
    });
  });

  test('defined names count the cells exceljs creates for them; print areas and titles are not expanded', async () => {
    const base = await workbook();
    const names = [
      "'支出'!$A$1:$B$3",
      '支出!$A$1',
      '支出!$A$1:$A$2,支出!$C$1:$C$2',
      "'a,b'!$A$1:$B$2",
      'SUM(支出!$A$1:$B$2)',
      '支出!A1:B2',
      '#REF!',
      '支出!$A:$A',
      // exceljs ends a defined name's text at the first end tag inside it: "支出!$A$1:$B$20".
      '支出!$A$1:$B$2<x>0</x>,支出!$C$1:$C$9',
    ];
    for (const text of names) {
      const wbXml = readZip(base)
        .find((e) => e.name === 'xl/workbook.xml')
        ?.data.toString('utf8')
        .replace(
          '</sheets>',
          `</sheets><definedNames><definedName name="n">${text.replace(/'/g, '&apos;')}</definedName></definedNames>`,
        );
      if (!wbXml) throw new Error('no workbook.xml');
      const counts = emptyCounts();
      scanWorkbook('xl/workbook.xml', Buffer.from(wbXml), counts);
      expect([text, counts.rangeCells]).toEqual([
        text,
        (await loaded(editZip(base, { 'xl/workbook.xml': wbXml }))).named,
      ]);
      if (!text.includes('<')) expect(definedNameCells(text)).toBe(counts.rangeCells);
    }
    const counts = emptyCounts();
    scanWorkbook(
      'w',
      Buffer.from(
        '<definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">支出!$A$1:$XFD$1048576</definedName>' +
          '<definedName name="_xlnm.Print_Titles">支出!$1:$2</definedName></definedNames>',
      ),
      counts,
    );
    expect(counts.rangeCells).toBe(0);
    expect(
      refusal(() =>
        scanWorkbook(
          'w',
          Buffer.from('<definedNames><definedName name="big">支出!$A$1:$XFD$1048576</definedName></definedNames>'),
          emptyCounts(),
        ),
      ),
    ).toMatchObject({ bound: 'rangeCells' });
  });

  test('sheets', () => {
    const sheets = '<sheet name="s"/>'.repeat(IMPORT_LIMITS.sheets + 1);
    expect(refusal(() => scanWorkbook('w', Buffer.from(`<sheets>${sheets}</sheets>`), emptyCounts()))).toMatchObject({
      bound: 'sheets',
    });
  });
});

describe('measuring a whole workbook', () => {
  test('a workbook exceljs wrote passes, with its counts', async () => {
    expect(prescanXlsx(await workbook())).toMatchObject({ cells: 4, rowElements: 1, usedCells: 4, sheets: 1 });
  });

  test('XML elements exceljs parses: styles, comments, formats are bounded; parts it skips are not counted', async () => {
    const base = await workbook();
    const styles = readZip(base)
      .find((e) => e.name === 'xl/styles.xml')
      ?.data.toString('utf8');
    if (!styles) throw new Error('no styles.xml');
    const xfs = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'.repeat(IMPORT_LIMITS.otherElements);
    const bloated = styles.replace(/<cellXfs count="\d+">/, `<cellXfs count="1">${xfs}`);
    expect(refusal(() => prescanXlsx(editZip(base, { 'xl/styles.xml': bloated })))).toMatchObject({
      bound: 'otherElements',
      limit: IMPORT_LIMITS.otherElements,
    });
    // calcChain.xml (one element per formula cell) is not read by exceljs: not counted.
    const chain = `<calcChain>${'<c r="A1" i="1"/>'.repeat(IMPORT_LIMITS.xmlElements)}</calcChain>`;
    expect(prescanXlsx(editZip(base, { 'xl/calcChain.xml': chain })).elements).toBeLessThan(1000);
    // Rich-text runs of shared strings count towards all elements.
    const runs = '<r><t>x</t></r>'.repeat(IMPORT_LIMITS.xmlElements / 2);
    expect(
      refusal(() =>
        prescanXlsx(editZip(base, { 'xl/sharedStrings.xml': `<sst uniqueCount="1"><si>${runs}</si></sst>` })),
      ),
    ).toMatchObject({ bound: 'xmlElements' });
  });

  test('a zip bomb is refused by the sizes it declares, or while inflating when it lies about them', async () => {
    const base = await workbook();
    const xml = sheetXml(base);
    const cut = xml.indexOf('</sheetData>');
    // About 1 GB of rows in about a megabyte: never inflated whole.
    const bomb = deflateRepeated(xml.slice(0, cut), '<row><c><v>1</v></c></row>'.repeat(40_000), 1000, xml.slice(cut));
    expect(bomb.size).toBeGreaterThan(1e9);
    const honest = refusal(() => prescanXlsx(editZip(base, { [SHEET]: bomb })));
    expect(honest).toMatchObject({ bound: 'entryBytes', limit: IMPORT_LIMITS.entryBytes });
    expect(honest.message).toMatch(/^xl\/worksheets\/sheet1\.xml in the workbook declares 1,040,0\d\d,\d+ bytes/);
    const lying = writeZip(
      readZip(base).map((e) => (e.name === SHEET ? { name: e.name, data: bomb, declaredSize: 1000 } : e)),
    );
    expect(refusal(() => prescanXlsx(lying)).message).toMatch(
      /^xl\/worksheets\/sheet1\.xml in the workbook inflates to more than/,
    );
  });
});
