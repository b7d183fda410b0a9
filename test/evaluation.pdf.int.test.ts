/**
 * The PDF renderer's process handling with stand-in "chromium" scripts (the real browser is
 * exercised by evaluation.api.e2e.test.ts when installed): the arguments it gets, the timeout that
 * kills its whole process group, failures as 503s, and the temporary folder removed every time.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnavailableError } from '#application/common/errors.js';
import { htmlToPdf, PdfUnavailableError } from '#application/evaluation/exports/evaluation-pdf.js';

const dir = mkdtempSync(join(tmpdir(), 'paceline-pdf-test-'));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A stand-in that records its arguments, checks the HTML it was given and writes a PDF. */
const printer = script(
  'chromium-ok',
  `echo "$@" > ${dir}/args.txt
for a in "$@"; do case "$a" in --print-to-pdf=*) out="\${a#--print-to-pdf=}";; file://*) html="\${a#file://}";; esac; done
grep -q '自评' "$html" || exit 7
printf '%%PDF-1.4 stand-in' > "$out"`,
);

function emptyRoot(): string {
  return mkdtempSync(join(dir, 'root-'));
}

/** A process is gone (or a zombie waiting for its parent to reap it). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z';
  } catch {
    return true;
  }
}

describe('htmlToPdf', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('prints through Chromium headless and removes its temporary folder', async () => {
    const root = emptyRoot();
    const pdf = await htmlToPdf('<!DOCTYPE html><p>部门整体支出绩效自评报告</p>', { chromium: printer, tmpRoot: root });
    expect(pdf.toString('latin1')).toBe('%PDF-1.4 stand-in');
    const args = readFileSync(join(dir, 'args.txt'), 'utf8');
    for (const flag of [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--print-to-pdf=',
    ])
      expect(args).toContain(flag);
    expect(readdirSync(root)).toEqual([]);
  });

  test('a Chromium that hangs is killed with its children after the timeout', async () => {
    const root = emptyRoot();
    const pidFile = join(dir, 'child.pid');
    const hang = script('chromium-hang', `sleep 30 & echo $! > ${pidFile}; wait`);
    const started = Date.now();
    const err = await htmlToPdf('<p>x</p>', { chromium: hang, tmpRoot: root, timeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toContain('did not finish within 500 ms');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(readdirSync(root)).toEqual([]);
    const child = Number(readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 50 && !gone(child); i++) await new Promise((r) => setTimeout(r, 20));
    expect(gone(child)).toBe(true);
  });

  test('a failing Chromium is a 503 with its last words; no PDF is a 503 too', async () => {
    const root = emptyRoot();
    const fail = script('chromium-fail', 'echo "cannot open display" >&2; exit 3');
    const err = await htmlToPdf('<p>x</p>', { chromium: fail, tmpRoot: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/exited with 3.*cannot open display/);
    const silent = script('chromium-silent', 'exit 0');
    await expect(htmlToPdf('<p>x</p>', { chromium: silent, tmpRoot: root })).rejects.toThrow('produced no PDF');
    expect(readdirSync(root)).toEqual([]);
  });

  test('without Chromium, PDF export is unavailable and says so', async () => {
    const missing = join(dir, 'no-such-chromium');
    expect(existsSync(missing)).toBe(false);
    await expect(htmlToPdf('<p>x</p>', { chromium: missing })).rejects.toBeInstanceOf(PdfUnavailableError);
    await expect(htmlToPdf('<p>x</p>', { chromium: missing })).rejects.toThrow(
      `Chromium at ${missing}, which is not installed`,
    );
  });
});
