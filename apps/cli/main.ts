#!/usr/bin/env node
/**
 * paceline CLI. Works on the same database as the API (DATABASE_URL, or the embedded PGlite folder),
 * or, for ingest, against a running API with --api.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ingestLines, type Submit } from '../../libs/application/file-ingest.js';
import { IngestService } from '../../libs/application/ingest.service.js';
import { loadConfig } from '../../libs/config/config.js';
import { migrate, openDatabase, type DatabaseHandle } from '../../libs/persistence/db.js';
import { EventsRepository } from '../../libs/persistence/events.repository.js';
import { httpSubmit } from './http-submit.js';
import { ProgressBar } from './progress.js';

const USAGE = `paceline — budget-execution monitoring

Usage:
  paceline ingest FILE.jsonl [--batch N] [--api URL]   ingest NDJSON events (same validation as the API)
  paceline migrate                                     apply database migrations
  paceline help

Database: DATABASE_URL (PostgreSQL) or, when unset, embedded PGlite in PACELINE_DATA_DIR (default ./data/pglite).
`;

class UsageError extends Error {}

async function withDatabase<T>(fn: (h: DatabaseHandle) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const handle = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(handle.db);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

async function ingestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { batch: { type: 'string' }, api: { type: 'string' }, 'api-key': { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) throw new UsageError('ingest needs a file: paceline ingest FILE.jsonl');
  const batchSize = values.batch ? Number(values.batch) : 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError('--batch must be a whole number between 1 and 10000');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const lines = text.split('\n');
  const run = async (submit: Submit) => {
    const bar = new ProgressBar('导入 ingest');
    return ingestLines(lines, submit, {
      batchSize,
      onProgress: (done, total, s) => bar.update(done, total, `新增 ${s.accepted} · 重复 ${s.duplicates} · 拒绝 ${s.rejected.length}`),
    });
  };
  const summary = values.api
    ? await run(httpSubmit(values.api, values['api-key'] ?? process.env.PACELINE_API_KEY))
    : await withDatabase((h) => {
        const service = new IngestService(new EventsRepository(h.db));
        return run((batch) => service.ingest(batch));
      });
  console.log(`\n${file}: ${summary.lines} 条事件 events`);
  console.log(`  新增 accepted:    ${summary.accepted}`);
  console.log(`  重复 duplicates:  ${summary.duplicates}`);
  console.log(`  拒绝 rejected:    ${summary.rejected.length}`);
  for (const r of summary.rejected) {
    console.log(`    第 ${r.line} 行 line ${r.line}${r.id ? ` (${r.id})` : ''}: ${r.path ? `${r.path}: ` : ''}${r.reason}`);
  }
  return summary.rejected.length > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'ingest':
      return ingestCommand(rest);
    case 'migrate':
      return withDatabase(async (h) => {
        console.log(`database ${h.kind} (${h.location}) is up to date`);
        return 0;
      });
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`paceline: ${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`paceline: ${(e as Error).message}`);
    process.exit(1);
  },
);
