/**
 * Reads a CSV file into a table: UTF-8 with or without BOM, UTF-16 with BOM, or GBK/GB18030 (given,
 * or detected when the bytes are not valid UTF-8), decoded with iconv-lite; comma, semicolon or tab.
 */
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { InvalidInputError } from '../common/errors.js';
import type { Table } from './table.js';

export interface DecodedText {
  text: string;
  /** The encoding used, e.g. "utf-8", "utf-8 (BOM)", "gb18030 (detected)". */
  encoding: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function canonicalEncoding(name: string): string {
  const n = name.trim().toLowerCase().replace(/_/g, '-');
  if (n === 'utf8') return 'utf-8';
  // GB18030 is a superset of GBK and GB2312: decode all three with it.
  if (n === 'gbk' || n === 'gb2312' || n === 'cp936' || n === 'gb18030') return 'gb18030';
  return n;
}

export function isSupportedEncoding(name: string): boolean {
  return iconv.encodingExists(canonicalEncoding(name));
}

export function decodeText(bytes: Uint8Array, encoding?: string): DecodedText {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return { text: iconv.decode(buf.subarray(3), 'utf-8'), encoding: 'utf-8 (BOM)' };
  }
  if (buf[0] === 0xff && buf[1] === 0xfe)
    return { text: iconv.decode(buf.subarray(2), 'utf-16le'), encoding: 'utf-16le (BOM)' };
  if (buf[0] === 0xfe && buf[1] === 0xff)
    return { text: iconv.decode(buf.subarray(2), 'utf-16be'), encoding: 'utf-16be (BOM)' };
  if (encoding) {
    const enc = canonicalEncoding(encoding);
    if (!iconv.encodingExists(enc)) {
      throw new InvalidInputError(`unknown encoding "${encoding}"`, [
        { index: 0, path: 'encoding', reason: `unknown encoding "${encoding}" (use utf-8 or gbk)` },
      ]);
    }
    return {
      text: iconv.decode(buf, enc),
      encoding: enc === 'gb18030' && encoding.toLowerCase() !== 'gb18030' ? `gb18030 (${encoding})` : enc,
    };
  }
  try {
    return { text: utf8.decode(buf), encoding: 'utf-8' };
  } catch {
    // Not UTF-8: Chinese Windows exports are GBK; GB18030 decodes GBK and more.
    return { text: iconv.decode(buf, 'gb18030'), encoding: 'gb18030 (detected)' };
  }
}

function delimiterOf(text: string): string {
  const firstLines = text.split(/\r?\n/).slice(0, 10).join('\n');
  const counts = [',', ';', '\t'].map((d) => ({ d, n: firstLines.split(d).length - 1 }));
  counts.sort((a, b) => b.n - a.n);
  const best = counts[0];
  return best && best.n > 0 ? best.d : ',';
}

export function readCsv(bytes: Uint8Array, name: string, encoding?: string): { table: Table; encoding: string } {
  const decoded = decodeText(bytes, encoding);
  let records: string[][];
  try {
    records = parse(decoded.text, {
      delimiter: delimiterOf(decoded.text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    });
  } catch (e) {
    throw new InvalidInputError('the CSV file cannot be read', [
      { index: 0, path: '', reason: `not readable as CSV: ${(e as Error).message}` },
    ]);
  }
  const rows = records.map((r) => r.map((v) => (v.trim() === '' ? null : v)));
  return {
    table: { name, rows, repeated: rows.map((r) => r.map(() => false)), merges: [] },
    encoding: decoded.encoding,
  };
}
