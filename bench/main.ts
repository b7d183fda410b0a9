/**
 * Benchmarks: `npm run bench -- <scenario> [options]` (targets and figures: BENCHMARKS.md).
 *
 *   scenarios  generate | http-ingest | cli-ingest | raw-insert | emmett | rebuild | query | scoring |
 *              write-model | city | monitoring | all
 *              (every one but city, a whole-city run, and monitoring), or several separated by commas
 *              (http-ingest,cli-ingest)
 *   --backend pglite|postgres|both   (default both)
 *   --departments N --units U --lines L   data size (default 20 × 20 × 2 × 12 months ≈ 16k events)
 *   --batch B          events per batch / transaction (default 500)
 *   --clients C        concurrent HTTP clients / Emmett writers (default 4)
 *   --order stream|month   generator order (default stream)
 *   --seed S           generator seed
 *   --rate R --duration D   query load: R requests/s for D s (default 200, 10)
 *   --sync-commit on|off    Postgres synchronous_commit of the bench databases (default on)
 *   --pglite-dir tmp|memory PGlite on disk in a temp folder (default) or in memory
 *   --raw-variants insert,copy,unnest,repo.append
 *   --city-lines L     scoring: lines per unit of the single city-scale department (default 42)
 *   --profile          time database statements (Kysely log) in cli-ingest and rebuild
 *   --projector api|worker|off   http-ingest: the projector in the API process (default), in the worker process
 *                      next to an API without one (the production setup; PostgreSQL), or none (diagnostic)
 *   --json FILE        also write every result row (and the machine) as JSON
 *   --wait-quiet S     before each run wait (≤ S s) until other processes use < 0.3 cores (shared machines)
 *
 * Each (scenario, backend) pair runs in its own child process when more than one is requested, so
 * peak RSS is per run; a single pair runs in this process.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { formatTable, log, waitQuiet, type Backend, type BenchOptions, type ResultRow } from './common.js';
import { countEvents, DEFAULT_SEED, generateNdjson, type Order } from './generate.js';
import { city } from './scenarios/city.js';
import { cliIngest } from './scenarios/cli-ingest.js';
import { emmett } from './scenarios/emmett.js';
import { httpIngest } from './scenarios/http-ingest.js';
import { monitoring } from './scenarios/monitoring.js';
import { query } from './scenarios/query.js';
import { RAW_VARIANTS, rawInsert, type RawVariant } from './scenarios/raw-insert.js';
import { rebuild } from './scenarios/rebuild.js';
import { scoring } from './scenarios/scoring.js';
import { writeModel } from './scenarios/write-model.js';
import { now, row } from './common.js';

const SCENARIOS = [
  'generate',
  'http-ingest',
  'cli-ingest',
  'raw-insert',
  'emmett',
  'rebuild',
  'query',
  'scoring',
  'write-model',
  'city',
  'monitoring',
] as const;
type Scenario = (typeof SCENARIOS)[number];

class UsageError extends Error {}

function intOption(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, values: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!values.includes(value as T))
    throw new UsageError(`--${name} must be one of ${values.join(', ')}, got "${value}"`);
  return value as T;
}

const OPTIONS = {
  backend: { type: 'string' },
  departments: { type: 'string' },
  units: { type: 'string' },
  lines: { type: 'string' },
  batch: { type: 'string' },
  clients: { type: 'string' },
  order: { type: 'string' },
  seed: { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  'sync-commit': { type: 'string' },
  'pglite-dir': { type: 'string' },
  'raw-variants': { type: 'string' },
  'city-lines': { type: 'string' },
  profile: { type: 'boolean' },
  projector: { type: 'string' },
  'wait-quiet': { type: 'string' },
  json: { type: 'string' },
  child: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

interface Parsed {
  name: string;
  scenarios: Scenario[];
  backends: Backend[];
  options: Omit<BenchOptions, 'backend'>;
  rawVariants: RawVariant[];
  json?: string;
  child: boolean;
  waitQuiet: number;
}

function parse(argv: string[]): Parsed {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help || positionals.length === 0) throw new UsageError('');
  const name = positionals[0]!;
  const listed = name === 'all' ? SCENARIOS.filter((s) => s !== 'city' && s !== 'monitoring') : name.split(',');
  for (const s of listed) if (!SCENARIOS.includes(s as Scenario)) throw new UsageError(`unknown scenario "${s}"`);
  const backend = oneOf('backend', values.backend, ['pglite', 'postgres', 'both'] as const, 'both');
  const rawVariants = (values['raw-variants'] ?? RAW_VARIANTS.join(','))
    .split(',')
    .map((v) => oneOf('raw-variants', v, RAW_VARIANTS, 'insert'));
  return {
    name,
    scenarios: listed as Scenario[],
    backends: backend === 'both' ? ['pglite', 'postgres'] : [backend],
    options: {
      departments: intOption('departments', values.departments, 20),
      units: intOption('units', values.units, 20),
      lines: intOption('lines', values.lines, 2),
      batch: intOption('batch', values.batch, 500),
      clients: intOption('clients', values.clients, 4),
      order: oneOf<Order>('order', values.order, ['stream', 'month'], 'stream'),
      seed: intOption('seed', values.seed, DEFAULT_SEED, 0),
      rate: intOption('rate', values.rate, 200),
      duration: intOption('duration', values.duration, 10),
      syncCommit: oneOf('sync-commit', values['sync-commit'], ['on', 'off'] as const, 'on'),
      pgliteDir: oneOf('pglite-dir', values['pglite-dir'], ['tmp', 'memory'] as const, 'tmp'),
      profile: values.profile ?? false,
      cityLines: intOption('city-lines', values['city-lines'], 42),
      projector: oneOf('projector', values.projector, ['api', 'worker', 'off'] as const, 'api'),
      adminUrl: process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    rawVariants,
    json: values.json,
    child: values.child ?? false,
    waitQuiet: intOption('wait-quiet', values['wait-quiet'], 0, 0),
  };
}

/** Generator throughput alone (events and NDJSON), no database: the floor under every ingest figure. */
function generateScenario(o: BenchOptions): ResultRow[] {
  const gen = { departments: o.departments, units: o.units, lines: o.lines, seed: o.seed, order: o.order };
  const started = now();
  let n = 0;
  let bytes = 0;
  for (const line of generateNdjson(gen)) {
    n++;
    bytes += line.length + 1;
  }
  const seconds = (now() - started) / 1000;
  if (n !== countEvents(gen)) throw new Error(`generated ${n} events, countEvents says ${countEvents(gen)}`);
  return [
    row({
      scenario: 'generate',
      variant: `NDJSON, ${o.order} order`,
      backend: o.backend,
      events: n,
      seconds,
      notes: `${Math.round(bytes / n)} bytes/event, ${(bytes / 1048576).toFixed(1)} MB`,
    }),
  ];
}

