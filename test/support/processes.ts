/**
 * Real Paceline processes (the built dist/ binaries) for fault tests: spawn with an explicit
 * environment, watch their output, SIGKILL them, stop them gracefully, and make sure none outlives
 * the suite (`killAll` in afterAll).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './receiver.js';

const started = new Set<ChildProcess>();

export class NodeProcess {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  signal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    args: string[],
    env: Record<string, string | undefined>,
  ) {
    // Only what the test sets, plus PATH/HOME: no DATABASE_URL or REDIS_URL leaks from the shell.
    const clean: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test',
    };
    for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
    this.child = spawn(process.execPath, [script, ...args], { env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
    started.add(this.child);
    this.child.stdout!.on('data', (c: Buffer) => (this.stdout += c.toString('utf8')));
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.signal = signal;
        started.delete(this.child);
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitCode === null && this.signal === null;
  }

  /** Waits until stdout or stderr matches, failing early if the process exits first. */
  async waitForOutput(what: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return waitFor(
      `${this.name} output ${what}`,
      async () => {
        const m = (this.stdout + this.stderr).match(what);
        if (m) return m;
        if (!this.running)
          throw new Error(
            `${this.name} exited (${this.exitCode ?? this.signal}) before printing ${what}:\n${this.tail()}`,
          );
        return null;
      },
      timeoutMs,
      20,
    );
  }

  tail(chars = 3000): string {
    return `--- stdout\n${this.stdout.slice(-chars)}\n--- stderr\n${this.stderr.slice(-chars)}`;
  }

  /** SIGSTOP: the process freezes where it is (its open transactions stay open) until killed. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  /** kill -9: no shutdown hooks, no flushing, open transactions abandoned mid-way. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** SIGKILLs every process these helpers started that is still running (afterAll). */
export async function killAll(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      waits.push(new Promise((r) => child.once('exit', r)));
      child.kill('SIGKILL');
    }
  }
  await Promise.all(waits);
  started.clear();
}

export const CLI = 'dist/apps/cli/main.js';
export const API = 'dist/apps/api/main.js';
export const WORKER = 'dist/apps/worker/main.js';
