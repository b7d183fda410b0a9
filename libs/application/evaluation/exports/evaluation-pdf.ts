/**
 * HTML → PDF with headless Chromium when it is installed: the report is written to a temporary
 * folder, Chromium prints it, the folder is removed whatever happens, and a Chromium that does
 * not finish in time is killed with its whole process group.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UnavailableError } from '../../common/errors.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Chromium is not installed: PDF export is not offered (the HTML report can be printed instead). */
export class PdfUnavailableError extends Error {
  constructor(readonly chromium: string) {
    super(
      `PDF export needs Chromium at ${chromium}, which is not installed; open …/evaluation.html and print it to PDF from a browser instead`,
    );
    this.name = 'PdfUnavailableError';
  }
}

export interface PdfOptions {
  chromium?: string;
  timeoutMs?: number;
  /** Where the temporary folder is created (default: the OS temp folder). */
  tmpRoot?: string;
}

export function chromiumAvailable(chromium = CHROMIUM_PATH): boolean {
  return existsSync(chromium);
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    let timedOut = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    // Killed with its process group (renderer and GPU helpers too); the promise settles on exit,
    // so the temporary folder is removed only once nothing writes to it any more.
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid === undefined) child.kill('SIGKILL');
        else process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new UnavailableError(`cannot start ${cmd}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        reject(new UnavailableError(`PDF rendering did not finish within ${timeoutMs} ms; Chromium was stopped`));
      else if (code === 0) resolve();
      else
        reject(
          new UnavailableError(
            `PDF rendering failed (Chromium exited with ${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' ')}`,
          ),
        );
    });
  });
}

/** Prints an HTML document to PDF bytes. */
export async function htmlToPdf(html: string, opts: PdfOptions = {}): Promise<Buffer> {
  const chromium = opts.chromium ?? CHROMIUM_PATH;
  if (!chromiumAvailable(chromium)) throw new PdfUnavailableError(chromium);
  const dir = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), 'paceline-pdf-'));
  try {
    const input = join(dir, 'report.html');
    const output = join(dir, 'report.pdf');
    await writeFile(input, html, 'utf8');
    await run(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
        '--no-pdf-header-footer',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--print-to-pdf=${output}`,
        pathToFileURL(input).href,
      ],
      opts.timeoutMs ?? 30_000,
    );
    const pdf = await readFile(output).catch(() => null);
    if (!pdf || pdf.subarray(0, 5).toString('latin1') !== '%PDF-')
      throw new UnavailableError('PDF rendering produced no PDF');
    return pdf;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