async function runOne(scenario: Scenario, o: BenchOptions, rawVariants: RawVariant[]): Promise<ResultRow[]> {
  switch (scenario) {
    case 'generate':
      return generateScenario(o);
    case 'http-ingest':
      return httpIngest(o);
    case 'cli-ingest':
      return cliIngest(o);
    case 'raw-insert':
      return rawInsert(o, rawVariants);
    case 'emmett':
      return emmett(o);
    case 'rebuild':
      return rebuild(o);
    case 'query':
      return query(o);
    case 'scoring':
      return scoring(o);
    case 'write-model':
      return writeModel(o);
    case 'city':
      return city(o);
    case 'monitoring':
      return monitoring(o);
  }
}

function runChild(argv: string[], name: string, scenario: Scenario, backend: Backend): Promise<ResultRow[]> {
  const script = fileURLToPath(import.meta.url);
  const args = [scenario, ...stripScenario(argv, name), '--backend', backend, '--child'];
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let rows: ResultRow[] | null = null;
    child.on('message', (m: { rows?: ResultRow[] }) => {
      if (m.rows) rows = m.rows;
    });
    child.on('exit', (code) =>
      rows && code === 0 ? resolve(rows) : reject(new Error(`${scenario} on ${backend} exited with code ${code}`)),
    );
  });
}

