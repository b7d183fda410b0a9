/** Starts bench/server.ts (the real API) in a child process and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GenerateOptions } from './generate.js';
import type { BenchDatabase } from './db.js';

export interface ApiStats {
  maxRssMB: number;
  rssMB: number;
  cpuSeconds: number;
  /** Longest garbage-collection pause and the sum of all of them since the process started (ms). */
  gcMaxPauseMs: number;
  /** Longest garbage-collection pause since the previous stats() call (ms). */
  gcRecentMaxPauseMs: number;
  gcTotalPauseMs: number;
  /** The event loop's delay since the previous stats() call (ms): its p99 and its longest. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface ApiProcess {
  port: number;
  base: string;
  seed(
    gen: GenerateOptions,
    batch: number,
  ): Promise<{ accepted: number; ingestSeconds: number; catchUpSeconds: number }>;
  stats(): Promise<ApiStats>;
  /** Closes the app and waits for the process to exit; returns its final stats. */
  stop(): Promise<ApiStats>;
}

export async function startApi(db: BenchDatabase, options: { projector?: boolean } = {}): Promise<ApiProcess> {
  const script = fileURLToPath(new URL('./server.js', import.meta.url));
  const child: ChildProcess = fork(
    script,
    [JSON.stringify({ databaseUrl: db.url, dataDir: db.dataDir, projector: options.projector ?? true })],
    {
      // Request logs (pino, one JSON line per request as in production) are written, and discarded.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // BENCH_API_CPU_PROF=DIR profiles the API process (node --cpu-prof) into DIR.
      execArgv: [
        ...process.execArgv.filter((a) => !a.startsWith('--cpu-prof')),
        ...(process.env.BENCH_API_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_API_CPU_PROF}`] : []),
      ],
    },
  );
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench API process exited with ${code} before it was ready`)));
    child.on('message', (m: { ready?: boolean; port?: number; id?: number; ok?: boolean; error?: string }) => {
      if (m.ready) return resolve(m.port!);
      const p = m.id !== undefined ? pending.get(m.id) : undefined;
      if (!p) return;
      pending.delete(m.id!);
      if (m.ok) p.resolve(m as never);
      else p.reject(new Error(m.error ?? 'bench API process error'));
    });
  });
  const call = <T>(msg: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error('bench API process has exited'));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: never) => void, reject });
      child.send({ id, ...msg });
    });
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    seed: (gen, batch) => call({ cmd: 'seed', gen, batch }),
    stats: () => call({ cmd: 'stats' }),
    stop: async () => {
      const s = await call<ApiStats>({ cmd: 'stop' });
      await Promise.race([exit, new Promise((r) => setTimeout(r, 10_000))]);
      if (!exited) child.kill('SIGKILL');
      return s;
    },
  };
}
