/**
 * The real worker process (dist/apps/worker/main.js: the projector, jobs in-process, no schedule)
 * on a benchmark database, for the production topology: the API ingests with its projector off and
 * the worker projects, woken by the events' notifications (migration 0008).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface WorkerProcess {
  /** CPU seconds the worker has used so far (Linux /proc; 0 elsewhere). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

const PASSED_SETTINGS = ['PRECOMPUTE_MS', 'PROJECTOR_INTERVAL_MS'];

export async function startWorker(databaseUrl: string): Promise<WorkerProcess> {
  const script = fileURLToPath(new URL('../apps/worker/main.js', import.meta.url));
  // The worker's own settings a bench run may set (nothing else of this process's environment).
  const passed = Object.fromEntries(
    PASSED_SETTINGS.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  // BENCH_WORKER_CPU_PROF=DIR profiles the worker process (node --cpu-prof) into DIR.
  const profile = process.env.BENCH_WORKER_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_CPU_PROF}`]
    : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, script], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: databaseUrl,
      MONTH_CLOSE_SCHEDULE: 'off',
      LOG_LEVEL: 'silent',
      ...passed,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Ready when its projector listens for notifications on this database.
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode} before it was ready`);
      const r = await c.query(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen %'`,
      );
      if (r.rows[0].n > 0) break;
      if (i > 600) throw new Error('the worker did not start listening within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await c.end();
  }
  return {
    cpuSeconds: () => cpuOf(child.pid!),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
