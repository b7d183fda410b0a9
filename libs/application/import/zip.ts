/**
 * Reads the directory of a zip archive (an .xlsx) from a Buffer and inflates one entry at a time
 * against a byte budget, so a workbook is measured before exceljs (JSZip) unpacks it. The layout is
 * read the way JSZip reads it (the last end-of-directory record, the central records that follow one
 * another, the local header's name and extra length, the Unicode path field), and anything JSZip
 * would read differently (bytes before the archive, encryption, other compression) is refused.
 */
import { inflateRawSync } from 'node:zlib';
import { InvalidInputError } from '../common/errors.js';
import { bytes, count, IMPORT_LIMITS, tooLarge } from './limits.js';

export interface ZipEntry {
  /** The names the entry can be read under: local header, central directory, Unicode path field. */
  names: string[];
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  /** The uncompressed size the central directory states (the inflated size is measured anyway). */
  declaredSize: number;
  /** Where the entry's data starts in the archive. */
  dataStart: number;
}

const END = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;

function signature(sig: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(sig);
  return b;
}

/** 400: the archive cannot be read (the same message as an .xlsx exceljs cannot open). */
export function unreadable(reason: string): never {
  throw new InvalidInputError('the file is not a readable .xlsx workbook', [
    { index: 0, path: '', reason: `not a readable .xlsx workbook: ${reason}` },
  ]);
}

function need(zip: Buffer, at: number, length: number, what: string): void {
  if (at < 0 || at + length > zip.length) unreadable(`the zip archive is cut short (${what})`);
}

function u64(zip: Buffer, at: number, what: string): number {
  const v = zip.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) unreadable(`${what} is out of range`);
  return Number(v);
}

/** Extra fields of a central record, by id (the last of an id wins, as in JSZip). */
function extraFields(zip: Buffer, from: number, to: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let p = from;
  while (p + 4 < to) {
    const id = zip.readUInt16LE(p);
    const length = zip.readUInt16LE(p + 2);
    out.set(id, zip.subarray(p + 4, Math.min(p + 4 + length, to)));
    p += 4 + length;
  }
  return out;
}

