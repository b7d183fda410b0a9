import ExcelJS from 'exceljs';
import { InvalidInputError } from '../common/errors.js';
import { readZip, writeZip } from '#test/support/zip-writer.js';
import { IMPORT_LIMITS, ImportLimitError } from './limits.js';
import { inflateEntry, zipEntries } from './zip.js';

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('支出').addRow(['科室', '月份', '支出金额']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('nothing thrown');
}

describe('the zip directory', () => {
  test('entries of a workbook exceljs wrote, inflated to what they hold', async () => {
    const zip = await workbook();
    const entries = zipEntries(zip);
    const expected = readZip(zip);
    expect(entries.map((e) => e.names[0])).toEqual(expected.map((e) => e.name));
    let remaining = IMPORT_LIMITS.totalBytes;
    for (const [i, e] of entries.entries()) {
      const data = inflateEntry(zip, e, remaining);
      remaining -= data.length;
      expect(data.equals(expected[i]?.data ?? Buffer.alloc(0))).toBe(true);
      expect(data.length).toBe(e.declaredSize);
    }
  });

  test('stored entries; a leading "/" is dropped from names, as exceljs drops it', () => {
    const zip = writeZip([{ name: '/xl/workbook.xml', data: Buffer.from('<workbook/>'), store: true }]);
    const [entry] = zipEntries(zip);
    expect(entry).toMatchObject({ names: ['xl/workbook.xml'], method: 0 });
    expect(entry && inflateEntry(zip, entry, 100).toString()).toBe('<workbook/>');
  });

  test('too many entries: refused from the count the directory declares, before reading them', () => {
    const entries = Array.from({ length: IMPORT_LIMITS.zipEntries + 1 }, (_, i) => ({
      name: `x/${i}`,
      data: Buffer.alloc(0),
      store: true,
    }));
    const e = thrown(() => zipEntries(writeZip(entries)));
    expect(e).toBeInstanceOf(ImportLimitError);
    expect(e.message).toBe(
      `the zip archive declares ${(IMPORT_LIMITS.zipEntries + 1).toLocaleString('en-US')} entries: an .xlsx import reads at most ${IMPORT_LIMITS.zipEntries.toLocaleString('en-US')} (a workbook has a few dozen)`,
    );
  });

  test('the budget: an entry inflating beyond what remains of it is refused while inflating', () => {
    const zip = writeZip([{ name: 'a.xml', data: Buffer.alloc(5000, 0x61), declaredSize: 10 }]);
    const [entry] = zipEntries(zip);
    if (!entry) throw new Error('no entry');
    expect(inflateEntry(zip, entry, 5000).length).toBe(5000);
    const e = thrown(() => inflateEntry(zip, entry, 4999));
    expect(e).toMatchObject({ status: 413, bound: 'totalBytes' });
  });

  test('what JSZip would read otherwise is refused as unreadable (400)', async () => {
    const zip = await workbook();
    const unreadable = (b: Buffer) => {
      const e = thrown(() => zipEntries(b));
      expect(e).toBeInstanceOf(InvalidInputError);
      return (e as InvalidInputError).errors[0]?.reason;
    };
    expect(unreadable(Buffer.from('not a zip at all'))).toMatch(/not a zip archive/);
    expect(unreadable(Buffer.concat([Buffer.from('prefix'), zip]))).toMatch(/unexpected bytes before/);
    expect(unreadable(zip.subarray(0, zip.length - 30))).toBeDefined();
    const encrypted = Buffer.from(zip);
    const cd = encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    encrypted.writeUInt16LE(encrypted.readUInt16LE(cd + 8) | 1, cd + 8);
    expect(unreadable(encrypted)).toMatch(/encrypted/);
    const bzip = Buffer.from(zip);
    bzip.writeUInt16LE(12, cd + 10);
    expect(unreadable(bzip)).toMatch(/compression method 12/);
  });
});
