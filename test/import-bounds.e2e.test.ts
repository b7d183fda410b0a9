/**
 * Hostile spreadsheets posted to the import endpoint of the real HTTP app: each is refused with 413
 * (or 400) naming the bound it breaks, before the reader allocates for it; nothing is stored, and
 * the API still imports a real file afterwards. The files are built here: a workbook exceljs wrote,
 * with its sheet XML edited, zipped again (test/support/zip-writer.ts); the zip bomb is a repeated
 * deflate block, so the test never holds the gigabyte it inflates to.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import request from 'supertest';
import { startTestApp, type TestApp } from './support/app.js';
import { logSnapshot } from './support/log-snapshot.js';
import { deflateRepeated, editZip, readZip, writeZip, type DeflatedData } from './support/zip-writer.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DEP = 'bounds-office';
const SHEET = 'xl/worksheets/sheet1.xml';
const SHAPE = 'an import reads at most 256 columns and 100,000 rows';

/** A budget the import would store (four events): an accepted attack would change the log. */
async function officeWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const budget = wb.addWorksheet('预算');
  budget.addRow(['科室', '预算项目', '资金来源', '预算数（元）']);
  budget.addRow(['办公室', '日常公用经费', '财政拨款', 1200000]);
  budget.addRow(['业务科', '专项工作', '财政拨款', 800000]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

let office: Buffer;
let sheetXml: string;

/** The office workbook with its first sheet's XML changed (and other parts replaced or added). */
function edited(change: (xml: string) => string | DeflatedData, parts: Record<string, string | DeflatedData> = {}) {
  return editZip(office, { [SHEET]: change(sheetXml), ...parts });
}

const beforeEnd = (xml: string, rows: string) => xml.replace('</sheetData>', `${rows}</sheetData>`);
const afterData = (xml: string, s: string) => xml.replace('</sheetData>', `</sheetData>${s}`);

function columnLetters(c: number): string {
  let s = '';
  for (let n = c; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

describe('imports of hostile files are refused early, naming the bound', () => {
  let t: TestApp;
  const url = (q = '') => `/api/v1/departments/${DEP}/years/2024/imports${q}`;
  const post = (body: Buffer | string, type = XLSX, q = '?recordedOn=2024-03-05') =>
    request(t.http).post(url(q)).set('Content-Type', type).send(body);

  beforeAll(async () => {
    office = await officeWorkbook();
    const sheet = readZip(office).find((e) => e.name === SHEET);
    if (!sheet) throw new Error('exceljs wrote no sheet1.xml');
    sheetXml = sheet.data.toString('utf8');
    t = await startTestApp('pglite');
    const opened = await request(t.http)
      .post('/api/v1/events')
      .send({
        id: 'bounds-office-opened',
        type: 'YearOpened',
        department: DEP,
        year: 2024,
        occurredAt: '2024-01-03',
        data: {
          departmentName: '测试局',
          schedule: { Q1: '25', Q2: '50', Q3: '75', Q4: '100' },
          alertThresholds: { yellow: '5', red: '10' },
        },
      });
    expect(opened.status).toBe(201);
  });
  afterAll(async () => t.close());

  /** Posts the file; expects the refusal and an unchanged log, then a real file still imports (dry run). */
  async function refused(body: Buffer | string, status: 400 | 413, message: RegExp, type = XLSX, q?: string) {
    const before = await logSnapshot(t.db.db);
    const res = await post(body, type, q);
    expect({ status: res.status, message: res.body.message }).toEqual({
      status,
      message: expect.stringMatching(message),
    });
    expect(await logSnapshot(t.db.db)).toEqual(before);
    const still = await post(office, XLSX, '?dryRun=true&recordedOn=2024-03-05');
    expect(still.status).toBe(200);
    expect(still.body.events).toEqual({ UnitRegistered: 2, BudgetAllocated: 2 });
    return res.body as { message: string; errors?: { index: number; path: string; reason: string }[] };
  }

  test('one cell at XFD1048576, in row 1048576 (the reported attack, as a dry run)', async () => {
    const file = edited((x) => beforeEnd(x, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'));
    await refused(
      file,
      413,
      new RegExp(`^row 1048576 in xl/worksheets/sheet1.xml is beyond row 100,000: ${SHAPE}$`),
      XLSX,
      '?dryRun=true',
    );
  });

  test('one cell at XFD4: beyond column 256', async () => {
    const file = edited((x) => beforeEnd(x, '<row r="4"><c r="XFD4"><v>1</v></c></row>'));
    await refused(file, 413, new RegExp(`^cell XFD4 in xl/worksheets/sheet1.xml is beyond column 256: ${SHAPE}$`));
  });

  test('a row numbered 1048576 (A1048576, the 500 after 14 s)', async () => {
    const file = edited((x) => beforeEnd(x, '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'));
    await refused(file, 413, /^row 1048576 in .* is beyond row 100,000: an import reads at most/);
  });

  test('a declared dimension A1:XFD1048576 with a far cell', async () => {
    const file = edited((x) =>
      beforeEnd(
        x.replace(/<dimension ref="[^"]*"\/>/, '<dimension ref="A1:XFD1048576"/>'),
        '<row r="1048576"><c r="XFD1048576"/></row>',
      ),
    );
    await refused(
      file,
      413,
      /^the used range A1:XFD1048576 that xl\/worksheets\/sheet1.xml declares \(<dimension>\) is beyond column 256/,
    );
  });

  test('a merged range A1:XFD1048576 (exceljs would create every cell of it)', async () => {
    const file = edited((x) => afterData(x, '<mergeCells count="1"><mergeCell ref="F1:XFD1048576"/></mergeCells>'));
    await refused(file, 413, /^merged range F1:XFD1048576 in .* is beyond column 256: an import reads at most/);
  });

  test('too many cells: 1,200 rows of 256 columns', async () => {
    const letters = Array.from({ length: 256 }, (_, c) => columnLetters(c + 1));
    const rows: string[] = [];
    for (let r = 10; r < 1210; r++)
      rows.push(`<row r="${r}">${letters.map((l) => `<c r="${l}${r}"><v>1</v></c>`).join('')}</row>`);
    const body = await refused(
      edited((x) => beforeEnd(x, rows.join(''))),
      413,
      /cells.*: an import reads at most [\d,]+ cells/,
    );
    expect(body.message).toMatch(/^the workbook has more than [\d,]+ cells|^the used range/);
  });

  test('too many shared strings: a million, declared, or written under a declared count of one', async () => {
    const n = 1_000_000;
    const sst = (declared: number) =>
      deflateRepeated(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${declared}" uniqueCount="${declared}">`,
        '<si><t>x</t></si>'.repeat(1000),
        n / 1000,
        '</sst>',
      );
    await refused(
      edited((x) => x, { 'xl/sharedStrings.xml': sst(n) }),
      413,
      /^xl\/sharedStrings.xml declares 1,000,000 unique strings: an import reads at most [\d,]+ shared strings$/,
    );
    await refused(
      edited((x) => x, { 'xl/sharedStrings.xml': sst(1) }),
      413,
      /^xl\/sharedStrings.xml holds more than [\d,]+ strings: an import reads at most [\d,]+ shared strings$/,
    );
  });

  describe('a zip bomb: a gigabyte of rows in about two megabytes', () => {
    const bomb = () => {
      const cut = sheetXml.indexOf('</sheetData>');
      return deflateRepeated(
        sheetXml.slice(0, cut),
        '<row><c><v>1</v></c></row>'.repeat(40_000),
        1000,
        sheetXml.slice(cut),
      );
    };

    test('declaring its size: refused from the zip directory', async () => {
      await refused(
        edited(bomb),
        413,
        /^xl\/worksheets\/sheet1.xml in the workbook declares 1,040,0\d\d,\d{3} bytes: an .xlsx import inflates at most [\d,]+ MiB per part/,
      );
    });

    test('lying about its size: refused while inflating, at the bound', async () => {
      const data = bomb();
      const zip = writeZip(
        readZip(office).map((e) => (e.name === SHEET ? { name: e.name, data, declaredSize: 2000 } : e)),
      );
      await refused(
        zip,
        413,
        /^xl\/worksheets\/sheet1.xml in the workbook inflates to more than [\d,]+ bytes: an .xlsx import inflates at most/,
      );
    });
  });

  test('too many zip entries', async () => {
    const entries = readZip(office).map((e) => ({ name: e.name, data: e.data }));
    for (let i = 0; i < 5000; i++) entries.push({ name: `xl/media/image${i}.png`, data: Buffer.alloc(0) });
    await refused(
      writeZip(entries),
      413,
      /^the zip archive declares 5,\d{3} entries: an .xlsx import reads at most [\d,]+/,
    );
  });

  test('a CSV of 500,000 rows (the RangeError at skipped.push(...))', async () => {
    // Subtotal rows: every one is a skipped row of the report.
    const csv = `科室,预算项目,资金来源,预算数\n${'合计\n'.repeat(500_000)}`;
    await refused(csv, 413, new RegExp(`^upload has more than 100,000 rows: ${SHAPE}$`), 'text/csv');
  });

  test('a CSV row of 20,000 columns', async () => {
    const csv = `科室,预算项目,资金来源,预算数${',x'.repeat(20_000)}\n办公室,日常公用经费,财政拨款,1\n`;
    await refused(
      csv,
      413,
      /^row 1 of upload has 20,004 columns, beyond column 256: an import reads at most/,
      'text/csv',
    );
  });

  test('a CSV neither UTF-8 nor GBK: an encoding problem, with the encodings tried', async () => {
    const csv = Buffer.concat([
      iconv.encode('科室,预算项目,资金来源,预算数\n办公室,', 'gbk'),
      Buffer.from([0xff, 0xff, 0xfe]),
      iconv.encode(',财政拨款,1\n', 'gbk'),
    ]);
    const body = await refused(
      csv,
      400,
      /^encoding problem: the file is neither utf-8 nor gb18030 text \(tried utf-8, gb18030/,
      'text/csv',
    );
    expect(body.errors).toEqual([{ index: 0, path: 'encoding', reason: body.message }]);
    expect(body.message).toMatch(/CSV UTF-8/);
    const explicit = await refused(
      csv,
      400,
      /^encoding problem: the file is not gb18030 \(gbk\) text/,
      'text/csv; charset=gbk',
    );
    expect(explicit.errors?.[0]?.path).toBe('encoding');
  });

  test('several imports at once: one is read at a time, the others wait or are told to retry (503)', async () => {
    const before = await logSnapshot(t.db.db);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post(office, XLSX, '?dryRun=true&recordedOn=2024-03-05')),
    );
    for (const res of answers) {
      expect([200, 503]).toContain(res.status);
      if (res.status === 503) {
        expect(res.body).toMatchObject({ retryable: true });
        expect(res.body.message).toMatch(/busy with imports|waited .* for its turn/);
      } else expect(res.body.events).toEqual({ UnitRegistered: 2, BudgetAllocated: 2 });
    }
    expect(answers.some((r) => r.status === 200)).toBe(true);
    expect(await logSnapshot(t.db.db)).toEqual(before);
  });
});