/** argv without the scenario name, --backend, --json and --wait-quiet (the parent decides those). */
function stripScenario(argv: string[], name: string): string[] {
  const out: string[] = [];
  let skippedScenario = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--backend' || a === '--json' || a === '--wait-quiet') {
      i++;
      continue;
    }
    if (a.startsWith('--backend=') || a.startsWith('--json=') || a.startsWith('--wait-quiet=')) continue;
    if (a === name && !skippedScenario) {
      skippedScenario = true;
      continue;
    }
    out.push(a);
  }
  return out;
}

async function machine(adminUrl: string): Promise<Record<string, string | number>> {
  let postgres = 'unreachable';
  try {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    const r = await c.query<{ v: string; sc: string; fs: string; sb: string }>(
      "select version() as v, current_setting('synchronous_commit') as sc, current_setting('fsync') as fs, current_setting('shared_buffers') as sb",
    );
    await c.end();
    postgres = `${r.rows[0]!.v.split(' on ')[0]} (synchronous_commit=${r.rows[0]!.sc}, fsync=${r.rows[0]!.fs}, shared_buffers=${r.rows[0]!.sb})`;
  } catch {
    // reported as unreachable
  }
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres,
  };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let p: Parsed;
  try {
    p = parse(argv);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const head = readHelp();
      if ((e as Error).message) process.stderr.write(`${(e as Error).message}\n\n`);
      process.stderr.write(head);
      return 2;
    }
    throw e;
  }
  const pairs = p.scenarios.flatMap((s) => p.backends.map((b) => ({ scenario: s, backend: b })));
  const all: ResultRow[] = [];
  let failed = 0;
  if (pairs.length === 1 || p.child) {
    for (const { scenario, backend } of pairs) {
      if (p.waitQuiet > 0 && !p.child)
        log(`machine busy ${(await waitQuiet(p.waitQuiet)).toFixed(2)} cores before ${scenario} on ${backend}`);
      const rows = await runOne(scenario, { ...p.options, backend }, p.rawVariants);
      all.push(...rows);
      process.stdout.write(`\n${scenario} · ${backend}\n${formatTable(rows)}\n`);
    }
    if (p.child && process.send) await new Promise<void>((r) => process.send!({ rows: all }, () => r()));
  } else {
    for (const { scenario, backend } of pairs) {
      try {
        if (p.waitQuiet > 0) {
          const busy = await waitQuiet(p.waitQuiet);
          log(`machine busy ${busy.toFixed(2)} cores before ${scenario} on ${backend}`);
        }
        all.push(...(await runChild(argv, p.name, scenario, backend)));
      } catch (e) {
        failed++;
        log(`FAILED: ${(e as Error).message}`);
      }
    }
    process.stdout.write(
      `\nall runs (${p.options.departments} departments × ${p.options.units} units × ${p.options.lines} lines × 12 months, batch ${p.options.batch})\n${formatTable(all)}\n`,
    );
  }
  if (p.json && !p.child) {
    writeFileSync(
      p.json,
      JSON.stringify(
        {
          when: new Date().toISOString(),
          argv,
          options: p.options,
          machine: await machine(p.options.adminUrl),
          rows: all,
        },
        null,
        2,
      ),
    );
    log(`wrote ${p.json}`);
  }
  return failed > 0 ? 1 : 0;
}

function readHelp(): string {
  return `usage: npm run bench -- <scenario> [options]
  scenarios: ${SCENARIOS.join(' | ')} | all   (all: every one but city and monitoring; or a comma-separated list)
  --backend pglite|postgres|both (both)   --departments N (20) --units U (20) --lines L (2)
  --batch B (500) --clients C (4) --order stream|month (stream) --seed S
  --rate R (200) --duration D (10)        query load
  --sync-commit on|off (on)               Postgres bench databases
  --pglite-dir tmp|memory (tmp)
  --raw-variants ${RAW_VARIANTS.join(',')}  --city-lines L (42)  --profile  --json FILE
  --projector api|worker|off (api)        http-ingest: where the projector runs (worker: its own process, PostgreSQL)
  --wait-quiet S (0)                      wait ≤ S s for an idle machine before each run
`;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
