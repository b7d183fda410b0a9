import ExcelJS from 'exceljs';
import { locateHeader } from './header.js';
import { defaultMapping, parseMapping } from './mapping.js';
import { readRecords } from './rows.js';
import { normalizeHeader, normalizeHeaderPath } from './text.js';
import { readXlsx } from './xlsx.js';
import { readCsv } from './csv.js';

describe('normalizeHeader', () => {
  test('full-width to half-width, spaces and line breaks removed, units recognized', () => {
    expect(normalizeHeader(' 预算 项目 ')).toEqual({ key: '预算项目' });
    expect(normalizeHeader('支出\n金额')).toEqual({ key: '支出金额' });
    expect(normalizeHeader('支出金额 (元)')).toEqual({ key: '支出金额', unit: 'yuan' });
    expect(normalizeHeader('支出金额（万元）')).toEqual({ key: '支出金额', unit: 'wan' });
    expect(normalizeHeader('预算数\r\n（单位：万元）')).toEqual({ key: '预算数', unit: 'wan' });
    expect(normalizeHeader('其中：财政拨款')).toEqual({ key: '财政拨款' });
    expect(normalizeHeader('*科室')).toEqual({ key: '科室' });
    expect(normalizeHeader('ＩＤ')).toEqual({ key: 'id' });
    expect(normalizeHeader('\u3000月份\u3000')).toEqual({ key: '月份' });
    expect(normalizeHeaderPath('预算数/其中：财政拨款')).toBe('预算数/财政拨款');
  });
});