function withoutLeadingSlash(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

/**
 * The entries of the archive, read from its central directory: refused (413) beyond
 * IMPORT_LIMITS.zipEntries, or when the sizes it declares already exceed the byte bounds.
 */
export function zipEntries(zip: Buffer): ZipEntry[] {
  const end = zip.lastIndexOf(signature(END));
  if (end < 0) unreadable('no end of central directory: this is not a zip archive (an .xlsx is one)');
  need(zip, end, 22, 'end of central directory');
  let records = zip.readUInt16LE(end + 10);
  let cdSize = zip.readUInt32LE(end + 12);
  let cdOffset = zip.readUInt32LE(end + 16);
  let expectedEnd = cdOffset + cdSize;
  const zip64 =
    zip.readUInt16LE(end + 4) === MAX16 ||
    zip.readUInt16LE(end + 6) === MAX16 ||
    zip.readUInt16LE(end + 8) === MAX16 ||
    records === MAX16 ||
    cdSize === MAX32 ||
    cdOffset === MAX32;
  if (zip64) {
    const locator = zip.lastIndexOf(signature(ZIP64_LOCATOR));
    if (locator < 0) unreadable('no zip64 end of central directory locator');
    need(zip, locator, 20, 'zip64 locator');
    if (zip.readUInt32LE(locator + 16) > 1) unreadable('multi-volume zip archives are not supported');
    let at = u64(zip, locator + 8, 'the zip64 end of central directory offset');
    if (at + 4 > zip.length || zip.readUInt32LE(at) !== ZIP64_END) at = zip.lastIndexOf(signature(ZIP64_END));
    if (at < 0) unreadable('no zip64 end of central directory');
    need(zip, at, 56, 'zip64 end of central directory');
    const size = u64(zip, at + 4, 'the zip64 record size');
    records = u64(zip, at + 32, 'the number of entries');
    cdSize = u64(zip, at + 40, 'the central directory size');
    cdOffset = u64(zip, at + 48, 'the central directory offset');
    expectedEnd = cdOffset + cdSize + 20 + 12 + size;
  }
  if (records > IMPORT_LIMITS.zipEntries)
    tooLarge(
      'zipEntries',
      records,
      `the zip archive declares ${count(records)} entries`,
      `an .xlsx import reads at most ${count(IMPORT_LIMITS.zipEntries)} (a workbook has a few dozen)`,
    );
  // JSZip would shift every offset by bytes found before the archive: such files are not workbooks.
  if (expectedEnd !== end) unreadable('unexpected bytes before or inside the zip archive');

  const entries: ZipEntry[] = [];
  let declaredTotal = 0;
  for (let p = cdOffset; p + 4 <= zip.length && zip.readUInt32LE(p) === CENTRAL;) {
    if (entries.length >= IMPORT_LIMITS.zipEntries)
      tooLarge(
        'zipEntries',
        `more than ${count(IMPORT_LIMITS.zipEntries)}`,
        `the zip archive holds more than ${count(IMPORT_LIMITS.zipEntries)} entries`,
        `an .xlsx import reads at most ${count(IMPORT_LIMITS.zipEntries)} (a workbook has a few dozen)`,
      );
    need(zip, p, 46, 'central directory');
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    let compressedSize = zip.readUInt32LE(p + 20);
    let declaredSize = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    let localOffset = zip.readUInt32LE(p + 42);
    need(zip, p + 46, nameLength + extraLength + commentLength, 'central directory');
    const centralName = zip.toString('utf8', p + 46, p + 46 + nameLength);
    const extra = extraFields(zip, p + 46 + nameLength, p + 46 + nameLength + extraLength);
    const z64 = extra.get(0x0001);
    if (z64) {
      let q = 0;
      const next = (what: string) => {
        if (q + 8 > z64.length) unreadable(`a zip64 field is cut short (${what})`);
        const v = z64.readBigUInt64LE(q);
        q += 8;
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) unreadable(`${what} is out of range`);
        return Number(v);
      };
      if (declaredSize === MAX32) declaredSize = next('uncompressed size');
      if (compressedSize === MAX32) compressedSize = next('compressed size');
      if (localOffset === MAX32) localOffset = next('local header offset');
    }
    const names = new Set([withoutLeadingSlash(centralName)]);
    const unicodePath = extra.get(0x7075);
    if (unicodePath && unicodePath.length > 5 && unicodePath[0] === 1)
      names.add(withoutLeadingSlash(unicodePath.toString('utf8', 5)));
    if (flags & 0x0001) unreadable(`${centralName} is encrypted`);
    if (method !== 0 && method !== 8) unreadable(`${centralName} uses compression method ${method}`);

    need(zip, localOffset, 30, `local header of ${centralName}`);
    if (zip.readUInt32LE(localOffset) !== LOCAL) unreadable(`no local header for ${centralName}`);
    const localNameLength = zip.readUInt16LE(localOffset + 26);
    const localExtraLength = zip.readUInt16LE(localOffset + 28);
    need(zip, localOffset + 30, localNameLength, `local header of ${centralName}`);
    names.add(withoutLeadingSlash(zip.toString('utf8', localOffset + 30, localOffset + 30 + localNameLength)));
    const dataStart = localOffset + 30 + localNameLength + localExtraLength;
    need(zip, dataStart, compressedSize, `data of ${centralName}`);

    const shown = withoutLeadingSlash(centralName);
    if (declaredSize > IMPORT_LIMITS.entryBytes) entryTooLarge(shown, `declares ${count(declaredSize)} bytes`);
    declaredTotal += declaredSize;
    if (declaredTotal > IMPORT_LIMITS.totalBytes) totalTooLarge(`declare more than ${count(declaredTotal - 1)} bytes`);
    entries.push({ names: [...names], method, compressedSize, declaredSize, dataStart });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function entryTooLarge(name: string, found: string): never {
  tooLarge(
    'entryBytes',
    found,
    `${name} in the workbook ${found}`,
    `an .xlsx import inflates at most ${bytes(IMPORT_LIMITS.entryBytes)} per part and ${bytes(IMPORT_LIMITS.totalBytes)} in all`,
  );
}

function totalTooLarge(found: string): never {
  tooLarge(
    'totalBytes',
    found,
    `the parts of the workbook ${found}`,
    `an .xlsx import inflates at most ${bytes(IMPORT_LIMITS.totalBytes)} in all (${bytes(IMPORT_LIMITS.entryBytes)} per part)`,
  );
}

/**
 * The entry's bytes, inflated with a hard bound: `remaining` bytes of the total budget (and the
 * per-entry bound); zlib stops and throws before allocating more, and that is a 413.
 */
export function inflateEntry(zip: Buffer, entry: ZipEntry, remaining: number): Buffer {
  const name = entry.names[0] ?? '?';
  const max = Math.min(IMPORT_LIMITS.entryBytes, remaining);
  const over = (): never =>
    max === IMPORT_LIMITS.entryBytes
      ? entryTooLarge(name, `inflates to more than ${count(max)} bytes`)
      : totalTooLarge(`inflate to more than ${count(IMPORT_LIMITS.totalBytes)} bytes`);
  const data = zip.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  if (entry.method === 0) {
    if (data.length > max) over();
    return data;
  }
  let out: Buffer;
  try {
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, max) });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') over();
    return unreadable(`${name} cannot be inflated (${(e as Error).message})`);
  }
  if (out.length > max) over();
  return out;
}
