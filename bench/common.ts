/** Shared benchmark plumbing: options, result rows, timing, percentiles, tables, resource accounting. */
import { readdirSync, readFileSync } from 'node:fs';
import type { GenerateOptions, Order } from './generate.js';

export type Backend = 'pglite' | 'postgres';

export interface BenchOptions {
  backend: Backend;
  departments: number;
  units: number;
  lines: number;
  /** Events per batch (HTTP request, CLI batch, raw INSERT/COPY transaction, Emmett append). */
  batch: number;
  /** Concurrent HTTP clients / Emmett writers. */
  clients: number;
  order: Order;
  seed: number;
  /** Query scenario: requests per second and seconds per endpoint. */
  rate: number;
  duration: number;
  /** Postgres: synchronous_commit for the benchmark database (ALTER DATABASE … SET). */
  syncCommit: 'on' | 'off';
  /** PGlite folder: 'tmp' (a fresh folder under the OS temp dir, the embedded default's on-disk mode) or 'memory'. */
  pgliteDir: 'tmp' | 'memory';
  /** Time database statements (Kysely log) and report where the time goes. */
  profile: boolean;
  /** Budget lines per unit for the single city-scale department folded in memory by `scoring`. */
  cityLines: number;
  /**
   * http-ingest: where the projector runs: in the API process (`api`, the single-process setup),
   * in the worker process next to an API without one (`worker`, the production setup), or nowhere
   * (`off`, diagnostic: no catch-up figure).
   */
  projector: 'api' | 'worker' | 'off';
  /** Postgres admin URL (databases paceline_bench_* are created and dropped on it). */
  adminUrl: string;
}

export function generateOptions(o: BenchOptions, extra: Partial<GenerateOptions> = {}): GenerateOptions {
  return { departments: o.departments, units: o.units, lines: o.lines, seed: o.seed, order: o.order, ...extra };
}

export interface ResultRow {
  scenario: string;
  variant: string;
  backend: Backend | 'both';
  events: number;
  seconds: number;
  eventsPerSec: number | null;
  /** Milliseconds: per batch (ingest) or per request (query). */
  p50?: number | null;
  p99?: number | null;
  /** Seconds from the last batch until the projection had caught up. */
  catchUp?: number | null;
  /** Peak RSS of the process doing the work (the API process for HTTP scenarios), MB. */
  rssMB: number;
  notes?: string;
  /** Extra figures for BENCHMARKS.md (CPU seconds, splits…). */
  extra?: Record<string, number | string>;
}

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export function seconds(fromMs: number): number {
  return (now() - fromMs) / 1000;
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function latencyStats(samples: number[]): { p50: number | null; p99: number | null } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99) };
}

/** Peak resident set of this process so far, MB. */
export function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function round(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(digits);
}

const COLUMNS: { title: string; get: (r: ResultRow) => string; right?: boolean }[] = [
  { title: 'scenario', get: (r) => r.scenario },
  { title: 'variant', get: (r) => r.variant },
  { title: 'backend', get: (r) => r.backend },
  { title: 'events', get: (r) => r.events.toLocaleString('en-US'), right: true },
  { title: 'seconds', get: (r) => r.seconds.toFixed(2), right: true },
  {
    title: 'events/s',
    get: (r) => (r.eventsPerSec === null ? '' : Math.round(r.eventsPerSec).toLocaleString('en-US')),
    right: true,
  },
  { title: 'p50 ms', get: (r) => round(r.p50), right: true },
  { title: 'p99 ms', get: (r) => round(r.p99), right: true },
  { title: 'catch-up s', get: (r) => round(r.catchUp), right: true },
  { title: 'peak RSS MB', get: (r) => Math.round(r.rssMB).toString(), right: true },
  { title: 'notes', get: (r) => r.notes ?? '' },
];

