/**
 * Prints the result rows of `--json` files as Markdown tables (for BENCHMARKS.md):
 *   node dist/bench/report.js FILE.json [FILE.json …] [--short] [--least-contended]
 * --short            keeps the notes up to the first ";"
 * --least-contended  merges the files: for each (scenario, variant, backend) the row whose run had the
 *                    least CPU used by other processes ("other N%" in the notes), for shared machines
 * --median           merges the files: for each (scenario, variant, backend) the median (by events/s,
 *                    else by p99) of the rows whose runs were quiet (other ≤ 15%; else the least contended)
 */
import { readFileSync } from 'node:fs';
import { formatTable, type ResultRow } from './common.js';

interface Run {
  file: string;
  argv: string[];
  rows: ResultRow[];
}

const other = (r: ResultRow): number => Number(/other (\d+)%/.exec(r.notes ?? '')?.[1] ?? 0);

const args = process.argv.slice(2);
const short = args.includes('--short');
const runs: Run[] = args
  .filter((a) => !a.startsWith('--'))
  .map((file) => ({ file, ...(JSON.parse(readFileSync(file, 'utf8')) as { argv: string[]; rows: ResultRow[] }) }));
const shorten = (rows: ResultRow[]) =>
  short ? rows.map((r) => ({ ...r, notes: (r.notes ?? '').split(';')[0] })) : rows;

if (args.includes('--least-contended') || args.includes('--median')) {
  const byKey = new Map<string, ResultRow[]>();
  for (const run of runs) {
    for (const r of run.rows) {
      const key = `${r.scenario}|${r.variant}|${r.backend}`;
      (byKey.get(key) ?? byKey.set(key, []).get(key)!).push(r);
    }
  }
  const best = new Map<string, ResultRow>();
  for (const [key, rows] of byKey) {
    const leastOther = Math.min(...rows.map(other));
    if (!args.includes('--median')) {
      best.set(
        key,
        rows.find((r) => other(r) === leastOther)!,
      );
      continue;
    }
    const quiet = rows.filter((r) => other(r) <= 15);
    const pool = quiet.length > 0 ? quiet : rows.filter((r) => other(r) === leastOther);
    const metric = (r: ResultRow) => (r.eventsPerSec !== null ? -r.eventsPerSec : (r.p99 ?? 0));
    const sorted = [...pool].sort((x, y) => metric(x) - metric(y));
    best.set(key, sorted[Math.floor((sorted.length - 1) / 2)]!);
  }
  // Scenario order of the benchmark, then backend, then the variant's first appearance.
  const SCENARIO_ORDER = [
    'generate',
    'http-ingest',
    'cli-ingest',
    'raw-insert',
    'emmett',
    'rebuild',
    'query',
    'scoring',
  ];
  const firstSeen = new Map<string, number>();
  for (const run of runs)
    for (const r of run.rows) if (!firstSeen.has(r.variant)) firstSeen.set(r.variant, firstSeen.size);
  const rows = [...best.values()].sort(
    (x, y) =>
      SCENARIO_ORDER.indexOf(x.scenario) - SCENARIO_ORDER.indexOf(y.scenario) ||
      x.backend.localeCompare(y.backend) ||
      firstSeen.get(x.variant)! - firstSeen.get(y.variant)!,
  );
  process.stdout.write(
    `\n<!-- ${args.includes('--median') ? 'median of the quiet runs' : 'least contended'} of: ${runs.map((r) => r.file).join(', ')} -->\n${formatTable(shorten(rows))}\n`,
  );
} else {
  for (const run of runs)
    process.stdout.write(
      `\n<!-- ${run.file}: npm run bench -- ${run.argv.join(' ')} -->\n${formatTable(shorten(run.rows))}\n`,
    );
}
