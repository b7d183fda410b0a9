/**
 * Prints the result rows of one or more `--json` files as Markdown tables (for BENCHMARKS.md):
 *   node dist/bench/report.js FILE.json [FILE.json …] [--short]
 * --short drops the notes column's text after the first ";".
 */
import { readFileSync } from 'node:fs';
import { formatTable, type ResultRow } from './common.js';

const args = process.argv.slice(2);
const short = args.includes('--short');
for (const file of args.filter((a) => !a.startsWith('--'))) {
  const data = JSON.parse(readFileSync(file, 'utf8')) as { argv: string[]; options: Record<string, unknown>; machine: Record<string, unknown>; rows: ResultRow[] };
  const rows = short ? data.rows.map((r) => ({ ...r, notes: (r.notes ?? '').split(';')[0] })) : data.rows;
  process.stdout.write(`\n<!-- ${file}: npm run bench -- ${data.argv.join(' ')} -->\n${formatTable(rows)}\n`);
}
