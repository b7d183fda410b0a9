import iconv from 'iconv-lite';
import { decodeText, readCsv } from './csv.js';
import { locateHeader } from './header.js';
import { defaultMapping } from './mapping.js';
import { readRecords } from './rows.js';

const TEXT =
  '科室,预算项目,资金来源,月份,支出金额（元）\n办公室,单位日常运转—日常公用经费,一般公共预算,2023年3月,"１，２３４．５０"\n安全生产监督管理科,安全生产工作,财政拨款,3月,(100.00)\n,,,,\n合计,,,,"1,134.50"\n';

describe('CSV encodings', () => {
  test('GBK bytes are detected and decoded', () => {
    const bytes = iconv.encode(TEXT, 'gbk');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const { table, encoding } = readCsv(bytes, 'spending');
    expect(encoding).toBe('gb18030 (detected)');
    expect(table.rows[1]![1]).toBe('单位日常运转—日常公用经费');
    const layout = locateHeader(table, defaultMapping())!;
    const read = readRecords(table, layout, { year: 2023, mapping: defaultMapping() });
    expect(read.records.map((r) => [r.info.unitName, r.info.source, r.info.month, r.amount.toFixed(2)])).toEqual([
      ['办公室', 'fiscal', '2023-03', '1234.50'],
      ['安全生产监督管理科', 'fiscal', '2023-03', '-100.00'],
    ]);
    expect(read.skipped.map((s) => [s.row, s.reason])).toEqual([
      [4, 'blank'],
      [5, 'subtotal'],
    ]);
  });

  test('--encoding gbk is honoured; GB18030 and UTF-8 with or without BOM', () => {
    const gbk = iconv.encode(TEXT, 'gbk');
    expect(decodeText(gbk, 'gbk')).toEqual({ text: TEXT, encoding: 'gb18030 (gbk)' });
    expect(decodeText(iconv.encode(TEXT, 'gb18030'), 'gb18030').text).toBe(TEXT);
    expect(decodeText(Buffer.from(TEXT, 'utf8'))).toEqual({ text: TEXT, encoding: 'utf-8' });
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]))).toEqual({
      text: TEXT,
      encoding: 'utf-8 (BOM)',
    });
    // A BOM header still matches: the first column is 科室, not "\uFEFF科室".
    const { table } = readCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]), 'x');
    expect(locateHeader(table, defaultMapping())!.columns[0]!.rule.field).toBe('unitName');
    expect(() => decodeText(gbk, 'klingon')).toThrow(/unknown encoding/);
  });

  test('semicolon and tab separated files', () => {
    const { table } = readCsv(Buffer.from('科室\t预算项目\t月份\t支出金额\n办公室\t日常\t2023-01\t5\n'), 'tsv');
    expect(table.rows[1]).toEqual(['办公室', '日常', '2023-01', '5']);
  });
});