/** A budget sheet as budget systems print it: title, unit note, two header rows over merged cells. */
async function mergedWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('2023预算');
  ws.getCell('A1').value = '某区应急管理局2023年部门预算明细表';
  ws.mergeCells('A1:F1');
  ws.getCell('A2').value = '单位：万元';
  // Row 3–4: 科室 / 预算项目 / 资金说明 spread over two rows; 预算数 over three sub-columns.
  ws.getCell('A3').value = '科　室';
  ws.mergeCells('A3:A4');
  ws.getCell('B3').value = '预算\n项目';
  ws.mergeCells('B3:B4');
  ws.getCell('C3').value = '预算数';
  ws.mergeCells('C3:E3');
  ws.getCell('C4').value = '合计';
  ws.getCell('D4').value = '其中：财政拨款';
  ws.getCell('E4').value = '其他资金';
  ws.getCell('F3').value = '备注';
  ws.mergeCells('F3:F4');
  const rows: (string | number | null)[][] = [
    ['办公室', '日常公用经费', 126.35, 126.35, null, ''],
    ['安全科', '安全生产工作', 825.44335, 795.66335, 29.78, ''],
    [null, null, null, null, null, null],
    ['应急科', '应急管理工作', '１，０００．００', 800, null, '含其他资金'],
    ['小计', null, 1951.79335, 1721.01335, 29.78, null],
    ['应急科', '物资储备', 12.3456789, 12.3456789, null, null],
  ];
  rows.forEach((r, i) => {
    ws.getRow(5 + i).values = r;
  });
  // 科室 merged down over two data rows: both rows belong to 指挥科.
  ws.getCell('A11').value = '指挥科';
  ws.mergeCells('A11:A12');
  ws.getCell('B11').value = '信息化运维';
  ws.getCell('C11').value = 10;
  ws.getCell('B12').value = '通信保障';
  ws.getCell('C12').value = 20;
  ws.getCell('A13').value = '合 计';
  ws.getCell('C13').value = { formula: 'SUM(C5:C12)', result: 1981.79335 } as ExcelJS.CellFormulaValue;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('merged header cells in an xlsx', () => {
  test('a title row is passed over; 预算数 over 合计 | 其中：财政拨款 | 其他资金 maps to budget by fund source', async () => {
    const [table] = await readXlsx(await mergedWorkbook());
    const layout = locateHeader(table!, defaultMapping())!;
    expect(layout).toMatchObject({ headerRow: 3, headerRows: 2, dataStart: 4, unitNote: 'wan' });
    expect(layout.columns.map((c) => [c.letter, c.header, c.rule.field, c.rule.source])).toEqual([
      ['A', '科 室', 'unitName', undefined],
      ['B', '预算 项目', 'lineName', undefined],
      ['C', '预算数/合计', 'budget', undefined],
      ['D', '预算数/其中:财政拨款', 'budget', 'fiscal'],
      ['E', '预算数/其他资金', 'budget', 'other'],
      ['F', '备注', 'ignore', undefined],
    ]);
  });

  test('rows: 万元 from the note, 合计 split into its parts (or checked against them), subtotal and blank rows skipped, merged 科室 repeated', async () => {
    const [table] = await readXlsx(await mergedWorkbook());
    const layout = locateHeader(table!, defaultMapping())!;
    const read = readRecords(table!, layout, { year: 2023, mapping: defaultMapping() });
    expect(read.unit).toBe('wan');
    expect(
      read.records.map((r) => [r.info.ref.row, r.info.unitName, r.info.lineName, r.source ?? '-', r.amount.toFixed(2)]),
    ).toEqual([
      [5, '办公室', '日常公用经费', 'fiscal', '1263500.00'],
      [6, '安全科', '安全生产工作', 'fiscal', '7956633.50'],
      [6, '安全科', '安全生产工作', 'other', '297800.00'],
      [11, '指挥科', '信息化运维', '-', '100000.00'],
      [12, '指挥科', '通信保障', '-', '200000.00'],
    ]);
    expect(read.skipped).toEqual([
      { sheet: '2023预算', row: 7, reason: 'blank' },
      { sheet: '2023预算', row: 9, reason: 'subtotal', text: '小计' },
      { sheet: '2023预算', row: 13, reason: 'subtotal', text: '合 计' },
    ]);
    expect(read.rejected).toEqual([
      expect.objectContaining({
        row: 8,
        column: 'C',
        value: '１，０００．００',
        reason: '合计 10000000.00 is not the sum of its parts 8000000.00',
      }),
      expect.objectContaining({
        sheet: '2023预算',
        row: 10,
        column: 'C',
        header: '预算数/合计',
        reason: expect.stringMatching(/more than 2 decimals/),
      }),
      expect.objectContaining({ sheet: '2023预算', row: 10, column: 'D', header: '预算数/其中:财政拨款' }),
    ]);
  });

  test('a mapping file adds headers and can name the header row', async () => {
    const [table] = await readXlsx(await mergedWorkbook());
    const mapping = parseMapping({
      columns: { '预算数/其中：财政拨款': { field: 'budget', source: 'fiscal' }, 备注: 'reason' },
      headerRow: 3,
      headerRows: 2,
      unit: 'yuan',
    });
    const layout = locateHeader(table!, mapping)!;
    expect(layout.columns.find((c) => c.letter === 'F')!.rule.field).toBe('reason');
    const read = readRecords(table!, layout, { year: 2023, mapping });
    expect(read.unit).toBe('yuan');
    expect(read.records[0]!.amount.toFixed(2)).toBe('126.35');
    expect(() => parseMapping({ columns: { 科室: 'department' }, unit: 'cny' })).toThrow(
      /mapping.columns.科室: must name a field.*mapping.unit/,
    );
  });
});

describe('two header rows in a CSV (the group written once, blanks after it)', () => {
  test('预算数 then blanks over 合计 / 其中：财政拨款', () => {
    const csv = [
      '科室,预算项目,预算数,,资金来源',
      ',,合计,其中：财政拨款,',
      '办公室,日常公用经费,"1,000.00",600,',
      '合计,,"1,000.00",600,',
    ].join('\r\n');
    const { table } = readCsv(Buffer.from(csv, 'utf8'), 'budget');
    const layout = locateHeader(table, defaultMapping())!;
    expect(layout.headerRows).toBe(2);
    expect(layout.columns.map((c) => c.header)).toEqual([
      '科室',
      '预算项目',
      '预算数/合计',
      '预算数/其中:财政拨款',
      '资金来源',
    ]);
    const read = readRecords(table, layout, { year: 2023, mapping: defaultMapping() });
    expect(read.records.map((r) => [r.source, r.amount.toFixed(2)])).toEqual([
      ['fiscal', '600.00'],
      ['other', '400.00'],
    ]);
    expect(read.skipped).toEqual([{ sheet: 'budget', row: 4, reason: 'subtotal', text: '合计' }]);
  });
});
