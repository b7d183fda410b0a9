/**
 * A tiny zip writer and reader for tests that build hostile workbooks by hand: entries stored or
 * deflated, sizes that may lie, and deflate streams of gigabytes made from one compressed block
 * repeated (so a test never holds the inflated data itself).
 */
import { constants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** The entry's bytes, or an already deflated stream (`deflated`) with its inflated size. */
  data: Buffer | DeflatedData;
  /** Store instead of deflate (plain data only). */
  store?: boolean;
  /** Uncompressed size written in the headers (default: the real one). */
  declaredSize?: number;
}

export interface DeflatedData {
  deflated: Buffer;
  /** Bytes it inflates to. */
  size: number;
  crc: number;
}

function isDeflated(d: Buffer | DeflatedData): d is DeflatedData {
  return !Buffer.isBuffer(d);
}

/** A zip archive of the entries, in order (no comment, no zip64, UTF-8 names). */
export function writeZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    let body: Buffer;
    let size: number;
    let crc: number;
    let method: number;
    if (isDeflated(e.data)) {
      body = e.data.deflated;
      size = e.data.size;
      crc = e.data.crc;
      method = 8;
    } else {
      size = e.data.length;
      crc = crc32(e.data);
      method = e.store ? 0 : 8;
      body = e.store ? e.data : deflateRawSync(e.data);
    }
    const declared = e.declaredSize ?? size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(Math.min(declared, 0xfffffffe), 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(Math.min(declared, 0xfffffffe), 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The entries of a plain zip (as written by exceljs or writeZip), inflated: to edit a workbook. */
export function readZip(zip: Buffer): { name: string; data: Buffer }[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip');
  const count = zip.readUInt16LE(end + 10);
  let p = zip.readUInt32LE(end + 16);
  const out: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const skip = nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressed);
    out.push({ name, data: method === 0 ? Buffer.from(raw) : inflateRawSync(raw) });
    p += 46 + skip;
  }
  return out;
}

/** A workbook's entries with some replaced (by name) or added, zipped again. */
export function editZip(zip: Buffer, replace: Record<string, Buffer | string | DeflatedData>): Buffer {
  const entries = readZip(zip);
  const names = new Set(entries.map((e) => e.name));
  const toData = (v: Buffer | string | DeflatedData) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
  return writeZip([
    ...entries.map((e) => ({ name: e.name, data: e.name in replace ? toData(replace[e.name] as never) : e.data })),
    ...Object.entries(replace)
      .filter(([name]) => !names.has(name))
      .map(([name, v]) => ({ name, data: toData(v) })),
  ]);
}

/**
 * A deflate stream of `head`, then `chunk` repeated `times`, then `tail`, made by compressing each
 * part once (a full flush between parts makes them independent) and repeating the compressed
 * chunk: a gigabyte of XML in about a megabyte, without ever holding the gigabyte.
 */
export function deflateRepeated(head: string, chunk: string, times: number, tail: string): DeflatedData {
  const flush = { finishFlush: constants.Z_FULL_FLUSH, level: 9 };
  const h = Buffer.from(head, 'utf8');
  const c = Buffer.from(chunk, 'utf8');
  const t = Buffer.from(tail, 'utf8');
  const parts = [deflateRawSync(h, flush)];
  const block = deflateRawSync(c, flush);
  for (let i = 0; i < times; i++) parts.push(block);
  parts.push(deflateRawSync(t));
  let crc = crc32(h);
  for (let i = 0; i < times; i++) crc = crc32(c, crc);
  crc = crc32(t, crc);
  return { deflated: Buffer.concat(parts), size: h.length + c.length * times + t.length, crc };
}