/** A plain-text table (also valid Markdown). */
export function formatTable(rows: ResultRow[]): string {
  const cells = rows.map((r) => COLUMNS.map((c) => c.get(r)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (COLUMNS[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (COLUMNS[i]!.right ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(COLUMNS.map((c) => c.title)), sep, ...cells.map(line)].join('\n');
}

export function row(
  r: Omit<ResultRow, 'eventsPerSec' | 'rssMB'> & { eventsPerSec?: number | null; rssMB?: number },
): ResultRow {
  return {
    ...r,
    eventsPerSec: r.eventsPerSec !== undefined ? r.eventsPerSec : r.seconds > 0 ? r.events / r.seconds : null,
    rssMB: r.rssMB ?? peakRssMB(),
  };
}

// ---------------------------------------------------------------------------------------------
// CPU accounting: this process (process.cpuUsage) and every local `postgres` process (/proc), so a
// figure can be attributed to Node CPU, Postgres CPU, or neither (waiting: fsync, round trips).

const CLK_TCK = 100;
const CLIENT_BACKEND = /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]|::1\(\d+\)/;

/**
 * utime+stime per `postgres` process (Linux /proc; empty elsewhere), seconds. Client backends of
 * other databases (e.g. tests running meanwhile) are left out: only paceline_bench_* backends and
 * the server's own processes (WAL writer, checkpointer, autovacuum…) count.
 */
export function postgresCpuByPid(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (CLIENT_BACKEND.test(cmdline) && !cmdline.includes('paceline_bench_')) continue;
      const fields = stat.slice(close + 2).split(' ');
      out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
    } catch {
      // process ended meanwhile
    }
  }
  return out;
}

/** Busy CPU seconds of the whole machine so far (all cores, /proc/stat; 0 elsewhere). */
export function machineBusySeconds(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - idle) / CLK_TCK;
  } catch {
    return 0;
  }
}

/**
 * Waits until the machine is quiet (other processes use < `busyCores` cores over a 2 s window),
 * at most `maxSeconds`; returns the busy cores of the last window.
 */
export async function waitQuiet(maxSeconds: number, busyCores = 0.3): Promise<number> {
  const deadline = now() + maxSeconds * 1000;
  for (;;) {
    const b0 = machineBusySeconds();
    await new Promise((r) => setTimeout(r, 2000));
    const busy = (machineBusySeconds() - b0) / 2;
    if (busy < busyCores || now() >= deadline) return busy;
  }
}

export interface CpuMark {
  wall: number;
  node: NodeJS.CpuUsage;
  pg: Map<number, number>;
  machine: number;
}

export function cpuMark(): CpuMark {
  return { wall: now(), node: process.cpuUsage(), pg: postgresCpuByPid(), machine: machineBusySeconds() };
}

/**
 * Seconds of wall time, Node CPU (this process) and Postgres CPU since a mark. Postgres CPU is
 * summed per process still alive at the end (a backend that exited in between is not counted).
 */
export interface CpuSpent {
  wall: number;
  nodeCpu: number;
  pgCpu: number;
  /** Busy CPU seconds of the whole machine (every process) over the same interval. */
  machineCpu: number;
}

export function cpuSince(m: CpuMark): CpuSpent {
  const u = process.cpuUsage(m.node);
  let pgCpu = 0;
  for (const [pid, cpu] of postgresCpuByPid()) pgCpu += Math.max(0, cpu - (m.pg.get(pid) ?? 0));
  return {
    wall: (now() - m.wall) / 1000,
    nodeCpu: (u.user + u.system) / 1e6,
    pgCpu,
    machineCpu: machineBusySeconds() - m.machine,
  };
}

/**
 * "node CPU 55%, pg CPU 48%, other 12%": shares of one core over the wall time (2 cores = 200%).
 * `other` is what the rest of the machine used meanwhile (tests of other sessions…): a contended run.
 */
export function cpuNote(c: CpuSpent, ownElsewhere = 0, nodeLabel = 'node'): string {
  const pct = (x: number) => `${Math.round((100 * x) / Math.max(c.wall, 1e-9))}%`;
  const other = Math.max(0, c.machineCpu - c.nodeCpu - c.pgCpu - ownElsewhere);
  return `${nodeLabel} CPU ${pct(c.nodeCpu)}, pg CPU ${pct(c.pgCpu)}, other ${pct(other)}`;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** JSON with Maps as entry lists: compares states and read models structurally. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v));
}
