/**
 * Reads a CSV file into a table: UTF-8 with or without BOM, UTF-16 with BOM, or GBK/GB18030 (given,
 * or detected when the bytes are not valid UTF-8), decoded with iconv-lite; comma, semicolon or tab.
 * Bytes the encoding cannot decode are refused (400 on `encoding`), not replaced; records, columns,
 * fields and record length are bounded while parsing (IMPORT_LIMITS, 413).
 */
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { InvalidInputError } from '../common/errors.js';
import { count, IMPORT_LIMITS, ImportLimitError, SHAPE_RULE, tooLarge } from './limits.js';
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

const REPLACEMENT = '\uFFFD';

/** U+FFFD characters in a text. */
function replacementsIn(text: string): number {
  let n = 0;
  for (let i = text.indexOf(REPLACEMENT); i >= 0; i = text.indexOf(REPLACEMENT, i + 1)) n++;
  return n;
}

/** U+FFFD characters written in the bytes themselves (in an encoding that can write one). */
function encodedReplacements(buf: Buffer, enc: string): number {
  const pattern = iconv.encode(REPLACEMENT, enc);
  if (pattern.length === 0 || iconv.decode(pattern, enc) !== REPLACEMENT) return 0;
  let n = 0;
  for (let i = buf.indexOf(pattern); i >= 0; i = buf.indexOf(pattern, i + pattern.length)) n++;
  return n;
}

/**
 * The text, unless decoding replaced bytes with U+FFFD (iconv does so silently): then the file is not
 * in that encoding, and a 400 on `encoding` says which encodings were tried.
 */
function decodedOrRefused(buf: Buffer, enc: string, tried: string[]): string {
  const text = iconv.decode(buf, enc);
  const bad = replacementsIn(text) - encodedReplacements(buf, enc);
  if (bad > 0) {
    const what = tried.length > 1 ? `neither ${tried.join(' nor ')}` : `not ${tried.join('')}`;
    const reason =
      `encoding problem: the file is ${what} text (tried ${tried.join(', ')}; ${count(bad)} byte sequence${bad === 1 ? '' : 's'} cannot be decoded). ` +
      'Save it from Excel as "CSV UTF-8 (逗号分隔)(*.csv)" and import that, or give its encoding (utf-8, gbk, gb18030)';
    throw new InvalidInputError(reason, [{ index: 0, path: 'encoding', reason }]);
  }
  return text;
}

export function decodeText(bytes: Uint8Array, encoding?: string): DecodedText {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return { text: decodedOrRefused(buf.subarray(3), 'utf-8', ['utf-8 (BOM)']), encoding: 'utf-8 (BOM)' };
  }
  if (buf[0] === 0xff && buf[1] === 0xfe)
    return {
      text: decodedOrRefused(buf.subarray(2), 'utf-16le', ['utf-16le (BOM)']),
      encoding: 'utf-16le (BOM)',
    };
  if (buf[0] === 0xfe && buf[1] === 0xff)
    return {
      text: decodedOrRefused(buf.subarray(2), 'utf-16be', ['utf-16be (BOM)']),
      encoding: 'utf-16be (BOM)',
    };
  if (encoding) {
    const enc = canonicalEncoding(encoding);
    if (!iconv.encodingExists(enc)) {
      throw new InvalidInputError(`unknown encoding "${encoding}"`, [
        { index: 0, path: 'encoding', reason: `unknown encoding "${encoding}" (use utf-8 or gbk)` },
      ]);
    }
    const used = enc === 'gb18030' && encoding.toLowerCase() !== 'gb18030' ? `gb18030 (${encoding})` : enc;
    return { text: decodedOrRefused(buf, enc, [used]), encoding: used };
  }
  try {
    return { text: utf8.decode(buf), encoding: 'utf-8' };
  } catch {
    // Not UTF-8: Chinese Windows exports are GBK; GB18030 decodes GBK and more.
    return { text: decodedOrRefused(buf, 'gb18030', ['utf-8', 'gb18030']), encoding: 'gb18030 (detected)' };
  }
}

/** The first `n` lines of a text (as `text.split(/\r?\n/).slice(0, n)`), without splitting all of it. */
function firstLines(text: string, n: number): string[] {
  let end = -1;
  for (let i = 0; i < n; i++) {
    end = text.indexOf('\n', end + 1);
    if (end < 0) return text.split(/\r?\n/).slice(0, n);
  }
  return text
    .slice(0, end + 1)
    .split(/\r?\n/)
    .slice(0, n);
}

function delimiterOf(text: string): string {
  const firstLines10 = firstLines(text, 10).join('\n');
  const counts = [',', ';', '\t'].map((d) => ({ d, n: firstLines10.split(d).length - 1 }));
  counts.sort((a, b) => b.n - a.n);
  const best = counts[0];
  return best && best.n > 0 ? best.d : ',';
}

export function readCsv(bytes: Uint8Array, name: string, encoding?: string): { table: Table; encoding: string } {
  const decoded = decodeText(bytes, encoding);
  let records: string[][];
  let fields = 0;
  let rowCount = 0;
  try {
    records = parse(decoded.text, {
      delimiter: delimiterOf(decoded.text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      max_record_size: IMPORT_LIMITS.csvRecordChars,
      // Bounds checked record by record, so a refused file never has all its records in memory.
      on_record: (record: string[]) => {
        rowCount++;
        if (rowCount > IMPORT_LIMITS.rows)
          tooLarge('rows', rowCount, `${name} has more than ${count(IMPORT_LIMITS.rows)} rows`, SHAPE_RULE);
        if (record.length > IMPORT_LIMITS.columns)
          tooLarge(
            'columns',
            record.length,
            `row ${rowCount} of ${name} has ${count(record.length)} columns, beyond column ${count(IMPORT_LIMITS.columns)}`,
            SHAPE_RULE,
          );
        fields += Math.max(record.length, 1);
        if (fields > IMPORT_LIMITS.cells)
          tooLarge(
            'cells',
            fields,
            `${name} has more than ${count(IMPORT_LIMITS.cells)} fields (reached at row ${rowCount})`,
            `an import reads at most ${count(IMPORT_LIMITS.cells)} cells`,
          );
        return record;
      },
    });
  } catch (e) {
    if (e instanceof ImportLimitError) throw e;
    if ((e as { code?: string }).code === 'CSV_MAX_RECORD_SIZE')
      tooLarge(
        'csvRecordChars',
        `more than ${count(IMPORT_LIMITS.csvRecordChars)}`,
        `a record of ${name} is longer than ${count(IMPORT_LIMITS.csvRecordChars)} characters (from line ${(e as { lines?: number }).lines ?? '?'}; an unclosed quote?)`,
        `an import reads records of at most ${count(IMPORT_LIMITS.csvRecordChars)} characters`,
      );
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
