import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLines } from './file-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'paceline-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: Buffer | string): string {
  const f = join(dir, `f${n++}.jsonl`);
  writeFileSync(f, content);
  return f;
}

async function read(f: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of new FileLines(f)) out.push(l);
  return out;
}

/** What the CLI did before: the whole file as one string, split at "\n". */
const reference = (f: string) => readFileSync(f, 'utf8').split('\n');

describe('FileLines', () => {
  test.each([
    ['empty', ''],
    ['one line, no newline', '{"a":1}'],
    ['trailing newline', '{"a":1}\n{"b":2}\n'],
    ['blank lines and spaces', '\n\n  \n{"a":1}\n\n'],
    ['CRLF keeps its \\r (as split did)', '{"a":1}\r\n{"b":2}\r\n'],
    ['a lone \\r does not end a line', '{"a":1}\r{"b":2}\n{"c":3}'],
    ['unicode line separators stay inside lines', '{"a":"\u2028\u2029"}\n{"b":"应急"}'],
  ])('%s: the same lines as split("\\n")', async (_, content) => {
    const f = file(content);
    expect(await read(f)).toEqual(reference(f));
  });

  test('lines across 1 MiB read chunks, multi-byte characters on the boundaries, a line longer than a chunk', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 30_000; i++) parts.push(`{"i":${i},"t":"${'应急管理局'.repeat(i % 13)}"}`);
    parts.splice(15_000, 0, `{"long":"${'长'.repeat(1_500_000)}"}`);
    const f = file(parts.join('\n'));
    const lines = await read(f);
    expect(lines).toEqual(reference(f));
    expect(lines).toHaveLength(30_001);
  });

  test('undecodable bytes become U+FFFD exactly as when the file is decoded whole', async () => {
    const f = file(
      Buffer.concat([
        Buffer.from('{"a":"'),
        Buffer.from([0xe4, 0xb8]),
        Buffer.from('"}\n'),
        Buffer.from([0xff, 0xfe, 0x0a, 0xe4]),
        Buffer.from('\n{"b":1}'),
      ]),
    );
    expect(await read(f)).toEqual(reference(f));
  });

  test('progress: bytes read and an estimate of the total that is exact at the end', async () => {
    const content = Array.from({ length: 1000 }, (_, i) => `{"i":${i}}`).join('\n');
    const f = file(content);
    const lines = new FileLines(f);
    let seen = 0;
    let estimateHalfway = 0;
    for await (const l of lines) {
      if (l.trim() !== '') seen++;
      if (seen === 500) estimateHalfway = lines.estimateTotal(seen);
    }
    expect(estimateHalfway).toBeGreaterThan(950);
    expect(estimateHalfway).toBeLessThan(1050);
    expect(lines.finished).toBe(true);
    expect(lines.bytesRead).toBe(Buffer.byteLength(content));
    expect(lines.estimateTotal(seen)).toBe(1000);
  });

  test('a missing file or a directory fails when opened, with the message readFileSync gives', () => {
    const msg = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as Error).message;
      }
      return null;
    };
    expect(msg(() => new FileLines('/nonexistent.jsonl'))).toBe(msg(() => readFileSync('/nonexistent.jsonl')));
    expect(msg(() => new FileLines(dir))).toBe(msg(() => readFileSync(dir)));
  });
});
