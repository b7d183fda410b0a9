import iconv from 'iconv-lite';
import { InvalidInputError } from '../common/errors.js';
import { decodeText, readCsv } from './csv.js';
import { IMPORT_LIMITS, ImportLimitError } from './limits.js';
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

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('nothing thrown');
}

describe('undecodable CSV', () => {
  const GARBAGE = Buffer.from([0xff, 0xfe, 0xff, 0x80, 0xff]);
  const bytes = Buffer.concat([
    iconv.encode('科室,预算项目,月份,支出金额\n办公室,', 'gbk'),
    GARBAGE.subarray(2),
    Buffer.from(',2023-01,5\n'),
  ]);

  test('bytes neither UTF-8 nor GB18030: a 400 on encoding naming the encodings tried, not replacement characters', () => {
    const e = thrown(() => readCsv(bytes, 'x'));
    expect(e).toBeInstanceOf(InvalidInputError);
    const [error] = (e as InvalidInputError).errors;
    expect(error).toMatchObject({ index: 0, path: 'encoding' });
    expect(error?.reason).toMatch(
      /^encoding problem: the file is neither utf-8 nor gb18030 text \(tried utf-8, gb18030; \d+ byte sequences? cannot be decoded\)/,
    );
    expect(error?.reason).toMatch(/CSV UTF-8/);
  });

  test('an explicit encoding or a BOM is checked too', () => {
    expect(thrown(() => decodeText(bytes, 'gbk')).message).toMatch(/not gb18030 \(gbk\) text \(tried gb18030 \(gbk\);/);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('科室,'), Buffer.from([0xc3, 0x28])]);
    expect(thrown(() => decodeText(bom)).message).toMatch(/not utf-8 \(BOM\) text/);
  });

  test('a replacement character written in the file itself is text, not a decoding failure', () => {
    expect(decodeText(Buffer.from('科室,\uFFFD\n')).text).toBe('科室,\uFFFD\n');
    expect(decodeText(iconv.encode('科室,\uFFFD\n', 'gb18030'), 'gb18030').text).toBe('科室,\uFFFD\n');
  });
});

describe('CSV bounds', () => {
  const refused = (text: string) => {
    const e = thrown(() => readCsv(Buffer.from(text), 'big'));
    expect(e).toBeInstanceOf(ImportLimitError);
    return e as ImportLimitError;
  };

  test('rows, columns and fields', () => {
    expect(refused('a\n'.repeat(IMPORT_LIMITS.rows + 1))).toMatchObject({
      status: 413,
      bound: 'rows',
      value: IMPORT_LIMITS.rows + 1,
    });
    const wide = refused(`${'x,'.repeat(IMPORT_LIMITS.columns)}x\n`);
    expect(wide.message).toBe(
      `row 1 of big has ${IMPORT_LIMITS.columns + 1} columns, beyond column ${IMPORT_LIMITS.columns}: an import reads at most ${IMPORT_LIMITS.columns} columns and ${IMPORT_LIMITS.rows.toLocaleString('en-US')} rows`,
    );
    const line = `${'1,'.repeat(IMPORT_LIMITS.columns - 1)}1\n`;
    expect(refused(line.repeat(Math.ceil(IMPORT_LIMITS.cells / IMPORT_LIMITS.columns) + 1))).toMatchObject({
      bound: 'cells',
    });
  });

  test('a record longer than the bound (an unclosed quote takes the rest of the file)', () => {
    const e = refused(`科室,月份\n"办公室,${'x'.repeat(IMPORT_LIMITS.csvRecordChars)}\n`);
    expect(e).toMatchObject({ bound: 'csvRecordChars' });
    expect(e.message).toMatch(
      /^a record of big is longer than [\d,]+ characters \(from line \d+; an unclosed quote\?\)/,
    );
  });
});
